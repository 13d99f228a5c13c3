"""Paper tables: shared-task averages, the XTREME per-language layout, significance marks."""

from __future__ import annotations

import pytest
from run_writers import write_toy_run

from stiltx.report import export
from stiltx.report.cells import best_cells
from stiltx.report.paper import AVG_SHARED, with_paper_tables
from stiltx.report.results import find_runs
from stiltx.report.tables import SIGNIFICANT, build_report


@pytest.fixture
def report(tmp_path):
    root = tmp_path / "runs"
    for seed, shift in ((1, 0.0), (2, 1.0), (3, 2.0)):
        write_toy_run(root, "direct", seed, {"xnli": 50.0 + shift, "pawsx": 70.0 + shift})
        write_toy_run(root, "multitask9", seed, {"xnli": 60.0 + shift, "pawsx": 70.5 + shift})
        write_toy_run(root, "single/mnli", seed, {"xnli": 55.0 + shift}, tasks=("xnli", "udpos"))
    return with_paper_tables(build_report(find_runs([root]), baseline="direct"))


def cell(table, label, column):
    row = next(r for r in table.rows if r.label == label)
    j = table.columns.index(column)
    return row.cells[j], row.marks_of(j)


def test_summary_averages_only_the_tasks_every_recipe_has(report):
    summary = report.table("paper:summary")
    assert summary.columns == ("xnli", "udpos", AVG_SHARED)
    avg, _ = cell(summary, "direct", AVG_SHARED)
    assert avg.mean == pytest.approx((51.0 + 50.0) / 2)  # xnli and udpos only, not pawsx
    assert any("left out" in n and "pawsx" in n for n in summary.notes)


def test_per_language_layout_with_significance_and_bold(report):
    xnli = report.table("paper:xnli")
    assert xnli.columns == ("de", "en", "ru", "sw", "zh", AVG_SHARED)  # the benchmark's order
    value, marks = cell(xnli, "multitask9", "de")
    assert value.mean == pytest.approx(61.0) and value.std == pytest.approx(1.0)
    assert SIGNIFICANT in marks  # +10 over 3 seeds with std 1: the interval excludes 0
    assert SIGNIFICANT not in cell(report.table("paper:pawsx"), "multitask9", "de")[1]  # +0.5
    row = [r.label for r in xnli.rows].index("multitask9")
    assert (row, xnli.columns.index("de")) in best_cells(xnli)
    md = export.to_markdown(report)
    assert "**61.0 ± 1.0***" in md and "## xnli per language (toy)" in md
