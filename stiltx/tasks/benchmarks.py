"""XTREME and XTREME-R as data: tasks, their languages and categories, and how scores aggregate.

Sources: XTREME's `evaluate.py` (google-research/xtreme: GROUP2TASK, TASK2LANGS, the `avg_metric`
rule) and the XTREME-R paper (Ruder et al., 2021, "XTREME-R: Towards More Challenging and Nuanced
Multilingual Evaluation"), whose ten tasks drop PAWS-X and BUCC and add XCOPA, LAReQA and Mewsli-X;
UD-POS moves to UD v2.7 (+lt, pl, ro, uk, wo), WikiANN to 48 languages (+az, gu, lt, pa, pl, qu,
ro, uk) and Tatoeba to 41 (+az, lt, pl, ro, uk).

Aggregation (pure functions below, used by the pipeline's results.json and by `stiltx.report`):
- language score: the task's score metric; QA tasks use (exact_match + f1) / 2, as evaluate.py's
  `avg_metric` does (evaluate.py:290-291; the mean of the two language-averaged metrics equals the
  language average of the per-language means, so the order does not matter);
- task score: unweighted mean over the benchmark's *fixed* language list for that task
  (evaluate.py:274-288 reads every listed language and raises FileNotFoundError when one is
  absent). Here a listed language without a score is recorded in `missing_languages` and makes the
  task *incomplete*; a scored language that is not listed (`extra_languages`) is never averaged in;
- category score: mean of the task scores in the category. XTREME's categories follow each task's
  `category`; XTREME-R's come from its own group table, copied from evaluate.py:126-132
  (`XTREME_R_GROUP2TASK`): classification = xnli + xcopa, structured = udpos + panx, QA = xquad +
  mlqa + tydiqa, retrieval = tatoeba + mewsli_x only, and xcopa again alone in `multi_choice`;
  LAReQA is in no group and counts in the overall score only;
- overall score: mean of the task scores (evaluate.py:311-313 `all_task`, over every task of
  TASK2LANGS, so XTREME-R's ten with lareqa; that script never prints it for XTREME-R, as lareqa's
  empty language list at evaluate.py:171 leaves it without an `avg_metric`, but the formula and
  the leaderboard's average are the same mean). It is *not* the mean of the category means, and
  xcopa, in two groups, still counts once.
evaluate.py only shows a category / overall score when every task is present (evaluate.py:311,
317); here they are computed over what is present and flagged: a category (and the overall score)
is incomplete when one of its tasks is missing or incomplete, so a restricted run (`eval.languages:
[de]`, three target tasks) still gets an average that can never pass for a full XTREME score.

Tasks with `excluded` set are scored and shown but kept out of category and overall means (and so
keep those incomplete). A task's `variants` name metrics of a protocol other than the benchmark's:
a run that scored the task only that way (`as_scored`) has it shown but excluded. LAReQA and
Mewsli-X count when trained as XTREME-R does (a dual encoder, metric `map_at_20`) and stay out
when scored zero-shot from the encoder (`map_at_20_zero_shot`; `stiltx/tasks/retrieval.py`).

The `toy` benchmark is XTREME restricted to the toy world's languages (`--preset tiny`): in the toy
world en, de, ru, sw and zh name synthetic languages (stiltx/toy/languages.py), so a toy run is
complete over exactly the languages it can have, and never looks like an XTREME score.

Nothing here imports torch or transformers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from stiltx.errors import UnknownNameError, did_you_mean

CLASSIFICATION = "classification"
STRUCTURED = "structured prediction"
QA = "question answering"
RETRIEVAL = "retrieval"
MULTIPLE_CHOICE = "multiple choice"  # XTREME-R's `multi_choice` group (evaluate.py:131)

# Metric names as they appear in results.json `scores[*].metric`.
ACCURACY = "accuracy"
F1 = "f1"
EXACT_MATCH = "exact_match"
MAP_AT_20 = "map_at_20"
MAP_AT_20_ZERO_SHOT = "map_at_20_zero_shot"  # LAReQA / Mewsli-X scored from the pooled encoder


@dataclass(frozen=True)
class BenchmarkTask:
    name: str  # registry task name (stiltx.tasks.registry)
    category: str
    languages: tuple[str, ...]  # ISO 639-1, in the order of the official scripts
    metrics: tuple[str, ...]  # averaged into the language score: QA = (exact_match, f1)
    excluded: str = ""  # why its score stays out of category / overall means ("" = counted)
    # (metric, why a score in it stays out of the means): another protocol's score of the task
    variants: tuple[tuple[str, str], ...] = ()

    @property
    def score_name(self) -> str:
        return "(EM+F1)/2" if len(self.metrics) > 1 else self.metrics[0]


@dataclass(frozen=True)
class Benchmark:
    name: str
    tasks: tuple[BenchmarkTask, ...]
    categories: tuple[str, ...]  # display order
    # (category, its tasks) when the categories are not each task's `category`: XTREME-R's groups
    # overlap (xcopa is in two) and leave a task out (lareqa); () = group by `task.category`
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()

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
        """The tasks whose mean is `category`'s score (benchmark tasks only, in group order)."""
        if not self.groups:
            return tuple(t.name for t in self.tasks if t.category == category)
        members = dict(self.groups).get(category, ())
        return tuple(t for t in members if t in self.task_names)


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

