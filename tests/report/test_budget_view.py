"""results.json's budget in the report: steps per phase and examples beside each recipe, exact
means over seeds, and the transfer view's intermediate budget read from it."""

from __future__ import annotations

import pytest

from stiltx.errors import DataError
from stiltx.report.results import find_runs
from stiltx.report.tables import build_report
from stiltx.report.transfer import _budget


def budget(*stages: tuple[str, int, int | None]) -> dict:
    entries = {name: {"steps": s, "examples": e} for name, s, e in stages}
    return {"stages": entries}


def row(table, label):
    found = next(r for r in table.rows if r.label == label)
    return dict(zip(table.columns, found.cells, strict=True))


def test_budget_table_sums_phases_and_pools_seeds(tmp_path, make_run):
    for seed in (1, 2):
        make_run(tmp_path, "direct", seed, 0.0, budget=budget(("target/mnli", 100, 1600)))
        make_run(
            tmp_path,
            "merge-ties",
            seed,
            1.0,
            budget=budget(
                ("intermediate/single/mnli", 300, 4800),
                ("from:qqp", 200 * seed, 3200 * seed),
                ("merge/density=0.2/target/mnli", 100, 1600),
                ("target/mnli", 100, 1600),
            ),
        )
    table = build_report(find_runs([tmp_path])).table("budget")
    assert table.columns == ("intermediate", "merge grid", "target", "total steps", "examples")
    merged = row(table, "merge-ties")
    assert merged["intermediate"].mean == 600  # (300 + 200, 300 + 400) / 2
    assert merged["merge grid"].mean == 100 and merged["target"].mean == 100
    assert merged["total steps"].mean == 800 and merged["examples"].mean == 12800
    direct = row(table, "direct")
    assert direct["intermediate"].mean == 0 and direct["total steps"].mean == 100


def test_an_unknown_count_is_shown_unknown_never_guessed(tmp_path, make_run):
    make_run(tmp_path, "old", 1, 0.0)  # written before budgets: no row values
    make_run(tmp_path, "partly", 1, 0.0, budget=budget(("target/mnli", 10, None)))
    table = build_report(find_runs([tmp_path])).table("budget")
    assert row(table, "old")["total steps"] is None
    partly = row(table, "partly")
    assert partly["total steps"].mean == 10 and partly["examples"] is None


def test_transfer_budget_is_the_intermediate_examples_of_every_model(tmp_path, make_run):
    make_run(
        tmp_path,
        "fusion9",
        1,
        0.0,
        budget=budget(
            ("intermediate/single/mnli", 4, 16), ("from:qqp", 4, 32), ("target/mnli", 4, 16)
        ),
    )
    [run] = find_runs([tmp_path]).runs
    assert _budget(run) == 48


def test_a_damaged_budget_is_one_line_naming_the_file(tmp_path, make_run):
    path = make_run(tmp_path, "x", 1, 0.0, budget=budget(("target/mnli", -3, 1))) / "results.json"
    with pytest.raises(DataError) as error:
        find_runs([tmp_path])
    assert str(error.value) == (
        f"{path}: budget.stages.target/mnli.steps is -3, expected a count or null"
    )


def test_the_sweep_transfer_view_shows_each_recipe_budget(tmp_path, make_run):
    from stiltx.report.transfer import build_transfer

    dev = {"task": "xnli", "language": "en", "split": "dev", "metric": "selection", "value": 70.0}
    for name, steps in (("direct", 10), ("fusion9", 40)):
        spent = budget(("target/mnli", steps, steps * 16))
        make_run(tmp_path, name, 1, 0.0, budget=spent, scores=[dev])
    report, _ = build_transfer(find_runs([tmp_path]))
    table = report.table("budget")
    assert row(table, "fusion9")["total steps"].mean == 40
    assert row(table, "direct")["examples"].mean == 160
