"""The transfer heatmap draws the interval, not only the point estimate: a cell whose 95% interval
includes 0 is hatched, whatever its colour; bold only where the interval may be read as a test."""

from __future__ import annotations

from stiltx.report.figure import pyplot
from stiltx.report.tables import Row, Table
from stiltx.report.transfer_plot import crosses_zero, heatmap_figure, transfer_heatmap
from stiltx.report.uncertainty import FEW_SEEDS, T95, Stat

# The darkest cell, +4.7 [-15.2, +24.5], is hatched; so is an interval ending at 0.
WIDE = Stat(4.7, 10.0, 3, -15.2, 24.5, T95)
SURE = Stat(3.0, 1.0, 3, 1.0, 5.0, T95)
NEGATIVE = Stat(-2.0, 0.5, 3, -3.0, -1.0, T95)
AT_ZERO = Stat(1.0, 0.5, 3, 0.0, 2.0, T95)
TWO_SEEDS = Stat(3.1, 0.1, 2, 2.0, 4.0, T95, untestable=FEW_SEEDS)  # excludes 0, yet no test
ONE_SEED = Stat(1.5)  # no interval: nothing to hatch
TABLE = Table(
    key="transfer", title="t", label_header="intermediate", columns=("xnli", "pawsx", "Avg"),
    rows=(Row("a", (WIDE, SURE, AT_ZERO)), Row("b", (NEGATIVE, TWO_SEEDS, ONE_SEED))),
    kind="delta",
)  # fmt: skip


def test_cells_whose_interval_includes_zero_are_hatched_and_only_tests_are_bold(tmp_path):
    assert [crosses_zero(c) for c in (WIDE, SURE, NEGATIVE, AT_ZERO, TWO_SEEDS, ONE_SEED)] == [
        True, False, False, True, False, False
    ]  # fmt: skip
    fig = heatmap_figure(TABLE, "title", "delta")
    ax = fig.axes[0]
    hatched = sorted(p.get_gid() for p in ax.patches if p.get_hatch())
    assert hatched == ["crosses0:0,0", "crosses0:0,2"]  # (row, column) of WIDE and AT_ZERO
    bold = {t.get_text().split("\n")[0] for t in ax.texts if t.get_fontweight() == "bold"}
    assert bold == {"+3.0", "-2.0"}  # SURE and NEGATIVE; TWO_SEEDS excludes 0 but is no test
    texts = [t.get_text() for t in ax.texts]
    assert "+3.1\n[+2.0, +4.0] n/a" in texts and "+1.5" in texts
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["95% interval includes 0"]
    pyplot().close(fig)
    png = transfer_heatmap(TABLE, "title", "delta", tmp_path / "heatmap.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
