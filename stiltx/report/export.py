"""Render a `Report` as Markdown, tidy CSV, LaTeX (booktabs), self-contained HTML or JSON
(the terminal's rich tables: `rich_view.py`).

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
from stiltx.report.cells import best_cells, format_cell, legend, row_texts
from stiltx.report.options import FORMATS
from stiltx.report.provenance import provenance_json, provenance_lines
from stiltx.report.tables import Report, Table
from stiltx.report.uncertainty import Stat

__all__ = ["FORMATS", "EXTENSIONS", "format_cell", "render"]
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
