"""`stiltx select`'s tables: rankings and their scores against a sweep, as report `Table`s, shown
with the report's renderers (terminal, Markdown) or written as tidy CSV / JSON rows. Torch-free.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from dataclasses import asdict, fields

from rich.console import Console

from stiltx.report import export
from stiltx.report.rich_view import rich_table
from stiltx.report.tables import Row, Table
from stiltx.select.rank import EvalRow, RankRow
from stiltx.terminal import print_whole

PREFIXES = ("single/", "single-")


def short(name: str, names: Sequence[str]) -> str:
    """'single-mnli' -> 'mnli' when every candidate is a single-task recipe (narrow tables)."""
    for prefix in PREFIXES:
        if all(n.startswith(prefix) for n in names):
            return name.removeprefix(prefix)
    return name


def cost_text(seconds: float, forward_passes: int, train_steps: int) -> str:
    parts = [f"{seconds:.1f} s"]
    if forward_passes:
        parts.append(f"{forward_passes} passes")
    if train_steps:
        parts.append(f"{train_steps} steps")
    return ", ".join(parts)


def _number(value: float, digits: int = 2) -> str:
    return "–" if math.isnan(value) else f"{value:.{digits}f}"


def rank_table(title: str, rows: Sequence[RankRow], notes: Sequence[str] = ()) -> Table:
    """One target's (and language group's) rankings: a section per ranking, its cost in the
    section's name, the candidates best first with their rank and score."""
    names = [r.candidate for r in rows]
    out = [
        Row(
            short(r.candidate, names),
            (str(r.rank), f"{r.score:.4g}"),
            group=f"{r.column} ({cost_text(r.seconds, r.forward_passes, r.train_steps)})",
        )
        for r in rows
    ]
    notes = ("higher score = better; cost: seconds, encoder forward passes, training steps",
             *notes)  # fmt: skip
    return Table(f"rank:{title}", title, "candidate", ("rank", "score"), tuple(out), "score", notes)


def _mean(values: Sequence[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return sum(kept) / len(kept) if kept else float("nan")


def _cells(r: EvalRow, names: Sequence[str]) -> tuple[str, ...]:
    return (_number(r.ndcg, 3), _number(r.regret_points), _number(100 * r.regret),
            _number(r.tau), short(r.chosen, names), f"{r.seconds:.1f}")  # fmt: skip


def _means(mine: Sequence[EvalRow]) -> tuple[str, ...]:
    return (_number(_mean([r.ndcg for r in mine]), 3),
            _number(_mean([r.regret_points for r in mine])),
            _number(_mean([100 * r.regret for r in mine])),
            _number(_mean([r.tau for r in mine])), "",
            f"{sum(r.seconds for r in mine):.1f}")  # fmt: skip


def eval_table(truth: str, rows: Sequence[EvalRow], seeds_note: str = "") -> Table:
    """Every ranking scored against one truth: a section per target (its rankings, then the truly
    best candidate), and one with each ranking's mean over the targets."""
    k = rows[0].k
    names = [r.chosen for r in rows] + [r.best for r in rows]
    columns = (f"NDCG@{k}", f"regret@{k}", "%", "tau", "top-1", "s")
    out = []
    for target in dict.fromkeys(r.target for r in rows):
        mine = [r for r in rows if r.target == target]
        out += [Row(r.column, _cells(r, names), group=target) for r in mine]
        best = ("", "", "", "", short(mine[0].best, names), "")
        out.append(Row("(truth)", best, group=target, summary=True))
    for column in dict.fromkeys(r.column for r in rows):
        mine = [r for r in rows if r.column == column]
        out.append(Row(column, _means(mine), group="mean"))
    notes = (
        f"truth: each candidate's {truth} score, mean over the sweep's seeds; (truth): the best",
        *((seeds_note,) if seeds_note else ()),
        f"regret@{k}: points (and %) lost by the top {k}'s best vs the best (Poth et al. 2021); "
        "tau: Kendall's tau-b; s: the estimator's seconds (mean row: their sum over the targets)",
        f"the grid these rankings try to avoid cost {rows[0].grid_seconds:.1f} s (its "
        "candidates' runs)",
    )
    return Table(f"evaluate:{truth}", f"rankings vs {truth}", "ranking", columns, tuple(out),
                 "score", notes)  # fmt: skip


def show(tables: Sequence[Table], records: Sequence[RankRow | EvalRow], fmt: str, console: Console):
    """Print `tables` (table / md) or the tidy `records` (csv / json) on `console`."""
    if fmt == "table":
        for table in tables:
            console.print(rich_table(table, width=console.width))
    elif fmt == "md":
        print_whole(console, "\n\n".join(export.table_markdown(t) for t in tables))
    elif fmt == "csv":
        print_whole(console, to_csv(records))
    elif fmt == "json":
        print_whole(console, json.dumps([_plain(r) for r in records], indent=2))
    else:
        raise ValueError(f"no select renderer for format '{fmt}'")


def _plain(record: RankRow | EvalRow) -> dict:
    """The record as JSON values (NaN, e.g. an undefined tau, as null)."""
    return {
        k: None if isinstance(v, float) and math.isnan(v) else v for k, v in asdict(record).items()
    }


def to_csv(records: Sequence[RankRow | EvalRow]) -> str:
    buffer = io.StringIO()
    if records:
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([f.name for f in fields(records[0])])
        writer.writerows([list(asdict(r).values()) for r in records])
    return buffer.getvalue()
