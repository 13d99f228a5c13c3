"""What every estimator takes and gives: the target, the candidates, where data and model are;
per-candidate scores (higher = better) with what computing them cost. Torch-free.

An estimator is a function `(target, candidates, setting) -> Estimate`. One estimate may carry
several rankings (`columns`): SEmb gives one against the target's English training text and one
per evaluation language group; each column is scored against the truth on its own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stiltx.errors import StiltxError
from stiltx.layout import RunLayout
from stiltx.recipe.schema import DataConfig, ModelConfig
from stiltx.train.stage import DamagedStageError, is_done, read_done


@dataclass(frozen=True)
class Candidate:
    """One intermediate task to rank: its name (the sweep's recipe, e.g. `single/mnli`), the task
    whose English training data it trains on, and (for LogME and the proxy) a finished run whose
    `intermediate/model` is its trained encoder."""

    name: str
    task: str
    run_dir: Path | None = None


@dataclass(frozen=True)
class Target:
    """The target task (e.g. xnli) and the languages its model will be evaluated on."""

    task: str
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Setting:
    """Where the data and the pretrained encoder are (resolved: the toy world already built), and
    how much of each training set the estimators read."""

    data: DataConfig
    model: ModelConfig
    sample: int = 256  # examples drawn per candidate / target split
    seed: int = 0
    batch_size: int = 32
    proxy_steps: int = 20  # the few-step proxy's target training steps


@dataclass(frozen=True)
class Cost:
    seconds: float
    forward_passes: int = 0  # sequences (windows, choices) run through an encoder, forward only
    train_steps: int = 0  # optimizer steps

    def __add__(self, other: Cost) -> Cost:
        return Cost(
            self.seconds + other.seconds,
            self.forward_passes + other.forward_passes,
            self.train_steps + other.train_steps,
        )


@dataclass(frozen=True)
class Estimate:
    estimator: str
    columns: dict[str, dict[str, float]]  # ranking name -> candidate name -> score
    cost: Cost
    notes: tuple[str, ...] = field(default=())


def require_candidates(candidates: Sequence[Candidate], estimator: str) -> None:
    if not candidates:
        raise StiltxError(
            f"select {estimator}: no candidates to rank (e.g. --candidates 'single/*')"
        )


def require_runs(candidates: Sequence[Candidate], estimator: str) -> list[Path]:
    """The candidates' intermediate model folders; one error naming every candidate without one."""
    require_candidates(candidates, estimator)
    missing, damaged = [], []
    for c in candidates:
        stage = RunLayout(c.run_dir).intermediate if c.run_dir is not None else None
        if stage is None or not is_done(stage):
            missing.append(c.name)
            continue
        try:
            read_done(stage)  # the saved model's sizes and sha256 against its record
        except DamagedStageError as error:
            damaged.append(f"{c.name} ({error})")
    if missing:
        raise StiltxError(
            f"select {estimator}: needs each candidate's trained intermediate encoder (a finished "
            f"run's intermediate/model, e.g. from --from SWEEP_DIR); missing for {', '.join(missing)}"
        )
    if damaged:
        raise StiltxError(
            f"select {estimator}: a candidate's intermediate encoder is damaged: "
            f"{'; '.join(damaged)}; train it again (stiltx sweep --resume) or leave it out "
            "(--candidates)"
        )
    return [RunLayout(c.run_dir).intermediate_model for c in candidates]
