"""Figures of one run's training and of each recipe's scores (matplotlib, Agg; on --plot).

- `learning_curves`: per stage (intermediate, target/<task>), from `train_log.jsonl`: training
  loss per task, English dev score per task, and the learning rate, against the step; drawn
  from whatever points exist (markers when there are few: a run shorter than `log_every` has
  one logged step), and a panel with nothing logged says so;
- `mixture_plot`: intended vs realized share of intermediate steps per task (mixture.json),
  mean over seeds, one panel per recipe;
- `scores_by_language`: one recipe's per-language scores (mean over seeds) per task, languages
  grouped by family / script / resource class, with the group names under the axis and a dashed
  chance line on classification and multiple-choice tasks.
"""

from __future__ import annotations

import json
from pathlib import Path

from stiltx.layout import INTERMEDIATE_DIR, TARGET_DIR
from stiltx.report import collapse as CL
from stiltx.report.figure import pyplot, safe_name, save_png
from stiltx.report.tables import RecipeGroup, Report, _language_order, language_matrix
from stiltx.tasks import benchmarks as B

LOG_NAME = "train_log.jsonl"  # stiltx.train.loop.LOG_NAME (kept torch-free here)


def read_log(path: Path) -> tuple[list[dict], list[dict]]:
    """(training rows {step, lr, loss{task}}, evaluation rows {step, eval{task}}) of one log."""
    train, evals = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            continue  # a torn last line of an interrupted run: skip it, plot the rest
        if not isinstance(row, dict) or "step" not in row:
            continue
        if isinstance(row.get("loss"), dict):
            train.append(row)
        if isinstance(row.get("eval"), dict):
            evals.append(row)
    return train, evals


def stage_logs(run_dir: Path) -> dict[str, Path]:
    """{stage name: train_log.jsonl} for the stages of a run that have one."""
    out = {}
    if (run_dir / INTERMEDIATE_DIR / LOG_NAME).is_file():
        out["intermediate"] = run_dir / INTERMEDIATE_DIR / LOG_NAME
    for stage in sorted((run_dir / TARGET_DIR).glob(f"*/{LOG_NAME}")):
        out[f"target: {stage.parent.name}"] = stage
    return out


MARKED_UP_TO = 30  # curves with this many points or fewer get a marker at each point


def _curve(ax, points: list[tuple[float, float]], **style) -> None:
    """A line through `points`, with markers when there are few: a run shorter than `log_every`
    logs one row (its last step), and a one-point line draws nothing."""
    if len(points) <= MARKED_UP_TO:
        style.setdefault("marker", "o")
        style.setdefault("markersize", 4 if len(points) > 1 else 6)
    ax.plot(*zip(*points, strict=True), **style)


def learning_curves_figure(run_dir: Path, title: str):
    """One row of three panels per stage: loss per task, English dev per task, learning rate; a
    panel with nothing logged says so. None when the run has no training log."""
    logs = stage_logs(run_dir)
    if not logs:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(len(logs), 3, figsize=(13, 2.9 * len(logs) + 0.6), squeeze=False,
                             layout="constrained")  # fmt: skip
    for row, (stage, log) in zip(axes, logs.items(), strict=True):
        train, evals = read_log(log)
        tasks = list(dict.fromkeys(t for r in train for t in r["loss"]))
        for task in tasks:
            points = [(r["step"], r["loss"][task]) for r in train if task in r["loss"]]
            _curve(row[0], points, label=task, linewidth=1.2)
        row[0].set_title(f"{stage}: training loss", fontsize=9)
        dev = list(dict.fromkeys(t for r in evals for t in r["eval"]))
        for task in dev:
            points = [(r["step"], r["eval"][task]) for r in evals if task in r["eval"]]
            _curve(row[1], points, marker="o", markersize=3, label=task)
        row[1].set_title(f"{stage}: English dev score", fontsize=9)
        lr = [(r["step"], r["lr"]) for r in train if "lr" in r]
        if lr:
            _curve(row[2], lr, color="black", linewidth=1.2)
        row[2].set_title(f"{stage}: learning rate", fontsize=9)
        for ax, empty, what in ((row[0], not tasks, "loss"), (row[1], not dev, "evaluation"),
                                (row[2], not lr, "learning rate")):  # fmt: skip
            if empty:
                ax.text(0.5, 0.5, f"no {what} logged", ha="center", transform=ax.transAxes)
        for ax in row:
            ax.set_xlabel("step", fontsize=8)
            ax.tick_params(labelsize=7)
            ax.grid(alpha=0.3)
        for ax in row[:2]:
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=6, ncol=2 if len(tasks) > 4 else 1)
    fig.suptitle(title, fontsize=10)
    return fig


def learning_curves(run_dir: Path, path: Path, title: str) -> Path | None:
    """`learning_curves_figure` as a PNG at `path` (None when the run has no training log)."""
    fig = learning_curves_figure(run_dir, title)
    if fig is None:
        return None
    path = save_png(fig, path)
    pyplot().close(fig)
    return path


