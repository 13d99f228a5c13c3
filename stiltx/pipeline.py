"""The three-phase protocol, top to bottom (Phang et al. 2020).

    (i)   load the pretrained multilingual encoder (XLM-R, or the toy world's tiny one);
    (ii)  train it on one English intermediate task or a mixture (skipped for `direct`);
    (iii) for each target task: fine-tune on its English training data (from the intermediate
          model), select on English dev, evaluate zero-shot on every language.
          Retrieval tasks are scored straight from the phase-(ii) encoder.

One command, one run directory, one results.json. Every stage is resumable: with --resume a
finished stage is read back from disk, an unfinished one continues from its newest checkpoint.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from stiltx import __version__, atomic
from stiltx.errors import StiltxError
from stiltx.layout import MODEL_DIR, RunLayout
from stiltx.plan import (
    TRAIN_LANGUAGE,
    Member,
    eval_languages,
    eval_split,
    intermediate_members,
    member_specs,
    target_groups,
    task_with_labels,
)
from stiltx.recipe.load import recipe_hash, target_train_config
from stiltx.recipe.schema import DataConfig, MethodConfig, ModelConfig, Recipe, SamplingConfig
from stiltx.report.results import SELECTION_METRIC, Score
from stiltx.run_dir import claim, git_commit, new_run_dir, write_env, write_resolved_recipe
from stiltx.tasks.benchmarks import aggregate_scores
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskSpec


@dataclass(frozen=True)
class Resolved:
    """Where the data and the model of a run actually are (the toy world is built on demand)."""

    data: DataConfig
    model: ModelConfig


def run(
    recipe: Recipe,
    out_dir: str | Path | None = None,
    resume: bool = False,
    console: Console | None = None,
) -> list[Path]:
    """Run the recipe once per seed; return the run directories."""
    console = console or Console()
    seeds = recipe.seeds or (recipe.seed,)
    base = new_run_dir(recipe, out_dir)
    runs = []
    for seed in seeds:
        run_dir = base if len(seeds) == 1 else base / f"seed-{seed}"
        one = replace(recipe, seed=seed, seeds=())
        runs.append(run_one(one, run_dir, resume=resume, console=console))
    return runs


def run_one(recipe: Recipe, run_dir: Path, *, resume: bool, console: Console) -> Path:
    # One process per run folder (locked); stale temp files of a killed run are cleared first.
    with claim(run_dir, resume=resume, recipe=recipe):
        return _run_claimed(recipe, run_dir, resume=resume, console=console)


def _run_claimed(recipe: Recipe, run_dir: Path, *, resume: bool, console: Console) -> Path:
    import transformers

    from stiltx.evaluation.shard import is_main_process
    from stiltx.evaluation.zero_shot import Evaluation
    from stiltx.report.run_summary import print_run_results

    transformers.logging.set_verbosity_error()  # "newly initialized heads" is expected here
    started = dt.datetime.now().isoformat(timespec="seconds")
    write_resolved_recipe(run_dir, recipe)
    write_env(run_dir, recipe.seed)
    console.print(f"[bold]stiltx[/] {recipe.name} (seed {recipe.seed}) -> {run_dir}")
    where = resolve(recipe, console)
    timings: dict[str, dict[str, Any]] = {}
    evaluation = Evaluation()

    # (ii) intermediate training on English tasks
    intermediate_dir = None
    if recipe.intermediate is not None and recipe.intermediate.from_:
        from stiltx.recipe import intermediate_from

        intermediate_dir = intermediate_from.resolve(recipe.intermediate.from_)
        console.print(f"intermediate: reusing {intermediate_dir} (intermediate.from; not trained)")
    elif recipe.intermediate is not None:
        t0 = time.perf_counter()
        stage = _intermediate(recipe, where, run_dir, resume)
        intermediate_dir = stage.model_dir
        atomic.write_json(RunLayout(run_dir).mixture, stage.mixture)
        timings["intermediate"] = _timing(t0)
        dev = ", ".join(f"{task} {value:.1f}" for task, value in stage.best_scores.items())
        console.print(f"intermediate: {stage.steps} steps; best English dev: {dev or 'n/a'}")

    # retrieval straight from the phase-(ii) encoder
    if recipe.retrieval.tasks:
        console.print(f"retrieval: {', '.join(recipe.retrieval.tasks)} from the encoder")
        t0 = time.perf_counter()
        evaluation.extend(_retrieval(recipe, where, intermediate_dir, run_dir))
        timings["retrieval"] = _timing(t0)

    # (iii) each target: fine-tune on English, evaluate zero-shot on every language
    for train_name, targets in target_groups(recipe).items():
        t0 = time.perf_counter()
        names = ", ".join(t.name for t in targets)
        console.print(f"target: fine-tune on {train_name} (English), evaluate {names} zero-shot")
        evaluation.extend(
            _target(recipe, where, train_name, targets, intermediate_dir, run_dir, resume)
        )
        timings[f"target:{train_name}"] = _timing(t0)

    results = results_dict(recipe, evaluation, started, timings)
    if is_main_process():  # every process holds the same scores; one writes and prints them
        atomic.write_json(RunLayout(run_dir).results, results)
        print_run_results(results, evaluation.missing, console)
    return run_dir


# ---- the phases -----------------------------------------------------------------------------------


def _intermediate(recipe: Recipe, where: Resolved, run_dir: Path, resume: bool):
    from stiltx.data.members import check_member_data
    from stiltx.model.build import build_model, head_specs
    from stiltx.model.methods import make_method
    from stiltx.train.stage import run_stage

    inter = recipe.intermediate
    members = intermediate_members(recipe)
    specs = member_specs(members, where.data)
    check_member_data(members, specs, where.data)
    _seed_everything(recipe.seed)
    model, tokenizer = build_model(where.model, head_specs(specs.values()))
    return run_stage(
        RunLayout(run_dir).intermediate,
        members,
        specs,
        model,
        make_method(recipe.method),
        tokenizer,
        train_cfg=inter.train,
        sampling=inter.sampling,
        data=where.data,
        max_length=where.model.max_length,
        seed=recipe.seed,
        resume=resume,
        eval_batch_size=recipe.eval.batch_size,
        mlm=inter.mlm,
    )


def _target(
    recipe: Recipe,
    where: Resolved,
    train_name: str,
    targets: list[TaskSpec],
    intermediate_dir: Path | None,
    run_dir: Path,
    resume: bool,
):
    """Train once on `train_name`'s English data, evaluate every target it serves."""
    from stiltx.train.stage import run_stage

    train_spec = task_with_labels(train_name, where.data)
    train_cfg = target_train_config(recipe.target, targets[0].name)
    _seed_everything(recipe.seed)
    model, tokenizer, method = target_model(recipe, where, train_spec, intermediate_dir)
    stage = run_stage(
        RunLayout(run_dir).target(train_name),
        [Member(train_name)],
        {train_name: train_spec},
        model,
        method,
        tokenizer,
        train_cfg=train_cfg,
        sampling=SamplingConfig(policy="proportional"),
        data=where.data,
        max_length=where.model.max_length,
        seed=recipe.seed,
        resume=resume,
        eval_batch_size=recipe.eval.batch_size,
    )
    evaluation = _evaluate_targets(
        model,
        method,
        tokenizer,
        targets,
        recipe=recipe,
        data=where.data,
        max_length=train_cfg.max_length or where.model.max_length,
        predictions_dir=RunLayout(run_dir).predictions,
    )
    evaluation.scores.extend(selection_scores(targets, stage.best_scores.get(train_name)))
    return evaluation


