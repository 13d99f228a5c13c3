"""Phase (ii) of a combining recipe (`intermediate.combine`: merge/*, fusion/*).

One model per intermediate task, each trained alone on `intermediate.train` in
`intermediate/single/<task>/` (or taken from `combine.from`), then
- merge: one encoder per grid setting (`merge/<setting>/model`); the target stages train from
  each (English data, English dev only), and the setting with the best mean English-dev score
  over the targets is kept: its encoder becomes `intermediate/model`, its trained target stages
  become `target/<task>` (evaluated zero-shot like any run's), the grid is written to
  `merge/grid.json` and results.json;
- fusion: the task adapters are copied to `intermediate/model/<task>/` (checked to share one
  adapter config); each target stage then learns an AdapterFusion layer over them
  (`stiltx.model.fusion.FusionTuning`).
Either way `intermediate/done.json` records the model, so `--resume`, `stiltx evaluate` and
`intermediate.from` read a combined run like any other.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console

from stiltx import atomic, run_files, saved_model
from stiltx.layout import DONE_FILE, MODEL_DIR, TARGET_DIR, RunLayout
from stiltx.plan import IntermediateStage, per_task_stages, target_stages
from stiltx.recipe import combine as combine_cfg
from stiltx.recipe import intermediate_from
from stiltx.recipe.schema import Recipe
from stiltx.results import SELECTION_METRIC
from stiltx.toy.resolve import Resolved
from stiltx.train.fanout import machine_fanout, run_stages

SINGLE_DIR = "single"  # intermediate/single/<task>/: one stage per task
MERGE_DIR = "merge"  # merge/<setting>/{model, target/<task>}, merge/grid.json
GRID_FILE = "grid.json"

TrainOne = Callable[[IntermediateStage, Path], Any]  # (one-task stage, stage dir) -> StageResult


@dataclass(frozen=True)
class Combined:
    model_dir: Path  # intermediate/model
    record: dict[str, Any]  # what results.json's "combine" holds
    targets_trained: bool = False  # target/<task> already holds the chosen setting's stages
    inputs: dict[str, Path] = field(default_factory=dict)  # task -> a model taken from elsewhere


def single_models(
    recipe: Recipe, stage: IntermediateStage, run_dir: Path, train_one: TrainOne, console: Console
) -> tuple[dict[str, Path], dict[str, Path]]:
    """(task -> its model dir, task -> the same for models taken from `combine.from`)."""
    tasks = tuple(m.name for m in stage.members)
    taken = combine_cfg.inputs(recipe, tasks)
    if taken:
        models = {task: intermediate_from.resolve(value) for task, value in taken.items()}
        console.print(f"intermediate: {len(models)} models from intermediate.combine.from")
        return models, models
    models = {}
    for one in per_task_stages(stage):
        name = one.members[0].name
        result = train_one(one, RunLayout(run_dir).intermediate / SINGLE_DIR / name)
        console.print(f"intermediate {name}: {result.steps} steps")
        models[name] = result.model_dir
    return models, {}


def finished(run_dir: Path) -> dict[str, Any] | None:
    """The combine record of a finished combined intermediate stage (None: not finished)."""
    layout = RunLayout(run_dir)
    done = layout.intermediate / DONE_FILE
    if not done.is_file() or not layout.intermediate_model.is_dir():
        return None
    info = json.loads(run_files.read_text(done))
    saved_model.verify(layout.intermediate_model, info.get("model_files", {}), where=str(done))
    return info.get("combine")


def merge_models(
    recipe: Recipe,
    models: dict[str, Path],
    where: Resolved,
    run_dir: Path,
    target_fn: Callable[..., Any],
    console: Console,
) -> Combined:
    """Merge at each grid setting, choose on the targets' English dev, keep the chosen encoder.
    `target_fn(stage, *, intermediate_dir, run_dir, threads, progress)` trains one target stage
    without zero-shot evaluation and returns its Evaluation (selection scores only)."""
    from stiltx.model.merged import load_inputs, save_merged  # heavy: torch

    combine = recipe.intermediate.combine
    layout = RunLayout(run_dir)
    record = finished(run_dir)
    if record is None:
        t0 = time.perf_counter()
        labelled = {_label(t, p, models): p for t, p in models.items()}
        base, states = load_inputs(where.model, labelled, recipe.seed)
        settings = combine_cfg.grid(combine)
        grid: dict[str, dict[str, float]] = {}
        for setting in settings:
            name = combine_cfg.label(setting)
            folder = run_dir / MERGE_DIR / name
            if not (folder / MODEL_DIR).is_dir():
                save_merged(where.model, base, states, combine.merge, setting, folder / MODEL_DIR)
            if len(settings) > 1:  # one setting: nothing to choose, the targets train as usual
                grid[name] = _target_dev(recipe, target_fn, folder, console)
                console.print(f"merge {name}: English dev {_mean(grid[name]):.2f}")
        chosen = max(settings, key=lambda s: _mean(grid.get(combine_cfg.label(s), {})))
        record = {
            "kind": "merge",
            "merge": combine.merge,
            "models": _where(models, run_dir),
            "setting": chosen,
            "grid": grid,  # setting -> target -> English dev (selection) score
        }
        atomic.write_json(run_dir / MERGE_DIR / GRID_FILE, record)
        chosen_dir = run_dir / MERGE_DIR / combine_cfg.label(chosen)
        os.replace(chosen_dir / MODEL_DIR, _empty(layout.intermediate_model))
        _finish(layout, record, time.perf_counter() - t0)
    chosen_dir = run_dir / MERGE_DIR / combine_cfg.label(record["setting"])
    adopted = _adopt_targets(chosen_dir, run_dir) if record["grid"] else False
    _prune(run_dir / MERGE_DIR)
    console.print(
        f"merge: {combine.merge} {combine_cfg.label(record['setting'])} -> {layout.intermediate_model}"
    )
    return Combined(layout.intermediate_model, record, targets_trained=adopted)


def fusion_models(models: dict[str, Path], run_dir: Path) -> Combined:
    """The task adapters, checked to share one config, copied to intermediate/model/<task>/."""
    from stiltx.model.fusion import check_same_config  # heavy: the model package

    layout = RunLayout(run_dir)
    record = finished(run_dir)
    if record is None:
        check_same_config({_label(t, p, models): p for t, p in models.items()})
        t0 = time.perf_counter()
        with atomic.directory(layout.intermediate_model) as tmp:
            for task, path in models.items():
                # regular files only: a link inside an input model is refused, never followed
                run_files.copy_tree(run_files.guard(Path(path) / "adapter"), tmp / task / "adapter")
        record = {"kind": "fusion", "models": _where(models, run_dir)}
        _finish(layout, record, time.perf_counter() - t0)
    return Combined(layout.intermediate_model, record)


def fusion_tasks(model_dir: Path) -> tuple[str, ...]:
    """The tasks a fusion model folder holds adapters of (the recipe's order is the folder's)."""
    return tuple(sorted(p.name for p in Path(model_dir).iterdir() if (p / "adapter").is_dir()))


# ---- helpers --------------------------------------------------------------------------------------


def _label(task: str, path: Path, models: dict[str, Path]) -> str:
    """How an error names an input: its run (`.../single-mnli/seed-1`), else its task and folder."""
    parts = Path(path).parts
    if parts[-2:] == ("intermediate", MODEL_DIR):
        return f"run {Path(*parts[:-2])}"
    return f"{task} ({path})"


def _mean(scores: dict[str, float]) -> float:
    return sum(scores.values()) / len(scores) if scores else 0.0


def _target_dev(
    recipe: Recipe, target_fn: Callable[..., Any], folder: Path, console: Console
) -> dict[str, float]:
    """Train every target stage from `folder/model` (in `folder/target/`): target -> English dev."""
    stages = target_stages(recipe)
    fanout = machine_fanout(recipe.target.parallel, len(stages))
    stage_fn = partial(target_fn, intermediate_dir=folder / MODEL_DIR, run_dir=folder)
    scores = {}
    for outcome in run_stages(stage_fn, stages, fanout, console):
        for score in outcome.result.scores:
            if score.metric == SELECTION_METRIC:
                scores[score.task] = score.value
    return scores


def _finish(layout: RunLayout, record: dict, seconds: float) -> None:
    """intermediate/done.json beside the combined intermediate/model."""
    info = {
        "steps": 0,  # combining trains nothing; the per-task stages hold the steps
        "seconds": round(seconds, 2),
        "combine": record,
        "model_files": saved_model.record(layout.intermediate_model),
    }
    atomic.write_json(layout.intermediate / DONE_FILE, info)


def _empty(path: Path) -> Path:
    """`path`, with whatever a killed earlier try left there removed."""
    shutil.rmtree(run_files.guard(path), ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path


def _prune(merge_dir: Path) -> None:
    """Drop the weights of the settings not chosen (merged encoders and their target models: for
    XLM-R Large gigabytes each); their done.json files and logs stay for the budget."""
    for model_dir in sorted(run_files.guard(merge_dir).glob(f"**/{MODEL_DIR}")):
        shutil.rmtree(run_files.guard(model_dir), ignore_errors=True)


def _where(models: dict[str, Path], run_dir: Path) -> dict[str, str]:
    """task -> its model, relative to the run when trained in it."""
    root = Path(run_dir).resolve()
    out = {}
    for task, path in models.items():
        resolved = Path(path).resolve()
        out[task] = str(resolved.relative_to(root) if resolved.is_relative_to(root) else path)
    return out


def _adopt_targets(chosen_dir: Path, run_dir: Path) -> bool:
    """Move the chosen setting's trained target stages to target/<task> (done once, even after a
    kill between two moves): they are the run's target stages."""
    source = chosen_dir / TARGET_DIR
    for stage_dir in sorted(source.iterdir()) if source.is_dir() else ():
        destination = run_files.guard(run_dir / TARGET_DIR / stage_dir.name)
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            os.replace(run_files.guard(stage_dir), destination)
    return True
