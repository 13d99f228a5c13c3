"""The training progress bar at 80 columns: step / total, elapsed and ETA always visible."""

from __future__ import annotations

import io

from rich.console import Console

from stiltx.train.progress import ProgressBar

NINE = {"anli": 1.1, "ccg": 1.517, "commonsenseqa": 1.609, "cosmosqa": 1.386, "hellaswag": 1.386,
        "mnli": 1.098, "qqp": 0.693, "socialiqa": 1.098, "squad": 5.123}  # fmt: skip


def render(width: int) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=False, color_system=None)
    bar = ProgressBar(True, 0, 3000, console=console)
    bar.advance(120)
    bar.show_losses(NINE)
    for renderable in bar.progress.get_renderables():
        console.print(renderable)
    return out.getvalue()


def test_step_elapsed_and_eta_survive_80_columns_with_nine_losses():
    text = render(80)
    first = text.splitlines()[0]
    assert "step" in first and "120/3000" in first and "ETA" in first
    assert "4%" in first and "0:00:0" in first  # elapsed
    assert "…" not in text
    assert all(len(line) <= 80 for line in text.splitlines())
    flat = " ".join(text.split())
    for task, value in NINE.items():  # every loss whole, on the following line(s)
        assert f"{task} {value:.3f}" in flat


def test_narrower_terminal_keeps_the_counters():
    first = render(60).splitlines()[0]
    assert "120/3000" in first and "ETA" in first
