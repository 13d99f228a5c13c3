"""What `stiltx report` is asked for, as one typed record (torch-free, import-light: the CLI reads
the choices below to parse its options before any report code loads)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

Format = Literal["table", "md", "csv", "latex", "html", "json"]
GroupBy = Literal["task", "language", "family", "script", "resource"]
View = Literal["all", "transfer"]
LatexLayout = Literal["column", "wide"]

FORMATS: tuple[Format, ...] = get_args(Format)
GROUP_BYS: tuple[GroupBy, ...] = get_args(GroupBy)
VIEWS: tuple[View, ...] = get_args(View)
LAYOUTS: tuple[LatexLayout, ...] = get_args(LatexLayout)


@dataclass(frozen=True)
class ReportOptions:
    """`stiltx report PATH... [options]`; see the command's help for each field."""

    paths: tuple[str, ...]
    baseline: str | None = None
    benchmark: str | None = None
    group_by: GroupBy = "family"
    languages: tuple[str, ...] = ()  # codes or groups, already split on commas
    fmt: Format = "table"
    out: str | None = None  # folder for the export and plots (default ./report)
    plot: bool = False
    seed: int = 0
    view: View = "all"
    paper: bool = False
    latex_layout: LatexLayout = "column"
    label_prefix: str = "tab:"
