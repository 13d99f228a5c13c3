"""The transfer heatmap: intermediate recipe (rows) x target task (columns), delta vs direct.

Diverging colormap centred at 0; each cell shows the mean delta and, with 2+ seeds, its 95%
interval. The colour is the point estimate only, so the interval is drawn too: a cell whose
interval includes 0 is hatched (its colour may be dark and still say nothing), a cell whose
interval excludes 0 and may be read as a test (cells.significant: spread and 3+ seeds on both
sides) is in bold, and an interval that is no test says 'n/a' as the tables do. matplotlib (Agg)
is imported on use.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.report.cells import NOT_TESTED
from stiltx.report.figure import pyplot, save_png
from stiltx.report.tables import AVG, Table
from stiltx.report.uncertainty import Stat, significant

HATCH = "///"


def crosses_zero(cell: Stat) -> bool:
    """The cell has a 95% interval and 0 lies inside it (closed: an end at 0 counts)."""
    return cell.low is not None and cell.high is not None and cell.low <= 0.0 <= cell.high


def heatmap_figure(table: Table, title: str, colorbar_label: str):
    """The matplotlib figure of the transfer matrix (`transfer.transfer_table`)."""
    # numpy / matplotlib: start-up time of `stiltx report`; only the figure needs them
    import numpy as np
    from matplotlib.patches import Patch, Rectangle

    plt = pyplot()
    rows, columns = [r.label for r in table.rows], list(table.columns)
    values = np.full((len(rows), len(columns)), np.nan)
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            if isinstance(cell, Stat):
                values[i, j] = cell.mean
    finite = values[np.isfinite(values)]
    limit = float(np.max(np.abs(finite))) if finite.size else 1.0
    fig, ax = plt.subplots(
        figsize=(max(6.0, 1.05 * len(columns) + 2.5), max(2.5, 0.55 * len(rows) + 1.8))
    )
    cmap = plt.get_cmap("RdBu").with_extremes(bad="#dddddd")
    image = ax.imshow(
        np.ma.masked_invalid(values), cmap=cmap, vmin=-(limit or 1.0), vmax=limit or 1.0,
        aspect="auto",
    )  # fmt: skip
    ax.set_yticks(range(len(rows)), labels=rows)
    ax.set_xticks(range(len(columns)), labels=columns, rotation=30, ha="right")
    if AVG in columns:
        ax.axvline(columns.index(AVG) - 0.5, color="black", linewidth=1.0)
    hatched = 0
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            if not isinstance(cell, Stat):
                continue
            text = f"{cell.mean:+.1f}"
            if cell.low is not None and cell.high is not None:
                text += f"\n[{cell.low:+.1f}, {cell.high:+.1f}]"
                text += f" {NOT_TESTED}" if cell.untestable else ""
            if crosses_zero(cell):
                hatched += 1
                ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, hatch=HATCH,
                                       edgecolor="#555555", linewidth=0, gid=f"crosses0:{i},{j}"))  # fmt: skip
            dark = abs(cell.mean) > 0.6 * (limit or 1.0)
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if dark else "black",
                    fontweight="bold" if significant(cell) else "normal")  # fmt: skip
    fig.colorbar(image, ax=ax, label=colorbar_label, shrink=0.8)
    if hatched:
        ax.legend(handles=[Patch(facecolor="white", edgecolor="#555555", hatch=HATCH,
                                 label="95% interval includes 0")],
                  loc="upper left", bbox_to_anchor=(0, -0.25), fontsize=7, frameon=False)  # fmt: skip
    ax.set_title(title, fontsize=10)
    return fig


def transfer_heatmap(table: Table, title: str, colorbar_label: str, path: Path) -> Path:
    """The transfer matrix (`transfer.transfer_table`) as a heatmap PNG at `path`."""
    fig = heatmap_figure(table, title, colorbar_label)
    path = save_png(fig, path)
    pyplot().close(fig)
    return path
