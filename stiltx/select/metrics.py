"""How good is a ranking of intermediate tasks? NDCG@k, Regret@k and Kendall's tau. Pure numpy.

The truth is the score each candidate reaches on the target (its transfer score O(s, t), e.g.
the sweep's dev-selected English dev score, in points); a ranking is the candidates' names, best
first. Definitions as in Poth et al. 2021 ("What to Pre-Train on? Efficient Intermediate Task
Selection", EMNLP, §4 "Evaluation"), which follow Vu et al. 2020 for NDCG:

- NDCG@k = DCG@k(ranking) / DCG@k(ideal ranking), DCG@k = sum_{i=1..k} rel_i / log2(i + 1),
  the relevance rel_i being the true transfer score of the candidate ranked i-th (linear gain).
  Raw scores in points sit close together, so NDCG stays near 1 for any ranking: read it with
  Regret@k and tau.
- Regret@k = (O(S, t) - max_{s in top-k} O(s, t)) / O(S, t), O(S, t) the best score of all
  candidates: the fraction of the best score lost by taking the top-k's best (Poth et al. report
  it in %). `regret_at_k` returns it relative and in points (the numerator), as the issue asks.
- Kendall's tau-b between the estimator's scores and the truth (scipy.stats.kendalltau).

The authors' repository (Adapter-Hub/efficient-task-transfer) ships the estimators but not
these metrics (no ndcg / regret in its code), so the formulas come from the paper's text.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import kendalltau

from stiltx.errors import StiltxError


@dataclass(frozen=True)
class Regret:
    points: float  # best score minus the top-k's best score, in the truth's unit (points)
    relative: float  # points / best score (Poth et al.'s Regret@k; x100 for their %)


def ranking(scores: Mapping[str, float]) -> list[str]:
    """Candidate names, highest score first (ties: alphabetical, so the order is deterministic)."""
    return sorted(scores, key=lambda name: (-scores[name], name))


def _check(ranked: Sequence[str], truth: Mapping[str, float], k: int) -> None:
    if not truth:
        raise StiltxError("ranking metrics: no candidates with a true score")
    missing = sorted(set(truth) - set(ranked))
    extra = sorted(set(ranked) - set(truth))
    if missing or extra or len(set(ranked)) != len(ranked):
        raise StiltxError(
            f"ranking metrics: the ranking {list(ranked)} does not rank exactly the scored "
            f"candidates {sorted(truth)} (missing {missing}, unknown {extra})"
        )
    if k < 1:
        raise StiltxError(f"ranking metrics: k = {k}; expected k >= 1")


def dcg(relevances: Sequence[float], k: int) -> float:
    """sum_{i=1..k} rel_i / log2(i + 1) over the first k relevances."""
    return float(sum(r / math.log2(i + 2) for i, r in enumerate(list(relevances)[:k])))


def ndcg_at_k(ranked: Sequence[str], truth: Mapping[str, float], k: int) -> float:
    """NDCG@k of `ranked` (names, best first) against the true scores `truth` (name -> score)."""
    _check(ranked, truth, k)
    ideal = dcg(sorted(truth.values(), reverse=True), k)
    if ideal == 0:
        return 1.0  # every candidate scores 0: any ranking is ideal
    return dcg([truth[name] for name in ranked], k) / ideal


def regret_at_k(ranked: Sequence[str], truth: Mapping[str, float], k: int) -> Regret:
    """What taking the best of the top k of `ranked` loses against the truly best candidate."""
    _check(ranked, truth, k)
    best = max(truth.values())
    points = best - max(truth[name] for name in ranked[:k])
    return Regret(points=float(points), relative=float(points / best) if best else 0.0)


def kendall_tau(scores: Mapping[str, float], truth: Mapping[str, float]) -> float:
    """Kendall's tau-b between an estimator's scores and the true scores (nan with < 2 candidates
    or when either side is constant)."""
    _check(list(scores), truth, 1)
    names = sorted(truth)
    if len(names) < 2:
        return float("nan")
    a = np.array([scores[n] for n in names], dtype=float)
    b = np.array([truth[n] for n in names], dtype=float)
    if np.all(a == a[0]) or np.all(b == b[0]):
        return float("nan")
    return float(kendalltau(a, b).statistic)