_ZERO_SHOT_EMBEDDINGS = (
    "zero-shot-embedding variant: XTREME-R fine-tunes a dual encoder for this task (list it under "
    "target.tasks for that), this run scored the mean-pooled encoder; kept out of the averages"
)
_ZERO_SHOT = ((MAP_AT_20_ZERO_SHOT, _ZERO_SHOT_EMBEDDINGS),)

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
    categories=(CLASSIFICATION, STRUCTURED, QA, RETRIEVAL, MULTIPLE_CHOICE),
    # evaluate.py:126-132 XTREME_R_GROUP2TASK, member order kept; lareqa is in no group
    groups=(
        (CLASSIFICATION, ("xnli", "xcopa")),
        (STRUCTURED, ("udpos", "panx")),
        (QA, ("xquad", "mlqa", "tydiqa")),
        (RETRIEVAL, ("tatoeba", "mewsli_x")),
        (MULTIPLE_CHOICE, ("xcopa",)),
    ),
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
        # XTREME-R adds Romanian to XQuAD (evaluate.py:173).
        BenchmarkTask("xquad", QA, _XQUAD.languages + ("ro",), (EXACT_MATCH, F1)),
        _MLQA,
        _TYDIQA,
        BenchmarkTask(
            "mewsli_x",
            RETRIEVAL,
            _langs("ar,de,en,es,fa,ja,pl,ro,ta,tr,uk"),
            (MAP_AT_20,),
            variants=_ZERO_SHOT,
        ),
        BenchmarkTask(
            "lareqa",
            RETRIEVAL,
            _langs("ar,de,el,en,es,hi,ru,th,tr,vi,zh"),
            (MAP_AT_20,),
            variants=_ZERO_SHOT,
        ),
        BenchmarkTask("tatoeba", RETRIEVAL, _langs(_TATOEBA_36 + ",az,lt,pl,uk,ro"), (ACCURACY,)),
    ),
)

# The toy world's languages (stiltx/toy/languages.py DEFAULT_LANGUAGES; synthetic, real codes).
TOY_LANGUAGES = ("en", "de", "ru", "sw", "zh")


def restricted(benchmark: Benchmark, name: str, languages: tuple[str, ...]) -> Benchmark:
    """`benchmark` with every task's language list cut to `languages` (empty tasks dropped)."""
    tasks = tuple(
        replace(t, languages=kept)
        for t in benchmark.tasks
        if (kept := tuple(lang for lang in t.languages if lang in languages))
    )
    return Benchmark(name, tasks, benchmark.categories, benchmark.groups)


