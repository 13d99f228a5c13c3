"""XTREME and XTREME-R as data: tasks, their languages and categories, and how scores aggregate.

Sources: XTREME's `evaluate.py` (google-research/xtreme: GROUP2TASK, TASK2LANGS, the `avg_metric`
rule) and the XTREME-R paper (Ruder et al., 2021, "XTREME-R: Towards More Challenging and Nuanced
Multilingual Evaluation"), whose ten tasks drop PAWS-X and BUCC and add XCOPA, LAReQA and Mewsli-X;
UD-POS moves to UD v2.7 (+lt, pl, ro, uk, wo), WikiANN to 48 languages (+az, gu, lt, pa, pl, qu,
ro, uk) and Tatoeba to 41 (+az, lt, pl, ro, uk).

Aggregation (pure functions below, used by `stiltx.report`):
- language score: the task's score metric; QA tasks use (exact_match + f1) / 2, as evaluate.py's
  `avg_metric` does (the mean of the two language-averaged metrics equals the language average of
  the per-language means, so the order does not matter);
- task score: mean over languages (unweighted), as evaluate.py does;
- category score: mean of the task scores in the category;
- overall score: mean of the task scores (evaluate.py's `all_task`; XTREME-R's leaderboard average
  is likewise over its ten tasks). It is *not* the mean of the category means.
evaluate.py only shows a category / overall score when every task is present; here they are
computed over the tasks present and `Aggregate.complete` / `missing` say when something is absent,
so a toy run with three target tasks still gets a (flagged) average.

Nothing here imports torch or transformers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from stiltx.errors import UnknownNameError, did_you_mean

CLASSIFICATION = "classification"
STRUCTURED = "structured prediction"
QA = "question answering"
RETRIEVAL = "retrieval"

# Metric names as they appear in results.json `scores[*].metric`.
ACCURACY = "accuracy"
F1 = "f1"
EXACT_MATCH = "exact_match"
MAP_AT_20 = "map_at_20"


@dataclass(frozen=True)
class BenchmarkTask:
    name: str  # registry task name (stiltx.tasks.registry)
    category: str
    languages: tuple[str, ...]  # ISO 639-1, in the order of the official scripts
    metrics: tuple[str, ...]  # averaged into the language score: QA = (exact_match, f1)

    @property
    def score_name(self) -> str:
        return "(EM+F1)/2" if len(self.metrics) > 1 else self.metrics[0]


@dataclass(frozen=True)
class Benchmark:
    name: str
    tasks: tuple[BenchmarkTask, ...]
    categories: tuple[str, ...]  # display order

    def task(self, name: str) -> BenchmarkTask:
        for task in self.tasks:
            if task.name == name:
                return task
        names = [t.name for t in self.tasks]
        raise UnknownNameError(
            f"task '{name}' is not part of {self.name}{did_you_mean(name, names)}; "
            f"its tasks: {', '.join(names)}"
        )

    @property
    def task_names(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.tasks)

    def tasks_in(self, category: str) -> tuple[str, ...]:
        return tuple(t.name for t in self.tasks if t.category == category)


def _langs(text: str) -> tuple[str, ...]:
    return tuple(text.split(","))


_XNLI = BenchmarkTask(
    "xnli", CLASSIFICATION, _langs("ar,bg,de,el,en,es,fr,hi,ru,sw,th,tr,ur,vi,zh"), (ACCURACY,)
)
_PAWSX = BenchmarkTask("pawsx", CLASSIFICATION, _langs("de,en,es,fr,ja,ko,zh"), (ACCURACY,))
_XQUAD = BenchmarkTask("xquad", QA, _langs("en,es,de,el,ru,tr,ar,vi,th,zh,hi"), (EXACT_MATCH, F1))
_MLQA = BenchmarkTask("mlqa", QA, _langs("en,es,de,ar,hi,vi,zh"), (EXACT_MATCH, F1))
_TYDIQA = BenchmarkTask("tydiqa", QA, _langs("en,ar,bn,fi,id,ko,ru,sw,te"), (EXACT_MATCH, F1))
_PANX_40 = (
    "ar,he,vi,id,jv,ms,tl,eu,ml,ta,te,af,nl,en,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,"
    "th,sw,yo,my,zh,kk,tr,et,fi,hu"
)
_TATOEBA_36 = (
    "ar,he,vi,id,jv,tl,eu,ml,ta,te,af,nl,de,el,bn,hi,mr,ur,fa,fr,it,pt,es,bg,ru,ja,ka,ko,th,sw,"
    "zh,kk,tr,et,fi,hu"
)

XTREME = Benchmark(
    name="xtreme",
    categories=(CLASSIFICATION, STRUCTURED, QA, RETRIEVAL),
    tasks=(
        _XNLI,
        _PAWSX,
        BenchmarkTask(
            "udpos",
            STRUCTURED,
            _langs(
                "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,mr,nl,pt,ru,ta,te,"
                "th,tl,tr,ur,vi,yo,zh"
            ),
            (F1,),
        ),
        BenchmarkTask("panx", STRUCTURED, _langs(_PANX_40), (F1,)),
        _XQUAD,
        _MLQA,
        _TYDIQA,
        BenchmarkTask("bucc2018", RETRIEVAL, _langs("de,fr,ru,zh"), (F1,)),
        BenchmarkTask("tatoeba", RETRIEVAL, _langs(_TATOEBA_36), (ACCURACY,)),
    ),
)

XTREME_R = Benchmark(
    name="xtreme-r",
    categories=(CLASSIFICATION, STRUCTURED, QA, RETRIEVAL),
    tasks=(
        _XNLI,
        BenchmarkTask(
            "xcopa", CLASSIFICATION, _langs("et,ht,id,it,qu,sw,ta,th,tr,vi,zh"), (ACCURACY,)
        ),
        BenchmarkTask(
            "udpos",
            STRUCTURED,
            _langs(
                "af,ar,bg,de,el,en,es,et,eu,fa,fi,fr,he,hi,hu,id,it,ja,kk,ko,lt,mr,nl,pl,pt,ro,"
                "ru,ta,te,th,tl,tr,uk,ur,vi,wo,yo,zh"
            ),
            (F1,),
        ),
        BenchmarkTask("panx", STRUCTURED, _langs(_PANX_40 + ",qu,pl,uk,az,lt,pa,gu,ro"), (F1,)),
        _XQUAD,
        _MLQA,
        _TYDIQA,
        BenchmarkTask(
            "mewsli_x", RETRIEVAL, _langs("ar,de,en,es,fa,ja,pl,ro,ta,tr,uk"), (MAP_AT_20,)
        ),
        BenchmarkTask(
            "lareqa", RETRIEVAL, _langs("ar,de,el,en,es,hi,ru,th,tr,vi,zh"), (MAP_AT_20,)
        ),
        BenchmarkTask("tatoeba", RETRIEVAL, _langs(_TATOEBA_36 + ",az,lt,pl,uk,ro"), (ACCURACY,)),
    ),
)

BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in (XTREME, XTREME_R)}


def get_benchmark(name: str) -> Benchmark:
    key = name.strip().lower().replace("_", "-")
    if key in BENCHMARKS:
        return BENCHMARKS[key]
    raise UnknownNameError(
        f"unknown benchmark '{name}'{did_you_mean(key, list(BENCHMARKS))}; "
        f"expected one of: {', '.join(BENCHMARKS)}"
    )


# ---- aggregation (pure) ---------------------------------------------------------------------------


def mean(values) -> float:
    values = list(values)
    if not values:
        raise ValueError("mean of no values")
    return sum(values) / len(values)


def language_score(task: BenchmarkTask, metrics: Mapping[str, float]) -> float | None:
    """One language's score from its metric values (QA: (EM + F1) / 2); None if one is missing."""
    if not all(m in metrics for m in task.metrics):
        return None
    return mean(metrics[m] for m in task.metrics)


