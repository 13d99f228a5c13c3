"""The transfer heatmap: intermediate recipe (rows) x target task (columns), delta vs direct.

Diverging colormap centred at 0; each cell shows the mean delta and, with 2+ seeds, its 95%
interval; cells whose interval excludes 0 are in bold. matplotlib (Agg) is imported on use.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.report.figure import pyplot, save_png
from stiltx.report.tables import AVG, Table
from stiltx.report.uncertainty import Stat


def transfer_heatmap(table: Table, title: str, colorbar_label: str, path: Path) -> Path:
    """The transfer matrix (`transfer.transfer_table`) as a heatmap PNG at `path`."""
    # numpy: start-up time of `stiltx report`; only the figure needs it
    import numpy as np

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
    for i, row in enumerate(table.rows):
        for j, cell in enumerate(row.cells):
            if not isinstance(cell, Stat):
                continue
            text = f"{cell.mean:+.1f}"
            sure = False
            if cell.low is not None and cell.high is not None:
                text += f"\n[{cell.low:+.1f}, {cell.high:+.1f}]"
                sure = cell.low > 0 or cell.high < 0
            dark = abs(cell.mean) > 0.6 * (limit or 1.0)
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if dark else "black",
                    fontweight="bold" if sure else "normal")  # fmt: skip
    fig.colorbar(image, ax=ax, label=colorbar_label, shrink=0.8)
    ax.set_title(title, fontsize=10)
    path = save_png(fig, path)
    plt.close(fig)
    return path