TOY = restricted(XTREME, "toy", TOY_LANGUAGES)

BENCHMARKS: dict[str, Benchmark] = {b.name: b for b in (XTREME, XTREME_R, TOY)}


def get_benchmark(name: str) -> Benchmark:
    key = name.strip().lower().replace("_", "-")
    if key in BENCHMARKS:
        return BENCHMARKS[key]
    raise UnknownNameError(
        f"unknown benchmark '{name}'{did_you_mean(key, list(BENCHMARKS))}; "
        f"expected one of: {', '.join(BENCHMARKS)}"
    )


# ---- aggregation (pure) ---------------------------------------------------------------------------


def as_scored(benchmark: Benchmark, present: Mapping[str, set[str]]) -> Benchmark:
    """`benchmark` as one run scored it (`present`: task -> its metric names): a task scored only
    in one of its `variants` is averaged from that metric and excluded from the means."""
    tasks = []
    for task in benchmark.tasks:
        have = present.get(task.name, set())
        variant = next((v for v in task.variants if v[0] in have), None)
        if variant is not None and not set(task.metrics) <= have:
            task = replace(task, metrics=(variant[0],), excluded=variant[1])
        tasks.append(task)
    return replace(benchmark, tasks=tuple(tasks))


def present_metrics(rows) -> dict[str, set[str]]:
    """task -> the metric names its score rows (dicts or `Score`s) carry."""
    present: dict[str, set[str]] = {}
    for row in rows:
        task, metric = (
            (row["task"], row["metric"]) if isinstance(row, dict) else (row.task, row.metric)
        )
        present.setdefault(task, set()).add(metric)
    return present


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
    tasks: dict[str, float]  # task -> mean over its scored benchmark languages (tasks present)
    categories: dict[str, float]  # category -> mean of its present, counted task scores
    overall: float | None  # mean of the present, counted task scores
    missing: tuple[str, ...]  # benchmark tasks without a score
    missing_languages: dict[str, tuple[str, ...]] = field(default_factory=dict)  # present tasks
    extra_languages: dict[str, tuple[str, ...]] = field(default_factory=dict)  # never averaged
    excluded: dict[str, str] = field(default_factory=dict)  # task -> why not in the means

    @property
    def incomplete_tasks(self) -> tuple[str, ...]:
        """Present tasks that lack a listed language."""
        return tuple(t for t in self.tasks if self.missing_languages.get(t))

    @property
    def complete(self) -> bool:
        """Every benchmark task scored on every listed language and counted in the means."""
        return not (self.missing or self.incomplete_tasks or self.excluded)

    def missing_in(self, benchmark: Benchmark, category: str) -> tuple[str, ...]:
        return tuple(t for t in benchmark.tasks_in(category) if t in self.missing)

    def category_complete(self, benchmark: Benchmark, category: str) -> bool:
        gaps = set(self.missing) | set(self.incomplete_tasks) | set(self.excluded)
        return not gaps & set(benchmark.tasks_in(category))


def aggregate(
    benchmark: Benchmark,
    task_scores: Mapping[str, float],
    missing_languages: Mapping[str, tuple[str, ...]] | None = None,
    extra_languages: Mapping[str, tuple[str, ...]] | None = None,
) -> Aggregate:
    """Category and overall scores from task scores (see the module docstring for the rules).

    Tasks that are not part of the benchmark are ignored here (they still appear in reports).
    `aggregate_languages` is the entry point that also checks the fixed language lists.
    """
    tasks = {t: task_scores[t] for t in benchmark.task_names if t in task_scores}
    excluded = {t.name: t.excluded for t in benchmark.tasks if t.excluded and t.name in tasks}
    counted = {t: v for t, v in tasks.items() if t not in excluded}
    categories = {}
    for category in benchmark.categories:
        present = [counted[t] for t in benchmark.tasks_in(category) if t in counted]
        if present:
            categories[category] = mean(present)
    missing = tuple(t for t in benchmark.task_names if t not in tasks)
    return Aggregate(
        tasks=tasks,
        categories=categories,
        overall=mean(counted.values()) if counted else None,
        missing=missing,
        missing_languages={t: tuple((missing_languages or {}).get(t, ())) for t in tasks},
        extra_languages={t: tuple(v) for t, v in (extra_languages or {}).items() if v},
        excluded=excluded,
    )


