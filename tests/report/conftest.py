"""Fixtures over the hand-written run directories of run_writers.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from run_writers import OFFSET, write_run


@pytest.fixture
def runs_dir(tmp_path: Path) -> Path:
    root = tmp_path / "runs"
    for seed in (1, 2, 3):
        write_run(root, "direct", seed, 0.0)
        write_run(root, "multitask9", seed, OFFSET[seed])
    return root


@pytest.fixture
def make_run():
    """write_run(root, recipe, seed, shift, **results_overrides) -> run dir."""
    return write_run
