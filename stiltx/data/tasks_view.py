"""Rows of the `stiltx tasks` table (pure: strings only, no I/O)."""

from __future__ import annotations

from stiltx.errors import UnknownNameError, did_you_mean
from stiltx.tasks.benchmarks import get_benchmark
from stiltx.tasks.registry import all_tasks
from stiltx.tasks.spec import TaskKind, TaskSpec


def sources(spec: TaskSpec) -> str:
    source = spec.source
    hub = ""
    if source.hub_id:
        hub = source.hub_id + (f" [{source.hub_config}]" if source.hub_config else "")
        if source.hub_revision:
            hub += f" @{source.hub_revision}"
    return " | ".join(part for part in (hub, f"local: {source.local_format}") if part)


def task_rows(kind: str | None = None, benchmark: str | None = None) -> list[tuple[str, ...]]:
    """(name, kind, role, #languages, sources, metric) per task, filtered by kind / benchmark."""
    kinds = [k.value for k in TaskKind]
    if kind is not None and kind not in kinds:
        raise UnknownNameError(
            f"unknown task kind '{kind}'{did_you_mean(kind, kinds)}; kinds: {', '.join(kinds)}"
        )
    specs = [s for s in all_tasks() if kind is None or s.kind.value == kind]
    if benchmark is not None:
        chosen = get_benchmark(benchmark)
        names = set(chosen.task_names)
        specs = [s for s in specs if s.name in names]
    return [
        (
            s.name,
            s.kind.value,
            s.role.value,
            str(len(s.languages)),
            sources(s),
            ", ".join(s.metrics) or "-",
        )
        for s in specs
    ]


def task_records(kind: str | None = None, benchmark: str | None = None) -> list[dict]:
    """One JSON-able dict per task (`stiltx tasks --json`), same filters as `task_rows`."""
    names = {row[0] for row in task_rows(kind=kind, benchmark=benchmark)}
    return [
        {
            "name": s.name,
            "kind": s.kind.value,
            "role": s.role.value,
            "languages": list(s.languages),
            "splits": list(s.splits),
            "hub": {
                "id": s.source.hub_id,
                "config": s.source.hub_config,
                "revision": s.source.hub_revision,
            }
            if s.source.hub_id
            else None,
            "local_format": s.source.local_format,
            "metrics": list(s.metrics),
            "labels": list(s.labels),
            "train_task": s.train_task,
        }  # fmt: skip
        for s in all_tasks()
        if s.name in names
    ]


HEADERS = ("name", "kind", "role", "#languages", "sources", "metric")


def tasks_tables(rows: list[tuple[str, ...]], width: int) -> list:
    """rich Tables for `stiltx tasks` that fit `width` columns without cutting any cell.

    Wide terminals get one table. Narrow ones (80 columns) get the short columns in one table and
    the sources (one line per source, folded rather than cut) in a second.
    """
    # rich: start-up time of `stiltx tasks` without --table
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    rows = [tuple(escape(cell) for cell in row) for row in rows]

    def natural(index: int) -> int:
        return max(len(HEADERS[index]), *(len(r[index]) for r in rows)) if rows else 0

    wide = sum(natural(i) + 3 for i in range(len(HEADERS))) + 1
    title = f"{len(rows)} tasks"
    if wide <= width:
        table = Table(title=title)
        for column in HEADERS:
            table.add_column(column, style="bold cyan" if column == "name" else None, no_wrap=True)
        for row in rows:
            table.add_row(*row)
        return [table]
    short = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False)
    for column in ("name", "kind", "role", "langs", "metric"):
        short.add_column(column, style="bold cyan" if column == "name" else None, no_wrap=True,
                         justify="right" if column == "langs" else "left")  # fmt: skip
    where = Table(title="where the data comes from", box=box.SIMPLE_HEAD, pad_edge=False)
    where.add_column("name", style="bold cyan", no_wrap=True)
    where.add_column(escape("sources (Hub id [config] @revision; local reader)"), overflow="fold")
    for name, kind, role, count, source, metric in rows:
        short.add_row(name, kind, role, count, metric)
        where.add_row(name, "\n".join(source.split(" | ")))
    return [short, where]
