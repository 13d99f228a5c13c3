"""A finished run read back: its saved target models re-scored, on more languages or another
split, without training (`stiltx evaluate`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from stiltx import run_files
from stiltx.data.labels import task_with_labels
from stiltx.errors import StiltxError, UnknownNameError, did_you_mean
from stiltx.evaluation.zero_shot import Evaluation
from stiltx.layout import MODEL_DIR, RunLayout
from stiltx.pipeline import evaluate_targets, retrieval, selection_scores, target_model
from stiltx.plan import TRAIN_LANGUAGE, target_stages
from stiltx.recipe import intermediate_from
from stiltx.recipe.load import load_recipe
from stiltx.recipe.schema import Recipe
from stiltx.results import results_dict
from stiltx.toy.resolve import Resolved, resolve
from stiltx.train.language_adapters import with_language_adapters
from stiltx.train.stage import is_done, read_done


@dataclass(frozen=True)
class FinishedRun:
    """A finished run folder read back for evaluation: its recipe and where its data and models
    are (the toy world is rebuilt if missing)."""

    run_dir: Path
    recipe: Recipe
    where: Resolved
    intermediate_dir: Path | None


def read_finished_run(
    run_dir: Path,
    *,
    languages: tuple[str, ...] = (),
    split: str | None = None,
    console: Console | None = None,
) -> FinishedRun:
    """The run's resolved recipe (with evaluation languages / split replaced if given)."""
    console = console or Console()
    layout = RunLayout(run_dir)
    recipe = load_recipe(str(layout.resolved_recipe))
    if languages:
        recipe = replace(recipe, eval=replace(recipe.eval, languages=languages))
    if split:
        recipe = replace(recipe, eval=replace(recipe.eval, split=split))
    where = resolve(recipe, console)
    intermediate_dir = layout.intermediate_model if recipe.intermediate else None
    if recipe.intermediate is not None and recipe.intermediate.from_:
        intermediate_dir = intermediate_from.resolve(recipe.intermediate.from_)
    return FinishedRun(run_dir, recipe, where, intermediate_dir)


def load_target_stage(run: FinishedRun, train_name: str) -> tuple[Any, Any, Any]:
    """The saved model of target stage `train_name` (e.g. squad), ready to predict in English:
    (model, tokenizer, method). Raises when the stage did not finish."""
    stage_dir = RunLayout(run.run_dir).target(train_name)
    if not is_done(stage_dir):
        raise StiltxError(f"{stage_dir}: this target stage did not finish (no done.json / model)")
    read_done(stage_dir)  # the saved model is checked against its record before it is loaded
    train_spec = task_with_labels(train_name, run.where.data)
    stacked = with_language_adapters(run.recipe, run.run_dir)  # MAD-X: the run's adapters
    model, tokenizer, method = target_model(stacked, run.where, train_spec, run.intermediate_dir)
    method.prepare(model, [train_spec.head_name])
    method.load(model, stage_dir / MODEL_DIR)
    method.activate(model, TRAIN_LANGUAGE)
    return model, tokenizer, method


def _check_tasks(tasks: tuple[str, ...], recipe: Recipe, run_dir: Path) -> None:
    """--tasks names only tasks this run has (an unknown one is an error, not an empty table)."""
    known = [t.name for stage in target_stages(recipe) for t in stage.targets]
    known += list(recipe.retrieval.tasks)
    for task in tasks:
        if task not in known:
            raise UnknownNameError(
                f"--tasks {task!r}: not a task of the run {run_dir}{did_you_mean(task, known)}; "
                f"its tasks: {', '.join(known) or 'none'}"
            )


def evaluate_run(
    run_dir: Path,
    *,
    tasks: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    split: str | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """Re-evaluate the saved target models of a finished run (no training); return results."""
    run_files.check_tree(run_dir)  # its models and recipe are read by joining names onto it
    with run_files.guarded(run_dir):  # and a link made there meanwhile is refused at use
        return _evaluate_run(
            run_dir, tasks=tasks, languages=languages, split=split, console=console
        )


def _evaluate_run(
    run_dir: Path,
    *,
    tasks: tuple[str, ...],
    languages: tuple[str, ...],
    split: str | None,
    console: Console | None,
) -> dict[str, Any]:
    if tasks:  # before the toy world or a model is loaded
        _check_tasks(tasks, load_recipe(str(RunLayout(run_dir).resolved_recipe)), run_dir)
    import transformers  # heavy: only when models are loaded

    transformers.logging.set_verbosity_error()
    run = read_finished_run(run_dir, languages=languages, split=split, console=console)
    recipe = run.recipe
    started = dt.datetime.now().isoformat(timespec="seconds")
    evaluation = Evaluation()
    for stage in target_stages(recipe):
        targets = tuple(t for t in stage.targets if not tasks or t.name in tasks)
        if not targets:
            continue
        model, tokenizer, method = load_target_stage(run, stage.train_task)
        done = read_done(RunLayout(run_dir).target(stage.train_task))
        evaluation.scores.extend(selection_scores(targets, done.best_scores.get(stage.train_task)))
        evaluation.extend(
            evaluate_targets(
                model,
                method,
                tokenizer,
                stage,
                data=run.where.data,
                batch_size=recipe.eval.batch_size,
                predictions_dir=None,
                tasks=tasks,
                console=console,  # the bar: stderr under --json
            )
        )
    wanted = tuple(t for t in recipe.retrieval.tasks if not tasks or t in tasks)
    if wanted:
        recipe = replace(recipe, retrieval=replace(recipe.retrieval, tasks=wanted))
        stacked = with_language_adapters(recipe, run_dir)
        evaluation.extend(
            retrieval(
                stacked, run.where, run.intermediate_dir, None, progress=True, console=console
            )
        )
    return results_dict(recipe, evaluation, started, {})
