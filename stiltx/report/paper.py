"""Paper-ready tables (`stiltx report ... --paper`): what an XTREME-style results section needs.

- `paper:summary`: one row per recipe, one column per task that *every* recipe has, then the
  average over exactly those shared tasks (so no average mixes task sets); tasks left out are
  named in the caption;
- `paper:<task>`: the XTREME per-language layout, one row per recipe, the task's benchmark
  languages in the benchmark's order, then the recipe's average over the languages every recipe
  has (other languages still show; a row missing some is marked partial).
Cells are mean ± std over seeds. '*' marks a score that differs from the baseline's (Welch's 95%
t-interval over seeds excludes 0; paired bootstrap is not used here, so single-seed cells get
no mark); bold is the best complete value of a column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from stiltx.report import collapse as CL
from stiltx.report import uncertainty as U
from stiltx.report.tables import (
    BOLD_NOTE,
    COLLAPSED,
    PARTIAL,
    SIGNIFICANT,
    RecipeGroup,
    Report,
    Row,
    Table,
    _benchmark_of,
    language_scores,
    summary_of,
)

AVG_SHARED = "avg (shared)"


def _significant(mine: Sequence[float], theirs: Sequence[float]) -> bool:
    if len(mine) < 2 or len(theirs) < 2:
        return False
    return U.significant(U.welch_delta(mine, theirs))


def _row(
    group: RecipeGroup, columns, values_of, baseline: RecipeGroup | None, partial=(), bad=()
) -> Row:
    cells, marks = [], []
    for col in columns:
        mine = values_of(group, col)
        cells.append(U.pooled(mine) if mine else None)
        mark = (PARTIAL,) if col in partial and mine else ()
        mark = (*mark, COLLAPSED) if col in bad and mine else mark
        if baseline is not None and group.name != baseline.name and mine:
            if _significant(mine, values_of(baseline, col)):
                mark = (*mark, SIGNIFICANT)
        marks.append(mark)
    return Row(group.name, tuple(cells), marks=tuple(marks))


def _notes(baseline: RecipeGroup | None, extra: Sequence[str] = ()) -> tuple[str, ...]:
    notes = ["cells: mean ± std over seeds", BOLD_NOTE]
    if baseline is not None:
        notes.append(
            f"*: differs from {baseline.name} (95% Welch t-interval over seeds excludes 0)"
        )
    return (*notes, *extra)


def summary_table(report: Report) -> Table | None:
    groups, base = report.groups, report.baseline
    bench = _benchmark_of(groups[0], report.benchmark)
    per_run = {g.name: [summary_of(r, _benchmark_of(g, report.benchmark), report.languages)
                        for r in g.runs] for g in groups}  # fmt: skip
    present = [t for t in bench.task_names
               if all(all(t in s.values for s in per_run[g.name]) for g in groups)]  # fmt: skip
    if not present:
        return None
    left_out = sorted({t for sums in per_run.values() for s in sums for t in s.tasks
                       if t in bench.task_names and t not in present})  # fmt: skip

    def values_of(group: RecipeGroup, col: str) -> list[float]:
        sums = per_run[group.name]
        if col == AVG_SHARED:
            return [sum(s.values[t] for t in present) / len(present) for s in sums]
        return [s.values[col] for s in sums if col in s.values]

    columns = (*present, AVG_SHARED)
    partial = {t for sums in per_run.values() for s in sums for t in s.partial if t in present}
    rows = []
    for g in groups:
        bad = {t for t in present if t in CL.chance_levels() and CL.collapsed_task(g.runs, t)}
        rows.append(_row(g, columns, values_of, base, partial, bad))
    extra = [f"{AVG_SHARED}: mean over the {len(present)} tasks every recipe has"]
    if left_out:
        extra.append(f"left out (not run by every recipe): {', '.join(left_out)}")
    return Table(key="paper:summary", title=f"Results ({bench.name})", label_header="recipe",
                 columns=columns, rows=tuple(rows), kind="score", notes=_notes(base, extra))  # fmt: skip


def task_table(report: Report, task: str) -> Table | None:
    groups, base = report.groups, report.baseline
    bench = _benchmark_of(groups[0], report.benchmark)
    scores = {g.name: [language_scores(r, report.languages).get(task, {}) for r in g.runs]
              for g in groups}  # fmt: skip
    have = [g for g in groups if any(scores[g.name])]
    if not have:
        return None
    seen = {lang for g in have for s in scores[g.name] for lang in s}
    listed = list(bench.task(task).languages) if task in bench.task_names else sorted(seen)
    languages = [lang for lang in listed if lang in seen]
    shared = [lang for lang in languages
              if all(lang in s for g in have for s in scores[g.name])]  # fmt: skip

    def values_of(group: RecipeGroup, col: str) -> list[float]:
        if col == AVG_SHARED:
            return [sum(s[lang] for lang in shared) / len(shared)
                    for s in scores[group.name] if shared and all(lang in s for lang in shared)]  # fmt: skip
        return [s[col] for s in scores[group.name] if col in s]

    columns = (*languages, AVG_SHARED)
    rows = []
    for g in have:
        bad = {lang for r in g.runs for lang in CL.flagged(r, task)} if task in CL.chance_levels() else set()  # fmt: skip
        row = _row(g, columns, values_of, base, bad=bad)
        if any(lang not in s for s in scores[g.name] for lang in languages):
            marks = list(row.marks)
            marks[-1] = (PARTIAL, *marks[-1])
            row = Row(row.label, row.cells, marks=tuple(marks))
        rows.append(row)
    extra = [f"{AVG_SHARED}: mean over the {len(shared)} languages every recipe has"]
    missing = [lang for lang in listed if lang not in seen]
    if missing:
        extra.append(f"not evaluated: {', '.join(missing)}")
    return Table(key=f"paper:{task}", title=f"{task} per language ({bench.name})",
                 label_header="recipe", columns=columns, rows=tuple(rows), kind="score",
                 notes=_notes(base, extra))  # fmt: skip


def paper_tables(report: Report) -> list[Table]:
    """The summary, then one per-language table per task (benchmark order)."""
    bench = _benchmark_of(report.groups[0], report.benchmark)
    tasks = {t for g in report.groups for r in g.runs for t in language_scores(r, report.languages)}
    order = [t for t in bench.task_names if t in tasks] + sorted(tasks - set(bench.task_names))
    out = [summary_table(report), *(task_table(report, t) for t in order)]
    return [t for t in out if t is not None]


def with_paper_tables(report: Report) -> Report:
    return replace(report, tables=(*paper_tables(report), *report.tables))


__all__ = ["paper_tables", "with_paper_tables"]
