"""What an average covers, so that partial averages are marked and never compared with full ones.

A run's summary row holds task scores, category means and the overall mean (`Avg`). Each value
is *partial* when it covers fewer tasks or languages than the benchmark lists for it:
- a benchmark task is partial when a listed language (within the report's --languages) has no
  score (XTREME's evaluate.py averages every task over its fixed language list);
- a category / Avg is partial when one of its tasks is missing or partial.

Two recipes are compared (delta) only over the (task, language) pairs both have: `shared_pairs`
restricts both sides to the same pairs first, so a delta never compares different task sets.
Pure functions over {task: {language: score}} dicts; no I/O.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from stiltx.tasks import benchmarks as B

AVG = "Avg"
CATEGORY_LABELS = {
    B.CLASSIFICATION: "Classif.",
    B.STRUCTURED: "Struct.",
    B.QA: "QA",
    B.RETRIEVAL: "Retrieval",
    B.MULTIPLE_CHOICE: "Multi-choice",
}

PerLanguage = Mapping[str, Mapping[str, float]]  # {task: {language: language score}}
Pair = tuple[str, str]  # (task, language)


@dataclass(frozen=True)
class Summary:
    """One run's summary row: values per column, which are partial, and what each covers."""

    values: dict[str, float]
    partial: frozenset[str]  # columns whose value covers fewer tasks / languages than listed
    tasks: dict[str, tuple[str, ...]]  # column -> the tasks its value averages


def pairs(per_language: PerLanguage) -> frozenset[Pair]:
    return frozenset((t, lang) for t, values in per_language.items() for lang in values)


def restrict(per_language: PerLanguage, keep: Iterable[Pair]) -> dict[str, dict[str, float]]:
    """Only the (task, language) pairs in `keep`; tasks left with no language are dropped."""
    keep = set(keep)
    out: dict[str, dict[str, float]] = {}
    for task, values in per_language.items():
        kept = {lang: v for lang, v in values.items() if (task, lang) in keep}
        if kept:
            out[task] = kept
    return out


def shared_pairs(sides: Sequence[PerLanguage]) -> frozenset[Pair]:
    """The (task, language) pairs every one of `sides` (runs of both recipes) has."""
    if not sides:
        return frozenset()
    common = set(pairs(sides[0]))
    for side in sides[1:]:
        common &= pairs(side)
    return frozenset(common)


def summarize(
    per_language: PerLanguage,
    benchmark: B.Benchmark,
    languages: Sequence[str] | None = None,
) -> Summary:
    """Task scores, category means and Avg (benchmark rules), with partial columns marked."""
    agg = B.aggregate_languages(benchmark, per_language)
    values = {t: B.task_score(v) for t, v in per_language.items() if v}
    values.update(agg.tasks)
    covered: dict[str, tuple[str, ...]] = {t: (t,) for t in values}
    partial = set()
    for task in agg.tasks:
        wanted = set(benchmark.task(task).languages)
        if languages is not None:
            wanted &= set(languages)
        if wanted - set(per_language.get(task, {})):
            partial.add(task)
    counted = [t for t in benchmark.task_names if t not in agg.excluded]
    for category, value in agg.categories.items():
        label = CATEGORY_LABELS[category]
        members = [t for t in benchmark.tasks_in(category) if t in counted]
        values[label] = value
        covered[label] = tuple(t for t in members if t in agg.tasks)
        if any(t not in agg.tasks or t in partial for t in members):
            partial.add(label)
    if agg.overall is not None:
        values[AVG] = agg.overall
        covered[AVG] = tuple(t for t in counted if t in agg.tasks)
        if any(t not in agg.tasks or t in partial for t in counted):
            partial.add(AVG)
    return Summary(values=values, partial=frozenset(partial), tasks=covered)
