"""Rows of the `stiltx tasks` table (pure: strings only, no I/O)."""

from __future__ import annotations

from stiltx.errors import UnknownNameError, did_you_mean
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
        from stiltx.tasks.benchmarks import get_benchmark

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
