"""TaskSampler: which task trains at each optimizer step.

One sampler serves a single task and a nine-task mixture alike (one task is the mixture p = 1.0).

- `with_replacement: true` (jiant style): every step draws a task i.i.d. from `rates(step)`.
- `with_replacement: false` (MT-DNN style): each epoch is a schedule holding every batch of every
  task exactly once, shuffled; a new shuffle each epoch. This *is* proportional sampling over
  batches, so it accepts only `policy: proportional`.

Randomness comes from numpy Generators seeded explicitly: the i.i.d. generator from `seed`, the
epoch schedules from (seed, epoch). `state_dict()` is JSON-serialisable and restores the exact
continuation of the draw sequence. The sampler counts the realized steps per task, so a run can
report intended vs realized steps (`mixture_report`, written to mixture.json).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Mapping
from typing import Any

import numpy as np

from stiltx.errors import DataError, RecipeError
from stiltx.recipe.schema import SamplingConfig
from stiltx.sampling.rates import is_static, rates

_STATE_VERSION = 1


class TaskSampler:
    """Seeded, resumable task sampler. See the module docstring for the two modes."""

    def __init__(
        self,
        sizes: Mapping[str, int],
        config: SamplingConfig,
        seed: int,
        batches_per_epoch: Mapping[str, int] | None = None,
        *,
        total_steps: int | None = None,
    ):
        """`sizes`: training examples per task; `batches_per_epoch`: batches per task and epoch
        (required without replacement); `total_steps`: the run length, used by `annealed` when
        `config.anneal_steps` is unset."""
        self.tasks: tuple[str, ...] = tuple(sizes)
        self.sizes: dict[str, int] = dict(sizes)
        self.config = config
        self.seed = int(seed)
        self.total_steps = total_steps
        first = rates(self.sizes, config, 0, total_steps)  # validates sizes and config up front
        self._static_cumulative = (
            _cumulative([first[t] for t in self.tasks]) if is_static(config) else None
        )
        self.batches_per_epoch = _check_batches(self.tasks, config, batches_per_epoch)
        self._rng = np.random.default_rng(self.seed)
        self._position = 0
        self._counts = dict.fromkeys(self.tasks, 0)
        self._epoch = 0
        self._epoch_position = 0
        self._schedule: np.ndarray | None = None

    # -- drawing -----------------------------------------------------------------------------

    def probabilities(self, step: int) -> dict[str, float]:
        """The sampling probabilities at `step` (batches-proportional without replacement)."""
        if not self.config.with_replacement:
            total = sum(self.batches_per_epoch.values())
            return {t: self.batches_per_epoch[t] / total for t in self.tasks}
        return rates(self.sizes, self.config, step, self.total_steps)

    def next_task(self, step: int | None = None) -> str:
        """The task for optimizer step `step` (default: the number of draws so far)."""
        step = self._position if step is None else step
        if self.config.with_replacement:
            index = self._draw_iid(step)
        else:
            index = self._draw_scheduled()
        task = self.tasks[index]
        self._counts[task] += 1
        self._position += 1
        return task

    def _draw_iid(self, step: int) -> int:
        cumulative = self._static_cumulative
        if cumulative is None:
            current = rates(self.sizes, self.config, step, self.total_steps)
            cumulative = _cumulative([current[t] for t in self.tasks])
        u = float(self._rng.random())
        index = bisect.bisect_right(cumulative, u)
        if index >= len(self.tasks):  # u beyond a cumulative sum rounded below 1.0
            index = max(i for i, c in enumerate(cumulative) if i == 0 or c > cumulative[i - 1])
        return index

    def _draw_scheduled(self) -> int:
        if self._schedule is None:
            self._schedule = self.epoch_schedule(self._epoch)
        index = int(self._schedule[self._epoch_position])
        self._epoch_position += 1
        if self._epoch_position == len(self._schedule):
            self._epoch, self._epoch_position, self._schedule = self._epoch + 1, 0, None
        return index

    def epoch_schedule(self, epoch: int) -> np.ndarray:
        """Task indices (into `self.tasks`) of every batch of every task, shuffled for `epoch`."""
        counts = [self.batches_per_epoch[t] for t in self.tasks]
        schedule = np.repeat(np.arange(len(self.tasks)), counts)
        return np.random.default_rng([self.seed, epoch]).permutation(schedule)

    # -- bookkeeping ---------------------------------------------------------------------------

    @property
    def position(self) -> int:
        """Number of tasks drawn so far."""
        return self._position

    @property
    def realized(self) -> dict[str, int]:
        """Steps drawn per task so far."""
        return dict(self._counts)

    def intended(self, total_steps: int) -> dict[str, float]:
        """Expected steps per task over a run of `total_steps` (sum of the per-step probabilities)."""
        if not self.config.with_replacement or self._static_cumulative is not None:
            probs = self.probabilities(0)
            return {t: probs[t] * total_steps for t in self.tasks}
        sums = dict.fromkeys(self.tasks, 0.0)
        anneal_steps = self.config.anneal_steps or self.total_steps or total_steps
        for step in range(min(total_steps, anneal_steps)):
            for task, p in rates(self.sizes, self.config, step, anneal_steps).items():
                sums[task] += p
        if total_steps > anneal_steps:  # the end distribution holds from anneal_steps on
            end = rates(self.sizes, self.config, anneal_steps, anneal_steps)
            for task, p in end.items():
                sums[task] += p * (total_steps - anneal_steps)
        return sums

    def mixture_report(self, total_steps: int) -> dict[str, Any]:
        """A JSON-ready summary for mixture.json: per task size, probability, intended and realized
        steps. `probability` is the mean over the run; `annealed` also gives start and end."""
        intended = self.intended(total_steps)
        tasks = {}
        for task in self.tasks:
            entry: dict[str, Any] = {
                "size": self.sizes[task],
                "probability": intended[task] / total_steps if total_steps else 0.0,
                "intended_steps": intended[task],
                "realized_steps": self._counts[task],
            }
            if self.batches_per_epoch:
                entry["batches_per_epoch"] = self.batches_per_epoch[task]
            tasks[task] = entry
        if self._static_cumulative is None and self.config.with_replacement:
            end_step = self.config.anneal_steps or self.total_steps or total_steps
            start, end = self.probabilities(0), self.probabilities(end_step)
            for task in self.tasks:
                tasks[task]["probability_start"] = start[task]
                tasks[task]["probability_end"] = end[task]
        return {
            "policy": self.config.policy,
            "with_replacement": self.config.with_replacement,
            "seed": self.seed,
            "total_steps": total_steps,
            "steps_drawn": self._position,
            "tasks": tasks,
        }

    # -- resume ----------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """JSON-serialisable state: restoring it continues the identical draw sequence."""
        return {
            "version": _STATE_VERSION,
            "tasks": list(self.tasks),
            "seed": self.seed,
            "position": self._position,
            "counts": dict(self._counts),
            "rng": self._rng.bit_generator.state,
            "epoch": self._epoch,
            "epoch_position": self._epoch_position,
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore a `state_dict()` taken from a sampler built with the same tasks and seed."""
        if state.get("version") != _STATE_VERSION:
            raise DataError(
                f"sampler state: version {state.get('version')!r}, expected {_STATE_VERSION}"
            )
        if list(state["tasks"]) != list(self.tasks) or int(state["seed"]) != self.seed:
            raise DataError(
                f"sampler state: saved for tasks {list(state['tasks'])} with seed {state['seed']}, "
                f"but this run has tasks {list(self.tasks)} with seed {self.seed}"
            )
        self._position = int(state["position"])
        self._counts = {t: int(state["counts"][t]) for t in self.tasks}
        self._rng.bit_generator.state = state["rng"]
        self._epoch = int(state["epoch"])
        self._epoch_position = int(state["epoch_position"])
        self._schedule = None


def _cumulative(probabilities: list[float]) -> list[float]:
    return list(itertools.accumulate(probabilities))


def _check_batches(
    tasks: tuple[str, ...], config: SamplingConfig, batches: Mapping[str, int] | None
) -> dict[str, int]:
    if config.with_replacement:
        return dict(batches) if batches else {}
    problems = []
    if config.policy != "proportional":
        problems.append(
            f"sampling.with_replacement: false draws every batch of every task once per epoch "
            f"(MT-DNN), which is proportional sampling; it cannot follow policy {config.policy!r}. "
            "Set policy: proportional, or with_replacement: true"
        )
    if batches is None:
        problems.append(
            "sampling.with_replacement: false needs the batches per epoch of every task"
        )
    else:
        for task in tasks:
            n = batches.get(task)
            if not isinstance(n, int | np.integer) or n <= 0:
                problems.append(f"batches_per_epoch.{task}: expected a positive integer, got {n!r}")
    if problems:
        raise RecipeError("sampling config", problems)
    return {t: int(batches[t]) for t in tasks}  # type: ignore[index]
