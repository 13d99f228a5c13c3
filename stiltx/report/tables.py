"""The views of `stiltx report`, as pure functions of loaded runs -> `Table`s.

- overview: one row per recipe, one column per target task (task score = mean over languages,
  QA = (EM+F1)/2), then category means and the overall mean (stiltx.tasks.benchmarks rules);
  each cell is mean ± std over seeds, with n;
- delta: recipe - baseline, same columns, with a 95% interval (t over seeds, or paired bootstrap);
- per_language: task x language for one recipe (or its delta), languages grouped by family /
  script / resource class, with a low-resource summary row;
- mixture: intended vs realized intermediate steps per task (mixture.json);
- cost: wall time per phase and the device;
- budget: optimizer steps per phase and training examples (results.json's budget).

Runs of one recipe with different seeds are pooled; runs of one recipe that disagree on model or
benchmark are an error (never averaged). Exports and the terminal render the same `Table`s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stiltx.errors import DataError
from stiltx.layout import PREDICTIONS_DIR
from stiltx.report import collapse as CL
from stiltx.report import coverage as C
from stiltx.report import uncertainty as U
from stiltx.report.options import GROUP_BYS
from stiltx.report.results import Found, RunResults, checked_example_scores
from stiltx.report.uncertainty import Stat
from stiltx.tasks import benchmarks as B
from stiltx.tasks import languages as L

SPLIT_PREFERENCE = ("test", "dev")
CATEGORY_LABELS = C.CATEGORY_LABELS
AVG = C.AVG
# Cell marks (Row.marks): shown as symbols by every export, explained in the table's notes.
PARTIAL = "partial"  # an average over fewer tasks / languages than the benchmark lists
COLLAPSED = "collapsed"  # predictions are one class, or no better than the majority class
SIGNIFICANT = "significant"  # paper tables: differs from the baseline (interval excludes 0)
LOW_RESOURCE_ROW = f"low-resource (Joshi class <= {L.LOW_RESOURCE_MAX_CLASS})"
ALL_ROW = "all languages"
ENGLISH_ROW = f"{C.ENGLISH} ({C.SOURCE})"
ZERO_SHOT_ROW = f"{C.ZERO_SHOT} (excl. {C.SOURCE})"
GAP_ROW = f"transfer {C.GAP} ({C.SOURCE} - {C.ZERO_SHOT})"

Cell = Stat | str | None


@dataclass(frozen=True)
class Row:
    label: str
    cells: tuple[Cell, ...]
    group: str = ""  # section (family / script / resource class / recipe) the row belongs to
    summary: bool = False  # a summary / reference row (low-resource, chance): never bold
    marks: tuple[tuple[str, ...], ...] = ()  # per cell: PARTIAL / COLLAPSED (empty: none)

    def marks_of(self, j: int) -> tuple[str, ...]:
        return self.marks[j] if j < len(self.marks) else ()


@dataclass(frozen=True)
class Table:
    key: str  # overview / delta / per_language:<recipe> / mixture / cost
    title: str
    label_header: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    kind: str  # score / delta / steps / seconds: how cells are formatted
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecipeGroup:
    """All runs of one recipe (one per seed)."""

    name: str
    runs: tuple[RunResults, ...]
    model: str
    benchmark: str

    @property
    def seeds(self) -> tuple[int | None, ...]:
        return tuple(r.seed for r in self.runs)


# ---- scores of one run ---------------------------------------------------------------------------


def _metrics_for(task: str, present: set[str]) -> tuple[str, ...]:
    known = B.score_metrics(task)
    if known and all(m in present for m in known):
        return known
    if {B.EXACT_MATCH, B.F1} <= present:
        return (B.EXACT_MATCH, B.F1)
    for metric in (B.ACCURACY, B.F1, B.MAP_AT_20, B.MAP_AT_20_ZERO_SHOT, B.EXACT_MATCH):
        if metric in present:
            return (metric,)
    return ()


def language_scores(
    run: RunResults, languages: Sequence[str] | None = None
) -> dict[str, dict[str, float]]:
    """{task: {language: language score}} of one run, on the preferred split of each task.

    The split is `test` when the task has test rows, else `dev`, else whatever is there.
    Computed once per (run, languages) and cached on the run: treat the result as read-only.
    """
    key = ("language_scores", tuple(languages) if languages is not None else None)
    if key not in run.cache:
        run.cache[key] = _language_scores(run, languages)
    return run.cache[key]


def _language_scores(run: RunResults, languages: Sequence[str] | None):
    by_task: dict[str, list] = {}
    for score in run.scores:
        by_task.setdefault(score.task, []).append(score)
    out: dict[str, dict[str, float]] = {}
    for task, rows in by_task.items():
        splits = [s.split for s in rows]
        split = next((s for s in SPLIT_PREFERENCE if s in splits), splits[0])
        values: dict[str, dict[str, float]] = {}
        for s in rows:
            if s.split == split and (languages is None or s.language in languages):
                values.setdefault(s.language, {})[s.metric] = s.value
        metrics = _metrics_for(task, {m for v in values.values() for m in v})
        per_lang = {}
        for lang, metric_values in values.items():
            if metrics and all(m in metric_values for m in metrics):
                per_lang[lang] = sum(metric_values[m] for m in metrics) / len(metrics)
        if per_lang:
            out[task] = per_lang
    return out


def run_summary(
    run: RunResults, benchmark: B.Benchmark, languages: Sequence[str] | None = None
) -> dict[str, float]:
    """{task: score, <category label>: mean, 'Avg': overall} of one run."""
    return summary_of(run, benchmark, languages).values


def summary_of(
    run: RunResults,
    benchmark: B.Benchmark,
    languages: Sequence[str] | None = None,
    keep: frozenset[C.Pair] | None = None,
) -> C.Summary:
    """One run's summary with partial columns marked; `keep`: only these (task, language) pairs.

    Benchmark tasks average over their fixed language list only (B.aggregate_languages).
    """
    per_language = language_scores(run, languages)
    benchmark = B.as_scored(
        benchmark, B.present_metrics(run.scores)
    )  # LAReQA zero-shot: shown only
    if keep is not None and not C.pairs(per_language) <= keep:
        return C.summarize(C.restrict(per_language, keep), benchmark, languages)
    key = ("summary", benchmark.name, tuple(languages) if languages is not None else None)
    if key not in run.cache:  # computed once per run: reports over 100s of runs stay fast
        run.cache[key] = C.summarize(per_language, benchmark, languages)
    return run.cache[key]


# ---- grouping ------------------------------------------------------------------------------------


def group_runs(
    runs: Sequence[RunResults], default_benchmark: str = "xtreme"
) -> tuple[RecipeGroup, ...]:
    """Pool runs by recipe name; refuse a recipe whose runs differ in model or benchmark."""
    by_recipe: dict[str, list[RunResults]] = {}
    for run in runs:
        by_recipe.setdefault(run.recipe, []).append(run)
    groups = []
    for name in sorted(by_recipe):
        members = sorted(by_recipe[name], key=lambda r: (r.seed is None, r.seed or 0, str(r.path)))
        for attr in ("model", "benchmark"):
            seen = {getattr(r, attr) for r in members if getattr(r, attr)}
            if len(seen) > 1:
                detail = "; ".join(f"{r.path} -> {getattr(r, attr)}" for r in members)
                raise DataError(
                    f"recipe '{name}' mixes runs of different {attr}s, which are never averaged "
                    f"together: {detail}. Give the runs different recipe names (`name`) or "
                    f"report them separately."
                )
        benchmark = next((r.benchmark for r in members if r.benchmark), None) or default_benchmark
        model = next((r.model for r in members if r.model), "")
        groups.append(RecipeGroup(name, tuple(members), model, benchmark))
    return tuple(groups)


def find_baseline(groups: Sequence[RecipeGroup], baseline: str | Path) -> RecipeGroup:
    """The baseline group by recipe name or by a run directory that belongs to it."""
    text = str(baseline)
    for group in groups:
        if group.name == text:
            return group
    path = Path(text)
    if path.exists():
        target = path.resolve()
        for group in groups:
            if any(r.path.resolve() == target for r in group.runs):
                return group
    found = ", ".join(f"{g.name} (n={len(g.runs)})" for g in groups) or "no runs"
    raise DataError(f"baseline '{text}' not found among the runs; recipes found: {found}")


# ---- views ---------------------------------------------------------------------------------------


def _columns(groups: Sequence[RecipeGroup], benchmark: B.Benchmark, summaries) -> tuple[str, ...]:
    present = {k for g in groups for s in summaries[g.name] for k in s}
    order = [t for t in benchmark.task_names if t in present]
    summaries_only = {*CATEGORY_LABELS.values(), AVG, *C.TRANSFER_COLUMNS}
    order += sorted(k for k in present if k not in order and k not in summaries_only)
    order += [CATEGORY_LABELS[c] for c in benchmark.categories if CATEGORY_LABELS[c] in present]
    order += [k for k in (AVG, *C.TRANSFER_COLUMNS) if k in present]
    return tuple(order)


def _benchmark_of(group: RecipeGroup, override: B.Benchmark | None) -> B.Benchmark:
    return override or B.get_benchmark(group.benchmark)


def _summaries(groups, benchmark, languages) -> dict[str, list[dict[str, float]]]:
    full = _full_summaries(groups, benchmark, languages)
    return {name: [s.values for s in sums] for name, sums in full.items()}


def _full_summaries(groups, benchmark, languages) -> dict[str, list[C.Summary]]:
    return {
        g.name: [summary_of(r, _benchmark_of(g, benchmark), languages) for r in g.runs]
        for g in groups
    }


def _describe_partial(column: str, sums: Sequence[C.Summary], bench) -> str:
    """'Avg over panx, xnli only (2 of 9 tasks)' / 'xnli misses languages'."""
    covered = sorted({t for s in sums for t in s.tasks.get(column, ())})
    if column == AVG or column in CATEGORY_LABELS.values() or column in C.TRANSFER_COLUMNS:
        if column in C.TRANSFER_COLUMNS:
            total = C.english_tasks(bench)
        elif column == AVG:
            total = [t for t in bench.task_names if not bench.task(t).excluded]
        else:
            category = next(c for c, label in CATEGORY_LABELS.items() if label == column)
            total = [t for t in bench.tasks_in(category) if not bench.task(t).excluded]
        name = ", ".join(C.TRANSFER_COLUMNS) if column in C.TRANSFER_COLUMNS else column
        if [t for t in total if t not in covered]:
            return f"{name} over {', '.join(covered)} ({len(covered)} of {len(total)} tasks)"
        return f"{name} {'include' if name != column else 'includes'} tasks that miss languages"
    return f"{column} misses some of its {bench.name} languages"


def _partial_cells(
    name: str, columns: Sequence[str], sums: Sequence[C.Summary], bench, cells: Sequence[Cell]
) -> tuple[tuple[tuple[str, ...], ...], list[str]]:
    """Per column: (PARTIAL,) when any summary marks it partial (and it has a value); one note."""
    marks, parts, languages = [], [], []
    for col, cell in zip(columns, cells, strict=True):
        if cell is not None and any(col in s.partial for s in sums):
            marks.append((PARTIAL,))
            text = _describe_partial(col, sums, bench)
            (languages if text.endswith("languages") else parts).append(text if not text.endswith("languages") else col)  # fmt: skip
        else:
            marks.append(())
    if languages:
        parts.insert(0, f"{', '.join(languages)} miss some of their {bench.name} languages")
    parts = list(dict.fromkeys(parts))  # English, zero-shot and gap share one note
    return tuple(marks), ([f"{name}: " + "; ".join(parts)] if parts else [])


def _collapsed_cells(columns, marks, runs) -> tuple[tuple[tuple[str, ...], ...], list[str]]:
    """Add COLLAPSED to task columns whose predictions collapsed in any of `runs`; notes."""
    out, notes = [], []
    for col, mark in zip(columns, marks, strict=True):
        found = CL.collapsed_task(runs, col) if col in CL.chance_levels() else []
        notes += found
        out.append((*mark, COLLAPSED) if found else mark)
    return tuple(out), notes


def _collapse_notes(notes: list[str], rows) -> list[str]:
    if not notes:
        return []
    head = ("‡ collapsed: in at least half of its languages the predictions are one class or no "
            "better than always answering the majority class (predictions/<task>/<lang>.jsonl); "
            "never bold")  # fmt: skip
    return [head, *dict.fromkeys(notes)]


def _reference_rows(columns: Sequence[str], runs: Sequence[RunResults]) -> list[Row]:
    """'chance' and 'majority class' rows under the classification / multiple-choice columns."""
    chance = CL.chance_levels()
    tasks = [c for c in columns if c in chance]
    if not tasks:
        return []
    rows = [Row("chance", ("", *(Stat(chance[c]) if c in tasks else None for c in columns)),
                summary=True)]  # fmt: skip
    majority = {t: CL.majority_rates(runs, t) for t in tasks}
    if any(v is not None for v in majority.values()):
        cells = (Stat(majority[c]) if majority.get(c) is not None else None for c in columns)
        rows.append(Row("majority class", ("", *cells), summary=True))
    return rows


BOLD_NOTE = "bold: the best complete value in a column (none when tied)"
BOLD_DELTA_NOTE = "bold: the largest complete delta in a column (none when tied)"
PARTIAL_NOTE = (
    "† partial: the average covers fewer tasks or languages than {bench} lists; "
    "never compared with a full one, never bold"
)


def overview(
    groups: Sequence[RecipeGroup],
    benchmark: B.Benchmark | None = None,
    languages: Sequence[str] | None = None,
) -> Table:
    """One row per recipe: task scores, category means and the overall mean over seeds.

    An average that covers fewer tasks / languages than the benchmark lists is marked partial.
    """
    full = _full_summaries(groups, benchmark, languages)
    summaries = {name: [s.values for s in sums] for name, sums in full.items()}
    columns = _columns(groups, benchmark or B.get_benchmark(groups[0].benchmark), summaries)
    rows = []
    partial_notes: list[str] = []
    collapse_notes: list[str] = []
    for g in groups:
        cells: list[Cell] = []
        for col in columns:
            values = [s[col] for s in summaries[g.name] if col in s]
            cells.append(U.pooled(values) if values else None)
        bench = _benchmark_of(g, benchmark)
        marks, notes = _partial_cells(g.name, columns, full[g.name], bench, cells)
        partial_notes += notes
        marks, notes = _collapsed_cells(columns, marks, g.runs)
        collapse_notes += notes
        rows.append(Row(g.name, (str(len(g.runs)), *cells), marks=((), *marks)))
    rows += _reference_rows(columns, [r for g in groups for r in g.runs])
    names = sorted({(benchmark or B.get_benchmark(g.benchmark)).name for g in groups})
    notes = [
        "cells: mean ± std over seeds (n runs); task score = mean over the benchmark's languages, "
        "QA = (EM+F1)/2; category = mean of its tasks; Avg = mean of the task scores",
        BOLD_NOTE,
    ]
    if any(c in columns for c in C.TRANSFER_COLUMNS):
        notes.append(f"{C.TRANSFER_NOTE}; bold {C.GAP}: the smallest")
    if partial_notes:
        notes.append(PARTIAL_NOTE.format(bench=", ".join(names)))
        notes += partial_notes
    notes += _collapse_notes(collapse_notes, rows)
    if any(r.label == "chance" for r in rows):
        notes.append("chance, majority class: reference accuracies (majority class = the most "
                     "frequent gold label's share, mean over languages)")  # fmt: skip
    return Table(
        key="overview",
        title=f"Overview ({', '.join(names)}): {', '.join(g.name for g in groups)}",
        label_header="recipe",
        columns=("n", *columns),
        rows=tuple(rows),
        kind="score",
        notes=tuple(notes),
    )


def _bootstrap_data(
    group: RecipeGroup, task: str, languages: Sequence[str] | None
) -> dict[str, dict[str, float]]:
    """{language: {id: per-example score averaged over the group's seeds}} from predictions."""
    metrics = B.score_metrics(task)
    sums: dict[str, dict[str, list[float]]] = {}
    for run in group.runs:
        folder = run.path / PREDICTIONS_DIR / task
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.jsonl")):
            lang = path.stem
            if languages is not None and lang not in languages:
                continue
            scores = checked_example_scores(run, task, lang, metrics)
            if scores is None:
                continue
            for ex_id, value in scores.items():
                sums.setdefault(lang, {}).setdefault(ex_id, []).append(value)
    return {lang: {i: sum(v) / len(v) for i, v in ids.items()} for lang, ids in sums.items() if ids}


def shared_with(
    group: RecipeGroup, baseline: RecipeGroup, languages: Sequence[str] | None
) -> frozenset[C.Pair]:
    """The (task, language) pairs that every run of `group` and of `baseline` has scored."""
    key = ("shared", baseline.name, tuple(languages) if languages is not None else None)
    cache = group.runs[0].cache  # computed once per (recipe, baseline)
    if key not in cache:
        runs = (*group.runs, *baseline.runs)
        cache[key] = C.shared_pairs([language_scores(r, languages) for r in runs])
    return cache[key]


def delta(
    groups: Sequence[RecipeGroup],
    baseline: RecipeGroup,
    benchmark: B.Benchmark | None = None,
    languages: Sequence[str] | None = None,
    *,
    bootstrap_samples: int = 1000,
    seed: int = 0,
) -> Table:
    """recipe - baseline per task / category / Avg, with a 95% interval where one is possible.

    Both sides are first restricted to the (task, language) pairs both have, so every delta
    compares the same tasks and languages; a value whose shared set is smaller than the
    benchmark lists is marked partial. Interval: Welch t over seeds when both sides have n >= 2;
    otherwise, for task columns, a paired bootstrap over per-example predictions when both
    recipes have them; else none.
    """
    full = _summaries(groups, benchmark, languages)
    columns = _columns(groups, benchmark or B.get_benchmark(baseline.benchmark), full)
    rows = []
    kinds: set[str] = set()
    partial_notes: list[str] = []
    collapse_notes: list[str] = []
    for g in groups:
        if g.name == baseline.name:
            continue
        bench = _benchmark_of(g, benchmark)
        keep = shared_with(g, baseline, languages)
        mine_s = [summary_of(r, bench, languages, keep) for r in g.runs]
        base_s = [summary_of(r, bench, languages, keep) for r in baseline.runs]
        cells: list[Cell] = []
        for col in columns:
            mine = [s.values[col] for s in mine_s if col in s.values]
            theirs = [s.values[col] for s in base_s if col in s.values]
            if not mine or not theirs:
                cells.append(None)
                continue
            stat = U.welch_delta(mine, theirs)
            if stat.interval == "" and bootstrap_samples > 0:
                shared_langs = {lang for t, lang in keep if t == col}
                boot = U.paired_bootstrap(
                    _bootstrap_data(g, col, sorted(shared_langs)),
                    _bootstrap_data(baseline, col, sorted(shared_langs)),
                    samples=bootstrap_samples,
                    seed=seed,
                )
                if boot is not None:
                    stat = Stat(stat.mean, boot.std, stat.n, boot.low, boot.high, boot.interval)
            kinds.add(stat.interval)
            cells.append(stat)
        marks, notes = _partial_cells(g.name, columns, mine_s + base_s, bench, cells)
        partial_notes += notes
        marks, notes = _collapsed_cells(columns, marks, (*g.runs, *baseline.runs))
        collapse_notes += notes
        rows.append(
            Row(g.name, (f"{len(g.runs)} vs {len(baseline.runs)}", *cells), marks=((), *marks))
        )
    notes = [
        f"delta = recipe - {baseline.name} (points); positive = better than the baseline; "
        "both sides over the tasks and languages they share",
        BOLD_DELTA_NOTE,
    ]
    for kind in (U.T95, U.BOOTSTRAP95):
        if kind in kinds:
            notes.append(f"[low, high]: {U.INTERVAL_NAMES[kind]}")
    if "" in kinds:
        notes.append("no interval: fewer than 2 seeds on a side and no per-example predictions")
    if any(c in columns for c in C.TRANSFER_COLUMNS):
        notes.append(f"{C.TRANSFER_NOTE}; a negative {C.GAP} delta narrows the gap (bold: the "
                     "most negative)")  # fmt: skip
    if partial_notes:
        names = ", ".join(sorted({_benchmark_of(g, benchmark).name for g in groups}))
        notes.append(PARTIAL_NOTE.format(bench=names))
        notes += partial_notes
    notes += _collapse_notes(collapse_notes, rows)
    return Table(
        key="delta",
        title=f"Delta vs baseline '{baseline.name}'",
        label_header="recipe",
        columns=("n", *columns),
        rows=tuple(rows),
        kind="delta",
        notes=tuple(notes),
    )


def _language_order(codes, group_by: str) -> list[tuple[str, str]]:
    """[(group label, code)] with groups and codes in a stable, meaningful order."""
    if group_by in ("language", "task"):
        return [("", c) for c in sorted(codes)]

    def key(code):
        label = L.attribute(code, group_by)
        if group_by == "resource":
            rank = -int(label.split()[-1]) if label != L.UNKNOWN else 1
            return (rank, label, code)
        return (label == L.UNKNOWN, label, code)

    return [(L.attribute(c, group_by), c) for c in sorted(codes, key=key)]


def language_matrix(
    group: RecipeGroup,
    baseline: RecipeGroup | None = None,
    languages: Sequence[str] | None = None,
) -> dict[tuple[str, str], Stat]:
    """{(task, language): pooled score (or delta vs baseline when given)} over seeds."""
    mine = [language_scores(r, languages) for r in group.runs]
    theirs = [language_scores(r, languages) for r in baseline.runs] if baseline else []
    keys = {(t, lang) for s in mine for t, v in s.items() for lang in v}
    out = {}
    for task, lang in keys:
        a = [s[task][lang] for s in mine if lang in s.get(task, {})]
        if baseline is None:
            out[(task, lang)] = U.pooled(a)
            continue
        b = [s[task][lang] for s in theirs if lang in s.get(task, {})]
        if b:
            out[(task, lang)] = U.welch_delta(a, b)
    return out


def _mean_of(scores: dict[str, float]) -> float | None:
    return sum(scores.values()) / len(scores) if scores else None


def _gap_of(scores: dict[str, float]) -> float | None:
    """English minus the mean of the other languages (None without both)."""
    others = [v for lang, v in scores.items() if lang != C.SOURCE]
    if C.SOURCE not in scores or not others:
        return None
    return scores[C.SOURCE] - sum(others) / len(others)


def _summary_stat(
    group, baseline, languages, task: str, members: set[str], measure=_mean_of
) -> Stat | None:
    """Per seed: `measure` (default: the mean) of the task's scores on `members`; then pooled /
    Welch. Against a baseline, only the members both recipes scored in every run count."""
    all_members = set(members)

    def per_seed(runs):
        values = []
        for r in runs:
            scores = language_scores(r, languages).get(task, {})
            value = measure({lang: v for lang, v in scores.items() if lang in members})
            if value is not None:
                values.append(value)
        return values

    if baseline is not None:  # compare the same languages on both sides
        members = {lang for t, lang in shared_with(group, baseline, languages) if t == task}
        members &= set(all_members)
    a = per_seed(group.runs)
    if not a:
        return None
    if baseline is None:
        return U.pooled(a)
    b = per_seed(baseline.runs)
    return U.welch_delta(a, b) if b else None


def _per_language_cells_note(rows: Sequence[Row], is_delta: bool) -> str:
    """Say only what the cells show: an interval / a std only when some cell has one."""
    stats = [c for r in rows for c in r.cells if isinstance(c, Stat)]
    if is_delta:
        if any(c.low is not None for c in stats):
            return "cells: delta [95% Welch t-interval over seeds]; *: the interval excludes 0"
        return "cells: delta (one seed on a side: no interval)"
    if any(c.std is not None for c in stats):
        return "cells: mean ± std over seeds"
    return "cells: score (one seed)"


def _flagged_pairs(runs: Sequence[RunResults], tasks: Sequence[str]) -> set[C.Pair]:
    """(task, language) pairs whose predictions collapsed in any of `runs`."""
    chance = CL.chance_levels()
    return {(t, lang) for t in tasks if t in chance for r in runs for lang in CL.flagged(r, t)}


def per_language(
    group: RecipeGroup,
    baseline: RecipeGroup | None = None,
    benchmark: B.Benchmark | None = None,
    languages: Sequence[str] | None = None,
    group_by: str = "family",
) -> Table:
    """Task x language for one recipe (or its delta vs `baseline`), grouped by `group_by`.

    Rows are languages (columns tasks) grouped by family / script / resource class, or plain
    sorted languages for 'language'; 'task' transposes (rows tasks, columns languages). Two
    summary rows close the table: the low-resource languages and all languages (per seed: mean
    over those languages; then pooled over seeds).
    """
    if group_by not in GROUP_BYS:
        raise DataError(f"--group-by '{group_by}': expected one of {', '.join(GROUP_BYS)}")
    matrix = language_matrix(group, baseline, languages)
    bench = benchmark or B.get_benchmark(group.benchmark)
    tasks = [t for t in bench.task_names if any(k[0] == t for k in matrix)]
    tasks += sorted({k[0] for k in matrix} - set(tasks))
    codes = {k[1] for k in matrix}
    ordered = _language_order(codes, group_by)
    kind = "delta" if baseline else "score"
    what = f"{group.name} - {baseline.name}" if baseline else group.name
    low = {c for c in codes if (lang := L.lookup(c)) is not None and lang.low_resource}
    summary_rows = []
    others = codes - {C.SOURCE}
    both = C.SOURCE in codes and bool(others)  # English and zero-shot rows need both sides
    summaries = (
        (ENGLISH_ROW, {C.SOURCE} if both else set(), _mean_of),
        (ZERO_SHOT_ROW, others if both else set(), _mean_of),
        (GAP_ROW, codes if both else set(), _gap_of),
        (LOW_RESOURCE_ROW, low, _mean_of),
        (ALL_ROW, codes, _mean_of),
    )
    for label, members, measure in summaries:
        if members:
            cells = tuple(
                _summary_stat(group, baseline, languages, t, members, measure) for t in tasks
            )
            summary_rows.append(Row(label, cells, summary=True))
    bad = _flagged_pairs((*group.runs, *(baseline.runs if baseline else ())), tasks)

    def mark(task: str, code: str) -> tuple[str, ...]:
        return (COLLAPSED,) if (task, code) in bad else ()

    if group_by == "task":
        # Transposed: one row per task, languages as columns, the summaries as the last columns.
        rows = [
            Row(
                t,
                tuple(matrix.get((t, c)) for _, c in ordered)
                + tuple(sr.cells[i] for sr in summary_rows),
                group=B.task_category(t) or "",
                marks=tuple(mark(t, c) for _, c in ordered),
            )
            for i, t in enumerate(tasks)
        ]
        columns = tuple(c for _, c in ordered) + tuple(sr.label for sr in summary_rows)
        header = "task"
    else:
        rows = [
            Row(c, tuple(matrix.get((t, c)) for t in tasks), group=g,
                marks=tuple(mark(t, c) for t in tasks))
            for g, c in ordered
        ]  # fmt: skip
        rows += summary_rows
        columns = tuple(tasks)
        header = "language"
    notes = [
        f"languages grouped by {group_by}" if group_by not in ("task", "language") else "",
        f"resource class: Joshi et al. (2020); low-resource = class <= {L.LOW_RESOURCE_MAX_CLASS}",
        f"{ZERO_SHOT_ROW}: mean over the other languages; {GAP_ROW}: per seed"
        if any(r.label == GAP_ROW for r in summary_rows)
        else "",
        _per_language_cells_note(rows, baseline is not None),
    ]
    return Table(
        key=f"per_language:{group.name}",
        title=f"Per language ({what}, {bench.name})",
        label_header=header,
        columns=columns,
        rows=tuple(rows),
        kind=kind,
        notes=tuple(n for n in notes if n),
    )


def mixture(groups: Sequence[RecipeGroup]) -> Table | None:
    """Intended vs realized intermediate steps per task, mean over seeds; None if no run has it."""
    rows = []
    for g in groups:
        runs = [r for r in g.runs if r.mixture]
        if not runs:
            continue
        tasks = list(dict.fromkeys(t for r in runs for t in r.mixture))
        totals_i = [sum(v[0] for v in r.mixture.values()) or 1.0 for r in runs]
        totals_r = [sum(v[1] for v in r.mixture.values()) or 1.0 for r in runs]
        for task in tasks:
            present = [(r, ti, tr) for r, ti, tr in zip(runs, totals_i, totals_r, strict=True)]
            intended = [r.mixture.get(task, (0.0, 0.0))[0] for r, _, _ in present]
            realized = [r.mixture.get(task, (0.0, 0.0))[1] for r, _, _ in present]
            share_i = [100 * r.mixture.get(task, (0.0, 0.0))[0] / ti for r, ti, _ in present]
            share_r = [100 * r.mixture.get(task, (0.0, 0.0))[1] / tr for r, _, tr in present]
            rows.append(
                Row(
                    task,
                    tuple(U.pooled(v) for v in (intended, realized, share_i, share_r)),
                    group=g.name,
                )
            )
    if not rows:
        return None
    return Table(
        key="mixture",
        title="Mixture: intended vs realized intermediate steps",
        label_header="task",
        columns=("intended", "realized", "intended %", "realized %"),
        rows=tuple(rows),
        kind="steps",
        notes=("mean over seeds (from mixture.json)",),
    )


def cost(groups: Sequence[RecipeGroup]) -> Table | None:
    """Wall time per phase (seconds, mean ± std over seeds), total, and the devices used."""
    phases = list(dict.fromkeys(t.phase for g in groups for r in g.runs for t in r.timings))
    if not phases:
        return None
    rows = []
    for g in groups:
        cells: list[Cell] = []
        for phase in phases:
            values = [t.seconds for r in g.runs for t in r.timings if t.phase == phase]
            cells.append(U.pooled(values) if values else None)
        totals = [sum(t.seconds for t in r.timings) for r in g.runs if r.timings]
        cells.append(U.pooled(totals) if totals else None)
        devices = sorted(
            {t.device for r in g.runs for t in r.timings if t.device}
            | {r.device for r in g.runs if r.device}
        )
        cells.append(", ".join(devices) or "?")
        rows.append(Row(g.name, tuple(cells)))
    return Table(
        key="cost",
        title="Cost: wall time per phase (seconds)",
        label_header="recipe",
        columns=(*phases, "total", "device"),
        rows=tuple(rows),
        kind="seconds",
        notes=("mean ± std over seeds",),
    )


def budget_phase(stage: str) -> str:
    """A budget stage's phase: intermediate (its per-task models too, and models taken from other
    runs), merge grid (target training of the settings not chosen), target."""
    if stage.startswith(("intermediate", "from:")):
        return "intermediate"
    return "merge grid" if stage.startswith("merge/") else "target"


def budget_table(groups: Sequence[RecipeGroup]) -> Table | None:
    """Optimizer steps per phase and in total, and training examples, beside each recipe: what
    its scores cost (results.json's budget; mean over seeds)."""
    phases = ("intermediate", "merge grid", "target")
    if not any(r.budget for g in groups for r in g.runs):
        return None
    used = [
        p
        for p in phases
        if any(budget_phase(s) == p for g in groups for r in g.runs for s in r.budget)
    ]
    rows = []
    for g in groups:
        runs = [r for r in g.runs if r.budget]
        cells: list[Cell] = []
        for phase in (*used, "total"):
            per_run = [_spent(r, phase, 0) for r in runs]
            cells.append(U.pooled(per_run) if runs and None not in per_run else None)
        examples = [_spent(r, "total", 1) for r in runs]
        cells.append(U.pooled(examples) if runs and None not in examples else None)
        rows.append(Row(g.name, tuple(cells)))
    return Table(
        key="budget",
        title="Budget: optimizer steps per phase, and training examples",
        label_header="recipe",
        columns=(*used, "total steps", "examples"),
        rows=tuple(rows),
        kind="steps",
        notes=("mean over seeds (results.json budget; – : not recorded)",),
    )


def _spent(run: RunResults, phase: str, index: int) -> int | None:
    values = [v[index] for s, v in run.budget.items() if phase in ("total", budget_phase(s))]
    return None if None in values else sum(values)


# ---- the whole report ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    groups: tuple[RecipeGroup, ...]
    baseline: RecipeGroup | None
    benchmark: B.Benchmark | None  # None: each recipe's own benchmark
    languages: tuple[str, ...] | None
    group_by: str
    tables: tuple[Table, ...]
    skipped: tuple[Path, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if t.key == key), None)

    @property
    def benchmark_names(self) -> tuple[str, ...]:
        if self.benchmark is not None:
            return (self.benchmark.name,)
        return tuple(sorted({g.benchmark for g in self.groups}))


def present_languages(runs: Sequence[RunResults]) -> tuple[str, ...]:
    return tuple(sorted({s.language for r in runs for s in r.scores}))


def build_report(
    found: Found,
    *,
    baseline: str | Path | None = None,
    benchmark: str | None = None,
    languages: Sequence[str] | None = None,
    group_by: str = "family",
    bootstrap_samples: int = 1000,
    seed: int = 0,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Every view for the runs found. `baseline` defaults to a recipe named 'direct' if present."""
    if not found.runs:
        skipped = ", ".join(str(p) for p in found.skipped) or "nothing"
        raise DataError(f"no results.json found (looked at: {skipped})")
    bench = B.get_benchmark(benchmark) if benchmark else None
    chosen = None
    if languages:
        chosen = L.resolve_languages(list(languages), present_languages(found.runs))
    groups = group_runs(found.runs, default_benchmark=bench.name if bench else "xtreme")
    base = None
    if baseline is not None:
        base = find_baseline(groups, baseline)
    elif any(g.name == "direct" for g in groups) and len(groups) > 1:
        base = find_baseline(groups, "direct")
    tables = [overview(groups, bench, chosen)]
    if base is not None and len(groups) > 1:
        tables.append(
            delta(groups, base, bench, chosen, bootstrap_samples=bootstrap_samples, seed=seed)
        )
    for g in groups:
        if base is not None and g.name == base.name:
            continue
        tables.append(per_language(g, base, bench, chosen, group_by))
    if base is not None and len(groups) == 1:
        tables.append(per_language(base, None, bench, chosen, group_by))
    for extra in (mixture(groups), cost(groups), budget_table(groups)):
        if extra is not None:
            tables.append(extra)
    return Report(
        groups=groups,
        baseline=base,
        benchmark=bench,
        languages=chosen,
        group_by=group_by,
        tables=tuple(tables),
        skipped=found.skipped,
    )
