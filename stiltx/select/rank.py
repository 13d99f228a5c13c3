"""Rank candidates with the estimators, and score rankings against a sweep's truth. Torch-free
(the estimators import torch when they run).

The truth is the sweep's dev-selected transfer matrix (`report.transfer.analyse`): for each
target, each intermediate recipe's mean English dev score (the score the target stage selected
its model on, over seeds). The grid's cost is the seconds recorded in the results.json of every
run of the ranked candidates (all seeds, all phases): what the truth cost to compute.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from stiltx import run_files
from stiltx.errors import StiltxError
from stiltx.recipe.load import load_recipe
from stiltx.report.results import RunResults, find_runs
from stiltx.report.tables import language_scores
from stiltx.report.transfer import analyse, sweep_roles
from stiltx.select.estimate import Candidate, Estimate, Setting, Target
from stiltx.select.metrics import kendall_tau, ndcg_at_k, ranking, regret_at_k
from stiltx.select.registry import get_estimator
from stiltx.sweep.jobs import MANIFEST, read_manifest

SINGLE = "single/*"
DEV_TRUTH = "English dev"


@dataclass(frozen=True)
class RankRow:
    """One candidate in one estimator's ranking for one target."""

    target: str
    estimator: str
    column: str  # the ranking's name (semb gives semb-en and semb-xl)
    candidate: str
    score: float
    rank: int  # 1 = best
    seconds: float  # the estimator's whole cost for this target
    forward_passes: int
    train_steps: int


@dataclass(frozen=True)
class EvalRow:
    """One ranking scored against the truth for one target."""

    target: str
    estimator: str
    column: str
    k: int
    ndcg: float
    regret_points: float
    regret: float  # relative (Poth et al.'s Regret@k; x100 for %)
    tau: float
    chosen: str  # the ranking's top candidate
    best: str  # the truly best candidate
    seconds: float
    forward_passes: int
    train_steps: int
    grid_seconds: float  # what the sweep spent on these candidates' runs
    truth: str = DEV_TRUTH  # what the ranking is scored against


def run_estimators(
    target: Target, candidates: Sequence[Candidate], estimators: Sequence[str], setting: Setting
) -> list[Estimate]:
    if not estimators:
        raise StiltxError("select: no estimator given (e.g. --estimator semb,logme,proxy)")
    fns = [get_estimator(name).fn for name in estimators]  # unknown names fail before any work
    return [fn(target, candidates, setting) for fn in fns]


def ranked_rows(target: str, estimates: Sequence[Estimate]) -> list[RankRow]:
    rows = []
    for e in estimates:
        for column, scores in e.columns.items():
            for rank, name in enumerate(ranking(scores), start=1):
                rows.append(
                    RankRow(
                        target,
                        e.estimator,
                        column,
                        name,
                        scores[name],
                        rank,
                        e.cost.seconds,
                        e.cost.forward_passes,
                        e.cost.train_steps,
                    )  # fmt: skip
                )
    return rows


def rank_candidates(
    target: Target, candidates: Sequence[Candidate], estimators: Sequence[str], setting: Setting
) -> list[RankRow]:
    """Every estimator's ranking of `candidates` for `target`, best first, with its cost."""
    return ranked_rows(target.task, run_estimators(target, candidates, estimators, setting))


def matches(recipe: str, pattern: str) -> bool:
    """Does a recipe name match `pattern`? Runs name a bundled `single/mnli` `single-mnli`, so
    'single/*' matches both."""
    return any(fnmatch.fnmatchcase(recipe, p) for p in (pattern, pattern.replace("/", "-")))


@dataclass(frozen=True)
class Coverage:
    """The seeds the truth averages over: those at which every candidate has a finished run, so
    each candidate's mean is over the same seeds; and the candidate runs left out."""

    seeds: tuple[int | None, ...]
    left_out: tuple[str, ...]  # 'single-mnli/seed-3': unfinished (or its seed is incomplete)

    def note(self) -> str:
        used = ", ".join(str(s) for s in self.seeds)
        if not self.left_out:
            return f"truth: seeds {used}, every candidate finished at each"
        shown = ", ".join(self.left_out[:6]) + (" ..." if len(self.left_out) > 6 else "")
        return (
            f"truth: seeds {used} only (every candidate finished there); not finished, so their "
            f"seeds are left out: {shown}"
        )


