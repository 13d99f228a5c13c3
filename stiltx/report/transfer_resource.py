"""The transfer and X-STILTs tables grouped by resource class (Joshi et al., 2020): does
intermediate training help the languages with the least data? Pure functions of runs. Torch-free.

Per run, each target task's score is averaged over its benchmark languages of one class (English
is a group of its own, so 'class 5' is zero-shot transfer only); a class's Avg is the mean over the
tasks that have a language of that class. Then, as in the ungrouped tables: the transfer matrix
is the Welch delta vs the control over seeds, X-STILTs takes each target from its selected
recipe's run of the same seed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from stiltx.report import uncertainty as U
from stiltx.report.coverage import SOURCE
from stiltx.report.results import RunResults
from stiltx.report.tables import AVG, RecipeGroup, Row, Table, language_scores
from stiltx.tasks import benchmarks as B
from stiltx.tasks import languages as L

ENGLISH_GROUP = "English (en)"
ClassScores = dict[str, dict[str, float]]  # class -> {task or Avg: score}


def resource_class(code: str) -> str:
    """'English (en)' for English, else the Joshi class ('class 3') or 'unknown'."""
    return ENGLISH_GROUP if code == SOURCE else L.attribute(code, "resource")


def _class_order(label: str) -> tuple[int, str]:
    if label == ENGLISH_GROUP:
        return (-1, label)
    return (6 - int(label.split()[-1]), label) if label.startswith("class ") else (9, label)


def class_scores(run: RunResults, bench: B.Benchmark, tasks: Sequence[str]) -> ClassScores:
    """{class: {task: mean over the task's listed languages of that class, Avg: mean of those}}."""
    scores = language_scores(run)
    out: ClassScores = {}
    for task in tasks:
        by_class: dict[str, list[float]] = {}
        for lang in bench.task(task).languages:
            if lang in scores.get(task, {}):
                by_class.setdefault(resource_class(lang), []).append(scores[task][lang])
        for label, values in by_class.items():
            out.setdefault(label, {})[task] = sum(values) / len(values)
    for per_task in out.values():
        per_task[AVG] = sum(per_task.values()) / len(per_task)
    return out


NOTES = (
    "languages grouped by resource class (Joshi et al., 2020; 5 = most data); English is a group "
    "of its own, so every class is zero-shot transfer",
    "a cell: the task's mean over its benchmark languages of that class; Avg: mean over the tasks "
    "that have a language of the class",
)


def _values(per_seed: Iterable[ClassScores], cls: str, column: str) -> list[float]:
    """One value per seed of `column` in class `cls` (seeds without it left out)."""
    return [s[cls][column] for s in per_seed if column in s.get(cls, {})]


def _classes(per_run: Mapping[str, Mapping[int | None, ClassScores]]) -> list[str]:
    found = {c for seeds in per_run.values() for scores in seeds.values() for c in scores}
    return sorted(found, key=_class_order)


def transfer_by_resource(
    control: RecipeGroup,
    intermediates: Sequence[RecipeGroup],
    bench: B.Benchmark,
    tasks: Sequence[str],
) -> Table:
    """Intermediate recipe x target task, delta vs `control`, one group of rows per class."""
    per_run = {
        g.name: {r.seed: class_scores(r, bench, tasks) for r in g.runs}
        for g in (control, *intermediates)
    }
    columns = (*tasks, AVG)
    rows = []
    for label in _classes(per_run):
        theirs = per_run[control.name].values()
        for g in intermediates:
            mine = per_run[g.name].values()
            pairs = [(_values(mine, label, c), _values(theirs, label, c)) for c in columns]
            cells = tuple(U.welch_delta(a, b) if a and b else None for a, b in pairs)
            rows.append(Row(g.name, cells, group=label))
    return Table(
        key="transfer:resource",
        title=f"Transfer by resource class: delta vs {control.name} ({bench.name})",
        label_header="intermediate",
        columns=columns,
        rows=tuple(rows),
        kind="delta",
        notes=(
            f"delta = intermediate recipe - {control.name} (points); "
            f"[low, high]: {U.INTERVAL_NAMES[U.T95]} (Welch)",
            *NOTES,
        ),
    )


def xstilts_by_resource(
    control: RecipeGroup,
    groups: Sequence[RecipeGroup],
    bench: B.Benchmark,
    tasks: Sequence[str],
    choices: Mapping[str, Mapping[str, str]],
) -> Table:
    """Rows per class: the control and each X-STILTs choice ({label: {task: recipe}}), scored
    per seed with each target's chosen recipe's run of that seed; mean ± std over seeds."""
    runs = {g.name: {r.seed: r for r in g.runs} for g in groups}
    control_scores = {r.seed: class_scores(r, bench, tasks) for r in control.runs}
    sides: dict[str, dict[int | None, ClassScores]] = {control.name: control_scores}
    for label, choice in choices.items():
        sides[label] = {}
        for seed in control_scores:
            combined: ClassScores = {}
            for task in tasks:
                run = runs.get(choice.get(task, ""), {}).get(seed)
                for cls, values in (class_scores(run, bench, [task]) if run else {}).items():
                    combined.setdefault(cls, {})[task] = values[task]
            for per_task in combined.values():
                per_task[AVG] = sum(per_task.values()) / len(per_task)
            sides[label][seed] = combined
    columns = (*tasks, AVG)
    rows = []
    for cls in _classes(sides):
        for label, per_seed in sides.items():
            values = [_values(per_seed.values(), cls, c) for c in columns]
            rows.append(Row(label, tuple(U.pooled(v) if v else None for v in values), group=cls))
    return Table(
        key="xstilts:resource",
        title=f"X-STILTs by resource class vs {control.name} ({bench.name})",
        label_header="model",
        columns=columns,
        rows=tuple(rows),
        kind="score",
        notes=("mean ± std over seeds; each target scored with its selected recipe", *NOTES),
    )
