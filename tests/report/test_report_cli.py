"""`stiltx report` end to end (CliRunner), and that it stays light: no torch, fast on 100 runs."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from typer.testing import CliRunner

from stiltx.cli import app

runner = CliRunner()


def test_report_html_with_plots(runs_dir, tmp_path):
    (runs_dir / "empty").mkdir()
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["report", str(runs_dir), "--baseline", "direct", "--plot", "--format", "html",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Overview" in result.output and "Delta vs baseline" in result.output
    assert "without results.json not read" in result.output and "empty" in result.output
    pngs = {"delta_bars.png", "delta_heatmap.png", "mixture.png",
            "scores_by_language_direct.png", "scores_by_language_multitask9.png"}  # fmt: skip
    assert {p.name for p in out.iterdir()} == {"report.html", *pngs}
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == len(pngs)
    assert "<h2>Delta per task and language vs the baseline</h2>" in page  # not file names
    assert 'id="provenance"' in page and "commit deadbeef" in page


def test_report_markdown_to_stdout_and_json_file(runs_dir, tmp_path):
    result = runner.invoke(app, ["report", str(runs_dir), "--format", "md", "--group-by", "script"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# stiltx report: direct, multitask9 vs baseline direct")
    result = runner.invoke(
        app, ["report", str(runs_dir / "multitask9-seed*"), str(runs_dir / "direct-seed1"),
              "--format", "json", "--out", str(tmp_path), "--languages", "low-resource,en"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads((tmp_path / "tables.json").read_text(encoding="utf-8"))
    assert data["languages"] == ["en", "sw", "yo"]
    assert data["recipes"]["multitask9"]["seeds"] == [1, 2, 3]


def test_report_errors_are_clean(runs_dir):
    result = runner.invoke(app, ["report", str(runs_dir), "--baseline", "mlm"])
    assert result.exit_code == 2
    assert "baseline 'mlm' not found" in result.output and "multitask9 (n=3)" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["report", str(runs_dir), "--languages", "swahilli"])
    assert result.exit_code == 2 and "unknown language or group" in result.output
    result = runner.invoke(app, ["report", str(runs_dir), "--format", "docx"])
    assert result.exit_code == 2 and "--format 'docx'" in result.output


def _many_runs(root: Path, recipes: int = 10, seeds: int = 10) -> None:
    languages = ["en", "de", "fr", "es", "zh", "ja", "ar", "hi", "sw", "yo", "ru", "tr"]
    for r in range(recipes):
        for s in range(seeds):
            scores = [
                {"task": task, "language": lang, "split": "test", "metric": metric,
                 "value": 50.0 + r + s * 0.1 + i}
                for task, metrics in (("xnli", ["accuracy"]), ("panx", ["f1"]),
                                      ("mlqa", ["exact_match", "f1"]), ("tatoeba", ["accuracy"]))
                for metric in metrics
                for i, lang in enumerate(languages)
            ]  # fmt: skip
            run = root / f"recipe{r}-seed{s}"
            run.mkdir(parents=True)
            recipe = "direct" if r == 0 else f"recipe{r}"
            results = {"recipe": recipe, "seed": s, "model": "m", "scores": scores}
            (run / "results.json").write_text(json.dumps(results), encoding="utf-8")


_PROBE = """
import sys, time
t0 = time.perf_counter()
from typer.testing import CliRunner
from stiltx.cli import app
t1 = time.perf_counter()
result = CliRunner().invoke(app, ["report", sys.argv[1], "--format", "md", "--group-by", "family"])
t2 = time.perf_counter()
assert result.exit_code == 0, result.output
heavy = sorted(m for m in ("torch", "transformers", "adapters", "datasets") if m in sys.modules)
print(heavy, round(t1 - t0, 3), round(t2 - t1, 3))
"""


def test_report_imports_no_torch_and_is_fast_on_100_runs(tmp_path):
    _many_runs(tmp_path)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path)], capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    heavy, import_s, report_s = done.stdout.strip().rsplit(" ", 2)
    assert heavy == "[]", done.stdout
    # Well under a second each on an idle machine (import ~0.3 s, report ~0.2 s). House rule: no
    # timed tests, so only a bound that catches a pathological slowdown, even on a loaded 2-core box.
    assert float(report_s) + float(import_s) < 60.0, done.stdout
    assert wall < 120.0


def test_report_summarises_folders_without_results_in_one_line(tmp_path, make_run):
    make_run(tmp_path / "runs", "direct", 1, 0.0)
    for name in ("logs", "tmp", "cache", "other", "more"):
        (tmp_path / "runs" / name).mkdir()
    result = runner.invoke(app, ["report", str(tmp_path / "runs"), "--format", "json"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if "results.json" in line]
    assert len(lines) == 1 and "5 folder(s)" in lines[0] and "2 more" in lines[0]
