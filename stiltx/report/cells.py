"""The text of a table cell, its marks, and which cells are bold: one rule for every format.

- score: '72.3 ± 1.2' (mean ± std over seeds);
- delta: '+1.5 [+0.2, +2.8]*' with its 95% interval; '*' only when that interval excludes 0
  (whether it is a t-interval over seeds or a paired bootstrap: the caption names which);
  'n/a' instead when a seed interval is no test (zero spread on a side, fewer than 3 seeds);
- marks: '†' partial average (fewer tasks / languages than the benchmark lists), '‡' collapsed
  predictions (one class, or no better than always answering the majority class);
- bold: the best value of a column among complete, non-collapsed, non-summary cells, only in
  tables whose caption says what bold means, only when at least two such cells compete, and
  only when it is unique: a tie (three recipes at 0.0 ± 0.0) bolds nothing; in a column of
  LOWER_IS_BETTER (the transfer gap) the smallest value is the best.
"""

from __future__ import annotations

from stiltx.report.coverage import GAP
from stiltx.report.tables import COLLAPSED, PARTIAL, SIGNIFICANT, Row, Table
from stiltx.report.uncertainty import MIN_SEEDS, Stat, significant

SYMBOLS = {SIGNIFICANT: "*", PARTIAL: "†", COLLAPSED: "‡"}
DECIMALS = 1


LOWER_IS_BETTER = frozenset({GAP})  # columns whose best value is the smallest (the transfer gap)
NOT_TESTED = "n/a"  # after an interval that is no test (zero spread, fewer than 3 seeds)


def format_cell(cell: Stat | str | None, kind: str, marks: tuple[str, ...] = ()) -> str:
    """The text of one cell (see the module docstring), with its marks appended."""
    return _value(cell, kind) + "".join(SYMBOLS[m] for m in marks if m in SYMBOLS)


def _value(cell: Stat | str | None, kind: str) -> str:
    if cell is None:
        return "–"
    if isinstance(cell, str):
        return cell
    d = DECIMALS
    if kind == "delta":
        text = f"{cell.mean:+.{d}f}"
        if cell.low is not None and cell.high is not None:
            text += f" [{cell.low:+.{d}f}, {cell.high:+.{d}f}]"
            text += f" {NOT_TESTED}" if cell.untestable else ("*" if significant(cell) else "")
        return text
    if kind == "steps":
        return f"{cell.mean:.0f}" if float(cell.mean).is_integer() else f"{cell.mean:.{d}f}"
    text = f"{cell.mean:.{d}f}"
    if cell.std is not None:
        text += f" ± {cell.std:.{d}f}"
    return text


def row_texts(table: Table, row: Row) -> list[str]:
    return [format_cell(c, table.kind, row.marks_of(j)) for j, c in enumerate(row.cells)]


def best_cells(table: Table) -> set[tuple[int, int]]:
    """(row, column) of the unique best mean per column among complete, unflagged, non-summary
    cells; a column whose best is tied has none.

    Only tables whose caption says what bold means ('bold: ...') bold anything.
    """
    if not any(n.startswith("bold:") for n in table.notes) or len(table.rows) < 2:
        return set()
    best = set()
    for j in range(len(table.columns)):
        values = [
            (row.cells[j].mean, i)
            for i, row in enumerate(table.rows)
            if not row.summary
            and j < len(row.cells)
            and isinstance(row.cells[j], Stat)
            and not set(row.marks_of(j)) - {SIGNIFICANT}
        ]
        if len(values) >= 2:
            pick = min if table.columns[j] in LOWER_IS_BETTER else max
            top = pick(v for v, _ in values)
            winners = [(i, j) for v, i in values if v == top]
            if len(winners) == 1:
                best |= set(winners)
    return best


def legend(table: Table) -> list[str]:
    """Caption lines for the marks that occur in `table` (each table explains its own)."""
    used = {m for row in table.rows for j in range(len(row.cells)) for m in row.marks_of(j)}
    lines = []
    stars = table.kind == "delta" and any(
        isinstance(c, Stat) and significant(c) for row in table.rows for c in row.cells
    )
    if stars and not any(n.startswith("*:") for n in table.notes):
        lines.append("*: the 95% interval excludes 0")
    reasons = sorted(
        {c.untestable for row in table.rows for c in row.cells if isinstance(c, Stat)} - {""}
    )
    if table.kind == "delta" and reasons:
        lines.append(
            f"{NOT_TESTED}: no significance mark ({'; '.join(reasons)}; "
            f"a test needs spread and {MIN_SEEDS}+ seeds on both sides)"
        )
    if PARTIAL in used and not any(n.startswith("† ") for n in table.notes):
        lines.append("†: partial average (fewer tasks or languages than the benchmark lists)")
    if COLLAPSED in used and not any(n.startswith("‡ ") for n in table.notes):
        lines.append("‡: collapsed predictions (one class, or no better than the majority class)")
    return lines
