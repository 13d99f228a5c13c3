"""Fixtures for the training tests (helpers live in engine_fixtures.py)."""

from __future__ import annotations

import pytest

from stiltx.recipe.schema import ModelConfig


@pytest.fixture
def model_cfg(tiny_model_dir) -> ModelConfig:
    return ModelConfig(name_or_path=str(tiny_model_dir), max_length=32)
