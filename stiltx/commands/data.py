"""`stiltx data inspect | prepare`: look at a task's data; encode a recipe's data ahead of training."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from stiltx.commands.options import (
    PresetOpt,
    RecipeOpt,
    SetOpt,
    console,
    err_console,
    load,
)
from stiltx.errors import StiltxError
from stiltx.terminal import steps_progress

if TYPE_CHECKING:
    from stiltx.data.prepare import Prepared

app = typer.Typer(help="Inspect task data (local files or the Hub).", no_args_is_help=True)


@app.command("inspect")
def data_inspect(
    task: Annotated[str, typer.Argument(help="Task name, e.g. xnli.")],
    language: Annotated[str | None, typer.Option(help="Language (default: the first).")] = None,
    split: Annotated[str | None, typer.Option(help="Split (default: dev, else the first).")] = None,
    data_dir: Annotated[
        str | None, typer.Option("--data-dir", help="Local data directory (else the Hub).")
    ] = None,
    file: Annotated[
        str | None, typer.Option("--file", help="Read this one native file directly.")
    ] = None,
    recipe: Annotated[
        str | None,
        typer.Option("--recipe", "-r", help="Read where this recipe reads (e.g. the toy world)."),
    ] = None,
    preset: PresetOpt = None,
    set_: SetOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Read one split and print the number of examples and the first three."""
    from stiltx.data.inspect import inspect_split  # start-up time: the readers load on use

    if sum(x is not None for x in (data_dir, file, recipe)) > 1:
        raise StiltxError("give one of --data-dir, --file or --recipe")
    if (preset or set_) and not recipe:
        raise StiltxError("--preset / --set need --recipe (e.g. --recipe multitask9 --preset tiny)")
    data = None
    if recipe:
        from stiltx.toy.resolve import resolve  # start-up time: the toy world loads on use

        data = resolve(load(recipe, preset, set_), err_console, with_model=False).data
    report = inspect_split(task, language, split, data_dir=data_dir, file=file, data=data)
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    console.print(
        f"[bold]{report['task']}[/] {report['language']}/{report['split']}: "
        f"{report['num_examples']} examples"
    )
    for example in report["examples"]:
        console.print(json.dumps(example, ensure_ascii=False, indent=2), markup=False)


@app.command("prepare")
def data_prepare(recipe: RecipeOpt, preset: PresetOpt = None, set_: SetOpt = None) -> None:
    """Read and encode every split a recipe needs into the encoding cache (before training)."""
    # start-up time: the toy world, the readers and the tokenizer load on use
    from stiltx.data.prepare import feature_cache_dir, load_tokenizer, plan, prepare
    from stiltx.toy.resolve import resolve

    resolved = load(recipe, preset, set_)
    where = resolve(resolved, console)
    jobs = plan(resolved)
    tokenizer = load_tokenizer(where.model.name_or_path)
    with steps_progress("preparing", len(jobs), console=console) as advance:
        results = prepare(
            jobs,
            tokenizer,
            where.data,
            on_done=lambda r: advance(f"{r.job.task} {r.job.language}/{r.job.split}"),
        )
    title = f"{resolved.name}: {len(results)} splits -> {feature_cache_dir(where.data)}"
    console.print(_prepared_table(title, results))
    missing = [r for r in results if r.missing]
    for r in missing:
        console.print(
            f"[yellow]missing[/] {r.job.task} {r.job.language}/{r.job.split}: {escape(r.missing)}",
            highlight=False,
        )
    done = len(results) - len(missing)
    cached = sum(r.cached for r in results)
    console.print(
        f"{done} splits ready ({cached} cached, {done - cached} new), {len(missing)} missing"
    )


def _prepared_table(title: str, results: Sequence[Prepared]) -> Table:
    """One row per prepared split: what it is for, its size, and whether it was cached."""
    table = Table(title=title)
    for column in ("task", "language", "split", "for", "examples", "features", "cache"):
        justify = "right" if column in ("examples", "features") else "left"
        table.add_column(column, justify=justify, style="bold cyan" if column == "task" else None)
    for r in results:
        status = "[red]missing[/]" if r.missing else ("cached" if r.cached else "[green]new[/]")
        counts = ("-", "-") if r.missing else (f"{r.examples:,}", f"{r.features:,}")
        table.add_row(r.job.task, r.job.language, r.job.split, r.job.purpose, *counts, status)
    return table
