"""What a recipe will do, without doing it: target groups, evaluation languages and splits.

Torch-free. Both the pipeline (which runs the plan) and `stiltx data prepare` (which encodes what
the plan will read) ask these questions here, so they always agree; nothing here imports
`stiltx.pipeline`.
"""

from __future__ import annotations

from dataclasses import replace

from stiltx.errors import StiltxError
from stiltx.recipe.load import target_train_config
from stiltx.recipe.schema import DataConfig, Recipe
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskKind, TaskSpec

TRAIN_LANGUAGE = "en"  # the language of every training split the protocol reads (English)


def target_tasks(recipe: Recipe) -> tuple[str, ...]:
    """The recipe's target tasks: `target.tasks`, else every trainable task of the benchmark."""
    if recipe.target.tasks:
        return recipe.target.tasks
    from stiltx.tasks.benchmarks import get_benchmark

    return tuple(
        t for t in get_benchmark(recipe.target.benchmark).task_names if get_task(t).trainable
    )


def target_groups(recipe: Recipe) -> dict[str, list[TaskSpec]]:
    """English training task -> the targets it serves (xquad and mlqa share one SQuAD stage)."""
    groups: dict[str, list[TaskSpec]] = {}
    for name in target_tasks(recipe):
        spec = get_task(name)
        groups.setdefault(spec.train_task or spec.name, []).append(spec)
    # Targets that share training data share a stage only if they also share its settings.
    for train, specs in groups.items():
        configs = {target_train_config(recipe.target, s.name) for s in specs}
        if len(configs) != 1:
            raise StiltxError(
                f"target.overrides: {', '.join(s.name for s in specs)} all train on {train} but "
                "have different overrides; give them the same settings"
            )
    return groups


def eval_split(spec: TaskSpec, split: str) -> str:
    """'test' / 'dev' name the task's own evaluation splits (TyDiQA-GoldP is scored on dev)."""
    return {"test": spec.test_split, "dev": spec.dev_split}.get(split, split)


def eval_languages(recipe: Recipe, spec: TaskSpec) -> tuple[str, ...]:
    """The languages to evaluate `spec` on: `all` means the task's languages in the recipe's
    benchmark (XTREME's 33 UD languages, XTREME-R's 38); groups and codes pick among them."""
    from stiltx.tasks.benchmarks import get_benchmark
    from stiltx.tasks.languages import resolve_languages

    names = list(recipe.eval.languages)
    if any(n.lower() == "all" for n in names):
        benchmark = get_benchmark(recipe.target.benchmark)
        if spec.name in benchmark.task_names:
            listed = set(benchmark.task(spec.name).languages)
            return tuple(lang for lang in spec.languages if lang in listed)
        return spec.languages
    # Codes not offered by this task are skipped here (they may belong to other tasks).
    chosen: list[str] = []
    for name in names:
        try:
            chosen.extend(resolve_languages([name], spec.languages))
        except StiltxError:
            continue
    return tuple(lang for lang in spec.languages if lang in chosen)


def task_with_labels(name: str, data: DataConfig) -> TaskSpec:
    """The registered spec, with a label set that lives in the data (CCG's tags.txt) filled in."""
    spec = get_task(name)
    if spec.labels or spec.kind not in (TaskKind.TAGGING, TaskKind.CLASSIFICATION):
        return spec
    from stiltx.data.load import load_labels

    return replace(spec, labels=load_labels(spec, data))
