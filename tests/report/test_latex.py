"""LaTeX: minus as $-$, configurable labels, both layouts, and (when installed) pdflatex fits."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from run_writers import write_toy_run

from stiltx.report import export
from stiltx.report.latex import COLUMN_PT, tex
from stiltx.report.results import find_runs
from stiltx.report.tables import build_report


@pytest.fixture
def report(tmp_path):
    root = tmp_path / "runs"
    for seed in (1, 2):
        write_toy_run(root, "direct", seed, {"xnli": 50.0 + seed, "pawsx": 70.0})
        write_toy_run(root, "multitask9", seed, {"xnli": 45.0 + seed}, default=55.0 - seed)
        write_toy_run(root, "single/mnli", seed, {"xnli": 80.0}, tasks=("xnli",))
    return build_report(find_runs([root]), baseline="direct")


def test_minus_signs_are_math_and_labels_are_configurable(report):
    assert tex("-3.5 [-4.0, +1.0]") == "$-$3.5 [$-$4.0, +1.0]"
    text = export.render(report, "latex", label_prefix="tab:stilts-")
    assert r"\label{tab:stilts-overview}" in text and r"\label{tab:stilts-delta}" in text
    assert "$-$5.0" in text and " -5.0" not in text  # xnli delta of multitask9
    assert "% made by stiltx" in text and "commit deadbeef" in text  # provenance


def test_column_layout_is_transposed_and_wide_uses_table_star(report):
    column = export.render(report, "latex")
    assert r"\begin{table*}" not in column
    assert " & direct & multitask9 & single/mnli" in column  # recipes as columns
    wide = export.render(report, "latex", latex_layout="wide")
    assert r"\begin{table*}" in wide and "recipe & n & xnli & pawsx" in wide


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("layout", ["column", "wide"])
def test_pdflatex_compiles_and_nothing_overflows(report, tmp_path, layout):
    body = export.render(report, "latex", latex_layout=layout)
    document = (
        "\\documentclass[twocolumn]{article}\n\\usepackage[T1]{fontenc}\n"
        "\\usepackage{booktabs,graphicx}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    )
    (tmp_path / "paper.tex").write_text(document, encoding="utf-8")
    done = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    log = (tmp_path / "paper.log").read_text(encoding="latin-1")
    assert done.returncode == 0, log[-3000:]
    assert "Overfull \\hbox" not in log, log[log.index("Overfull") :][:600]
    assert (tmp_path / "paper.pdf").stat().st_size > 1000
    assert COLUMN_PT < 240  # the estimate targets a real two-column \columnwidth
