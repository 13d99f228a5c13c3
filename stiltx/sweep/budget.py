"""A budgeted sweep (`stiltx sweep --select E --top K`): rank the sweep's single-task candidates
per target with estimator E, train only each target's K best (their union) plus every job that is
not a candidate (direct, the mixture, baselines), and say what that saved.

The choice is recorded in sweep.json (`selection`). After the jobs: each target's chosen task
(the best English dev score among the trained candidates, as the full sweep would choose), its
regret against a full grid when one is given (`--truth`), and the time saved: the full grid's
recorded seconds for the same jobs (or, without one, the trained candidate jobs' mean times the
skipped jobs), against this sweep's seconds plus the estimator's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from stiltx.errors import StiltxError
from stiltx.plan import TRAIN_LANGUAGE, eval_languages
from stiltx.recipe.load import load_recipe
from stiltx.report.results import find_runs
from stiltx.select.estimate import Candidate, Setting, Target
from stiltx.select.rank import rank_candidates, sweep_candidates, sweep_truth
from stiltx.select.registry import get_estimator
from stiltx.sweep import jobs as J
from stiltx.tasks.registry import get_task
from stiltx.toy.resolve import resolve


@dataclass(frozen=True)
class Budget:
    estimator: str
    top: int
    from_: Path | None = None  # an earlier sweep with the candidates' runs (logme, proxy)
    truth: Path | None = None  # a finished full grid: regret and time saved against it


@dataclass(frozen=True)
class Choice:
    """What the estimator chose; written to sweep.json as `selection`."""

    estimator: str
    column: str  # the ranking used (semb: semb-en)
    top: int
    ranking: dict[str, list[str]]  # target -> candidate recipes, best first
    trained: list[str]  # candidate recipes kept (each target's top K, united)
    skipped: list[str]
    seconds: float  # the estimator's cost


def _load(job: J.Job):
    return load_recipe(job.ref, preset=job.preset, overrides=job.overrides)


def _candidates(jobs: list[J.Job], budget: Budget) -> list[Candidate]:
    """One candidate per intermediate recipe that trains on one task (its run from --from)."""
    runs = {c.name: c for c in sweep_candidates(budget.from_)} if budget.from_ else {}
    out: dict[str, Candidate] = {}
    for job in jobs:
        recipe = _load(job) if job.role == J.INTERMEDIATE and job.recipe not in out else None
        if recipe is not None and len(recipe.intermediate.tasks) == 1:
            task = recipe.intermediate.tasks[0]
            out[job.recipe] = runs.get(job.recipe, Candidate(job.recipe, task))
    if not out:
        raise StiltxError(
            "sweep --select: no single-task intermediate recipe to choose from "
            "(e.g. --recipes direct,single/*)"
        )
    return list(out.values())


def choose(jobs: list[J.Job], budget: Budget, console: Console) -> tuple[list[J.Job], Choice]:
    """The jobs to run (top-K candidates per target, plus every non-candidate job) and why."""
    if budget.top < 1:
        raise StiltxError(f"--top {budget.top}: expected at least 1")
    estimator = get_estimator(budget.estimator)
    if estimator.needs_runs and budget.from_ is None:
        raise StiltxError(
            f"sweep --select {budget.estimator}: needs the candidates' trained encoders; pass "
            "--from SWEEP_DIR (an earlier sweep with their runs) or use semb, size, vocab"
        )
    candidates = _candidates(jobs, budget)
    first = _load(next(j for j in jobs if j.recipe == candidates[0].name))
    where = resolve(first, console)
    setting = Setting(where.data, where.model, seed=jobs[0].seed)
    ranking, seconds, column = {}, 0.0, ""
    for task in first.target.tasks if first.target else ():
        langs = tuple(x for x in eval_languages(first, get_task(task)) if x != TRAIN_LANGUAGE)
        rows = rank_candidates(Target(task, langs), candidates, [budget.estimator], setting)
        column = column or rows[0].column  # the estimator's first ranking (semb: semb-en)
        ranking[task] = [r.candidate for r in rows if r.column == column]
        seconds += rows[0].seconds
    if not ranking:
        raise StiltxError("sweep --select: the recipes have no target task to rank for")
    trained = {name for names in ranking.values() for name in names[: budget.top]}
    names = [c.name for c in candidates]
    kept = [j for j in jobs if j.recipe not in names or j.recipe in trained]
    skipped = [n for n in names if n not in trained]
    choice = Choice(budget.estimator, column, budget.top, ranking,
                    [n for n in names if n in trained], skipped, seconds)  # fmt: skip
    return kept, choice


def describe(choice: Choice) -> str:
    lines = [f"--select {choice.estimator} ({choice.column}) --top {choice.top}: "
             f"ranked in {choice.seconds:.1f} s"]  # fmt: skip
    for task, names in choice.ranking.items():
        lines.append(f"  {task}: {', '.join(names[: choice.top])}")
    lines.append(f"  training {', '.join(choice.trained)}; skipping {', '.join(choice.skipped)}")
    return "\n".join(lines)


def _seconds(sweep_dir: Path, keys: set[tuple[str, int]]) -> dict[tuple[str, int], float]:
    """(recipe, seed) -> seconds recorded in results.json, for the finished runs among `keys`."""
    out = {}
    for run in find_runs([sweep_dir]).runs:
        if (run.recipe, run.seed) in keys:
            out[(run.recipe, run.seed)] = sum(t.seconds for t in run.timings)
    return out


def outcome(sweep_dir: Path, jobs: list[J.Job], all_jobs: list[J.Job], choice: Choice,
            truth: Path | None) -> list[str]:  # fmt: skip
    """Lines: each target's chosen task and regret (vs `truth`), and the time saved."""
    dev = sweep_truth(sweep_dir)
    full = sweep_truth(truth) if truth else {}
    lines = []
    for task in choice.ranking:
        mine = {r: v for r, v in dev.get(task, {}).items() if r in choice.trained}
        if not mine:
            lines.append(f"{task}: no trained candidate has an English dev score")
            continue
        chosen = max(sorted(mine), key=lambda r: mine[r])
        line = f"{task}: chosen {chosen} (English dev {mine[chosen]:.2f})"
        grid = full.get(task, {})
        if chosen in grid:
            best = max(sorted(grid), key=lambda r: grid[r])
            regret = grid[best] - grid[chosen]
            line += f"; regret vs the full grid {regret:.2f} points (best: {best})"
        lines.append(line)
    ran = _seconds(sweep_dir, {(j.recipe, j.seed) for j in jobs})
    spent = sum(ran.values()) + choice.seconds
    skipped = [j for j in all_jobs if j.recipe in choice.skipped]
    if truth:
        grid = sum(_seconds(truth, {(j.recipe, j.seed) for j in all_jobs}).values())
        how = f"the full grid in {truth}"
    else:
        done = [s for (recipe, _), s in ran.items() if recipe in choice.trained]
        grid = sum(ran.values()) + len(skipped) * (sum(done) / len(done) if done else 0.0)
        how = "estimated: skipped jobs x the trained candidates' mean"
    saved = grid - spent
    share = f" ({100 * saved / grid:.0f}%)" if grid else ""
    lines.append(f"time: {spent:.0f} s with the estimator vs {grid:.0f} s for all "
                 f"{len(all_jobs)} jobs ({how}): saved {saved:.0f} s{share}")  # fmt: skip
    return lines


def print_outcome(lines: list[str], console: Console) -> None:
    for line in lines:
        console.print(escape(line), highlight=False, soft_wrap=True)
