"""Render a `Report` as Markdown, tidy CSV, LaTeX (booktabs), self-contained HTML, JSON or rich.

Every format shows the same tables with the same cell text (`format_cell`), so a number in the
terminal is the number in the paper. Pure string builders; the CLI writes them atomically.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from pathlib import Path

from stiltx.report import html, latex
from stiltx.report.cells import best_cells, format_cell, legend, row_texts, significant
from stiltx.report.options import FORMATS
from stiltx.report.provenance import provenance_json, provenance_lines
from stiltx.report.tables import Report, Table
from stiltx.report.uncertainty import Stat

__all__ = ["FORMATS", "EXTENSIONS", "format_cell", "render", "rich_table"]
from stiltx.tasks import languages as L

EXTENSIONS = {"md": "report.md", "csv": "scores.csv", "latex": "report.tex", "html": "report.html",
              "json": "tables.json"}  # fmt: skip


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
    best = best_cells(table)
    for i, row in enumerate(table.rows):
        label = f"*{row.label}*" if row.summary else row.label
        cells = [f"**{t}**" if (i, j) in best else t for j, t in enumerate(row_texts(table, row))]
        parts = ([row.group] if grouped else []) + [label, *cells]
        lines.append("| " + " | ".join(_md_escape(p) for p in parts) + " |")
    notes = [*table.notes, *legend(table)]
    if notes:
        lines.append("")
        lines.extend(f"- {note}" for note in notes)
    return "\n".join(lines) + "\n"


def to_markdown(report: Report, plots: Mapping[str, Path] | None = None) -> str:
    parts = [f"# {_title(report)}", ""]
    for table in report.tables:
        parts.append(table_markdown(table))
    for name, path in (plots or {}).items():
        parts.append(f"![{html.plot_title(name)}]({path.name})\n")
    parts += ["## Provenance", ""]
    parts += [f"- {_md_escape(line)}" for line in provenance_lines(report)]
    if report.skipped:
        parts.append("- folders without results.json (not read): " + ", ".join(str(p) for p in report.skipped))  # fmt: skip
    return "\n".join(parts) + "\n"


# ---- CSV (tidy: one row per score) ---------------------------------------------------------------

CSV_COLUMNS = ("recipe", "run", "seed", "model", "method", "benchmark", "task", "language",
               "split", "metric", "value", "family", "script", "resource", "git_commit",
               "stiltx_version", "started", "finished", "device")  # fmt: skip


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
                     L.attribute(s.language, "script"), L.attribute(s.language, "resource"),
                     run.git_commit, run.stiltx_version, run.started, run.finished, run.device)
                )  # fmt: skip
    return buffer.getvalue()


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
        "provenance": provenance_json(report),
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
                        "marks": [list(r.marks_of(j)) for j in range(len(r.cells))],
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


# ---- terminal (rich) -----------------------------------------------------------------------------


def rich_table(table: Table, width: int | None = None):
    """A rich.Table with deltas coloured (green better, red worse).

    When the table would not fit in `width` terminal columns (many tasks), it is shown transposed:
    one row per column of the table, one column per recipe, so nothing is cut to '…'.
    """
    # rich: start-up time of `stiltx report`, only for terminal tables
    from rich.markup import escape
    from rich.table import Table as RichTable

    compact = False
    if width is not None and _too_wide(table, width):
        if not any(r.group for r in table.rows):
            return _transposed(table)
        compact = True  # grouped rows: keep the layout, show means only
    notes = [*table.notes, *legend(table)]
    if compact:
        notes.append("(means only, to fit the terminal; intervals in --format md/html)")
    caption = escape("\n".join(notes))
    if compact:  # no borders, narrow label column: a wide grouped view fits 80 columns
        # rich: start-up time of `stiltx report`, only for terminal tables
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
    best = best_cells(table)
    for i, row in enumerate(table.rows):
        if row.group and row.group != group:
            out.add_row(f"[italic]{escape(row.group)}[/]", *[""] * len(table.columns))
            group = row.group
        cells = []
        for j, cell in enumerate(row.cells):
            text = escape(format_cell(cell, table.kind, row.marks_of(j)))
            if compact and isinstance(cell, Stat):
                mean = Stat(cell.mean)  # means only: no std / interval
                text = escape(format_cell(mean, table.kind, row.marks_of(j)))
                if table.kind == "delta" and significant(cell):
                    text += "*"
            if (i, j) in best:
                text = f"[bold]{text}[/]"
            if table.kind == "delta" and isinstance(cell, Stat) and cell.mean != 0:
                text = f"[{'green' if cell.mean > 0 else 'red'}]{text}[/]"
            cells.append(text)
        label = escape(row.label)
        label = f"[bold]{label}[/]" if row.summary else ("  " if row.group else "") + label
        out.add_row(label, *cells, end_section=False)
    return out


def _too_wide(table: Table, width: int) -> bool:
    cell = max((len(t) for r in table.rows for t in row_texts(table, r)), default=4)
    label = max((len(r.label) for r in table.rows), default=4)
    columns = [max(len(c), cell) + 3 for c in table.columns]
    return label + 4 + sum(columns) > width


def _transposed(table: Table):
    # rich: start-up time of `stiltx report`, only for terminal tables
    from rich.markup import escape
    from rich.table import Table as RichTable

    caption = escape("\n".join([*table.notes, *legend(table), "(transposed to fit the terminal)"]))
    out = RichTable(title=escape(table.title), caption=caption, caption_justify="left")
    out.add_column(escape(table.label_header), style="bold", no_wrap=True)
    for row in table.rows:
        out.add_column(escape(row.label), justify="right")
    best = best_cells(table)
    for i, column in enumerate(table.columns):
        cells = []
        for r, row in enumerate(table.rows):
            cell = row.cells[i]
            text = escape(format_cell(cell, table.kind, row.marks_of(i)))
            if (r, i) in best:
                text = f"[bold]{text}[/]"
            if table.kind == "delta" and isinstance(cell, Stat) and cell.mean != 0:
                text = f"[{'green' if cell.mean > 0 else 'red'}]{text}[/]"
            cells.append(text)
        out.add_row(escape(column), *cells)
    return out


def render(
    report: Report,
    fmt: str,
    plots: Mapping[str, Path] | None = None,
    *,
    latex_layout: str = "column",
    label_prefix: str = "tab:",
) -> str:
    """The text of `report` in `fmt` (md / csv / latex / html / json)."""
    if fmt == "md":
        return to_markdown(report, plots)
    if fmt == "csv":
        return to_csv(report)
    if fmt == "latex":
        return latex.to_latex(report, latex_layout, label_prefix)
    if fmt == "html":
        return html.to_html(report, _title(report), plots)
    if fmt == "json":
        return to_json(report)
    raise ValueError(f"no text renderer for format '{fmt}'")


def to_latex(report: Report, layout: str = "column", label_prefix: str = "tab:") -> str:
    return render(report, "latex", latex_layout=layout, label_prefix=label_prefix)


def to_html(report: Report, plots: Mapping[str, Path] | None = None) -> str:
    return render(report, "html", plots)
