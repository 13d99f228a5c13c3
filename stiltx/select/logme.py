"""LogME (You et al. 2021, "LogME: Practical Assessment of Pre-trained Models for Transfer
Learning", ICML): how well features F (N x D) explain targets y under Bayesian linear regression,
as the maximised log marginal likelihood (evidence) per example. Pure numpy.

Model: y = F w + noise, w ~ N(0, 1/alpha I), noise ~ N(0, 1/beta I). The evidence

    L(alpha, beta) = D/2 log alpha + N/2 log beta - N/2 log 2 pi
                     - beta/2 ||F m - y||^2 - alpha/2 ||m||^2 - 1/2 log |A|,
    A = alpha I + beta F^T F,   m = beta A^-1 F^T y,

is maximised by the fixed-point iteration of the paper's Algorithm 1: gamma = sum_i beta s_i /
(alpha + beta s_i), alpha <- gamma / ||m||^2, beta <- (N - gamma) / ||F m - y||^2, s_i the
eigenvalues of F^T F. We run it on the SVD of F as the authors' reference does
(github.com/thuml/LogME, LogME.py:100-158, `_fit_fixed_point`, their default since the arXiv
2110.10545 version; Algorithm 1 itself is LogME.py:7-38), in the rotated basis where every
quantity is a sum over singular values. Two differences, both on purpose: we iterate to a tight
tolerance (the reference stops after 11 steps or a 1e-3 change), and log |A| counts the D - k zero
eigenvalues of a rank-k F^T F as log alpha each (the reference sums only the k non-zero ones,
which shifts the evidence when D > N). Classification: one one-hot target per class, mean
evidence over classes (LogME.py:118-121, 158).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stiltx.errors import StiltxError

_EPS = 1e-12  # keeps a perfect fit (zero residual) or a zero target from dividing by zero


@dataclass(frozen=True)
class Evidence:
    value: float  # maximised log evidence divided by N
    alpha: float
    beta: float
    steps: int


def log_evidence(features: np.ndarray, y: np.ndarray, alpha: float, beta: float) -> float:
    """L(alpha, beta) / N computed directly (for checks): no SVD, no fixed point."""
    f = np.asarray(features, dtype=np.float64)
    n, d = f.shape
    a = alpha * np.eye(d) + beta * f.T @ f
    m = beta * np.linalg.solve(a, f.T @ y)
    _, logdet = np.linalg.slogdet(a)
    value = (
        d / 2 * np.log(alpha)
        + n / 2 * np.log(beta)
        - n / 2 * np.log(2 * np.pi)
        - beta / 2 * float(np.sum((f @ m - y) ** 2))
        - alpha / 2 * float(m @ m)
        - logdet / 2
    )
    return float(value / n)


def evidence(
    features: np.ndarray, y: np.ndarray, *, max_steps: int = 100, tol: float = 1e-8
) -> Evidence:
    """The maximised evidence per example of one real-valued target `y` (N,) given `features`."""
    f = np.asarray(features, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = f.shape
    u, s, _ = np.linalg.svd(f, full_matrices=False)
    keep = s > 1e-10 * max(float(s.max(initial=0.0)), 1.0)
    u, sigma = u[:, keep], s[keep] ** 2  # sigma: the non-zero eigenvalues of F^T F
    x2 = (u.T @ y) ** 2  # squared coordinates of y along F's left singular vectors
    rest = max(float(y @ y) - float(x2.sum()), 0.0)  # |y|^2 outside F's column space
    alpha, beta, steps = 1.0, 1.0, 0
    while steps < max_steps:
        steps += 1
        t = alpha / beta
        gamma = float(np.sum(sigma / (sigma + t)))
        m2 = float(np.sum(sigma * x2 / (sigma + t) ** 2))  # ||m||^2
        res2 = float(np.sum(x2 * (t / (sigma + t)) ** 2)) + rest  # ||F m - y||^2
        alpha = gamma / (m2 + _EPS) if gamma > 0 else 1.0 / _EPS
        beta = (n - gamma) / (res2 + _EPS)
        if abs(alpha / beta - t) <= tol * t:
            break
    t = alpha / beta
    m2 = float(np.sum(sigma * x2 / (sigma + t) ** 2))
    res2 = float(np.sum(x2 * (t / (sigma + t)) ** 2)) + rest
    logdet = float(np.sum(np.log(alpha + beta * sigma))) + (d - len(sigma)) * np.log(alpha)
    value = (
        d / 2 * np.log(alpha)
        + n / 2 * np.log(beta)
        - n / 2 * np.log(2 * np.pi)
        - beta / 2 * res2
        - alpha / 2 * m2
        - logdet / 2
    )
    return Evidence(value=float(value / n), alpha=alpha, beta=beta, steps=steps)


def logme(features: np.ndarray, labels: np.ndarray) -> float:
    """LogME of class `labels` (N,) given `features` (N, D): the mean over the classes present of
    the evidence of the class's one-hot indicator. Higher is better. (A class with no example
    would have an all-zero target, fitted perfectly: it is left out rather than counted.)"""
    f = np.asarray(features, dtype=np.float64)
    labels = np.asarray(labels)
    if f.ndim != 2 or labels.shape != (f.shape[0],):
        raise StiltxError(
            f"LogME: features {f.shape} and labels {labels.shape} do not match; expected (N, D) "
            "and (N,)"
        )
    if f.shape[0] < 2:
        raise StiltxError(f"LogME: {f.shape[0]} example(s); expected at least 2")
    if not np.all(np.isfinite(f)):
        raise StiltxError("LogME: the features contain NaN or infinite values")
    values = [evidence(f, (labels == c).astype(np.float64)).value for c in np.unique(labels)]
    return float(np.mean(values))
