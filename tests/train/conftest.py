"""Fixtures for the training tests (helpers live in engine_fixtures.py)."""

from __future__ import annotations

import pytest

from stiltx.recipe.schema import ModelConfig


@pytest.fixture
def model_cfg(tiny_model_dir) -> ModelConfig:
    return ModelConfig(name_or_path=str(tiny_model_dir), max_length=32)


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    """Tiny models gain nothing from intra-op threads; on a shared 2-core box OpenMP threads
    spinning against other test runs made these tests many times slower."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
