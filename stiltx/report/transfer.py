"""The paper's tables for a sweep (Phang et al. 2020, Tables 1-3): pure functions of runs. Torch-free.

- transfer matrix: intermediate recipe x target task, delta vs the control (`direct`) in points,
  with a Welch 95% t-interval over seeds (same statistic as `stiltx report`'s delta view);
- selection: the best intermediate recipe per target chosen on **English dev only** (each target
  stage's model-selection score, results.json rows split 'dev', metric 'selection'), next to the
  test-oracle choice, which is labelled as such and never used for the X-STILTs row;
- X-STILTs: every target scored with its dev-selected intermediate recipe, per seed, then the
  XTREME average vs direct (the paper's headline comparison);
- the transfer matrix and X-STILTs again with languages grouped by resource class
  (stiltx.report.transfer_resource);
- baselines at equal budget: each baseline recipe (recipes/baselines/*) and each intermediate
  recipe with its intermediate-training budget (steps x batch x grad_accum examples) and its
  average delta vs direct; unequal budgets are named in a note.

Roles come from the sweep's `sweep.json` (control / intermediate / baseline); without one, a
recipe named `direct` is the control, names starting with `baseline` are baselines. Where a
manifest names several controls, `direct` is the control and the others (MAD-X in sweeps
written before it was a baseline) are baselines.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from stiltx import atomic
from stiltx.errors import DataError
from stiltx.layout import DONE_FILE, INTERMEDIATE_DIR, RESOLVED_RECIPE
from stiltx.report import export
from stiltx.report import uncertainty as U
from stiltx.report.results import Found, RunResults, find_runs
from stiltx.report.tables import (
    AVG,
    RecipeGroup,
    Report,
    Row,
    Table,
    budget_phase,
    budget_table,
    group_runs,
    run_summary,
)
from stiltx.report.transfer_plot import transfer_heatmap
from stiltx.report.transfer_resource import transfer_by_resource, xstilts_by_resource
from stiltx.report.uncertainty import Stat
from stiltx.results import SELECTION_METRIC
from stiltx.tasks import benchmarks as B

CONTROL, INTERMEDIATE, BASELINE = "control", "intermediate", "baseline"
TRANSFER_KEYS = ("transfer", "transfer:resource", "selection", "xstilts", "xstilts:resource",
                 "baselines")  # fmt: skip
ORACLE = "test oracle (NOT a valid selection)"
XSTILTS = "X-STILTs (English dev selection)"
XSTILTS_ORACLE = f"X-STILTs, {ORACLE}"


def sweep_roles(sweep_dir: Path) -> dict[str, str]:
    """{recipe name: role} from <sweep>/sweep.json, or {} when there is none."""
    path = Path(sweep_dir) / "sweep.json"
    if not path.is_file():
        return {}
    try:
        jobs = json.loads(path.read_text(encoding="utf-8"))["jobs"]
        return {str(j["recipe"]): str(j["role"]) for j in jobs}
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise DataError(f"{path}: not a valid sweep manifest ({error})") from None


def role(name: str, roles: dict[str, str]) -> str:
    if name in roles:
        return roles[name]
    if name == "direct":
        return CONTROL
    return BASELINE if name.startswith("baseline") else INTERMEDIATE


def _fmt(stat: Stat | None, signed: bool = False) -> str:
    if stat is None:
        return "–"
    text = f"{stat.mean:+.1f}" if signed else f"{stat.mean:.1f}"
    if signed and stat.low is not None and stat.high is not None:
        text += f" [{stat.low:+.1f}, {stat.high:+.1f}]"
    elif not signed and stat.std is not None:
        text += f" ± {stat.std:.1f}"
    return text


def dev_score(run: RunResults, task: str) -> float | None:
    """The English dev score a target stage selected its model on (None if not recorded)."""
    for s in run.scores:
        if (
            s.task == task
            and s.split == "dev"
            and s.language == "en"
            and s.metric == SELECTION_METRIC
        ):
            return s.value
    return None


@dataclass(frozen=True)
class Transfer:
    """Everything the transfer view shows, computed once."""

    control: RecipeGroup
    intermediates: tuple[RecipeGroup, ...]
    baselines: tuple[RecipeGroup, ...]
    benchmark: B.Benchmark
    tasks: tuple[str, ...]  # target tasks present, benchmark order
    summaries: dict[str, dict[int | None, dict[str, float]]]  # recipe -> seed -> run_summary
    dev: dict[str, dict[str, float]]  # recipe -> task -> mean English dev (selection) score
    selected: dict[str, str]  # task -> recipe chosen on English dev
    oracle: dict[str, str]  # task -> recipe with the best mean test score (for reference only)
    dev_note: str


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _pick(scores: dict[str, float | None]) -> str | None:
    """The recipe with the highest score (ties: alphabetical); None when nothing is scored."""
    scored = sorted((name, v) for name, v in scores.items() if v is not None)
    return max(scored, key=lambda item: item[1])[0] if scored else None


def analyse(found: Found, roles: dict[str, str] | None = None) -> Transfer:
    roles = roles or {}
    groups = group_runs(found.runs)
    controls = [g for g in groups if role(g.name, roles) == CONTROL]
    if len(controls) > 1 and "direct" in {g.name for g in controls}:
        # a manifest written before MAD-X was a baseline lists madx as a control too: the
        # control is direct fine-tuning, any other recipe without intermediate task a baseline
        roles = {**roles, **{g.name: BASELINE for g in controls if g.name != "direct"}}
        controls = [g for g in controls if g.name == "direct"]
    if len(controls) != 1:
        names = ", ".join(g.name for g in controls) or "none"
        raise DataError(
            f"the transfer view needs exactly one control recipe (direct fine-tuning); found {names}"
        )
    control = controls[0]
    inters = tuple(g for g in groups if role(g.name, roles) == INTERMEDIATE)
    bases = tuple(g for g in groups if role(g.name, roles) == BASELINE)
    bench = B.get_benchmark(control.benchmark)
    summaries = {
        g.name: {r.seed: run_summary(r, bench) for r in g.runs} for g in (control, *inters, *bases)
    }
    present = {k for per_seed in summaries.values() for s in per_seed.values() for k in s}
    tasks = tuple(t for t in bench.task_names if t in present)
    dev = {
        g.name: {
            t: m
            for t in tasks
            if (m := _mean([v for r in g.runs if (v := dev_score(r, t)) is not None])) is not None
        }
        for g in inters
    }
    selected, oracle, undeveloped = {}, {}, []
    for task in tasks:
        choice = _pick({name: scores.get(task) for name, scores in dev.items()})
        if choice is None:  # no English dev for this target (retrieval): best mean English dev
            undeveloped.append(task)
            choice = _pick({name: _mean(list(scores.values())) for name, scores in dev.items()})
        if choice is not None:
            selected[task] = choice
        test = {
            g.name: _mean([s[task] for s in summaries[g.name].values() if task in s])
            for g in inters
        }
        if (best := _pick(test)) is not None:
            oracle[task] = best
    note = ""
    if undeveloped:
        note = (
            f"{', '.join(undeveloped)}: no English dev score (no target stage: scored from the "
            "encoder), so the recipe with the best mean English dev score over the trained "
            "targets is used"
        )
    return Transfer(control, inters, bases, bench, tasks, summaries, dev, selected, oracle, note)


def _delta(t: Transfer, recipe: str, column: str) -> Stat | None:
    mine = [s[column] for s in t.summaries[recipe].values() if column in s]
    theirs = [s[column] for s in t.summaries[t.control.name].values() if column in s]
    return U.welch_delta(mine, theirs) if mine and theirs else None


def transfer_table(t: Transfer) -> Table:
    columns = (*t.tasks, AVG)
    rows = [Row(g.name, tuple(_delta(t, g.name, c) for c in columns)) for g in t.intermediates]
    seeds = sorted({len(g.runs) for g in (t.control, *t.intermediates)})
    return Table(
        key="transfer",
        title=f"Transfer matrix: delta vs {t.control.name} per target task ({t.benchmark.name})",
        label_header="intermediate",
        columns=columns,
        rows=tuple(rows),
        kind="delta",
        notes=(
            f"delta = intermediate recipe - {t.control.name} (points; task score = mean over its "
            "languages, QA = (EM+F1)/2); Avg = mean of the task scores",
            f"[low, high]: {U.INTERVAL_NAMES[U.T95]} (Welch; seeds per recipe: "
            f"{', '.join(map(str, seeds))}); none with fewer than 2 seeds",
        ),
    )


def selection_table(t: Transfer) -> Table:
    rows = []
    for task in t.tasks:
        chosen, best = t.selected.get(task), t.oracle.get(task)
        dev = t.dev.get(chosen, {}).get(task) if chosen else None
        rows.append(
            Row(
                task,
                (
                    chosen or "–",
                    "–" if dev is None else f"{dev:.1f}",
                    _fmt(_delta(t, chosen, task), signed=True) if chosen else "–",
                    best or "–",
                    _fmt(_delta(t, best, task), signed=True) if best else "–",
                    "yes" if chosen and chosen == best else "no",
                ),
            )
        )
    notes = [
        "selected on English dev only: each target stage's best English dev score (its own "
        "model selection; XNLI on MNLI dev, XQuAD/MLQA on SQuAD dev), mean over seeds",
        f"{ORACLE}: highest mean test score over the evaluation languages; shown only to "
        "measure what dev selection loses",
    ]
    if t.dev_note:
        notes.append(t.dev_note)
    return Table(
        key="selection",
        title="Best intermediate recipe per target",
        label_header="target",
        columns=(
            "selected (English dev)",
            "English dev",
            f"delta vs {t.control.name}",
            ORACLE,
            f"oracle delta vs {t.control.name}",
            "same",
        ),
        rows=tuple(rows),
        kind="score",
        notes=tuple(notes),
    )


def _combined(t: Transfer, choice: dict[str, str]) -> list[dict[str, float]]:
    """Per seed of the control: each task's score from its chosen recipe's run of that seed.

    A seed for which a chosen recipe has no run gets no average (never one over fewer tasks)."""
    out = []
    for seed in t.summaries[t.control.name]:
        scores = {}
        for task in t.tasks:
            recipe = choice.get(task)
            run = t.summaries.get(recipe, {}).get(seed) if recipe else None
            if run and task in run:
                scores[task] = run[task]
        agg = B.aggregate(t.benchmark, scores)
        if len(scores) == len(t.tasks) and agg.overall is not None:
            scores[AVG] = agg.overall
        if scores:
            out.append(scores)
    return out


def xstilts_table(t: Transfer) -> Table:
    columns = (*t.tasks, AVG)
    control = list(t.summaries[t.control.name].values())
    rows = []
    for label, per_seed in (
        (t.control.name, control),
        (XSTILTS, _combined(t, t.selected)),
        (XSTILTS_ORACLE, _combined(t, t.oracle)),
    ):
        cells: list = [
            U.pooled(v) if (v := [s[c] for s in per_seed if c in s]) else None for c in columns
        ]
        base = [s[AVG] for s in control if AVG in s]
        mine = [s[AVG] for s in per_seed if AVG in s]
        cells.append(
            _fmt(U.welch_delta(mine, base), signed=True)
            if label != t.control.name and mine and base
            else "–"
        )
        rows.append(Row(label, tuple(cells)))
    complete = all(x in t.tasks for x in t.benchmark.task_names)
    notes = [
        "each target scored with the intermediate recipe selected for it (same seed); "
        f"Avg = {t.benchmark.name} average of the task scores; mean ± std over seeds",
        f"delta Avg: vs {t.control.name}, {U.INTERVAL_NAMES[U.T95]} (Welch)",
    ]
    if not complete:
        missing = [x for x in t.benchmark.task_names if x not in t.tasks]
        notes.append(f"partial {t.benchmark.name} average: no scores for {', '.join(missing)}")
    return Table(
        key="xstilts",
        title=f"X-STILTs: each target with its selected intermediate recipe vs {t.control.name}",
        label_header="model",
        columns=(*columns, f"delta {AVG}"),
        rows=tuple(rows),
        kind="score",
        notes=tuple(notes),
    )


def _budget(run: RunResults) -> int | None:
    """Intermediate examples seen: results.json's budget (every per-task model of a merge or
    fusion recipe counts), else steps (intermediate/done.json) x batch x grad_accum."""
    if run.budget:
        spent = [v[1] for s, v in run.budget.items() if budget_phase(s) == "intermediate"]
        return None if None in spent else sum(spent)
    try:
        steps = json.loads((run.path / INTERMEDIATE_DIR / DONE_FILE).read_text())["steps"]
        tree = yaml.safe_load((run.path / RESOLVED_RECIPE).read_text(encoding="utf-8"))
        train = tree["intermediate"]["train"]
        return int(steps) * int(train["batch_size"]) * int(train["grad_accum"])
    except (OSError, ValueError, KeyError, TypeError, yaml.YAMLError):
        return None


def baselines_table(t: Transfer) -> Table | None:
    if not t.baselines:
        return None
    rows, budgets = [], {}
    for g in (*t.baselines, *t.intermediates):
        spent = [b for r in g.runs if (b := _budget(r)) is not None]
        budget = round(sum(spent) / len(spent)) if spent else None
        budgets[g.name] = budget
        kind = role(g.name, {b.name: BASELINE for b in t.baselines})
        avg = [s[AVG] for s in t.summaries[g.name].values() if AVG in s]
        rows.append(
            Row(
                g.name,
                (
                    kind,
                    "?" if budget is None else f"{budget:,}",
                    U.pooled(avg) if avg else None,
                    _fmt(_delta(t, g.name, AVG), signed=True),
                ),
            )
        )
    known = {b for b in budgets.values() if b is not None}
    notes = [
        "budget = intermediate examples seen (steps x batch_size x grad_accum), mean over seeds",
        "equal budget: every recipe saw the same number of intermediate examples"
        if len(known) == 1
        else "budgets differ (compare rows with the same budget): "
        + ", ".join(f"{n} {'?' if b is None else f'{b:,}'}" for n, b in budgets.items()),
    ]
    return Table(
        key="baselines",
        title=f"Baselines vs intermediate training at equal budget ({t.benchmark.name} Avg)",
        label_header="recipe",
        columns=("role", "budget", AVG, f"delta {AVG} vs {t.control.name}"),
        rows=tuple(rows),
        kind="score",
        notes=tuple(notes),
    )


def build_transfer(found: Found, roles: dict[str, str] | None = None) -> tuple[Report, Transfer]:
    """The transfer view as a `Report` (so every export format renders it) and its numbers."""
    t = analyse(found, roles)
    choices = {XSTILTS: t.selected, XSTILTS_ORACLE: t.oracle}
    tables = [
        transfer_table(t),
        transfer_by_resource(t.control, t.intermediates, t.benchmark, t.tasks),
        selection_table(t),
        xstilts_table(t),
        xstilts_by_resource(t.control, t.intermediates, t.benchmark, t.tasks, choices),
    ]
    groups = (t.control, *t.intermediates, *t.baselines)
    for extra in (baselines_table(t), budget_table(groups)):  # what each recipe's scores cost
        if extra is not None:
            tables.append(extra)
    report = Report(
        groups=groups,
        baseline=t.control,
        benchmark=t.benchmark,
        languages=None,
        group_by="task",
        tables=tuple(tables),
        skipped=found.skipped,
    )
    return report, t


def heatmap(t: Transfer, path: Path) -> Path:
    """The transfer matrix as a heatmap (stiltx.report.transfer_plot), titled with its seeds."""
    seeds = sorted({len(g.runs) for g in (t.control, *t.intermediates)})
    title = (
        f"Intermediate-task transfer vs {t.control.name} ({t.benchmark.name}; "
        f"seeds: {', '.join(map(str, seeds))};\nbold: the 95% interval excludes 0 "
        "(spread and 3+ seeds on both sides); hatched: it includes 0)"
    )
    return transfer_heatmap(transfer_table(t), title, f"delta vs {t.control.name} (points)", path)


def transfer_report(
    paths: Sequence[str | Path], found: Found, plot_dir: Path | None
) -> tuple[Report, dict[str, Path]]:
    """`stiltx report PATH... --view transfer`: roles from any sweep.json among PATHs."""
    roles: dict[str, str] = {}
    for path in paths:
        if Path(path).is_dir():
            roles.update(sweep_roles(Path(path)))
    report, t = build_transfer(found, roles)
    plots = {}
    if plot_dir is not None and t.intermediates:
        plots["transfer_heatmap"] = heatmap(t, plot_dir / "transfer_heatmap.png")
    return report, plots


def write_transfer(
    sweep_dir: Path, formats: Sequence[str] = ("md", "csv", "latex", "html")
) -> list[Path]:
    """transfer.{md,csv,tex,html} and transfer_heatmap.png in the sweep folder; [] when the
    runs needed (a control and an intermediate recipe) are not there yet."""
    found = find_runs([sweep_dir])
    if not found.runs:
        return []
    try:
        report, t = build_transfer(found, sweep_roles(sweep_dir))
    except DataError:
        return []
    if not t.intermediates:
        return []
    plots = {"transfer_heatmap": heatmap(t, Path(sweep_dir) / "transfer_heatmap.png")}
    suffix = {"md": "md", "csv": "csv", "latex": "tex", "html": "html", "json": "json"}
    written = [
        atomic.write_text(
            Path(sweep_dir) / f"transfer.{suffix[f]}", export.render(report, f, plots)
        )
        for f in formats
    ]
    return [*written, *plots.values()]
