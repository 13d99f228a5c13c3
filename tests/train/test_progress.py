"""The training progress bar at 80 columns: step / total, elapsed and ETA always visible."""

from __future__ import annotations

import io

from rich.console import Console

from stiltx.train.progress import ProgressBar, StagesDisplay

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


def test_stages_display_one_line_per_stage_at_80_columns():
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    display = StagesDisplay(console, ["mnli", "tydiqa", "squad"])
    display.live = False  # draw by hand below, not on a timer
    for index in range(3):
        display.tasks[index] = display.progress.add_task(display.names[index], total=None)
    display.step(0, 300, 1200)
    display.step(1, 900, 900)
    display.done(1, 12.0)
    display.step(2, 600, 600)
    display.evaluated(2, 3, 7)  # trained; zero-shot evaluation: 3 of 7 languages done
    for renderable in display.progress.get_renderables():
        console.print(renderable)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3 and all(len(line) <= 80 for line in lines)
    assert "mnli" in lines[0] and "300/1200" in lines[0] and "ETA" in lines[0]
    assert "tydiqa ✓" in lines[1]
    assert "squad eval" in lines[2] and "3/7" in lines[2]


def test_stages_display_prints_start_and_done_lines_when_not_a_terminal():
    out = io.StringIO()
    display = StagesDisplay(Console(file=out, force_terminal=False), ["mnli"])
    with display:
        display.start(0)
        display.step(0, 5, 10)
        display.done(0, 3.21)
    assert out.getvalue().splitlines() == ["target mnli: started", "target mnli: done in 3.2 s"]
