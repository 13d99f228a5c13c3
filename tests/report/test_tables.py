"""Exact aggregates, deltas, intervals and grouping on hand-built runs (see conftest.py)."""

from __future__ import annotations

import json
import math

import pytest

from stiltx.errors import DataError
from stiltx.report import uncertainty as U
from stiltx.report.results import find_runs
from stiltx.report.tables import ALL_ROW, LOW_RESOURCE_ROW, build_report

T2 = 4.302652729749  # t(0.975, df=2)


def cells(table, label):
    row = next(r for r in table.rows if r.label == label)
    return dict(zip(table.columns, row.cells, strict=True))


def test_overview_pools_seeds_exactly(runs_dir):
    report = build_report(find_runs([runs_dir]))
    overview = report.table("overview")
    assert overview.columns == ("n", "xnli", "panx", "xquad", "Classif.", "Struct.", "QA", "Avg")
    direct = cells(overview, "direct")
    assert direct["n"] == "3"
    assert (direct["xnli"].mean, direct["xnli"].std, direct["xnli"].n) == (72.0, 1.0, 3)
    assert direct["xquad"].mean == pytest.approx(57.0)  # (EM+F1)/2, mean over en, de
    assert direct["panx"].mean == pytest.approx(62.0)
    assert direct["Avg"].mean == pytest.approx((72 + 57 + 62) / 3)
    assert direct["QA"].mean == pytest.approx(57.0)
    assert direct["xnli"].low == pytest.approx(72 - T2 / math.sqrt(3))
    assert direct["xnli"].interval == U.T95
    multi = cells(overview, "multitask9")
    assert (multi["xnli"].mean, multi["xnli"].std) == (75.0, 2.0)
    assert any(n.startswith("† partial") for n in overview.notes)
    assert any("Avg over panx, xnli, xquad (3 of 9 tasks)" in n for n in overview.notes)


def test_delta_welch_interval(runs_dir):
    report = build_report(find_runs([runs_dir]), baseline="direct")
    delta = report.table("delta")
    assert [r.label for r in delta.rows] == ["multitask9"]
    row = cells(delta, "multitask9")
    se = math.sqrt(4 / 3 + 1 / 3)
    df = (5 / 3) ** 2 / ((4 / 3) ** 2 / 2 + (1 / 3) ** 2 / 2)
    half = U.t_quantile(0.975, df) * se
    for column in ("xnli", "panx", "xquad", "Classif.", "QA", "Avg"):
        stat = row[column]
        assert stat.mean == pytest.approx(3.0)
        assert (stat.low, stat.high) == pytest.approx((3 - half, 3 + half))
        assert stat.interval == U.T95
    assert any("t-interval over seeds" in n for n in delta.notes)


def test_t_quantile_matches_tables():
    assert U.t_quantile(0.975, 2) == pytest.approx(T2, abs=1e-9)
    assert U.t_quantile(0.975, 4) == pytest.approx(2.776445105, abs=1e-8)
    assert U.t_quantile(0.975, 30) == pytest.approx(2.042272456, abs=1e-8)
    assert U.t_quantile(0.025, 10) == pytest.approx(-2.228138852, abs=1e-8)
    scipy_stats = pytest.importorskip("scipy.stats")
    for df in (1, 2.5, 7.3, 120):
        assert U.t_quantile(0.975, df) == pytest.approx(scipy_stats.t.ppf(0.975, df), abs=1e-8)


def test_per_language_grouped_by_family_with_low_resource_row(runs_dir):
    report = build_report(find_runs([runs_dir]), baseline="direct", group_by="family")
    table = report.table("per_language:multitask9")
    assert table.columns == ("xnli", "panx", "xquad")
    order = [(r.group, r.label) for r in table.rows if not r.summary]
    assert order == [("Indo-European", "de"), ("Indo-European", "en"),
                     ("Niger-Congo", "sw"), ("Niger-Congo", "yo")]  # fmt: skip
    summary = [r.label for r in table.rows if r.summary]
    assert summary == [LOW_RESOURCE_ROW, ALL_ROW]
    low = cells(table, LOW_RESOURCE_ROW)
    assert low["xnli"].mean == pytest.approx(3.0) and low["panx"].mean == pytest.approx(3.0)
    assert low["xquad"] is None  # no low-resource language has xquad
    assert cells(table, "yo")["xnli"] is None


