"""Every report view whole at 80 columns: no '…' in a value or name, no line past 80, no word
broken (each word of every title, header, label and cell shows whole somewhere)."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console
from run_writers import write_wide_sweep

from stiltx.report.cells import row_texts
from stiltx.report.paper import with_paper_tables
from stiltx.report.results import find_runs
from stiltx.report.rich_view import rich_table
from stiltx.report.tables import build_report
from stiltx.report.transfer import transfer_report

BORDERS = re.compile(r"[\s│┃┏┓┗┛━─┡┩╇┳┻┼└┘┴┬├┤╷╵]+")


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    return write_wide_sweep(tmp_path_factory.mktemp("wide") / "sweep")


def views(sweep):
    found = find_runs([str(sweep)])
    yield "transfer", transfer_report([str(sweep)], found, None)[0]
    yield "all", with_paper_tables(build_report(found, baseline="direct"))
    for group_by in ("family", "resource", "language", "script"):
        yield group_by, build_report(found, baseline="direct", group_by=group_by)


def words_of(table, means_only: bool) -> set[str]:
    """The words a reader must find whole; `means_only`: the compact layout (the caption says so)
    shows the first word (the mean) of each cell."""
    texts = [table.title, *table.columns]
    for row in table.rows:
        cells = [t.split()[0] if means_only else t for t in row_texts(table, row)]
        texts += [row.label, row.group or "", *cells]
    return {w.rstrip("*") if means_only else w for text in texts for w in text.split()}


def test_every_view_is_whole_at_80_columns(sweep):
    for name, report in views(sweep):
        for table in report.tables:
            console = Console(width=80, record=True, file=io.StringIO())
            console.print(rich_table(table, width=80))
            text = console.export_text()
            where = f"{name}/{table.key}"
            assert "…" not in text, where
            assert max(len(line.rstrip()) for line in text.splitlines()) <= 80, where
            shown = {w.rstrip(";") for w in BORDERS.split(text)}  # legend: "A = name; B = ..."
            shown |= {w.rstrip("*") for w in shown}
            broken = words_of(table, "(means only" in text) - shown
            assert not broken, (where, sorted(broken)[:10], text[:3000])


def test_abbreviations_are_unique_and_explained(sweep):
    report = build_report(find_runs([str(sweep)]), baseline="direct")
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(rich_table(report.table("overview"), width=80))
    text = console.export_text()
    assert "A = baselines-mlm" in text.replace("\n", " ")
