"""LogME: the fixed point reaches the evidence's maximum, found here by brute force on the
marginal likelihood written another way, and is invariant where the model says it must be."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import minimize
from scipy.stats import multivariate_normal

from stiltx.errors import StiltxError
from stiltx.select.logme import evidence, log_evidence, logme


def _marginal(f: np.ndarray, y: np.ndarray, alpha: float, beta: float) -> float:
    """log p(y | F) / N with w integrated out: y ~ N(0, F F^T / alpha + I / beta)."""
    cov = f @ f.T / alpha + np.eye(len(y)) / beta
    return multivariate_normal(np.zeros(len(y)), cov).logpdf(y) / len(y)


def _brute_force(f: np.ndarray, y: np.ndarray) -> float:
    """max over (alpha, beta): a log grid, then Nelder-Mead from its best point."""
    grid = np.linspace(-6, 6, 49)
    start = max(((a, b) for a in grid for b in grid), key=lambda p: _marginal(f, y, *np.exp(p)))
    best = minimize(
        lambda p: -_marginal(f, y, *np.exp(p)),
        start,
        method="Nelder-Mead",
        options={"xatol": 1e-9, "fatol": 1e-12, "maxiter": 4000},
    )
    return -best.fun


def _data(n=40, d=3, seed=0):
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n, d))
    y = f @ np.array([1.0, -0.5, 0.25][:d]) + 0.3 * rng.normal(size=n)
    return f, y


def test_one_feature_hand_case():
    # D = 1, N = 2: F = (1, 2)^T, y = (1, 1). The paper's L and the marginal likelihood agree
    # at any (alpha, beta), and the fixed point reaches the brute-force maximum.
    f, y = np.array([[1.0], [2.0]]), np.array([1.0, 1.0])
    assert log_evidence(f, y, 0.7, 3.0) == pytest.approx(_marginal(f, y, 0.7, 3.0))
    assert evidence(f, y).value == pytest.approx(_brute_force(f, y), abs=1e-6)


@pytest.mark.parametrize("n, d", [(40, 3), (5, 8)])  # more examples than features, and fewer
def test_fixed_point_is_the_maximum(n, d):
    rng = np.random.default_rng(1)
    f = rng.normal(size=(n, d))
    y = f[:, 0] - f[:, 1] + 0.5 * rng.normal(size=n)
    found = evidence(f, y)
    assert found.value == pytest.approx(_brute_force(f, y), abs=1e-6)
    assert found.value == pytest.approx(log_evidence(f, y, found.alpha, found.beta), abs=1e-9)


def test_invariances():
    f, y = _data()
    labels = (y > 0).astype(int) + (y > 1).astype(int)  # three classes
    base = logme(f, labels)
    order = np.random.default_rng(2).permutation(len(labels))
    assert logme(f[order], labels[order]) == pytest.approx(base, abs=1e-9)  # example order
    q, _ = np.linalg.qr(np.random.default_rng(3).normal(size=(3, 3)))
    assert logme(f @ q, labels) == pytest.approx(base, abs=1e-7)  # rotating the features
    assert logme(5.0 * f, labels) == pytest.approx(base, abs=1e-6)  # scaling: alpha absorbs it


def test_informative_features_score_higher():
    f, y = _data(n=200)
    labels = (y > 0).astype(int)
    noise = np.random.default_rng(4).normal(size=f.shape)
    assert logme(f, labels) > logme(noise, labels)
    assert logme(f, labels) > logme(0.5 * f + noise, labels)


@pytest.mark.parametrize(
    "features, labels, message",
    [
        (np.zeros((3, 2)), np.zeros(2), "do not match"),
        (np.zeros((1, 2)), np.zeros(1), "at least 2"),
        (np.full((3, 2), np.nan), np.zeros(3), "NaN"),
    ],
)
def test_bad_input(features, labels, message):
    with pytest.raises(StiltxError, match=message):
        logme(features, labels)