def test_per_language_for_one_recipe_and_other_groupings(runs_dir):
    found = find_runs([runs_dir])
    by_resource = build_report(found, baseline="direct", group_by="resource")
    groups = [r.group for r in by_resource.table("per_language:multitask9").rows if not r.summary]
    assert groups == ["class 5", "class 5", "class 2", "class 2"]
    transposed = build_report(found, baseline="direct", group_by="task")
    table = transposed.table("per_language:multitask9")
    assert table.label_header == "task" and table.columns[:4] == ("de", "en", "sw", "yo")
    assert table.columns[-2:] == (LOW_RESOURCE_ROW, ALL_ROW)
    alone = build_report(found, baseline=None, languages=["low-resource"])
    # no baseline named and 'direct' exists: it is picked by default
    assert alone.baseline is not None and alone.baseline.name == "direct"
    assert alone.languages == ("sw", "yo")
    assert cells(alone.table("overview"), "direct")["xnli"].mean == pytest.approx(62.0)


def test_mixture_and_cost(runs_dir):
    report = build_report(find_runs([runs_dir]))
    mixture = report.table("mixture")
    mnli = next(r for r in mixture.rows if r.label == "mnli")
    assert mnli.group == "multitask9"
    assert mnli.cells[0].mean == 60 and mnli.cells[1].mean == pytest.approx(60.0)
    assert mnli.cells[3].mean == pytest.approx(60.0)  # realized share in percent
    cost = report.table("cost")
    assert cost.columns == ("intermediate", "target:mnli", "total", "device")
    direct = cells(cost, "direct")
    assert direct["intermediate"].mean == 200.0 and direct["total"].mean == 210.0
    assert direct["device"] == "cpu"


def test_skipped_missing_baseline_and_mixed_models(runs_dir, make_run):
    (runs_dir / "crashed").mkdir()
    found = find_runs([runs_dir])
    assert [p.name for p in found.skipped] == ["crashed"] and len(found.runs) == 6
    with pytest.raises(DataError, match=r"baseline 'mlm' not found.*direct \(n=3\), multitask9"):
        build_report(found, baseline="mlm")
    make_run(runs_dir, "direct", 4, 0.0, model="bert-base-multilingual-cased")
    with pytest.raises(DataError, match="recipe 'direct' mixes runs of different models"):
        build_report(find_runs([runs_dir]))


def test_different_benchmarks_stay_separate_rows(tmp_path, make_run):
    make_run(tmp_path, "a", 1, 0.0, benchmark="xtreme")
    make_run(tmp_path, "b", 1, 0.0, benchmark="xtreme-r")
    report = build_report(find_runs([tmp_path]))
    assert [g.benchmark for g in report.groups] == ["xtreme", "xtreme-r"]
    assert report.benchmark_names == ("xtreme", "xtreme-r")
    make_run(tmp_path, "a", 2, 0.0, benchmark="xtreme-r")
    with pytest.raises(DataError, match="different benchmarks"):
        build_report(find_runs([tmp_path]))


def test_malformed_results_json_names_the_file(tmp_path):
    run = tmp_path / "bad"
    run.mkdir()
    (run / "results.json").write_text('{"scores": [', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad/results.json: malformed JSON at line 1"):
        find_runs([run])
    (run / "results.json").write_text(json.dumps({"scores": [{"task": "x"}]}), encoding="utf-8")
    with pytest.raises(DataError, match=r"scores\[0\]"):
        find_runs([run])
