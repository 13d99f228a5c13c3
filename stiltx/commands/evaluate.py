"""`stiltx evaluate --run DIR`: re-score a finished run's saved models, without training."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from stiltx.commands.options import console, err_console, split_list


def evaluate(
    run: Annotated[str, typer.Option("--run", help="A finished run directory.")],
    tasks: Annotated[
        str | None, typer.Option(help="Comma-separated tasks (default: all of the run).")
    ] = None,
    languages: Annotated[
        str | None, typer.Option(help="Comma-separated languages or groups (default: the run's).")
    ] = None,
    split: Annotated[str | None, typer.Option(help="dev or test (default: the run's).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print results as JSON.")] = False,
) -> None:
    """Re-evaluate the saved models of a finished run, without training."""
    # start-up time: the pipeline (and torch) load on use
    from stiltx.reevaluate import evaluate_run
    from stiltx.report.run_summary import aggregate_table, run_table

    results = evaluate_run(
        Path(run),
        tasks=split_list(tasks),
        languages=split_list(languages),
        split=split,
        console=err_console if json_out else console,
    )
    if json_out:
        print(json.dumps(results, indent=2, ensure_ascii=False))
        return
    console.print(run_table(results))
    console.print(aggregate_table(results))
