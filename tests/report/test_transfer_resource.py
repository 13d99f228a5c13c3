"""The transfer and X-STILTs tables grouped by resource class, on a hand-made sweep: English is its
own group, then the Joshi classes (de: class 5, sw: class 2), each cell equal to a hand-computed
mean or delta."""

from __future__ import annotations

import json

import pytest

from stiltx.report.results import find_runs
from stiltx.report.transfer import XSTILTS, XSTILTS_ORACLE, build_transfer
from stiltx.report.transfer_resource import ENGLISH_GROUP, resource_class

# recipe -> (English dev selection score, xnli test score per language)
SWEEP = {
    "direct": (50.0, {"en": 80.0, "de": 60.0, "sw": 40.0}),
    "single-a": (70.0, {"en": 82.0, "de": 63.0, "sw": 50.0}),  # chosen on dev
    "single-b": (60.0, {"en": 90.0, "de": 70.0, "sw": 45.0}),  # best mean test: the oracle
}
ROLES = {"direct": "control", "single-a": "intermediate", "single-b": "intermediate"}


def write_sweep(root):
    for recipe, (dev, test) in SWEEP.items():
        for seed, noise in ((1, 0.5), (2, -0.5)):
            scores = [{"task": "xnli", "language": "en", "split": "dev", "metric": "selection",
                       "value": dev + noise}]  # fmt: skip
            scores += [{"task": "xnli", "language": lang, "split": "test", "metric": "accuracy",
                        "value": value + noise} for lang, value in test.items()]  # fmt: skip
            run = root / recipe / f"seed-{seed}"
            run.mkdir(parents=True)
            results = {"recipe": recipe, "seed": seed, "benchmark": "xtreme", "model": "toy",
                       "scores": scores}  # fmt: skip
            (run / "results.json").write_text(json.dumps(results))
    return root


def rows(table):
    return {(r.group, r.label): dict(zip(table.columns, r.cells, strict=True)) for r in table.rows}


def test_resource_classes_put_english_first():
    assert [resource_class(c) for c in ("en", "de", "sw", "xx")] == [
        ENGLISH_GROUP, "class 5", "class 2", "unknown"
    ]  # fmt: skip


def test_transfer_matrix_by_resource_class(tmp_path):
    report, _ = build_transfer(find_runs([write_sweep(tmp_path)]), ROLES)
    table = report.table("transfer:resource")
    assert [r.group for r in table.rows] == [ENGLISH_GROUP] * 2 + ["class 5"] * 2 + ["class 2"] * 2
    cells = rows(table)
    for group, a, b in ((ENGLISH_GROUP, 2.0, 10.0), ("class 5", 3.0, 10.0), ("class 2", 10.0, 5.0)):
        assert cells[(group, "single-a")]["xnli"].mean == pytest.approx(a)
        assert cells[(group, "single-b")]["xnli"].mean == pytest.approx(b)
        assert cells[(group, "single-a")]["Avg"].mean == pytest.approx(a)  # xnli is the only task
    assert cells[("class 2", "single-a")]["xnli"].low is not None  # Welch over the two seeds


def test_xstilts_by_resource_class_uses_the_dev_choice(tmp_path):
    report, t = build_transfer(find_runs([write_sweep(tmp_path)]), ROLES)
    assert t.selected == {"xnli": "single-a"} and t.oracle == {"xnli": "single-b"}
    cells = rows(report.table("xstilts:resource"))
    expected = {ENGLISH_GROUP: (80, 82, 90), "class 5": (60, 63, 70), "class 2": (40, 50, 45)}
    for group, (direct, chosen, oracle) in expected.items():
        assert cells[(group, "direct")]["xnli"].mean == pytest.approx(direct)
        assert cells[(group, XSTILTS)]["xnli"].mean == pytest.approx(chosen)
        assert cells[(group, XSTILTS_ORACLE)]["xnli"].mean == pytest.approx(oracle)
        assert cells[(group, XSTILTS)]["xnli"].std == pytest.approx(2**0.5 / 2)  # seeds ±0.5
