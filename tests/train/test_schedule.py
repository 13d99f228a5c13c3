"""lr schedule and step counts: hand-computed values."""

from __future__ import annotations

import pytest

from stiltx.errors import StiltxError
from stiltx.recipe.schema import TrainConfig
from stiltx.train.schedule import lr_at, total_steps, warmup_steps


def test_linear_warmup_then_linear_decay():
    lrs = [lr_at(s, peak=1.0, warmup=4, total=12) for s in range(12)]
    assert lrs[:4] == [0.25, 0.5, 0.75, 1.0]
    assert lrs[4:] == [1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125]


def test_no_warmup_starts_at_peak():
    assert lr_at(0, peak=2e-5, warmup=0, total=10) == 2e-5
    assert lr_at(9, peak=2e-5, warmup=0, total=10) == pytest.approx(2e-6)


@pytest.mark.parametrize(
    ("cfg", "per_epoch", "expected"),
    [
        (TrainConfig(max_steps=7, epochs=3), 100, 7),  # max_steps wins
        (TrainConfig(epochs=2), 50, 100),
        (TrainConfig(epochs=2, grad_accum=4), 50, 25),
        (TrainConfig(epochs=0.5, grad_accum=2), 33, 9),  # ceil(16.5 / 2)
    ],
)
def test_total_steps(cfg, per_epoch, expected):
    assert total_steps(cfg, per_epoch) == expected


def test_total_steps_needs_a_length():
    with pytest.raises(StiltxError, match="max_steps or epochs"):
        total_steps(TrainConfig())
    with pytest.raises(StiltxError, match="batches per epoch"):
        total_steps(TrainConfig(epochs=1))


def test_warmup_is_a_ratio_of_total():
    assert warmup_steps(TrainConfig(warmup_ratio=0.1), 95) == 10
