"""Sampling rates: task sizes + a policy -> normalized task probabilities.

Pure Python (no torch, no numpy) so `stiltx validate` / `train --dry-run` can show a mixture
instantly. The sampler (`sampler.py`) asks this module for the probabilities of every step.

Policies (`SamplingConfig.policy`), with n_i the number of training examples of task i, K the
cap (`cap`) and T the temperature (`temperature`):

- `uniform`       p_i ∝ 1
- `proportional`  p_i ∝ n_i
- `capped`        p_i ∝ min(n_i, K)                  T5's examples-proportional mixing (K required)
- `temperature`   p_i ∝ min(n_i, K) ** (1 / T)       T5 / mT5 temperature mixing (K optional)
- `fixed`         p_i ∝ weights[i]                    user weights, one per task
- `annealed`      p_i ∝ min(n_i, K) ** alpha(step)    Stickland & Murray (2019), see `anneal_alpha`

A single task is the mixture {task: 1.0} under every policy: there is no second code path.

Mixture members (`mnli`, `mnli@de`, `mlm@sw`) are tasks here. A key of `weights` names one member
or, without `@`, every member of a task that has no weight of its own (`mlm` covers `mlm@de`,
`mlm@sw`, ...): that group gets the share, split among its members by the policy. Under `fixed` every member must be covered and
shares are normalized; under any other policy `weights` may cover some members only (e.g.
`{mlm: 0.2}` gives MLM 20% of the steps), their shares must sum to at most 1, and the remainder
goes to the other members by the policy.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

from stiltx.errors import DataError, RecipeError, UnknownNameError, did_you_mean
from stiltx.recipe.schema import SamplingConfig

POLICIES = ("uniform", "proportional", "capped", "temperature", "fixed", "annealed")

# Stickland & Murray (2019), "BERT and PALs", Sec. 4: alpha = 1 - 0.8 (e - 1) / (E - 1), i.e.
# the exponent falls linearly from 1 (proportional) to 0.2 (close to uniform) over training.
ANNEAL_START_ALPHA = 1.0
ANNEAL_END_ALPHA = 0.2

_SOURCE = "sampling config"


def rates(
    sizes: Mapping[str, int],
    config: SamplingConfig,
    step: int = 0,
    total_steps: int | None = None,
) -> dict[str, float]:
    """Normalized sampling probabilities of each task at optimizer step `step` (0-based).

    `sizes` maps task name -> number of training examples (or batches; only ratios matter).
    `total_steps` is needed only by `annealed` when `config.anneal_steps` is unset.
    The result has the keys of `sizes`, in the same order, and sums to 1.
    """
    _check_sizes(sizes)
    if config.policy not in POLICIES:
        raise UnknownNameError(
            f"sampling.policy: unknown policy {config.policy!r}"
            f"{did_you_mean(str(config.policy), POLICIES)}; expected one of {', '.join(POLICIES)}"
        )
    weights = _weights(sizes, config, step, total_steps)
    if config.weights:
        weights = _with_shares(weights, config.weights, complete=config.policy == "fixed")
    total = math.fsum(weights.values())
    if not total > 0:
        raise RecipeError(
            _SOURCE, [f"sampling.weights: all task weights are zero ({dict(weights)})"]
        )
    return {task: weight / total for task, weight in weights.items()}


def anneal_alpha(step: int, anneal_steps: int) -> float:
    """The exponent of the `annealed` policy at `step`: 1.0 at step 0, falling linearly to 0.2 at
    `anneal_steps` and staying there.

    This is the continuous (per-step) form of Stickland & Murray (2019)'s per-epoch schedule
    alpha = 1 - 0.8 (e - 1) / (E - 1): at step s, alpha = 1 - 0.8 * min(s / anneal_steps, 1).
    """
    progress = min(max(step, 0) / anneal_steps, 1.0)
    return ANNEAL_START_ALPHA - (ANNEAL_START_ALPHA - ANNEAL_END_ALPHA) * progress


def is_static(config: SamplingConfig) -> bool:
    """True when the probabilities do not depend on the step (every policy but `annealed`)."""
    return config.policy != "annealed"


def _weights(
    sizes: Mapping[str, int], config: SamplingConfig, step: int, total_steps: int | None
) -> dict[str, float]:
    policy = config.policy
    if policy == "uniform":
        return {task: 1.0 for task in sizes}
    if policy == "proportional":
        return {task: float(n) for task, n in sizes.items()}
    if policy == "capped":
        if config.cap is None:
            raise RecipeError(
                _SOURCE,
                ["sampling.cap: policy 'capped' needs a cap K (examples per task), got none"],
            )
        return _capped(sizes, config.cap)
    if policy == "temperature":
        if not config.temperature > 0:
            raise RecipeError(
                _SOURCE,
                [
                    f"sampling.temperature: must be > 0 for policy 'temperature', got {config.temperature}"
                ],
            )
        capped = _capped(sizes, config.cap) if config.cap is not None else sizes
        return {task: float(n) ** (1.0 / config.temperature) for task, n in capped.items()}
    if policy == "fixed":
        _covering(sizes, config.weights, complete=True)
        return {task: 1.0 for task in sizes}  # uniform within a weighted group
    # annealed
    anneal_steps = config.anneal_steps if config.anneal_steps is not None else total_steps
    if anneal_steps is None or anneal_steps <= 0:
        raise RecipeError(
            _SOURCE,
            [
                "sampling.anneal_steps: policy 'annealed' needs a positive number of steps to anneal "
                f"over (anneal_steps={config.anneal_steps}, total_steps={total_steps})"
            ],
        )
    alpha = anneal_alpha(step, anneal_steps)
    capped = _capped(sizes, config.cap) if config.cap is not None else sizes
    return {task: float(n) ** alpha for task, n in capped.items()}


def _capped(sizes: Mapping[str, int], cap: int) -> dict[str, float]:
    if not cap > 0:
        raise RecipeError(
            _SOURCE, [f"sampling.cap: must be a positive number of examples, got {cap}"]
        )
    return {task: float(min(n, cap)) for task, n in sizes.items()}


def _covering(
    sizes: Mapping[str, float], weights: Mapping[str, float], *, complete: bool
) -> dict[str, str]:
    """member -> the `weights` key that covers it; RecipeError listing every problem."""
    problems = []
    covered = {key: key for key in weights if key in sizes}  # a member's own weight wins
    for key, weight in weights.items():
        members = [m for m in sizes if m == key or m.partition("@")[0] == key]
        if not members:
            problems.append(
                f"sampling.weights.{key}: not a task of this mixture{did_you_mean(key, list(sizes))}; "
                f"tasks: {', '.join(sizes)}"
            )
        elif not (isinstance(weight, numbers.Real) and math.isfinite(weight) and weight >= 0):
            problems.append(f"sampling.weights.{key}: must be a finite number >= 0, got {weight!r}")
        for member in members:
            covered.setdefault(member, key)
    if complete:
        for task in sizes:
            if task not in covered:
                problems.append(
                    f"sampling.weights: no weight for task {task!r}; policy 'fixed' needs one weight "
                    f"per task (given: {sorted(weights) or 'none'})"
                )
    if problems:
        raise RecipeError(_SOURCE, problems)
    return covered


def _with_shares(
    weights: Mapping[str, float], shares: Mapping[str, float], *, complete: bool
) -> dict[str, float]:
    """Give each `shares` key its share of the mass, split within its group by `weights`."""
    covered = _covering(weights, shares, complete=complete)
    given = math.fsum(float(shares[key]) for key in set(covered.values()))
    rest = [m for m in weights if m not in covered]
    if rest and given > 1.0 + 1e-9:
        raise RecipeError(
            _SOURCE,
            [
                f"sampling.weights: the shares sum to {given:g} but must leave room for the "
                f"members they do not cover ({', '.join(rest)}); give shares that sum to <= 1"
            ],
        )
    scale = given if not rest else 1.0  # all covered: normalize the shares among themselves
    group_mass: dict[str, float] = {}
    for member, key in covered.items():
        group_mass[key] = group_mass.get(key, 0.0) + weights[member]
    rest_mass = math.fsum(weights[m] for m in rest)
    out = {}
    for member, weight in weights.items():
        if member in covered:
            key = covered[member]
            within = weight / group_mass[key] if group_mass[key] > 0 else 0.0
            out[member] = float(shares[key]) / (scale or 1.0) * within
        else:
            out[member] = (1.0 - given) * weight / rest_mass if rest_mass > 0 else 0.0
    return out


def _check_sizes(sizes: Mapping[str, int]) -> None:
    if not sizes:
        raise RecipeError(_SOURCE, ["sampling needs at least one task, got an empty mixture"])
    for task, n in sizes.items():
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n <= 0:
            raise DataError(
                f"task {task!r}: sampling needs a positive number of training examples, got {n!r} "
                "(is its training split empty?)"
            )
