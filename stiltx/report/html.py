"""A self-contained HTML report: tables that never wrap a cell, plots inline, provenance at the end.

Cells keep one line (`white-space: nowrap`); a table wider than the window (a 1280-px one
included) scrolls sideways inside its own box with its row labels pinned, never the page, and a
long name or path in a note wraps; deltas are green / red; bold is the best complete value; every
table's caption says what its marks, intervals and bold mean, and plots are headed by what they
show.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping
from pathlib import Path

from stiltx.report.cells import best_cells, format_cell, legend
from stiltx.report.provenance import provenance_lines
from stiltx.report.tables import Report, Table
from stiltx.report.uncertainty import Stat

_CSS = """body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1400px;color:#222;
padding:0 1em}
.scroll{overflow-x:auto;max-width:100%}
.scroll td:first-child,.scroll th:first-child{position:sticky;left:0;background:#fff}
tr.group td{position:static}
.note,.provenance li,h1,h2{overflow-wrap:anywhere}
table{border-collapse:collapse;margin:.5em 0;font-size:13px;font-variant-numeric:tabular-nums}
th,td{padding:3px 7px;text-align:right;border-bottom:1px solid #ddd;white-space:nowrap}
th:first-child,td:first-child{text-align:left}thead th{border-bottom:2px solid #333}
tr.group td{font-style:italic;background:#f4f4f4;text-align:left}
tr.summary td{color:#555;font-style:italic}
td.pos{color:#1a7f37}td.neg{color:#cf222e}td.best{font-weight:700}
.note{color:#555;font-size:13px;margin:.2em 0;max-width:1000px}
figure{margin:1.5em 0}figcaption{color:#555;font-size:13px}img{max-width:100%}
.provenance{font-size:13px;color:#333}.provenance li{margin:.2em 0}"""

PLOT_TITLES = {
    "delta_bars": "Delta per task vs the baseline, with 95% intervals",
    "delta_heatmap": "Delta per task and language vs the baseline",
    "scores_by_language": "Scores per language, grouped",
    "learning_curves": "Learning curves",
    "mixture": "Mixture: intended vs realized steps",
}


def plot_title(name: str) -> str:
    """'delta_heatmap_multitask9' -> 'Delta per task and language vs the baseline: multitask9'."""
    for key in sorted(PLOT_TITLES, key=len, reverse=True):
        if name == key:
            return PLOT_TITLES[key]
        if name.startswith(key + "_"):
            return f"{PLOT_TITLES[key]}: {name[len(key) + 1 :]}"
    return name.replace("_", " ")


def table_html(table: Table) -> str:
    best = best_cells(table)
    e = html.escape
    out = [f'<section id="{e(table.key)}">', f"<h2>{e(table.title)}</h2>", '<div class="scroll">']
    out += ["<table>", "<thead><tr>"]
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
            if table.kind == "delta" and isinstance(cell, Stat) and cell.mean:
                classes.append("pos" if cell.mean > 0 else "neg")
            if (i, j) in best:
                classes.append("best")
            attr = f' class="{" ".join(classes)}"' if classes else ""
            out.append(f"<td{attr}>{e(format_cell(cell, table.kind, row.marks_of(j)))}</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    out += [f'<p class="note">{e(note)}</p>' for note in (*table.notes, *legend(table))]
    out.append("</section>")
    return "\n".join(out)


def to_html(report: Report, title: str, plots: Mapping[str, Path] | None = None) -> str:
    e = html.escape
    body = [f"<h1>{e(title)}</h1>"]
    body += [table_html(t) for t in report.tables]
    for name, path in (plots or {}).items():
        data = base64.b64encode(Path(path).read_bytes()).decode("ascii")
        heading = plot_title(name)
        body.append(f'<figure id="{e(name)}"><h2>{e(heading)}</h2>')
        body.append(f'<img alt="{e(heading)}" src="data:image/png;base64,{data}">')
        body.append(f"<figcaption>{e(Path(path).name)}</figcaption></figure>")
    lines = provenance_lines(report)
    body.append('<section id="provenance" class="provenance"><h2>Provenance</h2><ul>')
    body += [f"<li>{e(line)}</li>" for line in lines]
    if report.skipped:
        skipped = ", ".join(str(p) for p in report.skipped)
        body.append(f"<li>folders without results.json (not read): {e(skipped)}</li>")
    body.append("</ul></section>")
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>'
        f"<style>{_CSS}</style></head>\n<body>\n" + "\n".join(body) + "\n</body></html>\n"
    )
