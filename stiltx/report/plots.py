"""PNG figures for reports (matplotlib, Agg backend; imported only when plots are asked for).

- `delta_heatmap`: recipe - baseline per task (rows) x language (columns), diverging colormap
  centred at 0, languages ordered by group (family / script / resource class) with the group
  names under the axis;
- `delta_bars`: per-task delta of every recipe vs the baseline, with its 95% interval;
- and, from stiltx.report.run_plots, per-language scores, learning curves and the mixture.
Titles name the recipes and the benchmark.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.report.coverage import TRANSFER_COLUMNS
from stiltx.report.figure import pyplot, safe_name, save_png
from stiltx.report.run_plots import write_run_plots
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

NOT_EVALUATED = "#d9d9d9"


def robust_limit(values, quantile: float = 0.9) -> float:
    """Colour-scale limit: the `quantile` of |values| (so one ±48 retrieval delta does not wash
    out every target delta), at least 1 point; values beyond it are clipped and annotated."""
    # numpy / matplotlib: heavy, imported only when a figure is drawn
    import numpy as np

    finite = np.abs(values[np.isfinite(values)])
    if finite.size == 0:
        return 1.0
    return max(1.0, float(np.quantile(finite, quantile)))


def delta_heatmap(report: Report, group: RecipeGroup, path: Path) -> Path:
    """Heatmap of `group` - baseline, tasks x languages; grey where a pair was not evaluated.

    Robust colour limit (90th percentile of |delta|); cells beyond it keep their true value as
    text and get a black frame; labels switch to white on dark cells; group names sit on a top
    axis and the title above the whole figure, so nothing overlaps.
    """
    # numpy / matplotlib: heavy, imported only when a figure is drawn
    import numpy as np
    from matplotlib.patches import Patch, Rectangle

    plt = pyplot()
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
    limit = robust_limit(values)
    width = max(6.5, 0.42 * len(ordered) + 3.0)
    height = max(3.2, 0.5 * len(tasks) + 2.4)
    fig, ax = plt.subplots(figsize=(width, height), layout="constrained")
    cmap = plt.get_cmap("RdBu").with_extremes(bad=NOT_EVALUATED)
    image = ax.imshow(
        np.ma.masked_invalid(values), cmap=cmap, vmin=-limit, vmax=limit, aspect="auto"
    )
    ax.set_yticks(range(len(tasks)), labels=tasks)
    ax.set_xticks(range(len(ordered)), labels=[c for _, c in ordered], rotation=90)
    # Group boundaries, and the group names on a top axis (never on top of the title).
    centres, names, previous = [], [], None
    for j, (label, _) in enumerate(ordered):
        if label != previous:
            if j:
                ax.axvline(j - 0.5, color="black", linewidth=0.8)
            span = sum(1 for g, _ in ordered if g == label)
            centres.append(j - 0.5 + span / 2)
            names.append(label if span >= 3 else label.replace("-", "-\n").replace(" ", "\n"))
            previous = label
    top = ax.secondary_xaxis("top")
    top.set_xticks(centres, labels=names, fontsize=7, rotation=0)
    top.tick_params(length=0)
    clipped = 0
    annotate = len(ordered) <= 30 and len(tasks) <= 12
    for i in range(len(tasks)):
        for j in range(len(ordered)):
            value = values[i, j]
            if not np.isfinite(value):
                continue
            beyond = abs(value) > limit
            if beyond:
                clipped += 1
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, lw=1.4, ec="black"))
            if annotate or beyond:
                dark = abs(value) >= 0.55 * limit
                ax.text(j, i, f"{value:+.1f}", ha="center", va="center", fontsize=7,
                        color="white" if dark else "black",
                        fontweight="bold" if beyond else "normal")  # fmt: skip
    label = f"delta vs {report.baseline.name} (points)"
    if clipped:
        label += f"\ncolour clipped at ±{limit:.1f}; framed cells lie beyond"
    fig.colorbar(image, ax=ax, label=label, shrink=0.8, extend="both" if clipped else "neither")
    ax.legend(handles=[Patch(color=NOT_EVALUATED, label="not evaluated")], loc="upper left",
              bbox_to_anchor=(0, -0.02 - 0.012 * max(len(c) for _, c in ordered)),
              fontsize=7, frameon=False)  # fmt: skip
    fig.suptitle(
        f"{group.name} - {report.baseline.name} per task and language "
        f"({bench.name}; languages grouped by {by})",
        fontsize=10,
    )
    path = save_png(fig, path)
    plt.close(fig)
    return path


def delta_bars(report: Report, path: Path) -> Path:
    """Grouped bars: per-task delta of each recipe vs the baseline, 95% intervals as error bars.

    Only deltas that have an interval get an error bar (no zero-length caps that look exact);
    bars without one are hatched and say so in the legend. Partial averages are hatched too.
    """
    # matplotlib: heavy, imported only when a figure is drawn
    from matplotlib.patches import Patch

    plt = pyplot()
    table = report.table("delta")
    assert table is not None and report.baseline is not None
    skip = {"n", AVG, *CATEGORY_LABELS.values(), *TRANSFER_COLUMNS}
    columns = [(j, c) for j, c in enumerate(table.columns) if c not in skip]
    columns += [(j, c) for j, c in enumerate(table.columns) if c == AVG]
    rows = table.rows
    width = 0.8 / max(1, len(rows))
    fig, ax = plt.subplots(figsize=(max(6.5, 1.1 * len(columns) + 2.5), 4.4), layout="constrained")
    colors = plt.get_cmap("tab10")
    without = False
    for r, row in enumerate(rows):
        for k, (j, _) in enumerate(columns):
            cell = row.cells[j]
            if not isinstance(cell, Stat):
                continue
            x = k + (r - (len(rows) - 1) / 2) * width
            has = cell.low is not None and cell.high is not None
            marks = row.marks_of(j)
            hatch = "//" if not has or marks else None
            without |= not has
            ax.bar(x, cell.mean, width=width, color=colors(r % 10), hatch=hatch,
                   edgecolor="white" if hatch else None, linewidth=0)  # fmt: skip
            if has:  # the interval itself, low to high (a bootstrap one need not be symmetric)
                cap = width / 4
                ax.plot([x, x], [cell.low, cell.high], color="black", linewidth=0.9)
                for y in (cell.low, cell.high):
                    ax.plot([x - cap, x + cap], [y, y], color="black", linewidth=0.9)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(range(len(columns)), labels=[c for _, c in columns], rotation=30, ha="right")
    ax.set_ylabel(f"delta vs {report.baseline.name} (points)")
    handles = [Patch(color=colors(r % 10), label=row.label) for r, row in enumerate(rows)]
    if without:
        handles.append(Patch(facecolor="grey", hatch="//", edgecolor="white",
                             label="no interval / partial or flagged"))  # fmt: skip
    ax.legend(handles=handles, fontsize=8, loc="best")
    kinds = [n.removeprefix("[low, high]: ") for n in table.notes if n.startswith("[low, high]")]
    fig.suptitle(
        f"{', '.join(r.label for r in rows)} vs {report.baseline.name} "
        f"({', '.join(report.benchmark_names)})"
        + ("\nerror bars: " + "; ".join(kinds) if kinds else ""),
        fontsize=10,
    )
    ax.grid(axis="y", alpha=0.3)
    path = save_png(fig, path)
    plt.close(fig)
    return path


def write_plots(report: Report, out_dir: Path) -> dict[str, Path]:
    """Delta bars and heatmaps (with a baseline), then each recipe's per-language scores, each
    run's learning curves and the mixture plot (stiltx.report.run_plots)."""
    plots: dict[str, Path] = {}
    if report.baseline is not None and report.table("delta") is not None:
        others = [g for g in report.groups if g.name != report.baseline.name]
        plots["delta_bars"] = delta_bars(report, out_dir / "delta_bars.png")
        for group in others:
            name = "delta_heatmap" if len(others) == 1 else f"delta_heatmap_{safe_name(group.name)}"
            plots[name] = delta_heatmap(report, group, out_dir / f"{name}.png")
    plots.update(write_run_plots(report, out_dir))
    return plots
