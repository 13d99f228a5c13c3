"""Partial averages are never compared with full ones; collapsed predictions are flagged."""

from __future__ import annotations

import pytest
from run_writers import write_toy_run

from stiltx.report import export
from stiltx.report.cells import best_cells
from stiltx.report.results import find_runs
from stiltx.report.tables import COLLAPSED, PARTIAL, build_report

NLI = ("entailment", "neutral", "contradiction")


def cell(table, label, column):
    row = next(r for r in table.rows if r.label == label)
    j = table.columns.index(column)
    return row.cells[j], row.marks_of(j), (table.rows.index(row), j)


@pytest.fixture
def three(tmp_path):
    """direct (every toy task), multitask9 (every task), single/mnli (xnli only, best xnli)."""
    root = tmp_path / "runs"
    write_toy_run(root, "direct", 1, {"xnli": 50.0, "pawsx": 70.0})
    write_toy_run(root, "multitask9", 1, {"xnli": 52.0, "pawsx": 70.0}, default=55.0)
    write_toy_run(root, "single/mnli", 1, {"xnli": 80.0}, tasks=("xnli",))
    return build_report(find_runs([root]), baseline="direct", bootstrap_samples=0)


def test_partial_average_is_marked_and_never_bold(three):
    overview = three.table("overview")
    avg, marks, where = cell(overview, "single/mnli", "Avg")
    assert avg.mean == pytest.approx(80.0) and PARTIAL in marks  # its Avg is only xnli
    assert where not in best_cells(overview)  # 80 is the highest Avg, yet not bold
    _, full_marks, full_where = cell(overview, "multitask9", "Avg")
    assert not full_marks and full_where in best_cells(overview)
    assert any(
        "single/mnli: Classif. over xnli (1 of 2 tasks); Avg over xnli (1 of 9 tasks)" in n
        for n in overview.notes
    )
    md = export.to_markdown(three)
    assert "80.0†" in md and "**80.0†" not in md  # (its xnli score, complete, is bold)


def test_delta_compares_only_the_tasks_both_sides_share(three):
    delta = three.table("delta")
    classif, marks, _ = cell(delta, "single/mnli", "Classif.")
    # Over xnli only: 80 - 50, not 80 - mean(50, 70) = +20 over different task sets.
    assert classif.mean == pytest.approx(30.0) and PARTIAL in marks
    avg, marks, where = cell(delta, "single/mnli", "Avg")
    assert avg.mean == pytest.approx(30.0) and PARTIAL in marks
    assert where not in best_cells(delta)
    full, marks, _ = cell(delta, "multitask9", "Avg")
    assert full.mean == pytest.approx((2 + 0 + 7 * 5) / 9) and not marks


def test_delta_restricts_languages_to_the_shared_ones(tmp_path):
    root = tmp_path / "runs"
    write_toy_run(root, "direct", 1, {"xnli": 50.0})
    run = write_toy_run(root, "multitask9", 1, {"xnli": 60.0})
    import json

    results = json.loads((run / "results.json").read_text())
    results["scores"] = [  # multitask9 lost xnli/sw, and its xnli/de is much higher
        {**s, "value": 90.0} if (s["task"], s["language"]) == ("xnli", "de") else s
        for s in results["scores"]
        if (s["task"], s["language"]) != ("xnli", "sw")
    ]
    (run / "results.json").write_text(json.dumps(results))
    report = build_report(find_runs([root]), baseline="direct", bootstrap_samples=0)
    xnli, marks, _ = cell(report.table("delta"), "multitask9", "xnli")
    assert xnli.mean == pytest.approx((40 + 10 + 10 + 10) / 4)  # de, en, ru, zh only
    assert PARTIAL in marks
    _, marks, _ = cell(report.table("overview"), "multitask9", "xnli")
    assert PARTIAL in marks  # 4 of 5 toy languages


def test_collapsed_predictions_are_flagged_with_reference_values(tmp_path):
    root = tmp_path / "runs"
    balanced = [(NLI[i % 3], NLI[i % 3]) for i in range(60)]  # a model that is always right
    collapsed = [("neutral", NLI[i % 3]) for i in range(60)]  # "neutral" for everything
    write_toy_run(root, "direct", 1, {"xnli": 40.0}, predictions={"xnli": balanced})
    write_toy_run(root, "multitask9", 1, {"xnli": 60.0}, predictions={"xnli": collapsed})
    report = build_report(find_runs([root]), baseline="direct", bootstrap_samples=0)
    overview, delta = report.table("overview"), report.table("delta")
    _, marks, where = cell(overview, "multitask9", "xnli")
    assert COLLAPSED in marks and where not in best_cells(overview)
    _, marks, where = cell(delta, "multitask9", "xnli")
    assert COLLAPSED in marks  # the 'best delta' is a collapsed head: flagged, not bold
    assert not cell(overview, "direct", "xnli")[1]
    note = next(n for n in overview.notes if n.startswith("xnli (multitask9"))
    assert "predicts 'neutral' for 100% of examples in 5 of 5 languages" in note
    chance, _, _ = cell(overview, "chance", "xnli")
    majority, _, _ = cell(overview, "majority class", "xnli")
    assert chance.mean == pytest.approx(100 / 3) and majority.mean == pytest.approx(100 / 3)
    assert cell(overview, "chance", "pawsx")[0].mean == pytest.approx(50.0)
    per_language = report.table("per_language:multitask9")
    assert COLLAPSED in cell(per_language, "de", "xnli")[1]
    assert "60.0‡" in export.to_markdown(report)


def test_majority_rate_noise_is_flagged(tmp_path):
    from stiltx.report.collapse import check_file

    path = tmp_path / "de.jsonl"
    rows = [("a", "a")] * 50 + [("b", "a")] * 20 + [("a", "b")] * 30  # acc 50, majority 70
    import json

    path.write_text("\n".join(json.dumps({"prediction": p, "reference": r}) for p, r in rows))
    check = check_file(path, "de")
    assert check.majority_rate == pytest.approx(70.0) and check.accuracy == pytest.approx(50.0)
    assert "within noise of the majority class" in check.reason
    good = [("a", "a")] * 70 + [("b", "b")] * 30
    path.write_text("\n".join(json.dumps({"prediction": p, "reference": r}) for p, r in good))
    assert check_file(path, "de").reason is None


def test_star_means_the_interval_excludes_zero():
    from stiltx.report.cells import format_cell
    from stiltx.report.uncertainty import Stat

    assert format_cell(Stat(-1.0, 1.0, 1, -2.0, 0.5, "bootstrap95"), "delta") == "-1.0 [-2.0, +0.5]"
    assert format_cell(Stat(3.6, 1, 1, -3.0, 11.2, "bootstrap95"), "delta").endswith("]")
    assert format_cell(Stat(3.0, 1.0, 3, 0.5, 5.5, "t95"), "delta") == "+3.0 [+0.5, +5.5]*"
    assert format_cell(Stat(-3.0, 1.0, 3, -5.5, -0.5, "t95"), "delta").endswith("]*")
    assert format_cell(Stat(2.0), "delta", (PARTIAL,)) == "+2.0†"


def test_every_table_caption_says_what_bold_and_marks_mean(three):
    for table in (three.table("overview"), three.table("delta")):
        assert any(n.startswith("bold:") for n in table.notes)
    delta = three.table("delta")
    assert any("[low, high]" in n or "no interval" in n for n in delta.notes)
    assert any(n.startswith("† partial") for n in delta.notes)
