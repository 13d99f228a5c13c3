"""Every estimator by name: one entry each, with what it needs and what it costs in kind.

Adding an estimator: a module under stiltx/select/ with a function
`(target, candidates, setting) -> Estimate`, one entry here, one test in tests/select/.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from stiltx.errors import UnknownNameError, did_you_mean
from stiltx.select import baseline, semb
from stiltx.select.estimate import Candidate, Estimate, Setting, Target
from stiltx.select.logme_estimator import logme_estimator
from stiltx.select.proxy import proxy

EstimatorFn = Callable[[Target, Sequence[Candidate], Setting], Estimate]


@dataclass(frozen=True)
class Estimator:
    name: str
    fn: EstimatorFn
    needs_runs: bool  # needs each candidate's trained intermediate encoder (a sweep's runs)
    cost: str  # what it spends, in words
    description: str
    by_language: bool = False  # its ranking depends on the target's evaluation languages


ESTIMATORS: dict[str, Estimator] = {
    e.name: e
    for e in (
        Estimator(
            "semb",
            semb.semb,
            False,
            "forward passes of the pretrained encoder",
            "text embeddings: candidate vs target English text (semb-en) and evaluation-language "
            "text (semb-xl)",
            by_language=True,
        ),
        Estimator(
            "logme",
            logme_estimator,
            True,
            "forward passes of each candidate's encoder",
            "LogME of the target's English training labels on each candidate encoder's features",
        ),
        Estimator(
            "proxy",
            proxy,
            True,
            "a few training steps per candidate",
            "English dev score after a few target training steps from each candidate's encoder",
        ),
        Estimator("size", baseline.size, False, "reading the data", "training set size (baseline)"),
        Estimator(
            "vocab",
            baseline.vocab,
            False,
            "reading the data",
            "word-type overlap with the target's training text (baseline)",
        ),
    )
}


def get_estimator(name: str) -> Estimator:
    if name not in ESTIMATORS:
        raise UnknownNameError(
            f"select: unknown estimator {name!r}{did_you_mean(name, tuple(ESTIMATORS))}; "
            f"expected one of {', '.join(ESTIMATORS)}"
        )
    return ESTIMATORS[name]