def selection_scores(targets: list[TaskSpec], best_dev: float | None) -> list[Score]:
    """The English dev score the target stage selected its model on, once per target it serves
    (split 'dev', metric 'selection'): what choosing an intermediate task per target may use."""
    if best_dev is None:
        return []
    return [Score(t.name, "en", "dev", SELECTION_METRIC, float(best_dev)) for t in targets]


def target_model(
    recipe: Recipe, where: Resolved, train_spec: TaskSpec, intermediate_dir: Path | None
):
    """A fresh model set up for a target stage from the intermediate result: (model, tokenizer, method)."""
    from stiltx.model.build import build_model, head_specs
    from stiltx.model.methods import prepare_target

    model, tokenizer = build_model(where.model, {})
    method = prepare_target(
        model,
        recipe.method,
        intermediate_dir,
        head_specs([train_spec]),
        warm_start_heads=recipe.target.warm_start_heads,
    )
    return model, tokenizer, method


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
    from stiltx.recipe.load import load_recipe

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
        from stiltx.recipe import intermediate_from

        intermediate_dir = intermediate_from.resolve(recipe.intermediate.from_)
    return FinishedRun(run_dir, recipe, where, intermediate_dir)


def load_target_stage(run: FinishedRun, train_name: str) -> tuple[Any, Any, Any]:
    """The saved model of target stage `train_name` (e.g. squad), ready to predict in English:
    (model, tokenizer, method). Raises when the stage did not finish."""
    from stiltx.train.stage import is_done

    stage_dir = RunLayout(run.run_dir).target(train_name)
    if not is_done(stage_dir):
        raise StiltxError(f"{stage_dir}: this target stage did not finish (no done.json / model)")
    train_spec = task_with_labels(train_name, run.where.data)
    model, tokenizer, method = target_model(run.recipe, run.where, train_spec, run.intermediate_dir)
    method.prepare(model, [train_spec.head_name])
    method.load(model, stage_dir / MODEL_DIR)
    method.activate(model, TRAIN_LANGUAGE)
    return model, tokenizer, method


