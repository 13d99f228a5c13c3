"""`intermediate.combine`: its checks and where its per-task models come from. Torch-free.

A combining recipe (merge/*, fusion/*) has one model per intermediate task. They are trained in
the run, each on `intermediate.train` alone (the budget of a `single/<task>` run), or taken from
`intermediate.combine.from`: one entry per task (a run dir, a saved model dir or a Hub id, as
`intermediate.from` takes them), or a single sweep dir whose `single-<task>/seed-<seed>` runs
serve (the sweep of `single/*` already trained them).
"""

from __future__ import annotations

from pathlib import Path

from stiltx.errors import StiltxError
from stiltx.layout import RESOLVED_RECIPE
from stiltx.recipe import intermediate_from
from stiltx.recipe.schema import CombineConfig, Recipe

SWEEP_MANIFEST = "sweep.json"  # stiltx.sweep.jobs.MANIFEST (the sweep package imports plan)
METHOD_KIND = {"merge": "full", "fusion": "adapter"}


def problems(recipe: Recipe) -> list[str]:
    """What is wrong with `intermediate.combine` (no model is read)."""
    inter = recipe.intermediate
    if inter is None or inter.combine is None:
        return []
    combine, where = inter.combine, "intermediate.combine"
    found = []
    wanted = METHOD_KIND[combine.kind]
    if recipe.method.kind != wanted:
        found.append(
            f"{where}.kind: {combine.kind} combines method.kind={wanted} models, the recipe has "
            f"method.kind={recipe.method.kind}"
        )
    if inter.from_ is not None:
        found.append(f"{where}: intermediate.from reuses one model; combine needs one per task")
    found += [
        f"{where}.scales[{i}]: got {s}, expected a number > 0"
        for i, s in enumerate(combine.scales)
        if not s > 0
    ]
    found += [
        f"{where}.densities[{i}]: got {d}, expected 0 < density <= 1"
        for i, d in enumerate(combine.densities)
        if not 0 < d <= 1
    ]
    if not combine.scales or not combine.densities:
        found.append(f"{where}: scales and densities need at least one value each")
    if combine.from_ and not _is_sweep(combine.from_[0]):
        if len(combine.from_) != len(inter.tasks):
            found.append(
                f"{where}.from: got {len(combine.from_)} entries for {len(inter.tasks)} tasks; "
                "expected one per task in intermediate.tasks order, or one sweep directory"
            )
        for entry in combine.from_:
            found += _input_problems(entry, combine.kind)
    return found


def grid(combine: CombineConfig) -> list[dict[str, float]]:
    """The merge settings to choose among: average has none; task arithmetic a scale each; TIES
    a density and a scale each."""
    if combine.kind != "merge" or combine.merge == "average":
        return [{}]
    if combine.merge == "task_arithmetic":
        return [{"scale": s} for s in combine.scales]
    return [{"density": d, "scale": s} for d in combine.densities for s in combine.scales]


def label(setting: dict[str, float]) -> str:
    """`density=0.2,scale=1` (folder names and results.json); `uniform` for the soup."""
    return ",".join(f"{k}={v:g}" for k, v in setting.items()) or "uniform"


def inputs(recipe: Recipe, tasks: tuple[str, ...]) -> dict[str, str]:
    """task -> the model to take for it (`combine.from`), checked; {} when trained in the run."""
    combine = recipe.intermediate.combine
    if not combine.from_:
        return {}
    if _is_sweep(combine.from_[0]):
        sweep = Path(combine.from_[0]).expanduser()
        chosen = {t: str(sweep / f"single-{t}" / f"seed-{recipe.seed}") for t in tasks}
    else:
        chosen = dict(zip(tasks, combine.from_, strict=True))
    for task, entry in chosen.items():
        found = _input_problems(entry, combine.kind)
        if found:
            raise StiltxError(f"intermediate.combine.from ({task}): {found[0]}")
        tree = _run_recipe(Path(entry).expanduser())
        if tree is None:
            continue
        theirs = _model_identity(tree)
        ours = _model_identity(
            {
                "model": {"name_or_path": recipe.model.name_or_path},
                "toy": {"seed": recipe.toy.seed, "size": recipe.toy.size},
            }
        )
        if theirs != ours:
            raise StiltxError(
                f"intermediate.combine.from: run {entry} starts from model {theirs}, this recipe "
                f"from {ours} (another tokenizer and weights); combine runs of the same model"
            )
        trained = [str(t) for t in (tree.get("intermediate") or {}).get("tasks", [])]
        if trained != [task]:
            raise StiltxError(
                f"intermediate.combine.from: run {entry} was trained on {trained}, expected the "
                f"single task {task!r} (entries follow intermediate.tasks order)"
            )
    return chosen


def _input_problems(entry: str, kind: str) -> list[str]:
    """What is wrong with one input model; a merge also takes adapter models (model/merged.py
    folds LoRA into the weights and names any other adapter)."""
    found = intermediate_from.problems(entry, METHOD_KIND[kind])
    if found and kind == "merge" and not intermediate_from.problems(entry, "adapter"):
        return []
    return found


def _is_sweep(entry: str) -> bool:
    return (Path(entry).expanduser() / SWEEP_MANIFEST).is_file()


def _run_recipe(path: Path) -> dict | None:
    """A run dir's resolved recipe as a tree (None: not a run dir)."""
    import yaml

    try:
        tree = yaml.safe_load((path / RESOLVED_RECIPE).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None
    return tree if isinstance(tree, dict) else None


def _model_identity(tree: dict) -> str:
    """What fixes the tokenizer and the starting weights: the model id (the toy world's seed and
    size for the toy model)."""
    name = str((tree.get("model") or {}).get("name_or_path"))
    if name != "toy":
        return name
    toy = tree.get("toy") or {}
    return f"toy (toy.seed={toy.get('seed', 0)}, toy.size={toy.get('size', 'default')})"
