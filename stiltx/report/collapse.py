"""Collapsed predictions: a classifier that answers one class, or no better than the majority class.

A head that predicts "neutral" for every XNLI example still scores about a third, and a delta
between two such runs is noise that looks like a result. For classification and multiple-choice
tasks the report reads `predictions/<task>/<language>.jsonl` ({"prediction", "reference", ...}
per example) and flags a language when

- one predicted class makes up >= 95% of the predictions ("predicts 'neutral' for 100%"), or
- accuracy is within noise of always answering the majority reference class: acc <= m + 1.96 *
  sqrt(m (1 - m) / n), m = the majority class's share of the references (binomial standard error).

It also gives the reference values a reader needs next to such scores: chance (1 / classes or
1 / choices) and the majority-class rate (both in percent). Pure reading of JSON lines; no torch.
"""

from __future__ import annotations

import functools
import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from stiltx.layout import PREDICTIONS_DIR
from stiltx.report.results import RunResults, predictions_path, read_prediction_lines
from stiltx.tasks.registry import all_tasks
from stiltx.tasks.spec import TaskKind

DOMINANT_SHARE = 0.95  # one class this often = collapsed
Z95 = 1.96


@dataclass(frozen=True)
class LanguageCheck:
    language: str
    n: int
    accuracy: float  # percent
    majority_rate: float  # percent of references in the most frequent class
    top_prediction: str
    top_share: float  # percent of predictions that are `top_prediction`

    @property
    def reason(self) -> str | None:
        """Why this language is flagged, or None."""
        if self.n == 0:
            return None
        if self.top_share >= 100 * DOMINANT_SHARE:
            return f"predicts {self.top_prediction!r} for {self.top_share:.0f}% of examples"
        m = self.majority_rate / 100
        noise = 100 * Z95 * math.sqrt(m * (1 - m) / self.n)
        if self.accuracy <= self.majority_rate + noise:
            return (
                f"accuracy {self.accuracy:.1f} within noise of the majority class "
                f"({self.majority_rate:.1f} ± {noise:.1f})"
            )
        return None


@functools.cache
def chance_levels() -> dict[str, float]:
    """{task: chance accuracy in percent} for classification and multiple-choice tasks."""
    out = {}
    for spec in all_tasks():
        if spec.kind is TaskKind.CLASSIFICATION and spec.labels:
            out[spec.name] = 100.0 / len(spec.labels)
        elif spec.kind is TaskKind.MULTIPLE_CHOICE and spec.num_choices:
            out[spec.name] = 100.0 / spec.num_choices
    return out


def check_file(path: Path, language: str) -> LanguageCheck | None:
    """One predictions file -> its check; None when it has no labelled examples."""
    predicted: Counter = Counter()
    references: Counter = Counter()
    correct = n = 0
    for _, row in read_prediction_lines(path):
        if not isinstance(row, dict) or row.get("reference") is None:
            continue
        prediction = json.dumps(row.get("prediction"), ensure_ascii=False)
        reference = json.dumps(row["reference"], ensure_ascii=False)
        predicted[prediction] += 1
        references[reference] += 1
        correct += int(prediction == reference)
        n += 1
    if n == 0:
        return None
    top, count = predicted.most_common(1)[0]
    return LanguageCheck(
        language=language,
        n=n,
        accuracy=100.0 * correct / n,
        majority_rate=100.0 * references.most_common(1)[0][1] / n,
        top_prediction=str(json.loads(top)),
        top_share=100.0 * count / n,
    )


def checks(run: RunResults, task: str) -> dict[str, LanguageCheck]:
    """{language: check} for one classification / multiple-choice task of a run (cached)."""
    key = ("collapse", task)
    if key not in run.cache:
        out = {}
        if task in chance_levels() and (run.path / PREDICTIONS_DIR / task).is_dir():
            languages = sorted({s.language for s in run.scores if s.task == task})
            for lang in languages:
                path = predictions_path(run, task, lang)
                if path.is_file():
                    found = check_file(path, lang)
                    if found is not None:
                        out[lang] = found
        run.cache[key] = out
    return run.cache[key]


def flagged(run: RunResults, task: str) -> dict[str, str]:
    """{language: reason} of the languages whose predictions collapsed."""
    return {lang: c.reason for lang, c in checks(run, task).items() if c.reason}


def collapsed_task(runs: Sequence[RunResults], task: str) -> list[str]:
    """Notes for a task whose predictions collapsed in at least half its languages in some run."""
    notes = []
    for run in runs:
        found = checks(run, task)
        bad = flagged(run, task)
        if found and 2 * len(bad) >= len(found):
            seed = f", seed {run.seed}" if run.seed is not None else ""
            reasons = sorted(set(bad.values()), key=list(bad.values()).count, reverse=True)
            notes.append(
                f"{task} ({run.recipe}{seed}): {reasons[0]} in {len(bad)} of {len(found)} "
                f"languages ({', '.join(sorted(bad))})"
            )
    return notes


def majority_rates(runs: Sequence[RunResults], task: str) -> float | None:
    """Mean over languages of the majority-class rate (the test data is the same in every run)."""
    for run in runs:
        found = checks(run, task)
        if found:
            return sum(c.majority_rate for c in found.values()) / len(found)
    return None
