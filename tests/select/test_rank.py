"""Rankings scored against a hand-written sweep: the truth, the grid's cost and the metrics follow
from its results.json files."""

from __future__ import annotations

import pytest

from stiltx.errors import StiltxError
from stiltx.select.estimate import Cost, Estimate
from stiltx.select.rank import (
    coverage,
    grid_seconds,
    ranked_rows,
    score_estimates,
    sweep_candidates,
    sweep_truth,
)


def test_truth_candidates_and_grid_cost(sweep):
    assert sweep_truth(sweep) == {
        "xnli": {"single/mnli": 81.0, "single/qqp": 71.0, "single/squad": 75.0}
    }
    candidates = sweep_candidates(sweep)
    assert [(c.name, c.task) for c in candidates] == [
        ("single/mnli", "mnli"), ("single/qqp", "qqp"), ("single/squad", "squad")
    ]  # fmt: skip
    assert all(c.run_dir.name == "seed-1" for c in candidates)
    assert grid_seconds(sweep) == 3 * (10.0 + 20.0)  # direct is not a candidate


def test_the_truth_averages_every_candidate_over_the_same_seeds(sweep, write_run):
    import shutil

    shutil.rmtree(sweep / "single-qqp" / "seed-2")  # qqp's seed 2 did not finish
    write_run(sweep, "single/mnli", 3, 90.0, 30.0)  # a seed only mnli has
    cover = coverage(sweep)
    assert cover.seeds == (1,)
    assert cover.left_out == (
        "single/qqp/seed-2", "single/qqp/seed-3", "single/squad/seed-3"
    )  # fmt: skip
    assert "seeds 1 only" in cover.note() and "single/qqp/seed-2" in cover.note()
    # seed 1 alone: mnli 80, not (80 + 82 + 90) / 3
    assert sweep_truth(sweep) == {
        "xnli": {"single/mnli": 80.0, "single/qqp": 70.0, "single/squad": 75.0}
    }
    assert grid_seconds(sweep) == 3 * 10.0
    shutil.rmtree(sweep / "single-squad" / "seed-1")
    with pytest.raises(StiltxError, match="no seed at which every 'single/\\*' candidate") as err:
        sweep_truth(sweep)
    assert "single/squad/seed-1" in str(err.value) and "\n" not in str(err.value)


def test_score_estimates_by_hand(sweep):
    truth = sweep_truth(sweep)["xnli"]
    estimate = Estimate(
        "toy", {"toy": {"single/mnli": 0.1, "single/qqp": 0.9, "single/squad": 0.5}}, Cost(2.0, 7)
    )
    (row,) = score_estimates("xnli", truth, [estimate], k=1, grid=90.0)
    # top 1 = qqp (71) against mnli (81): 10 points, 10/81
    assert (row.chosen, row.best) == ("single/qqp", "single/mnli")
    assert row.regret_points == pytest.approx(10.0)
    assert row.regret == pytest.approx(10 / 81)
    assert row.ndcg == pytest.approx(71 / 81)
    assert row.tau == pytest.approx(-1.0)  # exactly reversed
    assert (row.seconds, row.forward_passes, row.grid_seconds) == (2.0, 7, 90.0)
    rows = ranked_rows("xnli", [estimate])
    assert [(r.candidate, r.rank) for r in rows] == [
        ("single/qqp", 1), ("single/squad", 2), ("single/mnli", 3)
    ]  # fmt: skip


def test_sweep_without_the_runs(tmp_path, sweep, write_run):
    with pytest.raises(StiltxError, match=r"no finished runs of 'baseline/\*'") as error:
        sweep_candidates(sweep, "baseline/*")
    assert "\n" not in str(error.value)
    write_run(tmp_path / "only-direct", "direct", 1, None, 1.0)
    with pytest.raises(
        StiltxError, match="no finished runs of 'single/\\*'.*recipes found: direct"
    ):
        grid_seconds(tmp_path / "only-direct")


def test_ranking_with_no_scored_candidate():
    estimate = Estimate("toy", {"toy": {"single/ccg": 1.0}}, Cost(1.0))
    with pytest.raises(StiltxError, match="none of which has a true score"):
        score_estimates("xnli", {"single/mnli": 80.0}, [estimate])


def test_evaluate_rankings_with_the_baselines(sweep, setting):
    from stiltx.select.rank import evaluate_rankings

    rows = evaluate_rankings(sweep, ["size", "vocab"], setting)
    assert [(r.target, r.column) for r in rows] == [("xnli", "size"), ("xnli", "vocab")]
    vocab = rows[1]
    assert vocab.chosen == "single/mnli" and vocab.regret_points == 0.0  # xnli trains on mnli
    with pytest.raises(StiltxError, match="for panx"):
        evaluate_rankings(sweep, ["size"], setting, targets=["panx"])
    with pytest.raises(StiltxError, match="no estimator given"):
        evaluate_rankings(sweep, [], setting)
