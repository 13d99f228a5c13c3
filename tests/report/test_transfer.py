"""The transfer view (stiltx.report.transfer) on hand-made sweep results: the intermediate recipe
for each target is chosen on English dev only, even where the test scores say otherwise."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.report.results import find_runs
from stiltx.report.transfer import build_transfer, write_transfer

# recipe -> task -> (English dev selection score, test score on each language)
RESULTS = {
    "direct": {"xnli": (70.0, 45.0), "pawsx": (60.0, 52.0)},
    "single-a": {"xnli": (80.0, 40.0), "pawsx": (50.0, 60.0)},  # best dev on xnli, worst test
    "single-b": {"xnli": (60.0, 50.0), "pawsx": (70.0, 55.0)},  # best test on xnli
    "mlm": {"xnli": (65.0, 47.0), "pawsx": (61.0, 53.0)},
}
ROLES = {"direct": "control", "single-a": "intermediate", "single-b": "intermediate",
         "mlm": "baseline"}  # fmt: skip


def write_sweep(root, with_manifest=True):
    for recipe, tasks in RESULTS.items():
        for seed, noise in ((1, 0.5), (2, -0.5)):
            scores = []
            for task, (dev, test) in tasks.items():
                scores.append({"task": task, "language": "en", "split": "dev",
                               "metric": "selection", "value": dev + noise})  # fmt: skip
                for lang in ("en", "de"):
                    scores.append({"task": task, "language": lang, "split": "test",
                                   "metric": "accuracy", "value": test + noise})  # fmt: skip
            run = root / recipe / f"seed-{seed}"
            run.mkdir(parents=True)
            (run / "results.json").write_text(
                json.dumps(
                    {
                        "recipe": recipe,
                        "seed": seed,
                        "benchmark": "xtreme",
                        "model": "toy",
                        "scores": scores,
                    }
                )  # fmt: skip
            )
            if recipe != "direct":
                (run / "intermediate").mkdir()
                (run / "intermediate" / "done.json").write_text(json.dumps({"steps": 10}))
                (run / "recipe.resolved.yaml").write_text(
                    "intermediate:\n  train:\n    batch_size: 4\n    grad_accum: 2\n"
                )
    if with_manifest:
        jobs = [{"recipe": r, "role": ROLES[r]} for r in RESULTS]
        (root / "sweep.json").write_text(json.dumps({"jobs": jobs}))
    return root


def cells(table, label):
    row = next(r for r in table.rows if r.label == label)
    return dict(zip(table.columns, row.cells, strict=True))


def test_selection_uses_english_dev_not_test(tmp_path):
    report, t = build_transfer(find_runs([write_sweep(tmp_path)]), ROLES)
    assert t.selected == {"xnli": "single-a", "pawsx": "single-b"}
    assert t.oracle == {"xnli": "single-b", "pawsx": "single-a"}
    selection = report.table("selection")
    xnli = cells(selection, "xnli")
    assert xnli["selected (English dev)"] == "single-a"
    assert xnli["English dev"] == "80.0"
    assert xnli["delta vs direct"].startswith("-5.0")  # 40 - 45: dev selection can lose
    assert xnli["same"] == "no"
    # The X-STILTs row takes each target from its dev-selected recipe, never from the oracle.
    xstilts = report.table("xstilts")
    row = cells(xstilts, "X-STILTs (English dev selection)")
    assert row["xnli"].mean == pytest.approx(40.0)
    assert row["pawsx"].mean == pytest.approx(55.0)
    oracle = cells(xstilts, "X-STILTs, test oracle (NOT a valid selection)")
    assert oracle["xnli"].mean == pytest.approx(50.0)


def test_transfer_matrix_is_delta_vs_direct_with_interval(tmp_path):
    report, _ = build_transfer(find_runs([write_sweep(tmp_path)]), ROLES)
    matrix = report.table("transfer")
    assert [r.label for r in matrix.rows] == ["single-a", "single-b"]  # baselines not in it
    a = cells(matrix, "single-a")
    assert a["xnli"].mean == pytest.approx(-5.0)
    assert a["pawsx"].mean == pytest.approx(8.0)
    assert a["xnli"].low is not None and a["xnli"].low <= -5.0 <= a["xnli"].high
    baselines = report.table("baselines")
    assert cells(baselines, "mlm")["budget"] == "80"  # 10 steps x 4 x 2
    assert "equal budget" in baselines.notes[1]


def test_roles_without_a_manifest_follow_names(tmp_path):
    write_sweep(tmp_path, with_manifest=False)
    _, t = build_transfer(find_runs([tmp_path]))
    assert t.control.name == "direct"
    assert {g.name for g in t.intermediates} == {"single-a", "single-b", "mlm"}


def test_write_transfer_and_report_view(tmp_path):
    root = write_sweep(tmp_path / "sweep")
    written = {p.name for p in write_transfer(root)}
    assert written == {"transfer.md", "transfer.csv", "transfer.tex", "transfer.html",
                       "transfer_heatmap.png"}  # fmt: skip
    assert (root / "transfer_heatmap.png").read_bytes()[:4] == b"\x89PNG"
    result = CliRunner().invoke(app, ["report", str(root), "--view", "transfer", "--format", "md"])
    assert result.exit_code == 0, result.output
    assert "Best intermediate recipe per target" in result.output
    assert "X-STILTs (English dev selection)" in result.output
    assert "| xnli | single-a | 80.0 |" in result.output


def test_transfer_view_needs_a_control(tmp_path):
    write_sweep(tmp_path)
    result = CliRunner().invoke(
        app, ["report", str(tmp_path / "single-a"), "--view", "transfer", "--format", "md"]
    )
    assert result.exit_code == 2
    assert "exactly one control recipe" in result.output


def test_a_second_recipe_without_intermediate_task_is_a_baseline_beside_direct(tmp_path):
    """MAD-X has no intermediate task; sweeps written before it was a baseline list it as a
    control: direct stays the control, MAD-X is shown with the baselines."""
    roles = {**ROLES, "mlm": "control"}
    report, t = build_transfer(find_runs([write_sweep(tmp_path)]), roles)
    assert t.control.name == "direct"
    assert [g.name for g in t.baselines] == ["mlm"]
    assert [r.label for r in report.table("transfer").rows] == ["single-a", "single-b"]
    assert cells(report.table("baselines"), "mlm")["role"] == "baseline"


def test_report_view_transfer_plot_writes_the_heatmap(tmp_path):
    root = write_sweep(tmp_path / "sweep")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app, ["report", str(root), "--view", "transfer", "--plot", "--format", "latex",
              "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (out / "transfer_heatmap.png").read_bytes()[:4] == b"\x89PNG"
    assert "X-STILTs" in (out / "report.tex").read_text()