def evaluate_run(
    run_dir: Path,
    *,
    tasks: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    split: str | None = None,
    console: Console | None = None,
) -> dict[str, Any]:
    """Re-evaluate the saved target models of a finished run (no training); return results."""
    import transformers

    from stiltx.evaluation.zero_shot import Evaluation
    from stiltx.train.stage import read_done

    transformers.logging.set_verbosity_error()
    run = read_finished_run(run_dir, languages=languages, split=split, console=console)
    recipe = run.recipe
    started = dt.datetime.now().isoformat(timespec="seconds")
    evaluation = Evaluation()
    wanted = set(tasks)
    for train_name, targets in target_groups(recipe).items():
        targets = [t for t in targets if not wanted or t.name in wanted]
        if not targets:
            continue
        model, tokenizer, method = load_target_stage(run, train_name)
        train_cfg = target_train_config(recipe.target, targets[0].name)
        best = read_done(RunLayout(run_dir).target(train_name)).best_scores.get(train_name)
        evaluation.scores.extend(selection_scores(targets, best))
        evaluation.extend(
            _evaluate_targets(
                model,
                method,
                tokenizer,
                targets,
                recipe=recipe,
                data=run.where.data,
                max_length=train_cfg.max_length or run.where.model.max_length,
                predictions_dir=None,
            )
        )
    retrieval = [t for t in recipe.retrieval.tasks if not wanted or t in wanted]
    if retrieval:
        recipe = replace(recipe, retrieval=replace(recipe.retrieval, tasks=tuple(retrieval)))
        evaluation.extend(_retrieval(recipe, run.where, run.intermediate_dir, None))
    return results_dict(recipe, evaluation, started, {})


def _evaluate_targets(
    model: Any,
    method: Any,
    tokenizer: Any,
    targets: list[TaskSpec],
    *,
    recipe: Recipe,
    data: DataConfig,
    max_length: int,
    predictions_dir: Path | None,
):
    """Zero-shot evaluation of every target a trained model serves, on every requested language."""
    from stiltx.evaluation.zero_shot import Evaluation, evaluate_task

    evaluation = Evaluation()
    for spec in targets:
        evaluation.extend(
            evaluate_task(
                model,
                method,
                tokenizer,
                spec,
                eval_languages(recipe, spec),
                head=get_task(spec.train_task).head_name if spec.train_task else spec.head_name,
                data=data,
                split=eval_split(spec, recipe.eval.split),
                max_length=max_length,
                batch_size=recipe.eval.batch_size,
                predictions_dir=predictions_dir,
            )
        )
    return evaluation


def _retrieval(
    recipe: Recipe, where: Resolved, intermediate_dir: Path | None, run_dir: Path | None
):
    """Tatoeba / BUCC / LAReQA / Mewsli-X from mean-pooled hidden states of the encoder."""
    from stiltx.evaluation.retrieval import default_layer, score_task
    from stiltx.evaluation.shard import is_main_process
    from stiltx.evaluation.zero_shot import Evaluation
    from stiltx.model.build import build_model
    from stiltx.model.methods import make_method

    model, tokenizer = build_model(where.model, {})
    if intermediate_dir is not None:
        method = make_method(recipe.method)
        method.load(model, intermediate_dir)
        method.activate(model, TRAIN_LANGUAGE)
    model.eval()
    layer = recipe.retrieval.layer
    if layer is None:
        layer = default_layer(model.config.num_hidden_layers)
    evaluation = Evaluation()
    for name in recipe.retrieval.tasks:
        spec = get_task(name)
        evaluation.extend(
            score_task(
                spec,
                eval_languages(recipe, spec),
                model=model,
                tokenizer=tokenizer,
                data=where.data,
                layer=layer,
                pooling=recipe.retrieval.pooling,
                batch_size=recipe.retrieval.batch_size,
                split=recipe.eval.split,
                out_dir=None
                if run_dir is None or not is_main_process()
                else RunLayout(run_dir).retrieval,
            )
        )
    return evaluation


# ---- helpers --------------------------------------------------------------------------------------


