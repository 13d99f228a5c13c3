"""`stiltx select`: rank the candidates for each target (and language group), or score every
ranking against a finished sweep (`--evaluate`). Torch-free (the estimators import torch).

Candidates: the bundled recipes matching `--candidates` (default the nine `single/*` tasks), or,
with `--from SWEEP_DIR`, that sweep's finished runs of them (what LogME and the proxy need).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console

from stiltx import run_files
from stiltx.errors import StiltxError, UnknownNameError
from stiltx.plan import TRAIN_LANGUAGE, eval_languages
from stiltx.recipe.find import list_recipes
from stiltx.recipe.load import load_recipe
from stiltx.recipe.schema import Recipe
from stiltx.select import rank as R
from stiltx.select import views as V
from stiltx.select.estimate import Candidate, Estimate, Setting, Target, require_runs
from stiltx.select.registry import get_estimator
from stiltx.select.text import train_task
from stiltx.tasks.languages import resolve_languages
from stiltx.tasks.registry import get_task
from stiltx.toy.resolve import resolve


@dataclass(frozen=True)
class SelectOptions:
    recipe: str = "multitask9"  # where the data and the pretrained encoder are (and the targets)
    preset: str | None = None
    overrides: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()  # default: the recipe's target tasks
    candidates: str = R.SINGLE
    estimators: tuple[str, ...] = ("semb", "size", "vocab")
    from_: Path | None = None  # a sweep with the candidates' finished runs
    evaluate: Path | None = None  # score the rankings against this sweep instead
    groups: tuple[str, ...] = ()  # language groups (or codes), one table each
    k: int = 3
    sample: int = 256
    proxy_steps: int = 20
    fmt: str = "table"


def bundled_candidates(pattern: str) -> list[Candidate]:
    """One candidate per bundled recipe matching `pattern` that trains on one intermediate task."""
    out = []
    for info in list_recipes():
        if R.matches(info.name, pattern):
            recipe = load_recipe(info.name)
            inter = recipe.intermediate
            if inter is not None and len(inter.tasks) == 1:
                out.append(Candidate(recipe.name, inter.tasks[0]))  # as its runs name it
    if not out:
        raise StiltxError(
            f"select: no bundled single-task recipe matches --candidates {pattern!r} "
            "(e.g. 'single/*')"
        )
    return out


def candidates_for(options: SelectOptions, sweep: Path | None) -> list[Candidate]:
    needing = [e for e in options.estimators if get_estimator(e).needs_runs]
    if sweep is not None:
        candidates = R.sweep_candidates(sweep, options.candidates)
        for name in needing:  # a missing or damaged model is named before any work
            require_runs(candidates, name)
        return candidates
    if needing:
        raise StiltxError(
            f"select: {', '.join(needing)} needs the candidates' trained encoders: pass --from "
            f"SWEEP_DIR with finished {options.candidates} runs (or use semb, size, vocab)"
        )
    return bundled_candidates(options.candidates)


def setting_for(options: SelectOptions, console: Console) -> tuple[Setting, Recipe]:
    """The Setting of --recipe / --preset / --set, and the recipe (its targets, languages)."""
    recipe = load_recipe(options.recipe, preset=options.preset, overrides=list(options.overrides))
    if options.fmt == "table":
        where = resolve(recipe, console)
    else:  # csv / json / md on stdout: the toy world's progress goes to stderr
        with contextlib.redirect_stdout(sys.stderr):
            where = resolve(recipe, Console(stderr=True))
    setting = Setting(
        where.data, where.model, sample=options.sample, proxy_steps=options.proxy_steps
    )
    return setting, recipe


def recipe_languages(recipe: Recipe, task: str) -> tuple[str, ...]:
    """The languages the recipe evaluates `task` on, English left out."""
    return tuple(lang for lang in eval_languages(recipe, get_task(task)) if lang != TRAIN_LANGUAGE)


def group_languages(group: str, available: Sequence[str]) -> tuple[str, ...]:
    """The languages of `group` (a group name or codes) among `available` (English left out)."""
    return resolve_languages(group, [lang for lang in available if lang != TRAIN_LANGUAGE])


def estimates_for(
    target: Target, candidates, estimators: Sequence[str], setting: Setting, reuse=None
) -> list[Estimate]:
    """Run the estimators; with `reuse` (the same target's estimates for other languages), only
    the ones whose ranking depends on the languages run again."""
    if reuse is None:
        return R.run_estimators(target, candidates, estimators, setting)
    out = []
    for name, earlier in zip(estimators, reuse, strict=True):
        again = get_estimator(name).by_language
        out.append(R.run_estimators(target, candidates, [name], setting)[0] if again else earlier)
    return out


def rank_command(options: SelectOptions, console: Console) -> None:
    for task in options.targets:
        train_task(task)  # a target without training data fails before the toy world is built
    candidates = candidates_for(options, options.from_)
    setting, recipe = setting_for(options, console)
    targets = options.targets or (recipe.target.tasks if recipe.target else ())
    tables, records = [], []
    for task in targets:
        for group in options.groups or ("",):
            langs = recipe_languages(recipe, task)
            langs = group_languages(group, langs) if group else langs
            target = Target(task, langs)
            estimates = R.run_estimators(target, candidates, options.estimators, setting)
            rows = R.ranked_rows(task, estimates)
            title = f"{task}: {group} ({', '.join(langs)})" if group else task
            notes = tuple(n for e in estimates for n in e.notes)
            tables.append(V.rank_table(f"select {title}", rows, notes))
            records += rows
    V.show(tables, records, options.fmt, console)


def evaluate_command(options: SelectOptions, console: Console) -> None:
    sweep = Path(options.evaluate)
    truth = R.sweep_truth(sweep, options.candidates)
    missing = [t for t in options.targets if t not in truth]
    if missing or not truth:
        raise StiltxError(
            f"select --evaluate: {sweep} has no English dev (selection) scores of "
            f"{options.candidates!r} runs for {', '.join(missing) or 'any target'} "
            f"(scored: {', '.join(truth) or 'none'})"
        )
    candidates = candidates_for(options, sweep)
    setting, recipe = setting_for(options, console)
    grid = R.grid_seconds(sweep, options.candidates)
    by_truth: dict[str, list[R.EvalRow]] = {}
    for task in options.targets or sorted(truth):
        target = Target(task, recipe_languages(recipe, task))
        estimates = estimates_for(target, candidates, options.estimators, setting)
        dev = R.score_estimates(task, truth[task], estimates, k=options.k, grid=grid)
        by_truth.setdefault(R.DEV_TRUTH, []).extend(dev)
        for group in options.groups:
            available = R.sweep_languages(sweep, task, options.candidates)
            try:
                langs = group_languages(group, available)
            except UnknownNameError:  # the target has no language of the group: not scored
                continue
            label = f"test {group} ({', '.join(langs)})"
            again = estimates_for(Target(task, langs), candidates, options.estimators, setting,
                                  reuse=estimates)  # fmt: skip
            group_truth = R.test_truth(sweep, task, langs, options.candidates)
            rows = R.score_estimates(task, group_truth, again, k=options.k, grid=grid, label=label)
            by_truth.setdefault(label, []).extend(rows)
    note = R.coverage(sweep, options.candidates).note()
    tables = [V.eval_table(label, rows, note) for label, rows in by_truth.items()]
    V.show(tables, [r for rows in by_truth.values() for r in rows], options.fmt, console)


def select_command(options: SelectOptions, console: Console) -> None:
    """`stiltx select`: rank, or (with `evaluate`) score the rankings against a sweep."""
    if options.k < 1:
        raise StiltxError(f"--top-k {options.k}: expected at least 1")
    for name in options.estimators:
        get_estimator(name)  # unknown names fail before any work
    sweep = options.evaluate if options.evaluate is not None else options.from_
    # the candidates' runs are read by joining names onto the sweep folder, checked once
    # (rank.sweep_candidates); a link made there later is refused where it is read
    with run_files.guarded(sweep, "sweep folder") if sweep else contextlib.nullcontext():
        if options.evaluate is not None:
            evaluate_command(replace(options, from_=options.evaluate), console)
        else:
            rank_command(options, console)
