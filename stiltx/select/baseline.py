"""Trivial baselines an estimator has to beat (Poth et al. 2021 compare against dataset size too):
- `size`: the candidate's number of English training examples (bigger first);
- `vocab`: the overlap of word types between a sample of the candidate's training text and of the
  target's (Jaccard: |A & B| / |A | B|, lower-cased whitespace words).
No model: the cost is reading the data.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

from stiltx.select.estimate import Candidate, Cost, Estimate, Setting, Target, require_candidates
from stiltx.select.text import train_task, training_examples, training_text


def word_types(texts: Sequence[str]) -> set[str]:
    return {word for text in texts for word in text.lower().split()}


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def size(target: Target, candidates: Sequence[Candidate], setting: Setting) -> Estimate:
    require_candidates(candidates, "size")
    start = time.perf_counter()
    train_task(target.task)  # a target without training data is refused here too
    scores = {c.name: float(len(training_examples(c.task, setting.data))) for c in candidates}
    return Estimate("size", {"size": scores}, Cost(seconds=time.perf_counter() - start))


def vocab(target: Target, candidates: Sequence[Candidate], setting: Setting) -> Estimate:
    require_candidates(candidates, "vocab")
    start = time.perf_counter()
    n, seed = setting.sample, setting.seed
    mine = word_types(training_text(train_task(target.task).name, setting.data, n, seed))
    scores = {
        c.name: jaccard(word_types(training_text(c.task, setting.data, n, seed)), mine)
        for c in candidates
    }
    return Estimate("vocab", {"vocab": scores}, Cost(seconds=time.perf_counter() - start))
