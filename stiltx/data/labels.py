"""Task specs with label sets that live in the data (CCG's tags.txt) filled in.

The one step between plan's records and training that reads files, so `stiltx.plan` stays I/O-free.
"""

from __future__ import annotations

from dataclasses import replace

from stiltx.data.load import load_labels
from stiltx.plan import Member
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskKind, TaskSpec


def task_with_labels(name: str, data: DataConfig) -> TaskSpec:
    """The registered spec, with a label set that lives in the data (CCG's tags.txt) filled in."""
    spec = get_task(name)
    if spec.labels or spec.kind not in (TaskKind.TAGGING, TaskKind.CLASSIFICATION):
        return spec
    return replace(spec, labels=load_labels(spec, data))


def member_specs(members: tuple[Member, ...], data: DataConfig) -> dict[str, TaskSpec]:
    """task -> its spec with labels filled in, for every task of `members`, in member order."""
    return {task: task_with_labels(task, data) for task in dict.fromkeys(m.task for m in members)}
