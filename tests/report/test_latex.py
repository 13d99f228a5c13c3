"""LaTeX for a paper: booktabs at the text's size (never scaled), wide tables split or transposed,
captions with provenance, papers' task names, bold only for a unique best, no machine path; every
exported table compiled with pdflatex where it is installed."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from run_writers import write_toy_run, write_wide_sweep

from stiltx.report import export
from stiltx.report.latex import COLUMN_EM, TEXT_EM, _em, tex
from stiltx.report.paper import with_paper_tables
from stiltx.report.results import find_runs
from stiltx.report.tables import build_report
from stiltx.report.transfer import build_transfer, sweep_roles


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
    head = column[column.index(r"\toprule") : column.index(r"\label{tab:overview}")]
    assert " & direct & " in head and "\nXNLI & 51.5" in head  # recipes as columns, tasks rows
    wide = export.render(report, "latex", latex_layout="wide")
    assert r"\begin{table*}" in wide  # 15 columns do not fit the text width either: transposed
    assert " & direct & multitask9 & single/mnli & chance \\\\" in wide
    assert "language & XNLI \\\\\n" in wide  # single/mnli per language: fits as it is


def _captions(text: str) -> list[str]:
    return re.findall(r"\\caption\{(.*)\}\n\\label", text)


def test_paper_text_unscaled_pathless_ties_plain_captions_with_provenance(tmp_path):
    root = tmp_path / "runs"
    model = str(tmp_path / "models" / "toy-encoder")  # a model given as a machine path
    for seed in (1, 2, 3):
        for recipe, xnli in (("direct", 60.0), ("multitask9", 70.0), ("single-qqp", 65.0)):
            run = write_toy_run(root, recipe, seed, {"xnli": xnli + seed})  # the rest: 50.0, tied
            text = (run / "results.json").read_text().replace('"toy"', f'"{model}"', 1)
            (run / "results.json").write_text(text)
    report = with_paper_tables(build_report(find_runs([root]), baseline="direct"))
    for layout in ("column", "wide"):
        text = export.render(report, "latex", latex_layout=layout)
        assert r"\resizebox" not in text and r"\small" not in text  # the document's size
        assert str(tmp_path) not in text and "/models/" not in text  # no machine path anywhere
        assert "model toy-encoder" in text
        # Unique best bold (multitask9's XNLI, 72.0 = mean of 71, 72, 73); ties (50.0) never.
        assert r"\textbf{72.0$\pm$1.0}" in text
        assert r"\textbf{50.0" not in text and r"\textbf{+0.0" not in text
        captions = _captions(text)
        assert len(captions) >= len(report.tables)
        for caption in captions:  # each caption says where its numbers come from
            assert "Runs: " in caption and "(seeds 1, 2, 3)" in caption
            assert "stiltx 0.1.0" in caption and "dated 2026-01-01" in caption
        overview = next(c for c in captions if c.startswith("Overview"))
        assert "direct (seeds 1, 2, 3); multitask9 (seeds 1, 2, 3); single-qqp" in overview
        # Task names as the papers write them, in headers, labels and captions.
        assert "XNLI" in text and "PAWS-X" in text and "UD-POS" in text and "TyDiQA-GoldP" in text
        assert not re.search(r"(^|& )(xnli|pawsx|udpos|tydiqa)( &| \\\\)", text, re.M)


def test_a_table_wider_than_the_column_is_split_never_scaled(tmp_path):
    report = build_report(find_runs([write_wide_sweep(tmp_path / "sweep")]), baseline="direct")
    text = export.render(report, "latex")
    floats = re.findall(r"\\begin\{table\}.*?\\end\{table\}", text, re.S)
    overview = [f for f in floats if "{tab:overview}" in f]  # its float and any continuation
    assert "parts to fit the page" in overview[0]
    assert sum(f.count(r"\begin{tabular}") for f in overview) >= 2
    for body in re.findall(r"\\begin\{tabular\}\{[^}]*\}\n(.*?)\\end\{tabular\}", text, re.S):
        rows = [r for r in body.split("\\\\\n") if "&" in r and "rotatebox" not in r]
        assert rows  # every part has the row labels and its cells
    assert COLUMN_EM < TEXT_EM and _em("72.0 ± 1.0") == pytest.approx(1.78 + 0.78 + 1.28)


def _document(body: str) -> str:
    """An ACL-sized page (11 pt, 455 pt text width in two columns, 666 pt text height); each
    table on its own page so that dozens of floats never queue up."""
    body = body.replace("\\end{table}\n", "\\end{table}\n\\clearpage\n")
    body = body.replace("\\end{table*}\n", "\\end{table*}\n\\clearpage\n")
    return (
        "\\documentclass[11pt,twocolumn]{article}\n\\usepackage[T1]{fontenc}\n"
        "\\usepackage{booktabs,graphicx}\n\\setlength{\\textwidth}{455pt}\n"
        "\\setlength{\\columnsep}{17pt}\n\\setlength{\\textheight}{666pt}\n"
        "\\begin{document}\n" + body + "\n\\end{document}\n"
    )


def _exports(tmp_path):
    small = tmp_path / "small"
    for seed in (1, 2):
        write_toy_run(small, "direct", seed, {"xnli": 50.0 + seed, "pawsx": 70.0})
        write_toy_run(small, "multitask9", seed, {"xnli": 45.0 + seed}, default=55.0 - seed)
    sweep = write_wide_sweep(tmp_path / "sweep")
    found = find_runs([sweep])
    return {
        "small": build_report(find_runs([small]), baseline="direct"),
        "sweep": with_paper_tables(build_report(found, baseline="direct")),
        "by-task": build_report(found, baseline="direct", group_by="task"),
        "transfer": build_transfer(found, sweep_roles(sweep))[0],
    }


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")
@pytest.mark.parametrize("layout", ["column", "wide"])
def test_pdflatex_compiles_every_export_and_nothing_overflows(tmp_path, layout):
    for name, report in _exports(tmp_path).items():
        folder = tmp_path / f"{name}-{layout}"
        folder.mkdir()
        body = export.render(report, "latex", latex_layout=layout)
        (folder / "paper.tex").write_text(_document(body), encoding="utf-8")
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "paper.tex"],
            cwd=folder, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        log = (folder / "paper.log").read_text(encoding="latin-1")
        assert done.returncode == 0, (name, log[-3000:])
        assert "Overfull \\hbox" not in log, (name, log[log.index("Overfull") :][:600])
        assert "Float too large" not in log, (name, log[log.index("Float too large") :][:300])
        assert (folder / "paper.pdf").stat().st_size > 1000
