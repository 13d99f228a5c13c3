"""Uncertainty: mean / std / n over seeds, Student-t intervals, and a seeded paired bootstrap.

Pure functions; no scipy (the Student t quantile is computed here from the regularized incomplete
beta function, accurate to ~1e-10, and checked against scipy in the tests when it is installed).

Two kinds of 95% interval, named in every table that shows one:
- `t95`: across seeds. For a recipe alone: mean ± t(0.975, n-1) * s / sqrt(n). For a difference
  between two recipes (delta vs baseline): Welch's interval, since seeds of two recipes are
  independent runs (df by Welch-Satterthwaite).
- `bootstrap95`: paired bootstrap over test examples (Koehn, 2004; Berg-Kirkpatrick et al., 2012):
  both recipes' per-example scores (averaged over their seeds) are resampled with the same example
  indices, stratified by language, and the task delta (mean over languages of per-language
  deltas) is recomputed; the interval is the 2.5 / 97.5 percentile. Used when seeds cannot give
  an interval (n < 2 on either side) and per-example predictions exist.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist

T95 = "t95"
BOOTSTRAP95 = "bootstrap95"
INTERVAL_NAMES = {
    T95: "95% t-interval over seeds",
    BOOTSTRAP95: "95% paired bootstrap over test examples",
}


@dataclass(frozen=True)
class Stat:
    """A pooled value: mean, sample std and n over seeds, and an optional interval."""

    mean: float
    std: float | None = None  # None when n < 2
    n: int = 1
    low: float | None = None
    high: float | None = None
    interval: str = ""  # T95 / BOOTSTRAP95 / ""
    # Why the interval may not be read as a test (no '*'): ZERO_SPREAD / FEW_SEEDS, or "".
    untestable: str = ""


MIN_SEEDS = 3  # fewer seeds on a side: the interval is shown, never marked significant
ZERO_SPREAD = "zero spread over seeds on a side"
FEW_SEEDS = f"fewer than {MIN_SEEDS} seeds on a side"


def significant(stat: Stat) -> bool:
    """The 95% interval exists, may be read as a test, and excludes 0 (what '*' means)."""
    if stat.low is None or stat.high is None or stat.untestable:
        return False
    return stat.low > 0 or stat.high < 0


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-15:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _betacf(a, b, x) / a
    return 1.0 - math.exp(log_front) * _betacf(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom (df may be fractional)."""
    x = df / (df + t * t)
    tail = 0.5 * _betainc(df / 2.0, 0.5, x)
    return 1.0 - tail if t > 0 else tail


@functools.lru_cache(maxsize=4096)
def t_quantile(p: float, df: float) -> float:
    """The p-quantile of Student's t (p in (0, 1), df > 0).

    Newton's method from the normal quantile: for p > 0.5 the t quantile is larger and the CDF is
    concave there, so the iterates rise monotonically to the root without overshooting.
    """
    if not 0.0 < p < 1.0 or df <= 0:
        raise ValueError(f"t_quantile needs 0 < p < 1 and df > 0, got p={p}, df={df}")
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    t = NormalDist().inv_cdf(p)
    for _ in range(200):
        pdf = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        step = (t_cdf(t, df) - p) / pdf
        t -= step
        if abs(step) < 1e-12 * max(1.0, abs(t)):
            break
    return t


def mean_std(values: Sequence[float]) -> tuple[float, float | None, int]:
    """(mean, sample std with ddof=1 or None when n < 2, n)."""
    n = len(values)
    if n == 0:
        raise ValueError("no values")
    m = sum(values) / n
    if n < 2:
        return m, None, n
    var = sum((v - m) ** 2 for v in values) / (n - 1)
    return m, math.sqrt(var), n


def pooled(values: Sequence[float], level: float = 0.95) -> Stat:
    """Mean ± std over seeds with a t-interval when n >= 2."""
    m, s, n = mean_std(values)
    if s is None:
        return Stat(m, None, n)
    half = t_quantile(0.5 + level / 2.0, n - 1) * s / math.sqrt(n)
    return Stat(m, s, n, m - half, m + half, T95)


def welch_delta(a: Sequence[float], b: Sequence[float], level: float = 0.95) -> Stat:
    """mean(a) - mean(b) with Welch's t-interval (when both have n >= 2).

    `std` of the result is the standard error of the difference; `n` is min(n_a, n_b).
    With zero variance on both sides the interval collapses to the point. The interval is not a
    test (`untestable`) when a side has zero spread (a score that does not depend on the seed,
    e.g. retrieval from the pretrained encoder) or fewer than MIN_SEEDS seeds.
    """
    ma, sa, na = mean_std(a)
    mb, sb, nb = mean_std(b)
    delta = ma - mb
    if sa is None or sb is None:
        return Stat(delta, None, min(na, nb))
    why = ZERO_SPREAD if 0.0 in (sa, sb) else FEW_SEEDS if min(na, nb) < MIN_SEEDS else ""
    va, vb = sa * sa / na, sb * sb / nb
    se = math.sqrt(va + vb)
    if se == 0.0:
        return Stat(delta, 0.0, min(na, nb), delta, delta, T95, why)
    df = (va + vb) ** 2 / (va * va / (na - 1) + vb * vb / (nb - 1))
    half = t_quantile(0.5 + level / 2.0, df) * se
    return Stat(delta, se, min(na, nb), delta - half, delta + half, T95, why)


def paired_bootstrap(
    recipe: Mapping[str, Mapping[str, float]],
    baseline: Mapping[str, Mapping[str, float]],
    *,
    samples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Stat | None:
    """Paired bootstrap interval of the task delta over examples shared by both recipes.

    `recipe` / `baseline`: {language: {example id: per-example score}}. Languages and ids are
    matched; each resample draws ids with replacement within every language (the same draw for
    both recipes) and recomputes mean over languages of (mean_recipe - mean_baseline).
    Deterministic for a given `seed`. None when no language has shared examples.
    """
    # numpy: start-up time of `stiltx report`; only the bootstrap needs it
    import numpy as np

    languages = sorted(set(recipe) & set(baseline))
    diffs = []
    for lang in languages:
        ids = sorted(set(recipe[lang]) & set(baseline[lang]))
        if ids:
            diffs.append(np.array([recipe[lang][i] - baseline[lang][i] for i in ids]))
    if not diffs:
        return None
    rng = np.random.default_rng(seed)
    point = float(np.mean([d.mean() for d in diffs]))
    totals = np.zeros(samples)
    for d in diffs:
        draws = rng.integers(0, len(d), size=(samples, len(d)))
        totals += d[draws].mean(axis=1)
    totals /= len(diffs)
    alpha = (1.0 - level) / 2.0
    low, high = np.quantile(totals, [alpha, 1.0 - alpha])
    return Stat(point, float(totals.std(ddof=1)), samples, float(low), float(high), BOOTSTRAP95)
