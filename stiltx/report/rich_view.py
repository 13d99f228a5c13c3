"""A report `Table` on the terminal: whole at the terminal's width, never a '…' in a value or name.

Layouts are tried in order and the first that renders without cutting anything is shown:
the table as it is (when it fits), then transposed (one column per row) or, for grouped rows, a
compact borderless layout with means only; then the same with long headers abbreviated (a legend
says what each abbreviation stands for); then the table as it is with its cells wrapped; last, stacked: one block per row, a line per cell, which
fits any width. Cells wrap on spaces inside a layout; a word is never cut.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.table import Table as RichTable
from rich.text import Text

from stiltx.report.cells import best_cells, format_cell, legend, row_texts, significant
from stiltx.report.tables import Table
from stiltx.report.uncertainty import Stat

ABBREVIATE_OVER = 6  # headers longer than this are abbreviated when nothing else fits


def rich_table(table: Table, width: int | None = None):
    """The first layout of `table` that fits `width` columns whole (any layout when None)."""
    if width is None or not _too_wide(table, width):
        return _plain(table)
    grouped = any(r.group for r in table.rows)
    tried = [_compact] if grouped else [_transposed]
    short = _abbreviations(table.columns if grouped else [r.label for r in table.rows])
    candidates = [layout(table, names) for layout in tried for names in ({}, short)]
    for candidate in (*candidates, _plain(table)):  # last: the rows as rows, cells wrapped
        if _whole(candidate, width):
            return candidate
    return _stacked(table)


def _too_wide(table: Table, width: int) -> bool:
    cell = max((len(t) for r in table.rows for t in row_texts(table, r)), default=4)
    label = max((len(r.label) for r in table.rows), default=4)
    columns = [max(len(c), cell) + 3 for c in table.columns]
    return label + 4 + sum(columns) > width


def _whole(table: RichTable, width: int) -> bool:
    """Whether `table` renders at `width` whole: no '…', no line past `width`, and every word of
    every header and cell on screen (rich squeezes a column to nothing rather than fail)."""
    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(table, crop=False)  # a line rich would crop silently shows as too long
    text = console.file.getvalue()  # type: ignore[attr-defined]
    if "…" in text or any(len(line.rstrip()) > width for line in text.splitlines()):
        return False
    shown = set(text.split())
    texts = [c.header for c in table.columns] + [x for c in table.columns for x in c.cells]
    words = {w for t in texts for w in Text.from_markup(str(t)).plain.split()}
    return words <= shown


def _abbreviations(names: Sequence[str]) -> dict[str, str]:
    """name -> a short form for the names longer than ABBREVIATE_OVER: the shortest prefix (of at
    least 3 characters) that tells them apart, else letters A, B, C, ..."""
    long = [n for n in dict.fromkeys(names) if len(n) > ABBREVIATE_OVER]
    if not long:
        return {}
    taken = {n for n in names if len(n) <= ABBREVIATE_OVER}
    for k in range(3, ABBREVIATE_OVER):
        short = {n: n[:k] for n in long}
        if len(set(short.values())) == len(long) and not taken & set(short.values()):
            return short
    letters = [chr(ord("A") + i) for i in range(26)]
    return dict(zip(long, letters, strict=False))


def _caption(table: Table, names: dict[str, str], *extra: str) -> str:
    lines = [*table.notes, *legend(table), *extra]
    if names:
        lines.append("; ".join(f"{short} = {name}" for name, short in names.items()))
    return escape("\n".join(lines))


def _cell_text(table: Table, i: int, j: int, best: set, means_only: bool = False) -> str:
    row = table.rows[i]
    cell = row.cells[j]
    shown = Stat(cell.mean) if means_only and isinstance(cell, Stat) else cell
    text = escape(format_cell(shown, table.kind, row.marks_of(j)))
    if means_only and table.kind == "delta" and isinstance(cell, Stat) and significant(cell):
        text += "*"
    if (i, j) in best:
        text = f"[bold]{text}[/]"
    if table.kind == "delta" and isinstance(cell, Stat) and cell.mean != 0:
        text = f"[{'green' if cell.mean > 0 else 'red'}]{text}[/]"
    return text


def _plain(table: Table, names: dict[str, str] | None = None, compact: bool = False):
    """Rows as rows; `compact`: borderless, means only (a wide grouped view at 80 columns)."""
    names = names or {}
    extra = ("(means only, to fit the terminal; intervals in --format md/html)",) if compact else ()
    caption = _caption(table, names, *extra)
    if compact:
        out = RichTable(title=escape(table.title), caption=caption, caption_justify="left",
                        box=box.SIMPLE_HEAD, padding=(0, 0, 0, 1), pad_edge=False)  # fmt: skip
        longest_word = max((len(w) for r in table.rows for w in (r.group or r.label).split()),
                           default=4)  # fmt: skip
        label = longest_word + 2  # members are indented under their group
        out.add_column(table.label_header, style="bold", min_width=label, max_width=label)
    else:
        out = RichTable(title=escape(table.title), caption=caption, caption_justify="left")
        out.add_column(table.label_header, style="bold", no_wrap=True)
    for col in table.columns:
        header = escape(names.get(col, col))
        out.add_column(header, justify="right", min_width=len(header) if compact else None)
    group, best = None, best_cells(table)
    for i, row in enumerate(table.rows):
        if row.group and row.group != group:
            out.add_row(f"[italic]{escape(row.group)}[/]", *[""] * len(table.columns))
            group = row.group
        cells = [_cell_text(table, i, j, best, compact) for j in range(len(row.cells))]
        label = escape(row.label)
        label = f"[bold]{label}[/]" if row.summary else ("  " if row.group else "") + label
        out.add_row(label, *cells, end_section=False)
    return out


def _compact(table: Table, names: dict[str, str]):
    return _plain(table, names, compact=True)


def _transposed(table: Table, names: dict[str, str]):
    """One row per column of the table, one column per row (many tasks, few recipes)."""
    caption = _caption(table, names, "(transposed to fit the terminal)")
    out = RichTable(title=escape(table.title), caption=caption, caption_justify="left")
    out.add_column(escape(table.label_header), style="bold", no_wrap=True)
    for row in table.rows:
        out.add_column(escape(names.get(row.label, row.label)), justify="right")
    best = best_cells(table)
    for j, column in enumerate(table.columns):
        cells = [_cell_text(table, i, j, best) for i in range(len(table.rows))]
        out.add_row(escape(column), *cells)
    return out


def _stacked(table: Table):
    """One block per row: its label, then one `column: value` line per cell; fits any width."""
    best = best_cells(table)
    blocks: list = [Text(table.title, style="italic", justify="center")]
    group = None
    for i, row in enumerate(table.rows):
        if row.group and row.group != group:
            blocks.append(Text(row.group, style="italic"))
            group = row.group
        grid = RichTable.grid(padding=(0, 2))
        grid.add_column(style="dim")
        grid.add_column()
        for j, column in enumerate(table.columns):
            grid.add_row(escape(column), _cell_text(table, i, j, best))
        blocks += [Text(f"{table.label_header}: {row.label}", style="bold"), grid]
    blocks.append(Text.from_markup(_caption(table, {}, "(stacked to fit the terminal)")))
    return Group(*blocks)
