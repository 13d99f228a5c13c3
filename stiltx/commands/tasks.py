"""`stiltx tasks`: every registered task."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from stiltx.commands.options import console
from stiltx.terminal import print_raw


def tasks(
    kind: Annotated[str | None, typer.Option(help="Only this kind, e.g. tagging.")] = None,
    benchmark: Annotated[
        str | None, typer.Option(help="Only the tasks of a benchmark: xtreme, xtreme-r or toy.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of tasks.")] = False,
) -> None:
    """List every registered task: name, kind, role, languages, sources, metric."""
    # start-up time: the task registry loads on use
    from stiltx.data.tasks_view import task_records, task_rows, tasks_tables

    if as_json:
        print_raw(json.dumps(task_records(kind=kind, benchmark=benchmark), ensure_ascii=False))
        return
    for table in tasks_tables(task_rows(kind=kind, benchmark=benchmark), console.width):
        console.print(table)
