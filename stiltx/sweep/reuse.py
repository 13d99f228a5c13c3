"""A combining job (merge/*, fusion/*) takes the models of the sweep's single-task jobs. Torch-free.

A sweep of `single/*` and `merge/*` would train every single-task model twice: once in each
`single-<task>/seed-<s>` job and again inside the merge job of that seed. When a single job
trains exactly the model the merge job would train for one of its tasks, the merge job takes
that job's model instead (`intermediate.combine.from`, one run folder per task) and runs after
it. "Exactly the model" is decided on the resolved settings, never on names: the one-task stage
(`plan.per_task_stages` vs `plan.intermediate_stage`: member, training settings, length, dev
selection, masking) and everything else the stage reads (seed, model, data, toy world, method,
the dev evaluation's batch size). A combining job whose tasks are not all served so trains its
own models, as a run does alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from stiltx.plan import IntermediateStage, intermediate_stage, per_task_stages
from stiltx.recipe.schema import Recipe, SamplingConfig


@dataclass(frozen=True)
class StageIdentity:
    """What decides the weights of one single-task intermediate model."""

    seed: int
    data: Any
    toy: Any
    model: Any
    method: Any  # method.target aside: it only says how the target stages start
    eval_batch_size: int  # the English dev evaluation that selects the checkpoint
    stage: IntermediateStage


def identity(recipe: Recipe, stage: IntermediateStage) -> StageIdentity:
    sampling = stage.sampling
    if len(stage.members) == 1:  # one stream: every policy gives it p = 1 (sampling/rates.py)
        sampling = SamplingConfig(with_replacement=sampling.with_replacement)
    return StageIdentity(
        seed=recipe.seed,
        data=recipe.data,
        toy=recipe.toy,
        model=recipe.model,
        method=replace(recipe.method, target="continue"),
        eval_batch_size=recipe.eval.batch_size,
        stage=replace(stage, sampling=sampling),
    )


def single_identity(recipe: Recipe) -> StageIdentity | None:
    """The model a run trains, when it trains one single-task intermediate model itself."""
    stage = intermediate_stage(recipe)
    inter = recipe.intermediate
    if stage is None or stage.from_ or inter.combine is not None or recipe.madx is not None:
        return None  # MAD-X: the stage stacks on language adapters a combining run has not
    return identity(recipe, stage) if len(stage.members) == 1 else None


def combine_identities(recipe: Recipe) -> list[StageIdentity] | None:
    """The per-task models a combining run would train itself, in member order (None: it trains
    none, or takes them from `intermediate.combine.from` already)."""
    stage = intermediate_stage(recipe)
    inter = recipe.intermediate
    if stage is None or inter.combine is None or inter.combine.from_ or recipe.madx is not None:
        return None
    if len(stage.members) != len(inter.tasks):  # combine.from is one entry per `tasks` item
        return None
    return [identity(recipe, one) for one in per_task_stages(stage)]


def reused_models(combining: Recipe, singles: list[tuple[str, Recipe]]) -> tuple[str, ...]:
    """The ids of the single-task jobs (id, recipe) that train every model `combining` needs,
    in its member order; () unless all of them do."""
    wanted = combine_identities(combining)
    if not wanted:
        return ()
    offered = [(job_id, single_identity(recipe)) for job_id, recipe in singles]
    found = []
    for one in wanted:
        match = next((job_id for job_id, have in offered if have == one), None)
        if match is None:
            return ()
        found.append(match)
    return tuple(found)


def from_override(sweep_dir: Path, reuse: tuple[str, ...]) -> str:
    """`intermediate.combine.from=[...]`: the run folders of `reuse` (absolute, quoted: a flow
    list that any folder name survives)."""
    root = Path(sweep_dir).resolve()
    return "intermediate.combine.from=[" + ", ".join(json.dumps(str(root / j)) for j in reuse) + "]"
