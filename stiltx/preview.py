"""What `stiltx train --dry-run` prints beside the resolved recipe: the stages (tasks, steps,
batch, lr, max length) and the intermediate mixture's probabilities, as the run will use them.

The mixture's sizes are the encoded training rows the sampler counts (QA windows, MLM blocks),
encoded by the same function the run uses; raw example counts only when no tokenizer is at hand.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table

from stiltx.data.labels import member_specs
from stiltx.data.members import load_member
from stiltx.data.prepare import load_tokenizer
from stiltx.errors import StiltxError
from stiltx.plan import (
    IntermediateStage,
    intermediate_stage,
    language_adapter_stages,
    target_stages,
)
from stiltx.recipe.combine import grid
from stiltx.recipe.schema import CombineConfig, DataConfig, Recipe, TrainConfig
from stiltx.sampling.rates import rates
from stiltx.toy.resolve import resolve
from stiltx.train.stage import encode_train_sets, train_sizes


def mixture_preview(recipe: Recipe) -> Group:
    """The stage table and the mixture table, for --dry-run."""
    return Group(stage_table(recipe), mixture_table(recipe))


def stage_table(recipe: Recipe) -> Table:
    """One row per training stage, from plan's resolved records (target overrides applied)."""
    table = Table(title="stages")
    for column in ("stage", "tasks", "steps", "batch", "lr", "max length"):
        table.add_column(column, justify="left" if column in ("stage", "tasks") else "right")
    adapters = language_adapter_stages(recipe)
    if adapters:  # MAD-X: one MLM stage per language, the same settings each
        languages = ", ".join(stage.language for stage in adapters)
        cells = _train_cells(adapters[0].train, adapters[0].max_length)
        table.add_row("language adapters", languages, *cells)
    inter = intermediate_stage(recipe)
    if inter is not None and inter.from_:
        table.add_row("intermediate", f"from {inter.from_} (not trained)", "", "", "", "")
    elif inter is not None and recipe.intermediate.combine is not None:
        for member in inter.members:  # one model per task, then combined
            cells = _train_cells(inter.train, inter.max_length)
            table.add_row(f"intermediate:{member.name}", member.name, *cells)
        table.add_row(*combine_row(recipe.intermediate.combine), "", "", "", "")
    elif inter is not None:
        tasks = ", ".join(m.name for m in inter.members)
        table.add_row("intermediate", tasks, *_train_cells(inter.train, inter.max_length))
    for stage in target_stages(recipe):
        tasks = ", ".join(t.name for t in stage.targets)
        if stage.before:  # trained first on the same model (XCOPA: socialiqa, then copa)
            tasks += f" (after {', '.join(b.train_task for b in stage.before)})"
        cells = _train_cells(stage.train, stage.max_length)
        table.add_row(f"target:{stage.train_task}", tasks, *cells)
    return table


def combine_row(combine: CombineConfig) -> tuple[str, str]:
    """(stage, what) for a combining recipe: `merge`, `ties: 3 settings, chosen on English dev`."""
    if combine.kind == "fusion":
        return "fusion", "an AdapterFusion layer per target over the task adapters"
    settings = len(grid(combine))
    chosen = (
        f"{settings} settings (the targets train for each), chosen on English dev"
        if settings > 1
        else "one setting"
    )
    return "merge", f"{combine.merge}: {chosen}"


def _train_cells(train: TrainConfig, max_length: int) -> tuple[str, ...]:
    if train.max_steps is not None:
        steps = f"{train.max_steps:,}"
    else:
        steps = f"{train.epochs:g} epochs" if train.epochs is not None else "?"
    batch = (
        f"{train.batch_size} x {train.grad_accum}"
        if train.grad_accum > 1
        else str(train.batch_size)
    )
    return steps, batch, f"{train.lr:g}", str(max_length)


def mixture_table(recipe: Recipe) -> Table:
    """A rich table of the mixture probabilities: from the sampler's sizes if the data is readable."""
    table = Table(title="intermediate mixture")
    stage = intermediate_stage(recipe)
    if stage is None:
        table.add_column("direct fine-tuning: no intermediate stage")
        return table
    if recipe.intermediate.combine is not None:
        table.add_column("one model per task: no mixture")
        return table
    policy = stage.sampling.policy
    names = [m.name for m in stage.members]
    unit = "train rows"
    try:
        sizes, unit = mixture_sizes(recipe, stage)
        probs, note = rates(sizes, stage.sampling), ""
    except (StiltxError, OSError) as error:
        # Without the data only size-free policies can be shown.
        sizes = {}
        equal = dict.fromkeys(names, 1)
        probs = rates(equal, stage.sampling) if policy in ("uniform", "fixed") else {}
        note = f"train sizes unavailable here ({error})"
    table.add_column("member")
    table.add_column(unit, justify="right")
    table.add_column(f"p ({policy})", justify="right")
    for name in names:
        size = f"{sizes[name]:,}" if name in sizes else "?"
        table.add_row(name, size, f"{probs[name]:.3f}" if name in probs else "?")
    if note:
        table.caption = note
    return table


def mixture_sizes(recipe: Recipe, stage: IntermediateStage) -> tuple[dict[str, int], str]:
    """member -> the size the run's sampler will weigh it by, and the unit: encoded training rows
    with the model's tokenizer, else (no tokenizer here) raw training examples."""
    where = resolve(recipe, Console(quiet=True), with_model=False)
    specs = member_specs(stage.members, where.data)
    if where.model.name_or_path == "toy":  # the toy model is not built yet
        return _raw_sizes(stage, specs, where.data), "train examples (raw; the run counts rows)"
    tokenizer = load_tokenizer(where.model.name_or_path)
    return train_sizes(encode_train_sets(stage, specs, tokenizer, where.data)), "train rows"


def _raw_sizes(stage: IntermediateStage, specs, data: DataConfig) -> dict[str, int]:
    return {
        m.name: len(load_member(m, specs[m.task], specs[m.task].train_split, data, mlm=stage.mlm))
        for m in stage.members
    }
