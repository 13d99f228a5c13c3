"""The '*' mark is a test only where one is possible: never with zero spread on a side (a score
that does not depend on the seed) or fewer than 3 seeds; such cells say 'n/a' and the legend why."""

from __future__ import annotations

from stiltx.report.cells import format_cell, legend
from stiltx.report.tables import Row, Table
from stiltx.report.uncertainty import FEW_SEEDS, ZERO_SPREAD, significant, welch_delta


def _delta_table(*cells) -> Table:
    rows = tuple(Row(f"r{i}", (c,)) for i, c in enumerate(cells))
    return Table("delta", "Delta", "recipe", ("tatoeba",), rows, "delta")


def test_zero_spread_is_no_test():
    stat = welch_delta([53.1, 53.1, 53.1], [50.0, 50.0, 50.0])  # retrieval from the same encoder
    assert stat.untestable == ZERO_SPREAD and not significant(stat)
    assert format_cell(stat, "delta") == "+3.1 [+3.1, +3.1] n/a"
    one_side = welch_delta([53.0, 54.0, 55.0], [50.0, 50.0, 50.0])
    assert one_side.untestable == ZERO_SPREAD and not significant(one_side)
    assert "n/a: no significance mark (zero spread" in " ".join(legend(_delta_table(stat)))


def test_two_seeds_are_no_test():
    stat = welch_delta([60.0, 60.2], [50.0, 50.1])  # far from 0, yet only 2 seeds
    assert stat.low is not None and stat.low > 0
    assert stat.untestable == FEW_SEEDS and not significant(stat)
    assert format_cell(stat, "delta").endswith(" n/a")
    assert FEW_SEEDS in " ".join(legend(_delta_table(stat)))


def test_three_seeds_with_spread_are_marked():
    stat = welch_delta([60.0, 60.5, 61.0], [50.0, 50.4, 51.0])
    assert stat.untestable == "" and significant(stat)
    assert format_cell(stat, "delta").endswith("*")
    assert not any(line.startswith("n/a") for line in legend(_delta_table(stat)))
