"""`stiltx report PATH...`: compare runs and recipes against a baseline."""

from __future__ import annotations

from typing import Annotated

import typer

from stiltx.commands.options import choice, console, err_console
from stiltx.report.options import (
    FORMATS,
    GROUP_BYS,
    LAYOUTS,
    VIEWS,
    Format,
    GroupBy,
    LatexLayout,
    ReportOptions,
    View,
)


def report(
    paths: Annotated[list[str], typer.Argument(help="Run directories, folders of runs, or globs.")],
    baseline: Annotated[
        str | None,
        typer.Option(help="Baseline recipe name or run directory (default: 'direct' if present)."),
    ] = None,
    benchmark: Annotated[
        str | None, typer.Option(help="xtreme, xtreme-r or toy (default: each run's own).")
    ] = None,
    group_by: Annotated[
        GroupBy,
        choice(
            "--group-by",
            choices=GROUP_BYS,
            help="Per-language view: task, language, family, script or resource.",
        ),
    ] = "family",
    languages: Annotated[
        list[str] | None,
        typer.Option("--languages", help="Codes or groups (low-resource, niger-congo, ...)."),
    ] = None,
    fmt: Annotated[
        Format,
        choice("--format", "-f", choices=FORMATS, help="table, md, csv, latex, html or json."),
    ] = "table",
    out: Annotated[
        str | None, typer.Option(help="Folder for the export and plots (default ./report).")
    ] = None,
    plot: Annotated[
        bool,
        typer.Option(
            "--plot", help="Write delta plots, per-language scores, learning curves, mixture."
        ),
    ] = False,
    seed: Annotated[int, typer.Option(help="Seed of the paired bootstrap.")] = 0,
    view: Annotated[
        View,
        choice(
            "--view",
            choices=VIEWS,
            help="all, or transfer (a sweep: transfer matrix, selection, X-STILTs).",
        ),
    ] = "all",
    paper: Annotated[
        bool,
        typer.Option("--paper", help="Add paper tables: shared-task summary, XTREME per-language."),
    ] = False,
    latex_layout: Annotated[
        LatexLayout,
        choice(
            "--latex-layout",
            choices=LAYOUTS,
            help="LaTeX: 'column' (fits one column) or 'wide' (table* over both).",
        ),
    ] = "column",
    label_prefix: Annotated[
        str, typer.Option(help="LaTeX: prefix of every \\label (default tab:).")
    ] = "tab:",
) -> None:
    """Compare runs and recipes against a baseline: tables, intervals, plots and exports."""
    from stiltx.report.make import run_report  # start-up time: the report code loads on use

    options = ReportOptions(
        paths=tuple(paths),
        baseline=baseline,
        benchmark=benchmark,
        group_by=group_by,
        languages=tuple(x for item in languages or [] for x in item.replace(",", " ").split()),
        fmt=fmt,
        out=out,
        plot=plot,
        seed=seed,
        view=view,
        paper=paper,
        latex_layout=latex_layout,
        label_prefix=label_prefix,
    )
    run_report(options, console, err_console)
