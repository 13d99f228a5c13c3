"""Render a `Report` as Markdown, tidy CSV, LaTeX (booktabs), self-contained HTML, JSON or rich.

Every format shows the same tables with the same cell text (`format_cell`), so a number in the
terminal is the number in the paper. Pure string builders; the CLI writes them atomically.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
from collections.abc import Mapping
from pathlib import Path

from stiltx.report.tables import Report, Table
from stiltx.report.uncertainty import BOOTSTRAP95, Stat
from stiltx.tasks import languages as L

FORMATS = ("table", "md", "csv", "latex", "html", "json")
EXTENSIONS = {"md": "report.md", "csv": "scores.csv", "latex": "report.tex", "html": "report.html",
              "json": "tables.json"}  # fmt: skip


def format_cell(cell: Stat | str | None, kind: str) -> str:
    """The text of one cell: score '72.3 ± 1.2', delta '+1.5 [+0.2, +2.8]' ('*': bootstrap)."""
    if cell is None:
        return "–"
    if isinstance(cell, str):
        return cell
    if kind == "delta":
        text = f"{cell.mean:+.1f}"
        if cell.low is not None and cell.high is not None:
            mark = "*" if cell.interval == BOOTSTRAP95 else ""
            text += f" [{cell.low:+.1f}, {cell.high:+.1f}]{mark}"
        return text
    if kind == "steps":
        return f"{cell.mean:.0f}" if float(cell.mean).is_integer() else f"{cell.mean:.1f}"
    text = f"{cell.mean:.1f}"
    if cell.std is not None:
        text += f" ± {cell.std:.1f}"
    return text


def _best(table: Table) -> set[tuple[int, int]]:
    """(row, column) of the best (highest) mean per column, summary rows excluded."""
    if table.kind not in ("score", "delta") or len(table.rows) < 2:
        return set()
    best = set()
    for j in range(len(table.columns)):
        values = [
            (row.cells[j].mean, i)
            for i, row in enumerate(table.rows)
            if not row.summary and j < len(row.cells) and isinstance(row.cells[j], Stat)
        ]
        if len(values) >= 2:
            top = max(v for v, _ in values)
            best |= {(i, j) for v, i in values if v == top}
    return best


def _grouped(table: Table) -> bool:
    return any(row.group for row in table.rows)


def _title(report: Report) -> str:
    recipes = ", ".join(g.name for g in report.groups)
    base = f" vs baseline {report.baseline.name}" if report.baseline else ""
    return f"stiltx report: {recipes}{base} ({', '.join(report.benchmark_names)})"


# ---- Markdown ------------------------------------------------------------------------------------


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def table_markdown(table: Table) -> str:
    grouped = _grouped(table)
    header = (["group"] if grouped else []) + [table.label_header, *table.columns]
    lines = [f"## {table.title}", ""]
    lines.append("| " + " | ".join(_md_escape(h) for h in header) + " |")
    lines.append("|" + "|".join([" --- "] * (1 if grouped else 0) + [" --- "] + [" ---: "] * len(table.columns)) + "|")  # fmt: skip
    for row in table.rows:
        label = f"**{row.label}**" if row.summary else row.label
        cells = [format_cell(c, table.kind) for c in row.cells]
        parts = ([row.group] if grouped else []) + [label, *cells]
        lines.append("| " + " | ".join(_md_escape(p) for p in parts) + " |")
    if table.notes:
        lines.append("")
        lines.extend(f"- {note}" for note in table.notes)
    return "\n".join(lines) + "\n"


def to_markdown(report: Report, plots: Mapping[str, Path] | None = None) -> str:
    parts = [f"# {_title(report)}", ""]
    if report.skipped:
        parts.append("Skipped (no results.json): " + ", ".join(str(p) for p in report.skipped))
        parts.append("")
    for table in report.tables:
        parts.append(table_markdown(table))
    for name, path in (plots or {}).items():
        parts.append(f"![{name}]({path.name})\n")
    return "\n".join(parts)


# ---- CSV (tidy: one row per score) ---------------------------------------------------------------

CSV_COLUMNS = ("recipe", "run", "seed", "model", "method", "benchmark", "task", "language",
               "split", "metric", "value", "family", "script", "resource")  # fmt: skip


def to_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for group in report.groups:
        for run in group.runs:
            for s in run.scores:
                if report.languages is not None and s.language not in report.languages:
                    continue
                writer.writerow(
                    (group.name, run.name, "" if run.seed is None else run.seed, run.model,
                     run.method, group.benchmark, s.task, s.language, s.split, s.metric,
                     repr(s.value), L.attribute(s.language, "family"),
                     L.attribute(s.language, "script"), L.attribute(s.language, "resource"))
                )  # fmt: skip
    return buffer.getvalue()


# ---- LaTeX (booktabs, best per column in bold) ---------------------------------------------------

_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}  # fmt: skip


def _tex(text: str) -> str:
    out = "".join(_TEX.get(ch, ch) for ch in text)
    return out.replace("±", r"$\pm$").replace("–", "--").replace("<=", r"$\leq$")


def table_latex(table: Table) -> str:
    best = _best(table)
    ncols = 1 + len(table.columns)
    lines = [
        r"\begin{table}[t]",
        r"\centering",
        r"\small",
        rf"\caption{{{_tex(table.title)}}}",
        rf"\label{{tab:{table.key.replace(':', '-').replace('_', '-')}}}",
        r"\begin{tabular}{l" + "r" * len(table.columns) + "}",
        r"\toprule",
        " & ".join(_tex(h) for h in (table.label_header, *table.columns)) + r" \\",
        r"\midrule",
    ]
    group = None
    for i, row in enumerate(table.rows):
        if row.group and row.group != group:
            if group is not None:
                lines.append(r"\midrule")
            lines.append(rf"\multicolumn{{{ncols}}}{{l}}{{\textit{{{_tex(row.group)}}}}} \\")
            group = row.group
        if row.summary and (i == 0 or not table.rows[i - 1].summary):
            lines.append(r"\midrule")
        cells = []
        for j, cell in enumerate(row.cells):
            text = _tex(format_cell(cell, table.kind))
            cells.append(rf"\textbf{{{text}}}" if (i, j) in best else text)
        label = rf"\textit{{{_tex(row.label)}}}" if row.summary else _tex(row.label)
        lines.append(" & ".join([label, *cells]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}"]
    if table.notes:
        lines.append(r"\par\smallskip\footnotesize " + _tex("; ".join(table.notes)) + ".")
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def to_latex(report: Report) -> str:
    header = [
        f"% {_tex(_title(report))}",
        r"% requires \usepackage{booktabs}",
        "",
    ]
    return "\n".join(header) + "\n".join(table_latex(t) for t in report.tables)


# ---- JSON ----------------------------------------------------------------------------------------


def _cell_json(cell: Stat | str | None):
    if cell is None or isinstance(cell, str):
        return cell
    return {"mean": cell.mean, "std": cell.std, "n": cell.n, "low": cell.low, "high": cell.high,
            "interval": cell.interval or None}  # fmt: skip


def report_json(report: Report) -> dict:
    return {
        "title": _title(report),
        "recipes": {
            g.name: {
                "model": g.model,
                "benchmark": g.benchmark,
                "runs": [str(r.path) for r in g.runs],
                "seeds": list(g.seeds),
            }
            for g in report.groups
        },  # fmt: skip
        "baseline": report.baseline.name if report.baseline else None,
        "languages": list(report.languages) if report.languages else None,
        "group_by": report.group_by,
        "skipped": [str(p) for p in report.skipped],
        "tables": [
            {
                "key": t.key,
                "title": t.title,
                "kind": t.kind,
                "label_header": t.label_header,
                "columns": list(t.columns),
                "rows": [
                    {
                        "label": r.label,
                        "group": r.group,
                        "summary": r.summary,
                        "cells": [_cell_json(c) for c in r.cells],
                    }
                    for r in t.rows
                ],  # fmt: skip
                "notes": list(t.notes),
            }
            for t in report.tables
        ],
    }


def to_json(report: Report) -> str:
    return json.dumps(report_json(report), indent=2, ensure_ascii=False) + "\n"


# ---- HTML (self-contained) -----------------------------------------------------------------------

_CSS = """body{font-family:system-ui,sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;margin:1em 0;font-size:14px}
th,td{padding:4px 10px;text-align:right;border-bottom:1px solid #ddd}
th:first-child,td:first-child{text-align:left}thead th{border-bottom:2px solid #333}
tr.group td{font-style:italic;background:#f4f4f4;text-align:left}tr.summary td{font-weight:600}
td.pos{color:#1a7f37}td.neg{color:#cf222e}td.best{font-weight:700}.note{color:#555;font-size:13px}
img{max-width:100%;margin:1em 0}"""


def table_html(table: Table) -> str:
    best = _best(table)
    e = html.escape
    out = [f"<h2>{e(table.title)}</h2>", "<table>", "<thead><tr>"]
    out += [f"<th>{e(h)}</th>" for h in (table.label_header, *table.columns)]
    out.append("</tr></thead><tbody>")
    group = None
    for i, row in enumerate(table.rows):
        if row.group and row.group != group:
            out.append(f'<tr class="group"><td colspan="{1 + len(table.columns)}">{e(row.group)}</td></tr>')  # fmt: skip
            group = row.group
        out.append('<tr class="summary">' if row.summary else "<tr>")
        out.append(f"<td>{e(row.label)}</td>")
        for j, cell in enumerate(row.cells):
            classes = []
            if table.kind == "delta" and isinstance(cell, Stat):
                classes.append("pos" if cell.mean > 0 else "neg" if cell.mean < 0 else "")
            if (i, j) in best:
                classes.append("best")
            attr = f' class="{" ".join(c for c in classes if c)}"' if any(classes) else ""
            out.append(f"<td{attr}>{e(format_cell(cell, table.kind))}</td>")
        out.append("</tr>")
    out.append("</tbody></table>")
    out += [f'<p class="note">{e(note)}</p>' for note in table.notes]
    return "\n".join(out)


def to_html(report: Report, plots: Mapping[str, Path] | None = None) -> str:
    title = html.escape(_title(report))
    body = [f"<h1>{title}</h1>"]
    if report.skipped:
        skipped = ", ".join(str(p) for p in report.skipped)
        body.append(f'<p class="note">Skipped (no results.json): {html.escape(skipped)}</p>')
    body += [table_html(t) for t in report.tables]
    for name, path in (plots or {}).items():
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        body.append(f"<h2>{html.escape(name)}</h2>")
        body.append(f'<img alt="{html.escape(name)}" src="data:image/png;base64,{data}">')
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )


# ---- terminal (rich) -----------------------------------------------------------------------------


def rich_table(table: Table, width: int | None = None):
    """A rich.Table with deltas coloured (green better, red worse).

    When the table would not fit in `width` terminal columns (many tasks), it is shown transposed:
    one row per column of the table, one column per recipe, so nothing is cut to '…'.
    """
    from rich.markup import escape
    from rich.table import Table as RichTable

    compact = False
    if width is not None and _too_wide(table, width):
        if not any(r.group for r in table.rows):
            return _transposed(table)
        compact = True  # grouped rows: keep the layout, show means only
    notes = [*table.notes, "(means only, to fit the terminal; intervals in --format md/html)"]
    caption = escape("\n".join(notes if compact else table.notes))
    if compact:  # no borders, narrow label column: a wide grouped view fits 80 columns
        from rich import box

        out = RichTable(
            title=escape(table.title),
            caption=caption,
            caption_justify="left",
            box=box.SIMPLE_HEAD,
            padding=(0, 0, 0, 1),
            pad_edge=False,
        )
        out.add_column(table.label_header, style="bold", min_width=10, max_width=13)
    else:
        out = RichTable(title=escape(table.title), caption=caption, caption_justify="left")
        out.add_column(table.label_header, style="bold", no_wrap=True)
    for col in table.columns:
        out.add_column(col, justify="right", min_width=len(col) if compact else None)
    group = None
    for row in table.rows:
        if row.group and row.group != group:
            out.add_row(f"[italic]{escape(row.group)}[/]", *[""] * len(table.columns))
            group = row.group
        cells = []
        for cell in row.cells:
            text = escape(format_cell(cell, table.kind))
            if compact and isinstance(cell, Stat):
                text = f"{cell.mean:+.1f}" if table.kind == "delta" else f"{cell.mean:.1f}"
            if table.kind == "delta" and isinstance(cell, Stat) and cell.mean != 0:
                text = f"[{'green' if cell.mean > 0 else 'red'}]{text}[/]"
            cells.append(text)
        label = escape(row.label)
        label = f"[bold]{label}[/]" if row.summary else ("  " if row.group else "") + label
        out.add_row(label, *cells, end_section=False)
    return out


def _too_wide(table: Table, width: int) -> bool:
    cell = max((len(format_cell(c, table.kind)) for r in table.rows for c in r.cells), default=4)
    label = max((len(r.label) for r in table.rows), default=4)
    columns = [max(len(c), cell) + 3 for c in table.columns]
    return label + 4 + sum(columns) > width


def _transposed(table: Table):
    from rich.markup import escape
    from rich.table import Table as RichTable

    caption = escape("\n".join([*table.notes, "(transposed to fit the terminal)"]))
    out = RichTable(title=escape(table.title), caption=caption, caption_justify="left")
    out.add_column(escape(table.label_header), style="bold", no_wrap=True)
    for row in table.rows:
        out.add_column(escape(row.label), justify="right")
    for i, column in enumerate(table.columns):
        cells = []
        for row in table.rows:
            cell = row.cells[i]
            text = escape(format_cell(cell, table.kind))
            if table.kind == "delta" and isinstance(cell, Stat) and cell.mean != 0:
                text = f"[{'green' if cell.mean > 0 else 'red'}]{text}[/]"
            cells.append(text)
        out.add_row(escape(column), *cells)
    return out


def render(report: Report, fmt: str, plots: Mapping[str, Path] | None = None) -> str:
    """The text of `report` in `fmt` (md / csv / latex / html / json)."""
    if fmt == "md":
        return to_markdown(report, plots)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "latex":
        return to_latex(report)
    if fmt == "html":
        return to_html(report, plots)
    if fmt == "json":
        return to_json(report)
    raise ValueError(f"no text renderer for format '{fmt}'")