def task_score(per_language: Mapping[str, float]) -> float:
    """Task score: unweighted mean over languages."""
    return mean(per_language.values())


@dataclass(frozen=True)
class Aggregate:
    tasks: dict[str, float]  # task -> task score, only tasks present
    categories: dict[str, float]  # category -> mean of its present task scores
    overall: float | None  # mean of the present task scores
    missing: tuple[str, ...]  # benchmark tasks without a score

    @property
    def complete(self) -> bool:
        return not self.missing

    def missing_in(self, benchmark: Benchmark, category: str) -> tuple[str, ...]:
        return tuple(t for t in benchmark.tasks_in(category) if t in self.missing)


def aggregate(benchmark: Benchmark, task_scores: Mapping[str, float]) -> Aggregate:
    """Category and overall scores from task scores (see the module docstring for the rules).

    Tasks that are not part of the benchmark are ignored here (they still appear in reports).
    """
    tasks = {t: task_scores[t] for t in benchmark.task_names if t in task_scores}
    categories = {}
    for category in benchmark.categories:
        present = [tasks[t] for t in benchmark.tasks_in(category) if t in tasks]
        if present:
            categories[category] = mean(present)
    missing = tuple(t for t in benchmark.task_names if t not in tasks)
    return Aggregate(
        tasks=tasks,
        categories=categories,
        overall=mean(tasks.values()) if tasks else None,
        missing=missing,
    )


def task_category(task: str) -> str | None:
    """The category of a task in whichever benchmark has it (both agree), else None."""
    for benchmark in BENCHMARKS.values():
        for spec in benchmark.tasks:
            if spec.name == task:
                return spec.category
    return None


def score_metrics(task: str) -> tuple[str, ...]:
    """The metrics that make a task's score; unknown tasks fall back by what the rows hold."""
    for benchmark in BENCHMARKS.values():
        for spec in benchmark.tasks:
            if spec.name == task:
                return spec.metrics
    return ()


def aggregate_scores(scores: list[dict[str, Any]], benchmark_name: str) -> dict[str, Any]:
    """XTREME / XTREME-R aggregation: language score (QA: (EM+F1)/2) -> task mean -> categories."""
    benchmark = get_benchmark(benchmark_name)
    by_task: dict[str, dict[str, dict[str, float]]] = {}
    for row in scores:
        by_task.setdefault(row["task"], {}).setdefault(row["language"], {})[row["metric"]] = row[
            "value"
        ]
    per_language: dict[str, dict[str, float]] = {}
    task_scores: dict[str, float] = {}
    for task, languages in by_task.items():
        if task not in benchmark.task_names:
            continue
        spec = benchmark.task(task)
        values = {lang: language_score(spec, m) for lang, m in languages.items()}
        values = {lang: v for lang, v in values.items() if v is not None}
        if values:
            per_language[task] = values
            task_scores[task] = task_score(values)
    result = aggregate(benchmark, task_scores)
    return {
        "benchmark": benchmark.name,
        "languages": per_language,
        "tasks": result.tasks,
        "categories": result.categories,
        "overall": result.overall,
        "missing_tasks": list(result.missing),
    }