def aggregate_languages(
    benchmark: Benchmark, per_language: Mapping[str, Mapping[str, float]]
) -> Aggregate:
    """Aggregate {task: {language: language score}} over the benchmark's fixed language lists.

    A task's score is the mean over its *listed* languages that were scored; listed languages
    without a score are `missing_languages` (the task is then incomplete), scored languages that
    are not listed are `extra_languages` and never averaged in.
    """
    task_scores, missing, extra = {}, {}, {}
    for task, values in per_language.items():
        if task not in benchmark.task_names:
            continue
        listed = benchmark.task(task).languages
        kept = {lang: values[lang] for lang in listed if lang in values}
        extra[task] = tuple(sorted(lang for lang in values if lang not in listed))
        if kept:
            task_scores[task] = task_score(kept)
            missing[task] = tuple(lang for lang in listed if lang not in kept)
    return aggregate(benchmark, task_scores, missing, extra)


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


SPLIT_PREFERENCE = ("test", "dev")  # when a task has rows for several splits, which one counts


def language_scores(
    scores: list[dict[str, Any]], benchmark: Benchmark
) -> dict[str, dict[str, float]]:
    """{task: {language: language score}} from results.json score rows (benchmark tasks only)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    for row in scores:
        if row["task"] in benchmark.task_names:
            rows.setdefault(row["task"], []).append(row)
    out: dict[str, dict[str, float]] = {}
    for task, task_rows in rows.items():
        splits = [r.get("split", "test") for r in task_rows]
        split = next((s for s in SPLIT_PREFERENCE if s in splits), splits[0])
        metrics: dict[str, dict[str, float]] = {}
        for r in task_rows:
            if r.get("split", "test") == split:
                metrics.setdefault(r["language"], {})[r["metric"]] = r["value"]
        spec = benchmark.task(task)
        values = {lang: language_score(spec, m) for lang, m in metrics.items()}
        values = {lang: v for lang, v in values.items() if v is not None}
        if values:
            out[task] = values
    return out


def aggregate_scores(scores: list[dict[str, Any]], benchmark_name: str) -> dict[str, Any]:
    """results.json `aggregates`: XTREME / XTREME-R aggregation with completeness recorded.

    Keys: benchmark; languages {task: {lang: score}} (listed languages only); tasks {task: score};
    missing_languages {task: [...]} (every scored task; [] = complete); extra_languages {task:
    [...]} (scored but not in the benchmark's list; never averaged); incomplete_tasks [...];
    excluded_tasks {task: reason}; categories {category: score}; incomplete_categories [...];
    overall; complete (every task, every listed language, all counted); missing_tasks [...].
    """
    benchmark = as_scored(get_benchmark(benchmark_name), present_metrics(scores))
    per_language = language_scores(scores, benchmark)
    result = aggregate_languages(benchmark, per_language)
    return {
        "benchmark": benchmark.name,
        "languages": {
            t: {lang: v for lang, v in values.items() if lang in benchmark.task(t).languages}
            for t, values in per_language.items()
        },
        "tasks": result.tasks,
        "missing_languages": {t: list(v) for t, v in result.missing_languages.items()},
        "extra_languages": {t: list(v) for t, v in result.extra_languages.items()},
        "incomplete_tasks": list(result.incomplete_tasks),
        "excluded_tasks": dict(result.excluded),
        "categories": result.categories,
        "incomplete_categories": [
            c for c in result.categories if not result.category_complete(benchmark, c)
        ],
        "overall": result.overall,
        "complete": result.complete,
        "missing_tasks": list(result.missing),
    }
