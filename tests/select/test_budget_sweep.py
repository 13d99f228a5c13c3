"""stiltx/sweep/budget.py: the budgeted sweep's plan (`sweep --select E --top K`) on the smoke
toy world, and its outcome (chosen task, regret, time saved) from a hand-written sweep."""

from __future__ import annotations

import pytest
from rich.console import Console

from stiltx.errors import StiltxError
from stiltx.sweep import jobs as J
from stiltx.sweep.budget import Budget, Choice, choose, outcome

QUIET = Console(quiet=True)


def plan(toy_cache, recipes: str):
    smoke = ("toy.size=smoke", f"toy.cache_dir={toy_cache}", "target.tasks=[xnli,panx]",
             "retrieval.tasks=[]")  # fmt: skip
    return J.plan_jobs(J.SweepSpec((recipes,), (1, 2), "tiny", smoke))


def test_top_k_per_target_plus_the_rest(toy_cache):
    jobs = plan(toy_cache, "direct,single/*,multitask9")
    kept, choice = choose(jobs, Budget("vocab", 1), QUIET)
    assert list(choice.ranking) == ["xnli", "panx"]
    assert choice.ranking["xnli"][0] == "single-mnli"  # xnli trains on mnli: the same words
    assert set(choice.trained) == {choice.ranking["xnli"][0], choice.ranking["panx"][0]}
    assert len(choice.trained) + len(choice.skipped) == 9
    # direct and the mixture are not candidates: always kept, both seeds
    assert {j.recipe for j in kept} == {"direct", "multitask9", *choice.trained}
    assert len(kept) == 2 * (2 + len(choice.trained))
    three = choose(jobs, Budget("vocab", 3), QUIET)[1]
    assert set(choice.trained) <= set(three.trained)


def test_bad_budgets(toy_cache):
    jobs = plan(toy_cache, "direct,single/mnli,single/qqp")
    with pytest.raises(StiltxError, match="--top 0"):
        choose(jobs, Budget("vocab", 0), QUIET)
    with pytest.raises(StiltxError, match="logme: needs the candidates' trained encoders"):
        choose(jobs, Budget("logme", 1), QUIET)
    with pytest.raises(StiltxError, match="no single-task intermediate recipe"):
        choose(plan(toy_cache, "direct"), Budget("vocab", 1), QUIET)


def _job(recipe: str, seed: int) -> J.Job:
    role = J.CONTROL if recipe == "direct" else J.INTERMEDIATE
    return J.Job(
        f"{recipe.replace('/', '-')}/seed-{seed}", recipe, recipe, seed, role, None, (), ""
    )


def test_outcome_from_the_runs(sweep):
    """The hand-written sweep as both the budgeted sweep and the full grid: qqp skipped."""
    all_jobs = [_job(r, s) for r in ("direct", "single/mnli", "single/qqp", "single/squad")
                for s in (1, 2)]  # fmt: skip
    jobs = [j for j in all_jobs if j.recipe != "single/qqp"]
    ranking = {"xnli": ["single/squad", "single/mnli", "single/qqp"]}
    choice = Choice(
        "vocab", "vocab", 2, ranking, ["single/mnli", "single/squad"], ["single/qqp"], 4.0
    )
    chosen, time = outcome(sweep, jobs, all_jobs, choice, truth=sweep)
    assert chosen == "xnli: chosen single/mnli (English dev 81.00); regret vs the full grid 0.00 points (best: single/mnli)"  # fmt: skip
    # ran: direct 2 x 5 + mnli and squad (10 + 20) each = 70, + 4 s ranking; grid: + qqp 30 = 100
    assert time.startswith("time: 74 s with the estimator vs 100 s for all 8 jobs")
    assert time.endswith("saved 26 s (26%)")
    _, estimated = outcome(sweep, jobs, all_jobs, choice, truth=None)
    assert "vs 100 s" in estimated and "estimated" in estimated  # 2 skipped x mean 15 s