def resolve(recipe: Recipe, console: Console, *, with_model: bool = True) -> Resolved:
    """Replace `data.source: toy` / `model.name_or_path: toy` with the built toy world.

    with_model=False builds only the toy data (seconds), e.g. for --dry-run.
    """
    data, model = recipe.data, recipe.model
    if data.source == "toy" or model.name_or_path == "toy":
        from stiltx.toy.build import ensure_toy_world
        from stiltx.toy.sizes import named_sizes

        if with_model:
            console.print(  # measured: 3.3 min on one 2-core box, 8.7 on a slower one (README)
                "toy world: building or reusing the data and tiny model "
                "(the first time 3-9 min on 2 CPU cores)"
            )
        world = ensure_toy_world(
            seed=recipe.toy.seed,
            sizes=named_sizes(recipe.toy.size),
            cache_dir=recipe.toy.cache_dir,
            mt_noise=recipe.toy.mt_noise,
            with_model=with_model,
            # the toy MT system's files only when a member reads them (translate-train recipes)
            translated=any(m.source == "translated" for m in intermediate_members(recipe)),
        )
        if data.source == "toy":
            data = replace(data, source="local", data_dir=str(world.data_dir))
        if model.name_or_path == "toy" and with_model:
            model = replace(model, name_or_path=str(world.model_dir))
    from stiltx.data.prepare import feature_cache_dir

    data = replace(data, cache_dir=str(feature_cache_dir(data)))  # encoded features are cached
    return Resolved(data=data, model=model)


def method_label(method: MethodConfig) -> str:
    """results.json's `method`, which reports group runs by: `full`, `full[freeze=<globs>]` (runs
    with frozen parameters are another method) or `adapter:<config>`."""
    if method.kind != "full":
        return f"adapter:{method.adapter}"
    return f"full[freeze={','.join(method.freeze)}]" if method.freeze else "full"


def results_dict(recipe: Recipe, evaluation, started: str, timings: dict) -> dict[str, Any]:
    scores = [asdict(s) for s in evaluation.scores]
    return {
        "recipe": recipe.name,
        "recipe_hash": recipe_hash(recipe),
        "stiltx_version": __version__,
        "git_commit": git_commit(),
        "model": recipe.model.name_or_path,
        "method": method_label(recipe.method),
        "seed": recipe.seed,
        "benchmark": recipe.target.benchmark,
        "device": _device(),
        "started": started,
        "finished": dt.datetime.now().isoformat(timespec="seconds"),
        "scores": scores,
        "missing": [
            {"task": m.task, "language": m.language, "reason": m.reason} for m in evaluation.missing
        ],
        "aggregates": aggregate_scores(scores, recipe.target.benchmark),
        "timings": timings,
    }


def mixture_preview(recipe: Recipe):
    """A rich table of the mixture probabilities (for --dry-run): from the data sizes if readable."""
    from rich.table import Table

    from stiltx.sampling.rates import rates

    table = Table(title="intermediate mixture")
    if recipe.intermediate is None:
        table.add_column("direct fine-tuning: no intermediate stage")
        return table
    policy = recipe.intermediate.sampling.policy
    names = [m.name for m in intermediate_members(recipe)]
    try:
        from stiltx.data.members import load_member

        data = resolve(recipe, Console(quiet=True), with_model=False).data
        sizes = {}
        for member in intermediate_members(recipe):
            spec = task_with_labels(member.task, data)
            sizes[member.name] = len(
                load_member(member, spec, spec.train_split, data, mlm=recipe.intermediate.mlm)
            )
        probs, note = rates(sizes, recipe.intermediate.sampling), ""
    except (StiltxError, OSError) as error:
        # Without the data only size-free policies can be shown.
        sizes = {}
        equal = dict.fromkeys(names, 1)
        probs = rates(equal, recipe.intermediate.sampling) if policy in ("uniform", "fixed") else {}
        note = f"train sizes unavailable here ({error})"
    table.add_column("member")
    table.add_column("train examples", justify="right")
    table.add_column(f"p ({policy})", justify="right")
    for name in names:
        size = f"{sizes[name]:,}" if name in sizes else "?"
        table.add_row(name, size, f"{probs[name]:.3f}" if name in probs else "?")
    if note:
        table.caption = note
    return table


def _seed_everything(seed: int) -> None:
    from accelerate.utils import set_seed

    set_seed(seed)


def _timing(t0: float) -> dict[str, Any]:
    return {"seconds": round(time.perf_counter() - t0, 2), "device": _device()}


def _device() -> str:
    import torch

    if torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return "cpu"
