"""What an average covers, so that partial averages are marked and never compared with full ones.

A run's summary row holds task scores, category means and the overall mean (`Avg`). Each value
is *partial* when it covers fewer tasks or languages than the benchmark lists for it:
- a benchmark task is partial when a listed language (within the report's --languages) has no
  score (XTREME's evaluate.py averages every task over its fixed language list);
- a category / Avg is partial when one of its tasks is missing or partial.

English vs zero-shot (`TRANSFER_COLUMNS`, after Avg): over the benchmark tasks that list English
(retrieval has English only as the query side), `English` is the mean of their English scores,
`zero-shot` the mean of their non-English averages (the languages transfer reaches, as the
README's tables are built) and `gap` = English - zero-shot, per run; partial as Avg is.

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

SOURCE = "en"  # the language every target task trains on
ENGLISH, ZERO_SHOT, GAP = "English", "zero-shot", "gap"
TRANSFER_COLUMNS = (ENGLISH, ZERO_SHOT, GAP)
TRANSFER_NOTE = (
    f"{ENGLISH} / {ZERO_SHOT} / {GAP}: over the tasks with an English test set, the mean English "
    f"score / the mean over the other languages (zero-shot, excl. en) / {ENGLISH} - {ZERO_SHOT}"
)

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
    _english_vs_zero_shot(per_language, benchmark, languages, values, covered, partial)
    if agg.overall is not None:
        values[AVG] = agg.overall
        covered[AVG] = tuple(t for t in counted if t in agg.tasks)
        if any(t not in agg.tasks or t in partial for t in counted):
            partial.add(AVG)
    return Summary(values=values, partial=frozenset(partial), tasks=covered)


def english_tasks(benchmark: B.Benchmark, languages: Sequence[str] | None = None) -> list[str]:
    """The counted benchmark tasks that list English and another language (within `languages`)."""
    out = []
    for task in benchmark.tasks:
        listed = [x for x in task.languages if languages is None or x in languages]
        if not task.excluded and SOURCE in listed and len(listed) > 1:
            out.append(task.name)
    return out


def _english_vs_zero_shot(per_language, benchmark, languages, values, covered, partial) -> None:
    """Add ENGLISH, ZERO_SHOT and GAP to a summary (see the module docstring)."""
    wanted = english_tasks(benchmark, languages)
    english, zero_shot, used = [], [], []
    for task in wanted:
        scores = per_language.get(task, {})
        listed = benchmark.task(task).languages
        others = [scores[x] for x in listed if x != SOURCE and x in scores]
        if SOURCE in scores and others:
            english.append(scores[SOURCE])
            zero_shot.append(sum(others) / len(others))
            used.append(task)
    if not used:
        return
    values[ENGLISH] = sum(english) / len(english)
    values[ZERO_SHOT] = sum(zero_shot) / len(zero_shot)
    values[GAP] = values[ENGLISH] - values[ZERO_SHOT]
    incomplete = any(t not in used or t in partial for t in wanted)
    for column in TRANSFER_COLUMNS:
        covered[column] = tuple(used)
        if incomplete:
            partial.add(column)
