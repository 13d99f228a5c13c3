"""The three-phase protocol, top to bottom (Phang et al. 2020).

    (i)   load the pretrained multilingual encoder (XLM-R, or the toy world's tiny one);
          MAD-X recipes add a language adapter per language, trained by MLM on its text;
    (ii)  train it on one English intermediate task or a mixture (skipped for `direct`);
    (iii) for each target task: fine-tune on its English training data (from the intermediate
          model), select on English dev, evaluate zero-shot on every language. XCOPA's stage
          trains SocialIQA first; LAReQA's and Mewsli-X's train a dual encoder (XTREME-R).
          Retrieval tasks are scored straight from the phase-(ii) encoder.

One command, one run directory, one results.json. Every stage is resumable: with --resume a
finished stage is read back from disk, an unfinished one continues from its newest checkpoint.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from rich.console import Console

from stiltx import atomic, run_files
from stiltx.budget import run_budget
from stiltx.data.labels import member_specs, task_with_labels
from stiltx.data.members import check_member_data
from stiltx.evaluation.retrieval import score_task
from stiltx.evaluation.retrieval_protocol import retrieval_setting
from stiltx.evaluation.shard import is_main_process
from stiltx.evaluation.zero_shot import Evaluation, evaluate_task
from stiltx.layout import RESOLVED_RECIPE, RunLayout
from stiltx.model.build import add_heads, build_model, copy_head, head_specs
from stiltx.model.fusion import FusionTuning
from stiltx.model.methods import make_method, prepare_target
from stiltx.plan import (
    TRAIN_LANGUAGE,
    IntermediateStage,
    TargetStage,
    eval_languages,
    intermediate_stage,
    language_adapter_stages,
    stage_train_spec,
    target_stages,
)
from stiltx.recipe import intermediate_from
from stiltx.recipe.combine import inputs as combine_inputs
from stiltx.recipe.schema import DataConfig, Recipe
from stiltx.report.run_summary import print_run_results
from stiltx.results import SELECTION_METRIC, Score, device, results_dict
from stiltx.run_dir import claim, new_run_dir, write_env, write_inputs, write_resolved_recipe
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskKind, TaskSpec
from stiltx.terminal import steps_progress
from stiltx.toy.resolve import Resolved, resolve
from stiltx.train import combined as combined_stage
from stiltx.train.fanout import machine_fanout, run_stages
from stiltx.train.language_adapters import train_language_adapters
from stiltx.train.progress import Report
from stiltx.train.stage import is_done, run_stage


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
    import transformers  # heavy: only a run loads it

    transformers.logging.set_verbosity_error()  # "newly initialized heads" is expected here
    started = dt.datetime.now().isoformat(timespec="seconds")
    inter = intermediate_stage(recipe)
    # checked (sizes and sha256) before the run writes anything
    from_dir = intermediate_from.resolve(inter.from_) if inter and inter.from_ else None
    if inter is not None and recipe.intermediate.combine is not None:  # the same for its inputs
        combine_inputs(recipe, tuple(m.name for m in inter.members))
    write_resolved_recipe(run_dir, recipe)
    write_inputs(run_dir, recipe)
    write_env(run_dir, recipe.seed)
    console.print(f"[bold]stiltx[/] {recipe.name} (seed {recipe.seed}) -> {run_dir}")
    where = resolve(recipe, console)
    timings: dict[str, dict[str, Any]] = {}
    evaluation = Evaluation()

    # (i) MAD-X: a language adapter per language (cached across runs); every later stage stacks
    # its task adapter on them (`stacked`: the recipe with their paths)
    stacked = recipe
    if language_adapter_stages(recipe):
        t0 = time.perf_counter()
        stacked = train_language_adapters(recipe, where, run_dir, resume=resume, console=console)
        timings["language_adapters"] = _timing(t0)

    # (ii) intermediate training on English tasks
    intermediate_dir, combined = None, None
    if inter is not None and inter.from_:
        intermediate_dir = from_dir
        console.print(f"intermediate: reusing {intermediate_dir} (intermediate.from; not trained)")
    elif inter is not None and recipe.intermediate.combine is not None:
        # one model per task, then merged into one encoder or fused per target (train/combined.py)
        t0 = time.perf_counter()
        combined = _combined(recipe, inter, where, run_dir, resume, console)
        intermediate_dir = combined.model_dir
        timings["intermediate"] = _timing(t0)
    elif inter is not None:
        t0 = time.perf_counter()
        stage = _intermediate(stacked, inter, where, run_dir, resume)
        intermediate_dir = stage.model_dir
        run_files.still_there(run_dir, "run folder", RESOLVED_RECIPE)
        atomic.write_json(RunLayout(run_dir).mixture, stage.mixture)
        timings["intermediate"] = _timing(t0)
        dev = ", ".join(f"{task} {value:.1f}" for task, value in stage.best_scores.items())
        console.print(f"intermediate: {stage.steps} steps; best English dev: {dev or 'n/a'}")

    # retrieval straight from the phase-(ii) encoder
    if recipe.retrieval.tasks:
        console.print(f"retrieval: {', '.join(recipe.retrieval.tasks)} from the encoder")
        t0 = time.perf_counter()
        evaluation.extend(
            retrieval(stacked, where, intermediate_dir, run_dir, progress=True, console=console)
        )
        timings["retrieval"] = _timing(t0)

    # (iii) each target: fine-tune on English, evaluate zero-shot on every language; the stages
    # are independent, so they run side by side where the machine pays for it (target.parallel)
    stages = target_stages(recipe)
    fanout = machine_fanout(recipe.target.parallel, len(stages))
    stage_fn = partial(
        run_target, stacked, where=where, intermediate_dir=intermediate_dir, run_dir=run_dir,
        resume=resume or (combined is not None and combined.targets_trained),
    )  # fmt: skip
    for target, outcome in zip(stages, run_stages(stage_fn, stages, fanout, console), strict=True):
        evaluation.extend(outcome.result)
        timings[f"target:{target.train_task}"] = {
            "seconds": round(outcome.seconds, 2),
            "device": device(),
        }

    results = results_dict(recipe, evaluation, started, timings)
    run_files.still_there(run_dir, "run folder", RESOLVED_RECIPE)
    if combined is not None:
        results["combine"] = combined.record
    inputs = combined.inputs if combined else {"intermediate": from_dir} if from_dir else {}
    results["budget"] = run_budget(run_dir, inputs)
    if is_main_process():  # every process holds the same scores; one writes and prints them
        run_files.still_there(run_dir, "run folder", RESOLVED_RECIPE)
        atomic.write_json(RunLayout(run_dir).results, results)
        print_run_results(results, evaluation.missing, console)
    return run_dir


# ---- the phases -----------------------------------------------------------------------------------


def _intermediate(
    recipe: Recipe,
    stage: IntermediateStage,
    where: Resolved,
    run_dir: Path,
    resume: bool,
    stage_dir: Path | None = None,
):

    specs = member_specs(stage.members, where.data)
    check_member_data(stage.members, specs, where.data)
    _seed_everything(recipe.seed)
    model, tokenizer = build_model(where.model, head_specs(specs.values()))
    return run_stage(
        stage,
        specs,
        model,
        make_method(recipe.method),
        tokenizer,
        stage_dir=stage_dir or RunLayout(run_dir).intermediate,
        data=where.data,
        seed=recipe.seed,
        resume=resume,
        eval_batch_size=recipe.eval.batch_size,
    )


def _combined(
    recipe: Recipe, stage: IntermediateStage, where: Resolved, run_dir: Path, resume: bool,
    console: Console,
) -> combined_stage.Combined:  # fmt: skip
    """Phase (ii) of merge/* and fusion/*: a model per task, merged (scale / density chosen on the
    targets' English dev) or collected for AdapterFusion."""

    def train_one(one: IntermediateStage, stage_dir: Path):
        return _intermediate(recipe, one, where, run_dir, resume, stage_dir)

    models, inputs = combined_stage.single_models(recipe, stage, run_dir, train_one, console)
    if recipe.intermediate.combine.kind == "fusion":
        done = combined_stage.fusion_models(models, run_dir)
    else:
        grid_fn = partial(run_target, recipe, where=where, resume=resume, zero_shot=False)
        done = combined_stage.merge_models(recipe, models, where, run_dir, grid_fn, console)
    return replace(done, inputs=inputs)


def run_target(
    recipe: Recipe,
    stage: TargetStage,
    *,
    where: Resolved,
    intermediate_dir: Path | None,
    run_dir: Path,
    resume: bool,
    threads: int | None = None,
    progress: bool | Report = True,
    zero_shot: bool = True,
) -> Evaluation:
    """Train once on the stage's English data, evaluate every target it serves. The one path of
    a target stage, in this process or in a worker (stiltx.train.fanout); `threads` (torch's
    intra-op threads) comes from the plan, so the scores do not depend on where it runs.
    `zero_shot=False`: train and select only (a merge grid setting), no other language read."""

    import transformers  # heavy: only a run loads it

    transformers.logging.set_verbosity_error()  # also in a worker: new heads are expected
    if threads is not None:
        _set_threads(threads)
    train_spec = stage_train_spec(stage, task_with_labels(stage.train_task, where.data))
    before_specs = [task_with_labels(b.train_task, where.data) for b in stage.before]
    _seed_everything(recipe.seed)
    model, tokenizer, method = target_model(
        recipe, where, train_spec, intermediate_dir, before=before_specs
    )
    stage_dir = RunLayout(run_dir).target(stage.train_task)
    if not (resume and is_done(stage_dir)):  # a finished stage needs none of its pre-stages
        for before, spec in zip(stage.before, before_specs, strict=True):
            train_target_stage(
                recipe, before, spec, model, method, tokenizer, where=where, resume=resume,
                stage_dir=RunLayout(run_dir).before(stage.train_task, before.train_task),
                progress=progress,
            )  # fmt: skip
            # XTREME-R's COPA run starts from the SocialIQA model, head included
            # (train_xcopa.sh:91 --model_name_or_path ${SIQA_SAVE_DIR})
            copy_head(model, spec.head_name, train_spec.head_name)
    result = train_target_stage(
        recipe, stage, train_spec, model, method, tokenizer, where=where, resume=resume,
        stage_dir=stage_dir, progress=progress,
    )  # fmt: skip
    best = selection_scores(stage.targets, result.best_scores.get(stage.train_task))
    if not zero_shot:
        return Evaluation(scores=best)
    run_files.still_there(run_dir, "run folder", RESOLVED_RECIPE)  # before predictions/ is made
    evaluation = evaluate_targets(
        model,
        method,
        tokenizer,
        stage,
        data=where.data,
        batch_size=recipe.eval.batch_size,
        predictions_dir=RunLayout(run_dir).predictions if recipe.eval.save_predictions else None,
        progress=progress,  # a bar here; in a worker, events its parent draws
    )
    evaluation.scores.extend(best)
    return evaluation


def train_target_stage(
    recipe: Recipe,
    stage: TargetStage,
    spec: TaskSpec,
    model: Any,
    method: Any,
    tokenizer: Any,
    *,
    where: Resolved,
    resume: bool,
    stage_dir: Path,
    progress: bool | Report,
):
    """Train `model` in place on a target stage's English task `spec` (or on a stage it trains
    first: XCOPA's SocialIQA) -> the StageResult."""
    return run_stage(
        stage,
        {spec.name: spec},
        model,
        method,
        tokenizer,
        stage_dir=stage_dir,
        data=where.data,
        seed=recipe.seed,
        resume=resume,
        eval_batch_size=recipe.eval.batch_size,
        progress=progress,
    )


def selection_scores(targets: tuple[TaskSpec, ...], best_dev: float | None) -> list[Score]:
    """The English dev score the target stage selected its model on, once per target it serves
    (split 'dev', metric 'selection'): what choosing an intermediate task per target may use."""
    if best_dev is None:
        return []
    return [Score(t.name, "en", "dev", SELECTION_METRIC, float(best_dev)) for t in targets]


def target_model(
    recipe: Recipe,
    where: Resolved,
    train_spec: TaskSpec,
    intermediate_dir: Path | None,
    before: list[TaskSpec] | tuple[TaskSpec, ...] = (),
):
    """A fresh model set up for a target stage from the intermediate result: (model, tokenizer,
    method), with the heads of the stage and of the stages it trains first (`before`)."""

    model, tokenizer = build_model(where.model, {})
    combine = recipe.intermediate.combine if recipe.intermediate else None
    if combine is not None and combine.kind == "fusion":
        tasks = combined_stage.fusion_tasks(intermediate_dir)
        add_heads(model, head_specs([train_spec]))
        return model, tokenizer, FusionTuning(Path(intermediate_dir), tasks)
    method = prepare_target(
        model,
        recipe.method,
        intermediate_dir,
        head_specs([*before, train_spec]),
        warm_start_heads=recipe.target.warm_start_heads,
    )
    return model, tokenizer, method


def evaluate_targets(
    model: Any,
    method: Any,
    tokenizer: Any,
    stage: TargetStage,
    *,
    data: DataConfig,
    batch_size: int,
    predictions_dir: Path | None,
    tasks: tuple[str, ...] = (),
    progress: bool | Report = True,
    console: Console | None = None,
):
    """Zero-shot evaluation of every target a trained model serves (or of `tasks` among them),
    on the languages and split the stage names; a bar over (task, language) in a terminal, or
    (a fan-out worker) each language done told to `progress.evaluated(done, total)`."""

    evaluation = Evaluation()
    chosen = [t for t in stage.evaluations if not tasks or t.spec.name in tasks]
    total = sum(len(t.languages) for t in chosen)
    shown = progress is True and is_main_process()
    with steps_progress("evaluate", total, shown, console) as advance:
        if callable(getattr(progress, "evaluated", None)):
            advance = _Counted(progress.evaluated, total)
        for target in chosen:
            done = partial(_advance, advance, target.spec.name)
            if target.spec.kind is TaskKind.RETRIEVAL:  # LAReQA, Mewsli-X from the dual encoder
                evaluation.extend(
                    score_task(
                        target.spec, target.languages, model=model, tokenizer=tokenizer,
                        data=data, split=target.split,
                        dual=dual_embedders(model, tokenizer, target, stage, batch_size),
                    )
                )  # fmt: skip
                for language in target.languages:
                    done(language)
                continue
            evaluation.extend(
                evaluate_task(
                    model,
                    method,
                    tokenizer,
                    target.spec,
                    target.languages,
                    head=target.head,
                    data=data,
                    split=target.split,
                    max_length=stage.max_length,
                    batch_size=batch_size,
                    predictions_dir=predictions_dir,
                    on_language=done,
                )
            )
    return evaluation


def _advance(advance: Any, task: str, language: str) -> None:
    advance(f"{task} {language}")


class _Counted:
    """`advance(name)` for a fan-out worker: counts the languages done and tells `evaluated`."""

    def __init__(self, evaluated: Callable[[int, int], None], total: int):
        self.evaluated, self.total, self.done = evaluated, total, 0

    def __call__(self, name: str) -> None:
        self.done += 1
        self.evaluated(self.done, self.total)


def dual_embedders(model: Any, tokenizer: Any, target: Any, stage: TargetStage, batch_size: int):
    """(query, candidate) embedders of a stage's trained dual encoder, truncating as the stage
    trained: queries at the task's query_max_length, candidates at the stage's max_length
    (XTREME-R run_eval_lareqa.sh:31-33 = train_lareqa.sh:27-29)."""
    from stiltx.model.dual_encoder import embedder  # torch + adapters: only a run loads them

    query_length = target.spec.query_max_length or stage.max_length
    return (
        embedder(model, tokenizer, target.head, max_length=query_length, batch_size=batch_size),
        embedder(model, tokenizer, target.head, max_length=stage.max_length, batch_size=batch_size),
    )


def retrieval(
    recipe: Recipe,
    where: Resolved,
    intermediate_dir: Path | None,
    run_dir: Path | None,
    progress: bool = False,
    console: Console | None = None,
):
    """Tatoeba / BUCC / LAReQA / Mewsli-X from pooled hidden states of the encoder (pooling and
    layer per task: `retrieval.protocol`). With MAD-X language adapters each side is read under
    its own language's adapter (beneath the intermediate adapter, where there is one), as a
    target's evaluation swaps in the adapter of the language it reads. `progress`: a bar over
    the (task, language) pairs in a terminal."""

    model, tokenizer = build_model(where.model, {})
    method = make_method(recipe.method)
    if intermediate_dir is not None:
        method.load(model, intermediate_dir)
        method.activate(model, TRAIN_LANGUAGE)
    setup = None
    if recipe.method.language_adapters:
        setup = partial(method.activate, model, task=intermediate_dir is not None)
    model.eval()
    evaluation = Evaluation()
    specs = [get_task(name) for name in recipe.retrieval.tasks]
    total = sum(len(eval_languages(recipe, spec)) for spec in specs)
    out_dir = None if run_dir is None or not is_main_process() else RunLayout(run_dir).retrieval
    with steps_progress("retrieval", total, progress and is_main_process(), console) as advance:
        for spec in specs:
            setting = retrieval_setting(recipe.retrieval, spec, model.config.num_hidden_layers)
            scored = score_task(
                spec, eval_languages(recipe, spec), model=model, tokenizer=tokenizer,
                data=where.data, layer=setting.layer, pooling=setting.pooling,
                batch_size=recipe.retrieval.batch_size, split=recipe.eval.split,
                language_setup=setup, out_dir=out_dir,
                on_language=partial(_advance, advance, spec.name),
            )  # fmt: skip
            evaluation.extend(scored)
    return evaluation


# ---- helpers --------------------------------------------------------------------------------------


def _seed_everything(seed: int) -> None:
    from accelerate.utils import set_seed  # heavy: torch

    set_seed(seed)


def _set_threads(threads: int) -> None:
    import torch  # heavy

    torch.set_num_threads(threads)


def _timing(t0: float) -> dict[str, Any]:
    return {"seconds": round(time.perf_counter() - t0, 2), "device": device()}