def coverage(sweep_dir: str | Path, pattern: str = SINGLE) -> Coverage:
    """Which seeds of the sweep's `pattern` candidates the truth can use (sweep.json's jobs count
    as candidates too, finished or not); an error when no seed has them all."""
    runs = _matching(Path(sweep_dir), pattern)
    have = {(r.recipe, r.seed) for r in runs}
    recipes, seeds = {r.recipe for r in runs}, {r.seed for r in runs}
    if (Path(sweep_dir) / MANIFEST).is_file():
        for job in read_manifest(Path(sweep_dir))[1]:
            if matches(job.recipe, pattern):
                recipes.add(job.recipe)
                seeds.add(job.seed)
    order = sorted(seeds, key=lambda s: (s is None, s or 0))
    complete = tuple(s for s in order if all((r, s) in have for r in recipes))
    left_out = tuple(
        f"{r}/seed-{s}" for s in order if s not in complete for r in sorted(recipes)
        if (r, s) not in have
    )  # fmt: skip
    if not complete:
        shown = ", ".join(left_out[:8]) + (" ..." if len(left_out) > 8 else "")
        raise StiltxError(
            f"select: {sweep_dir} has no seed at which every {pattern!r} candidate finished; "
            f"unfinished: {shown} (finish them with `stiltx sweep ... --resume`)"
        )
    return Coverage(complete, left_out)


def _matching(sweep_dir: Path, pattern: str) -> list[RunResults]:
    found = find_runs([sweep_dir])
    runs = [r for r in found.runs if matches(r.recipe, pattern)]
    if not runs:
        seen = ", ".join(sorted({r.recipe for r in found.runs})) or "none"
        raise StiltxError(
            f"select: {sweep_dir} has no finished runs of {pattern!r} (recipes found: {seen})"
        )
    return runs


def _runs(sweep_dir: Path, pattern: str) -> list[RunResults]:
    """The candidates' finished runs at the seeds every candidate finished (`coverage`)."""
    seeds = coverage(sweep_dir, pattern).seeds
    return [r for r in _matching(sweep_dir, pattern) if r.seed in seeds]


def sweep_candidates(sweep_dir: str | Path, pattern: str = SINGLE) -> list[Candidate]:
    """One candidate per recipe matching `pattern` (its first seed's run folder), its task read
    from the run's resolved recipe."""
    # the candidates' recipes and models are read by joining names onto the sweep's folders
    run_files.check_tree(sweep_dir, "sweep folder")
    candidates: dict[str, Candidate] = {}
    for run in sorted(_runs(Path(sweep_dir), pattern), key=lambda r: (r.seed or 0, str(r.path))):
        if run.recipe in candidates:
            continue
        recipe = load_recipe(str(run.path / "recipe.resolved.yaml"))
        tasks = recipe.intermediate.tasks if recipe.intermediate else ()
        if len(tasks) != 1:
            raise StiltxError(
                f"select: {run.recipe} trains on {len(tasks)} intermediate tasks "
                f"({', '.join(tasks) or 'none'}); a candidate is one task (e.g. single/*)"
            )
        candidates[run.recipe] = Candidate(run.recipe, tasks[0], run.path)
    return list(candidates.values())


def sweep_truth(sweep_dir: str | Path, pattern: str = SINGLE) -> dict[str, dict[str, float]]:
    """target -> candidate recipe -> mean English dev (selection) score, from the sweep."""
    found = find_runs([sweep_dir])
    seeds = coverage(sweep_dir, pattern).seeds  # every candidate averaged over the same seeds
    runs = tuple(r for r in found.runs if not matches(r.recipe, pattern) or r.seed in seeds)
    dev = analyse(replace(found, runs=runs), sweep_roles(Path(sweep_dir))).dev
    truth: dict[str, dict[str, float]] = {}
    for recipe, per_task in dev.items():
        if matches(recipe, pattern):
            for task, value in per_task.items():
                truth.setdefault(task, {})[recipe] = value
    return truth


