"""PNG figures for reports (matplotlib, Agg backend; imported only when plots are asked for).

- `delta_heatmap`: recipe - baseline per task (rows) x language (columns), diverging colormap
  centred at 0, languages ordered by group (family / script / resource class) with the group
  names under the axis;
- `delta_bars`: per-task delta of every recipe vs the baseline, with its 95% interval.
Titles name the recipes and the benchmark.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.atomic import write_bytes
from stiltx.report.tables import (
    AVG,
    CATEGORY_LABELS,
    RecipeGroup,
    Report,
    _language_order,
    language_matrix,
)
from stiltx.report.uncertainty import Stat
from stiltx.tasks import benchmarks as B


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    return write_bytes(path, buffer.getvalue())


def delta_heatmap(report: Report, group: RecipeGroup, path: Path) -> Path:
    """Heatmap of `group` - baseline, tasks x languages; NaN (grey) where a pair is missing."""
    import numpy as np

    plt = _pyplot()
    assert report.baseline is not None
    matrix = language_matrix(group, report.baseline, report.languages)
    bench = report.benchmark or B.get_benchmark(group.benchmark)
    tasks = [t for t in bench.task_names if any(k[0] == t for k in matrix)]
    tasks += sorted({k[0] for k in matrix} - set(tasks))
    by = report.group_by if report.group_by not in ("task", "language") else "family"
    ordered = _language_order({k[1] for k in matrix}, by)
    values = np.full((len(tasks), len(ordered)), np.nan)
    for i, task in enumerate(tasks):
        for j, (_, lang) in enumerate(ordered):
            if (task, lang) in matrix:
                values[i, j] = matrix[(task, lang)].mean
    finite = values[np.isfinite(values)]
    limit = float(np.max(np.abs(finite))) if finite.size else 1.0
    limit = limit or 1.0
    width = max(6.0, 0.38 * len(ordered) + 2.5)
    height = max(2.8, 0.45 * len(tasks) + 2.0)
    fig, ax = plt.subplots(figsize=(width, height))
    cmap = plt.get_cmap("RdBu").with_extremes(bad="#dddddd")
    image = ax.imshow(
        np.ma.masked_invalid(values), cmap=cmap, vmin=-limit, vmax=limit, aspect="auto"
    )
    ax.set_yticks(range(len(tasks)), labels=tasks)
    ax.set_xticks(range(len(ordered)), labels=[c for _, c in ordered], rotation=90)
    # Group boundaries and names.
    previous = None
    for j, (label, _) in enumerate(ordered):
        if label != previous:
            if j:
                ax.axvline(j - 0.5, color="black", linewidth=0.8)
            span = sum(1 for g, _ in ordered if g == label)
            text = label if span >= 3 else label.replace("-", "-\n").replace(" ", "\n")
            ax.text(j - 0.5 + span / 2, -0.6, text, ha="center", va="bottom", fontsize=7)
            previous = label
    if len(ordered) <= 25 and len(tasks) <= 12:
        for i in range(len(tasks)):
            for j in range(len(ordered)):
                if np.isfinite(values[i, j]):
                    ax.text(j, i, f"{values[i, j]:+.1f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label=f"delta vs {report.baseline.name} (points)", shrink=0.8)
    ax.set_title(
        f"{group.name} - {report.baseline.name} per task and language ({bench.name}; "
        f"languages grouped by {by})",
        fontsize=10,
        pad=34,
    )
    path = _save(fig, path)
    plt.close(fig)
    return path


def delta_bars(report: Report, path: Path) -> Path:
    """Grouped bars: per-task delta of each recipe vs the baseline, 95% intervals as error bars."""
    plt = _pyplot()
    table = report.table("delta")
    assert table is not None and report.baseline is not None
    skip = {"n", AVG, *CATEGORY_LABELS.values()}
    columns = [(j, c) for j, c in enumerate(table.columns) if c not in skip]
    columns += [(j, c) for j, c in enumerate(table.columns) if c == AVG]
    rows = table.rows
    width = 0.8 / max(1, len(rows))
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(columns) + 2.0), 4.2))
    colors = plt.get_cmap("tab10")
    for r, row in enumerate(rows):
        xs, ys, lows, highs = [], [], [], []
        for k, (j, _) in enumerate(columns):
            cell = row.cells[j]
            if not isinstance(cell, Stat):
                continue
            xs.append(k + (r - (len(rows) - 1) / 2) * width)
            ys.append(cell.mean)
            has = cell.low is not None and cell.high is not None
            lows.append(cell.mean - cell.low if has else 0.0)
            highs.append(cell.high - cell.mean if has else 0.0)
        ax.bar(xs, ys, width=width, color=colors(r % 10), label=row.label,
               yerr=[lows, highs], capsize=3, error_kw={"linewidth": 0.9})  # fmt: skip
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(columns)), labels=[c for _, c in columns], rotation=30, ha="right")
    ax.set_ylabel(f"delta vs {report.baseline.name} (points)")
    kinds = [
        "error bars" + n.removeprefix("[low, high]")
        for n in table.notes
        if n.startswith("[low, high]")
    ]
    ax.set_title(
        f"{', '.join(r.label for r in rows)} vs {report.baseline.name} "
        f"({', '.join(report.benchmark_names)})" + ("\n" + "; ".join(kinds) if kinds else ""),
        fontsize=10,
    )
    if len(rows) > 1:
        ax.legend(fontsize=8)
    ax.grid(axis="y", alpha=0.3)
    path = _save(fig, path)
    plt.close(fig)
    return path


def _safe(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)


def write_plots(report: Report, out_dir: Path) -> dict[str, Path]:
    """Both figures for every recipe vs the baseline; {} when there is no baseline to compare."""
    if report.baseline is None or report.table("delta") is None:
        return {}
    others = [g for g in report.groups if g.name != report.baseline.name]
    plots = {"delta_bars": delta_bars(report, out_dir / "delta_bars.png")}
    for group in others:
        name = "delta_heatmap" if len(others) == 1 else f"delta_heatmap_{_safe(group.name)}"
        plots[name] = delta_heatmap(report, group, out_dir / f"{name}.png")
    return plots
