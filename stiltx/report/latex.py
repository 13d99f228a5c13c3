"""LaTeX tables (booktabs) that fit the page: a one-column layout and a two-column `table*` one.

- layout "column" (default): recipe comparisons are transposed (one row per task / category,
  one column per recipe), so they fit a single ACL / NeurIPS column; per-language tables show
  means only. A table whose estimated width still exceeds the column is scaled to
  `\\columnwidth` (graphicx), never left to overflow.
- layout "wide": the full layout in `table*` (spanning both columns), scaled to `\\textwidth`
  when needed.
Minus signs are `$-$`, marks are superscripts ($^\\dagger$ partial, $^\\ddagger$ collapsed, $^*$
interval excludes 0), bold is the best complete value, and the caption says what each means.
Labels are `<label_prefix><table key>` (default `tab:`). The file starts with the provenance as
comments. Preamble: \\usepackage{booktabs,graphicx}.
"""

from __future__ import annotations

import re

from stiltx.report.cells import best_cells, format_cell, legend, significant
from stiltx.report.options import LAYOUTS
from stiltx.report.provenance import provenance_lines
from stiltx.report.tables import Report, Row, Table
from stiltx.report.uncertainty import Stat

COLUMN_PT = 219.0  # \columnwidth of a two-column ACL paper (NeurIPS single column: 397pt)
TEXT_PT = 455.0  # \textwidth of a two-column ACL paper
PT_PER_CHAR = 4.4  # \small digits are ~4.4pt wide; a rough estimate is all the scaling needs
COMPARISONS = ("overview", "delta")

_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}  # fmt: skip
_MARKS = {"†": r"$^\dagger$", "‡": r"$^\ddagger$", "*": r"$^*$"}


def tex(text: str) -> str:
    """Escape text for LaTeX; minus signs as $-$, ± and marks in math."""
    out = "".join(_TEX.get(ch, ch) for ch in text)
    out = re.sub(r"(?<![\w\\])-(?=\d)", r"$-$", out)
    out = out.replace("±", r"$\pm$").replace("–", "--").replace("<=", r"$\leq$")
    for mark, math in _MARKS.items():
        out = out.replace(mark, math)
    return out


def _transpose(table: Table) -> Table:
    """Rows become columns: one row per column of `table`, one column per row (recipe)."""
    rows = []
    for j, column in enumerate(table.columns):
        cells = tuple(r.cells[j] for r in table.rows)
        marks = tuple(r.marks_of(j) for r in table.rows)
        rows.append(Row(column, cells, marks=marks))
    return Table(
        key=table.key,
        title=table.title,
        label_header="",
        columns=tuple(r.label for r in table.rows),
        rows=tuple(rows),
        kind=table.kind,
        notes=(),  # the bold rule runs over recipes (rows of the original), applied below
    )


def _texts(table: Table, means_only: bool) -> list[list[str]]:
    out = []
    for row in table.rows:
        texts = []
        for j, cell in enumerate(row.cells):
            shown = Stat(cell.mean) if means_only and isinstance(cell, Stat) else cell
            text = format_cell(shown, table.kind, row.marks_of(j))
            if means_only and table.kind == "delta" and isinstance(cell, Stat):
                text += "*" if significant(cell) else ""
            texts.append(text)
        out.append(texts)
    return out


def _width(header: list[str], texts: list[list[str]], labels: list[str]) -> float:
    columns = [max([len(h)] + [len(r[j]) for r in texts]) for j, h in enumerate(header)]
    label = max([len(x) for x in labels] or [4])
    return PT_PER_CHAR * (label + sum(columns)) + 12.0 * (len(columns) + 1)


def table_latex(
    table: Table, layout: str = "column", label_prefix: str = "tab:", caption_extra: str = ""
) -> str:
    transposed = layout == "column" and table.key in COMPARISONS
    best = best_cells(table)
    shown = _transpose(table) if transposed else table
    if transposed:
        best = {(j, i) for i, j in best}
    means_only = layout == "column" and not transposed and table.kind in ("score", "delta")
    texts = _texts(shown, means_only)
    labels = [r.label for r in shown.rows]
    limit = COLUMN_PT if layout == "column" else TEXT_PT
    scale = _width(list(shown.columns), texts, labels) > limit
    env = "table" if layout == "column" else "table*"
    ncols = 1 + len(shown.columns)
    notes = [*table.notes, *legend(table)]
    if means_only:
        notes.append("means only; intervals in the wide layout and the HTML / Markdown report")
    caption = tex(table.title) + (". " + tex("; ".join(notes)) if notes else "") + caption_extra
    lines = [
        rf"\begin{{{env}}}[t]",
        r"\centering",
        r"\small",
        r"\setlength{\tabcolsep}{4pt}",
    ]
    if scale:
        width = r"\columnwidth" if layout == "column" else r"\textwidth"
        lines.append(rf"\resizebox{{{width}}}{{!}}{{%")
    lines += [
        r"\begin{tabular}{l" + "r" * len(shown.columns) + "}",
        r"\toprule",
        " & ".join(tex(h) for h in (shown.label_header, *shown.columns)) + r" \\",
        r"\midrule",
    ]
    group = None
    for i, row in enumerate(shown.rows):
        if row.group and row.group != group:
            if group is not None:
                lines.append(r"\midrule")
            lines.append(rf"\multicolumn{{{ncols}}}{{l}}{{\textit{{{tex(row.group)}}}}} \\")
            group = row.group
        if row.summary and (i == 0 or not shown.rows[i - 1].summary):
            lines.append(r"\midrule")
        cells = [
            rf"\textbf{{{tex(t)}}}" if (i, j) in best else tex(t) for j, t in enumerate(texts[i])
        ]
        label = rf"\textit{{{tex(row.label)}}}" if row.summary else tex(row.label)
        lines.append(" & ".join([label, *cells]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if scale:
        lines.append("}")
    key = re.sub(r"[^A-Za-z0-9]+", "-", table.key).strip("-")
    lines += [rf"\caption{{{caption}}}", rf"\label{{{label_prefix}{key}}}", rf"\end{{{env}}}"]
    return "\n".join(lines) + "\n"


def to_latex(report: Report, layout: str = "column", label_prefix: str = "tab:") -> str:
    if layout not in LAYOUTS:
        raise ValueError(f"LaTeX layout '{layout}': expected one of {', '.join(LAYOUTS)}")
    header = [f"% {line}" for line in provenance_lines(report)]
    header += [r"% requires \usepackage{booktabs,graphicx}", ""]
    body = [table_latex(t, layout, label_prefix) for t in report.tables]
    return "\n".join(header) + "\n" + "\n".join(body)