def test_truth(
    sweep_dir: str | Path, target: str, languages: Sequence[str], pattern: str = SINGLE
) -> dict[str, float]:
    """candidate recipe -> mean over seeds of `target`'s test score averaged over `languages`
    (a run that misses one of them is left out): the truth for a language group."""
    per: dict[str, list[float]] = {}
    for run in _runs(Path(sweep_dir), pattern):
        scores = language_scores(run).get(target, {})
        if languages and all(lang in scores for lang in languages):
            per.setdefault(run.recipe, []).append(
                sum(scores[x] for x in languages) / len(languages)
            )
    return {recipe: sum(v) / len(v) for recipe, v in per.items()}


def sweep_languages(sweep_dir: str | Path, target: str, pattern: str = SINGLE) -> tuple[str, ...]:
    """The languages `target` was scored on (test) in the sweep's `pattern` runs."""
    found = {
        lang for r in _runs(Path(sweep_dir), pattern) for lang in language_scores(r).get(target, {})
    }
    return tuple(sorted(found))


def grid_seconds(sweep_dir: str | Path, pattern: str = SINGLE) -> float:
    """Seconds recorded in the results.json timings of every run of the matching recipes."""
    return sum(t.seconds for r in _runs(Path(sweep_dir), pattern) for t in r.timings)


def score_estimates(
    target: str,
    truth: Mapping[str, float],
    estimates: Sequence[Estimate],
    *,
    k: int = 3,
    grid: float = 0.0,
    label: str = DEV_TRUTH,
) -> list[EvalRow]:
    """NDCG@k, Regret@k and Kendall's tau of every ranking in `estimates` against `truth`
    (candidate -> true score); candidates without a true score are left out of the comparison."""
    rows = []
    for e in estimates:
        for column, scores in e.columns.items():
            common = {name: scores[name] for name in scores if name in truth}
            if not common:
                raise StiltxError(
                    f"select: {e.estimator} ranked {', '.join(scores)} for {target}, none of "
                    f"which has a true score (scored: {', '.join(truth) or 'none'})"
                )
            mine = {name: truth[name] for name in common}
            ranked = ranking(common)
            regret = regret_at_k(ranked, mine, k)
            rows.append(
                EvalRow(
                    target,
                    e.estimator,
                    column,
                    k,
                    ndcg_at_k(ranked, mine, k),
                    regret.points,
                    regret.relative,
                    kendall_tau(common, mine),
                    ranked[0],
                    ranking(mine)[0],
                    e.cost.seconds,
                    e.cost.forward_passes,
                    e.cost.train_steps,
                    grid,
                    label,
                )  # fmt: skip
            )
    return rows


def evaluate_rankings(
    sweep_dir: str | Path,
    estimators: Sequence[str],
    setting: Setting,
    *,
    targets: Sequence[str] = (),
    pattern: str = SINGLE,
    k: int = 3,
    languages: tuple[str, ...] = (),
) -> list[EvalRow]:
    """Each estimator's ranking of the sweep's `pattern` candidates, per target (all the sweep
    scored when none given), scored against the sweep's dev-selected matrix."""
    truth = sweep_truth(sweep_dir, pattern)
    missing = [t for t in targets if t not in truth]
    if missing or not truth:
        raise StiltxError(
            f"select --evaluate: {sweep_dir} has no English dev (selection) scores of {pattern!r} "
            f"runs for {', '.join(missing) or 'any target'} (scored: {', '.join(truth) or 'none'})"
        )
    candidates = sweep_candidates(sweep_dir, pattern)
    grid = grid_seconds(sweep_dir, pattern)
    rows = []
    for task in targets or sorted(truth):
        estimates = run_estimators(Target(task, languages), candidates, estimators, setting)
        rows.extend(score_estimates(task, truth[task], estimates, k=k, grid=grid))
    return rows
