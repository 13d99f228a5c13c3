"""`stiltx report`: find the runs, build the chosen view, print it, write the export and plots."""

from __future__ import annotations

import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from stiltx import atomic
from stiltx.report import export
from stiltx.report.options import ReportOptions
from stiltx.report.paper import with_paper_tables
from stiltx.report.results import Found, find_runs
from stiltx.report.rich_view import rich_table
from stiltx.report.tables import Report, build_report
from stiltx.report.transfer import TRANSFER_KEYS, transfer_report

SHOWN_WITH_EXPORT = ("overview", "delta", "paper:summary", *TRANSFER_KEYS)


def run_report(options: ReportOptions, console: Console, err_console: Console) -> None:
    """Compare the runs under `options.paths`: tables on the console (or the export on stdout when
    piped without --out), the export file and the plots under `options.out`."""
    found = find_runs(list(options.paths))
    _note_skipped(found, err_console)
    to_stdout = options.fmt not in ("table", "html") and options.out is None
    out_dir = Path(options.out or "report")
    if options.plot or (not to_stdout and options.fmt != "table"):
        atomic.writable_dir(out_dir, "--out")
    result, plots = _build(options, found, out_dir)
    if options.plot and options.view == "all":
        from stiltx.report.plots import write_plots  # matplotlib: only when plots are asked for

        plots = write_plots(result, out_dir)
        if not plots:
            err_console.print("[yellow]no plots[/]: the runs have no scores or training logs")
    render = {"latex_layout": options.latex_layout, "label_prefix": options.label_prefix}
    if to_stdout:
        sys.stdout.write(export.render(result, options.fmt, plots, **render))
        return
    exported = options.fmt != "table"
    for table in result.tables:
        if not exported or table.key in SHOWN_WITH_EXPORT:
            console.print(rich_table(table, width=console.width))
    if exported:
        text = export.render(result, options.fmt, plots, **render)
        target = atomic.write_text(out_dir / export.EXTENSIONS[options.fmt], text)
        console.print(f"wrote {target}", highlight=False)
    for path in plots.values():
        console.print(f"wrote {path}", highlight=False)


def _build(options: ReportOptions, found: Found, out_dir: Path) -> tuple[Report, dict[str, Path]]:
    """The report of the chosen view (and the transfer view's heatmap when --plot)."""
    if options.view == "transfer":
        return transfer_report(list(options.paths), found, out_dir if options.plot else None)
    result = build_report(
        found,
        baseline=options.baseline,
        benchmark=options.benchmark,
        languages=list(options.languages) or None,
        group_by=options.group_by,
        seed=options.seed,
    )
    return (with_paper_tables(result) if options.paper else result), {}


def _note_skipped(found: Found, err_console: Console) -> None:
    """One dim line naming (up to three) folders that were skipped for lack of results.json."""
    if not found.skipped:
        return
    shown = ", ".join(str(p) for p in found.skipped[:3])
    more = f" and {len(found.skipped) - 3} more" if len(found.skipped) > 3 else ""
    err_console.print(
        f"[dim]{len(found.skipped)} folder(s) without results.json not read: {escape(shown)}"
        f"{more}[/]",
        highlight=False,
    )
