"""Markdown and LaTeX against golden files; CSV, JSON and HTML structure; PNG plots."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest

from stiltx.report import export
from stiltx.report.results import find_runs
from stiltx.report.tables import build_report

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def report(runs_dir):
    return build_report(find_runs([runs_dir]), baseline="direct", group_by="family")


@pytest.mark.parametrize(("fmt", "name"), [("md", "report.md"), ("latex", "report.tex")])
def test_golden(report, runs_dir, fmt, name):
    text = export.render(report, fmt).replace(str(runs_dir), "<runs>")  # provenance paths
    golden = GOLDEN / name
    if os.environ.get("STILTX_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_format_cell():
    from stiltx.report.uncertainty import Stat

    assert export.format_cell(Stat(72.0, 1.04, 3), "score") == "72.0 ± 1.0"
    assert export.format_cell(Stat(3.0, 1.0, 3, 0.5, 5.5, "t95"), "delta") == "+3.0 [+0.5, +5.5]*"
    assert export.format_cell(Stat(-1.0, 1.0, 1, -2, 0.5, "bootstrap95"), "delta").endswith("]")
    assert export.format_cell(None, "score") == "–"


def test_latex_bolds_best_complete_value_per_column(report, tmp_path):
    tex = export.to_latex(report)
    assert r"\toprule" in tex and r"\bottomrule" in tex
    assert r"\textbf{" not in tex  # every average here misses languages: partial, never bold
    from run_writers import write_toy_run

    for seed, shift in ((1, 0.0), (2, 2.0)):
        write_toy_run(tmp_path / "r", "direct", seed, {"xnli": 70.0 + shift})
        write_toy_run(tmp_path / "r", "multitask9", seed, {"xnli": 75.0 + shift})
    tex = export.to_latex(build_report(find_runs([tmp_path / "r"])))
    assert r"\textbf{76.0$\pm$1.4}" in tex  # multitask9 beats direct on xnli
    assert r"\textbf{71.0" not in tex


def test_csv_is_tidy(report):
    rows = list(csv.DictReader(io.StringIO(export.to_csv(report))))
    assert len(rows) == 6 * 11  # 6 runs x 11 score rows each
    first = rows[0]
    assert tuple(first) == export.CSV_COLUMNS
    sw = next(r for r in rows if r["language"] == "sw")
    assert sw["family"] == "Niger-Congo" and sw["resource"] == "class 2"


def test_json_and_html(report, tmp_path):
    data = json.loads(export.to_json(report))
    assert [t["key"] for t in data["tables"]][:2] == ["overview", "delta"]
    delta = data["tables"][1]["rows"][0]["cells"][1]
    assert delta["mean"] == pytest.approx(3.0) and delta["interval"] == "t95"
    from stiltx.report.plots import write_plots

    plots = write_plots(report, tmp_path)
    page = export.to_html(report, plots)
    assert page.count("data:image/png;base64,") == len(plots)
    assert "<table>" in page and "Delta vs baseline" in page and 'class="pos' in page


def test_plots_are_valid_pngs(report, tmp_path):
    from stiltx.report.plots import write_plots

    plots = write_plots(report, tmp_path)
    assert {"delta_bars", "delta_heatmap", "mixture"} <= set(plots)
    for path in plots.values():
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert len(data) > 10_000
