"""The learning-rate schedule as a pure function of the step (nanoGPT style).

Linear warmup from 0 to the peak over `warmup_steps`, then linear decay to 0 at `total_steps`.
Being a function of the step, it needs no state of its own: resuming at step s gives the same lr.
"""

from __future__ import annotations

import math

from stiltx.errors import StiltxError
from stiltx.recipe.schema import TrainConfig


def total_steps(cfg: TrainConfig, batches_per_epoch: int | None = None) -> int:
    """Optimizer steps of a stage: `max_steps` when set, else epochs x batches per epoch / accum."""
    if cfg.max_steps is not None:
        return int(cfg.max_steps)
    if cfg.epochs is None:
        raise StiltxError("train: set max_steps or epochs (both are empty)")
    if not batches_per_epoch:
        raise StiltxError(
            f"train.epochs={cfg.epochs}: the number of batches per epoch is needed to turn epochs "
            "into steps (pass batches_per_epoch, or set max_steps)"
        )
    return max(1, math.ceil(cfg.epochs * batches_per_epoch / max(1, cfg.grad_accum)))


def warmup_steps(cfg: TrainConfig, total: int) -> int:
    return int(round(cfg.warmup_ratio * total))


def lr_at(step: int, *, peak: float, warmup: int, total: int) -> float:
    """lr used for optimizer step `step` (0-based)."""
    if warmup > 0 and step < warmup:
        return peak * (step + 1) / warmup
    if total <= warmup:
        return peak
    return peak * max(0.0, (total - step) / (total - warmup))
