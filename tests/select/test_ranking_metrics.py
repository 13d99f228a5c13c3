"""NDCG@k, Regret@k and Kendall's tau on a hand-made case, values computed by hand."""

from __future__ import annotations

import math

import pytest

from stiltx.errors import StiltxError
from stiltx.select.metrics import kendall_tau, ndcg_at_k, ranking, regret_at_k

# True transfer scores (points) of four candidates, and an estimator's scores.
TRUTH = {"a": 80.0, "b": 90.0, "c": 70.0, "d": 85.0}
ESTIMATE = {"a": 4.0, "b": 1.0, "c": 3.0, "d": 2.0}  # ranks a, c, d, b


def test_ranking_orders_by_score_then_name():
    assert ranking(ESTIMATE) == ["a", "c", "d", "b"]
    assert ranking({"y": 1.0, "x": 1.0, "z": 2.0}) == ["z", "x", "y"]


def test_ndcg_at_3_by_hand():
    # DCG = 80/log2(2) + 70/log2(3) + 85/log2(4); ideal = 90/1 + 85/log2(3) + 80/2
    dcg = 80 + 70 / math.log2(3) + 85 / 2
    ideal = 90 + 85 / math.log2(3) + 80 / 2
    assert ndcg_at_k(ranking(ESTIMATE), TRUTH, 3) == pytest.approx(dcg / ideal)
    assert ndcg_at_k(ranking(ESTIMATE), TRUTH, 3) == pytest.approx(0.907618, abs=1e-6)
    assert ndcg_at_k(ranking(TRUTH), TRUTH, 3) == pytest.approx(1.0)


def test_regret_by_hand():
    r3 = regret_at_k(ranking(ESTIMATE), TRUTH, 3)  # top 3 = a, c, d: best 85 vs 90
    assert (r3.points, r3.relative) == (pytest.approx(5.0), pytest.approx(5 / 90))
    r1 = regret_at_k(ranking(ESTIMATE), TRUTH, 1)  # a: 80 vs 90
    assert (r1.points, r1.relative) == (pytest.approx(10.0), pytest.approx(10 / 90))
    assert regret_at_k(ranking(ESTIMATE), TRUTH, 4).points == 0.0
    assert regret_at_k(ranking(TRUTH), TRUTH, 1).points == 0.0


def test_kendall_tau_by_hand():
    # pairs (a,b) (a,c) (a,d) (b,c) (b,d) (c,d): only (a,c) concordant -> (1 - 5) / 6
    assert kendall_tau(ESTIMATE, TRUTH) == pytest.approx(-2 / 3)
    assert kendall_tau(TRUTH, TRUTH) == pytest.approx(1.0)
    assert math.isnan(kendall_tau({"a": 1.0, "b": 1.0}, {"a": 1.0, "b": 2.0}))


@pytest.mark.parametrize(
    "ranked, truth, k, message",
    [
        ([], {}, 3, "no candidates"),
        (["a", "x"], {"a": 1.0, "b": 2.0}, 1, "missing ['b'], unknown ['x']"),
        (["a", "b"], {"a": 1.0, "b": 2.0}, 0, "k = 0"),
    ],
)
def test_bad_input_is_one_line(ranked, truth, k, message):
    with pytest.raises(StiltxError) as error:
        regret_at_k(ranked, truth, k)
    assert message in str(error.value) and "\n" not in str(error.value)
