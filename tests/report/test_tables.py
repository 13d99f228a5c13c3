"""Exact aggregates, deltas, intervals and grouping on hand-built runs (see conftest.py)."""

from __future__ import annotations

import json
import math

import pytest

from stiltx.errors import DataError
from stiltx.report import uncertainty as U
from stiltx.report.results import find_runs
from stiltx.report.tables import (
    ALL_ROW,
    ENGLISH_ROW,
    GAP_ROW,
    LOW_RESOURCE_ROW,
    ZERO_SHOT_ROW,
    build_report,
    per_language,
)

T2 = 4.302652729749  # t(0.975, df=2)


def cells(table, label):
    row = next(r for r in table.rows if r.label == label)
    return dict(zip(table.columns, row.cells, strict=True))


def test_overview_pools_seeds_exactly(runs_dir):
    report = build_report(find_runs([runs_dir]))
    overview = report.table("overview")
    assert overview.columns == ("n", "xnli", "panx", "xquad", "Classif.", "Struct.", "QA", "Avg",
                                "English", "zero-shot", "gap")  # fmt: skip
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


def test_english_zero_shot_and_gap_next_to_avg(runs_dir):
    """direct, seed s: xnli en 80+s, zero-shot (de 70+s, sw 60+s) 65+s; xquad en 60+s, de 50+s;
    panx en 80+s, yo 40+s. English = 73.3+s, zero-shot = 51.7+s, gap = 21.7; mean over s = 1..3.
    multitask9 adds 2, 3, 4 to every score: +3 on English and zero-shot, +0 on the gap."""
    report = build_report(find_runs([runs_dir]), baseline="direct")
    direct = cells(report.table("overview"), "direct")
    assert direct["English"].mean == pytest.approx((80 + 60 + 80) / 3 + 2)
    assert direct["zero-shot"].mean == pytest.approx((65 + 50 + 40) / 3 + 2)
    assert direct["gap"].mean == pytest.approx((80 + 60 + 80) / 3 - (65 + 50 + 40) / 3)
    assert direct["English"].std == pytest.approx(1.0) and direct["gap"].std == pytest.approx(0)
    delta = cells(report.table("delta"), "multitask9")
    assert delta["English"].mean == pytest.approx(3.0) and delta["zero-shot"].mean == pytest.approx(
        3.0
    )
    assert delta["gap"].mean == pytest.approx(0.0, abs=1e-9)
    note = next(n for n in report.table("overview").notes if n.startswith("direct:"))
    assert "English, zero-shot, gap over panx, xnli, xquad (3 of 7 tasks)" in note


def test_the_smallest_gap_is_bold(tmp_path):
    from run_writers import write_toy_run

    from stiltx.report.cells import best_cells

    for recipe, english in (("wide-gap", 80.0), ("narrow-gap", 60.0)):
        for seed in (1, 2):
            run = write_toy_run(tmp_path, recipe, seed, {})  # every score 50.0
            data = json.loads((run / "results.json").read_text())
            for score in data["scores"]:
                if score["language"] == "en":
                    score["value"] = english + seed
            (run / "results.json").write_text(json.dumps(data))
    overview = build_report(find_runs([tmp_path])).table("overview")
    rows = [r.label for r in overview.rows]
    wide, narrow = rows.index("wide-gap"), rows.index("narrow-gap")
    assert cells(overview, "wide-gap")["gap"].mean == pytest.approx(80 + 1.5 - 50)
    assert cells(overview, "narrow-gap")["gap"].mean == pytest.approx(60 + 1.5 - 50)
    bold = best_cells(overview)
    assert (wide, overview.columns.index("English")) in bold
    assert (narrow, overview.columns.index("gap")) in bold  # the smaller gap is the better one
    assert (wide, overview.columns.index("gap")) not in bold


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
    assert summary == [ENGLISH_ROW, ZERO_SHOT_ROW, GAP_ROW, LOW_RESOURCE_ROW, ALL_ROW]
    low = cells(table, LOW_RESOURCE_ROW)
    assert low["xnli"].mean == pytest.approx(3.0) and low["panx"].mean == pytest.approx(3.0)
    assert low["xquad"] is None  # no low-resource language has xquad
    assert cells(table, "yo")["xnli"] is None


def test_per_language_english_zero_shot_and_gap_rows(runs_dir):
    """direct, seed s: xnli en 80+s, de 70+s, sw 60+s; xquad en 60+s, de 50+s; panx en 80+s,
    yo 40+s. Over seeds 1..3: English = base + 2, zero-shot = mean of the others + 2."""
    report = build_report(find_runs([runs_dir]), baseline="direct")
    table = per_language(report.baseline)  # direct alone: scores, not deltas
    english, zero, gap = (cells(table, x) for x in (ENGLISH_ROW, ZERO_SHOT_ROW, GAP_ROW))
    assert [english[t].mean for t in ("xnli", "xquad", "panx")] == pytest.approx([82, 62, 82])
    assert [zero[t].mean for t in ("xnli", "xquad", "panx")] == pytest.approx([67, 52, 42])
    assert [gap[t].mean for t in ("xnli", "xquad", "panx")] == pytest.approx([15, 10, 40])
    assert gap["xnli"].std == pytest.approx(0.0) and english["xnli"].std == pytest.approx(1.0)
    delta = cells(report.table("per_language:multitask9"), GAP_ROW)  # +2/+3/+4 on every score
    assert delta["xnli"].mean == pytest.approx(0.0, abs=1e-9)


def test_per_language_for_one_recipe_and_other_groupings(runs_dir):
    found = find_runs([runs_dir])
    by_resource = build_report(found, baseline="direct", group_by="resource")
    groups = [r.group for r in by_resource.table("per_language:multitask9").rows if not r.summary]
    assert groups == ["class 5", "class 5", "class 2", "class 2"]
    transposed = build_report(found, baseline="direct", group_by="task")
    table = transposed.table("per_language:multitask9")
    assert table.label_header == "task" and table.columns[:4] == ("de", "en", "sw", "yo")
    assert table.columns[-5:] == (ENGLISH_ROW, ZERO_SHOT_ROW, GAP_ROW, LOW_RESOURCE_ROW, ALL_ROW)
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