def mixture_plot(report: Report, path: Path) -> Path | None:
    """Intended vs realized share (%) of intermediate steps per task, one panel per recipe."""
    groups = [g for g in report.groups if any(r.mixture for r in g.runs)]
    if not groups:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(1, len(groups), figsize=(max(6.0, 5.0 * len(groups)), 3.8),
                             squeeze=False, layout="constrained")  # fmt: skip
    for ax, group in zip(axes[0], groups, strict=True):
        runs = [r for r in group.runs if r.mixture]
        tasks = list(dict.fromkeys(t for r in runs for t in r.mixture))
        shares = {"intended": [], "realized": []}
        for task in tasks:
            for k, side in enumerate(("intended", "realized")):
                values = [100 * r.mixture.get(task, (0.0, 0.0))[k]
                          / (sum(v[k] for v in r.mixture.values()) or 1.0) for r in runs]  # fmt: skip
                shares[side].append(sum(values) / len(values))
        xs = range(len(tasks))
        ax.bar([x - 0.2 for x in xs], shares["intended"], width=0.4, label="intended",
               color="#9ecae1")  # fmt: skip
        ax.bar([x + 0.2 for x in xs], shares["realized"], width=0.4, label="realized",
               color="#3182bd")  # fmt: skip
        ax.set_xticks(list(xs), labels=tasks, rotation=30, ha="right", fontsize=8)
        ax.set_ylabel("share of intermediate steps (%)")
        ax.set_title(f"{group.name} (mean over {len(runs)} seed(s))", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=8)
    fig.suptitle("Mixture: intended vs realized steps per task (mixture.json)", fontsize=10)
    path = save_png(fig, path)
    plt.close(fig)
    return path


def scores_by_language_figure(report: Report, group: RecipeGroup):
    """Per-language scores of one recipe, one panel per task, bars grouped and coloured by group,
    with a dashed chance line on classification and multiple-choice tasks (None: no scores)."""
    # matplotlib: heavy, imported only when a figure is drawn
    from matplotlib.patches import Patch

    matrix = language_matrix(group, None, report.languages)
    if not matrix:
        return None
    plt = pyplot()
    bench = report.benchmark or B.get_benchmark(group.benchmark)
    tasks = [t for t in bench.task_names if any(k[0] == t for k in matrix)]
    tasks += sorted({k[0] for k in matrix} - set(tasks))
    by = report.group_by if report.group_by not in ("task", "language") else "family"
    fig, axes = plt.subplots(len(tasks), 1, figsize=(max(6.5, 0.35 * len({k[1] for k in matrix}) + 3), 2.3 * len(tasks) + 0.8),
                             squeeze=False, layout="constrained")  # fmt: skip
    colors = plt.get_cmap("tab10")
    chance = CL.chance_levels()
    # One colour per group across every panel.
    every = list(dict.fromkeys(g for g, _ in _language_order({k[1] for k in matrix}, by)))
    for ax, task in zip(axes[:, 0], tasks, strict=True):
        ordered = _language_order({lang for t, lang in matrix if t == task}, by)
        labels = list(dict.fromkeys(g for g, _ in ordered))
        for x, (label, lang) in enumerate(ordered):
            stat = matrix[(task, lang)]
            ax.bar(x, stat.mean, color=colors(every.index(label) % 10),
                   yerr=stat.std if stat.std else None, capsize=2)  # fmt: skip
        ax.set_xticks(range(len(ordered)), labels=[c for _, c in ordered], fontsize=7)
        ax.set_ylabel(task, fontsize=8)
        ax.grid(axis="y", alpha=0.3)
        handles = [Patch(color=colors(every.index(g) % 10), label=g) for g in labels]
        if task in chance:
            handles.append(ax.axhline(chance[task], color="black", linestyle="--", linewidth=1.0,
                                      label=f"chance ({chance[task]:.1f})", gid="chance"))  # fmt: skip
        ax.legend(handles=handles, fontsize=6, loc="upper left", bbox_to_anchor=(1.0, 1.0),
                  frameon=False)  # fmt: skip
    fig.suptitle(f"{group.name}: score per language (mean over {len(group.runs)} seed(s); "
                 f"error bars: std; grouped by {by}; dashed: chance)", fontsize=10)  # fmt: skip
    return fig


def scores_by_language(report: Report, group: RecipeGroup, path: Path) -> Path | None:
    """`scores_by_language_figure` as a PNG at `path` (None when the recipe has no scores)."""
    fig = scores_by_language_figure(report, group)
    if fig is None:
        return None
    path = save_png(fig, path)
    pyplot().close(fig)
    return path


def write_run_plots(report: Report, out_dir: Path) -> dict[str, Path]:
    """Learning curves of each run, the mixture plot, and per-language scores of each recipe."""
    plots: dict[str, Path] = {}
    for group in report.groups:
        name = safe_name(group.name)
        made = scores_by_language(report, group, out_dir / f"scores_by_language_{name}.png")
        if made is not None:
            plots[f"scores_by_language_{name}"] = made
        for run in group.runs:
            key = f"learning_curves_{name}" + (f"_seed{run.seed}" if len(group.runs) > 1 else "")
            made = learning_curves(run.path, out_dir / f"{key}.png", f"{group.name}: {run.name}")
            if made is not None:
                plots[key] = made
    made = mixture_plot(report, out_dir / "mixture.png")
    if made is not None:
        plots["mixture"] = made
    return plots
