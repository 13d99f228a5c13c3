"""The training progress bar: step / total, bar, elapsed and ETA always visible at 80 columns.

Line 1 (fixed-width columns, only the bar stretches or shrinks):
    step 120/3000 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━   4% 0:01:10 ETA 0:28:03
Line 2 (the running loss per task; wraps onto more lines, never cuts a name):
    loss anli 1.100  ccg 1.517  cosmosqa 1.386  ...
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


def losses_text(losses: dict[str, float]) -> str:
    return "loss " + "  ".join(f"{task} {value:.3f}" for task, value in losses.items())


class TwoLineProgress(Progress):
    """A rich Progress whose second line shows the per-task losses (folded, not cut)."""

    losses: str = ""

    def get_renderables(self):
        yield self.make_tasks_table(self.tasks)
        if self.losses:
            yield Text(self.losses, overflow="fold", no_wrap=False, style="dim")


def make_progress(console: Console | None = None, label: str = "step") -> TwoLineProgress:
    """The bar's columns; `label` is the first column's rich format ("{task.description}")."""
    return TwoLineProgress(
        TextColumn(label),
        MofNCompleteColumn(),
        BarColumn(bar_width=None),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        expand=True,
    )


Report = Callable[[int, int], None]  # (steps done, total): a worker's bar lives in its parent


class ProgressBar:
    """The loop's bar; or each step handed to `report` (a target worker: stiltx.train.fanout);
    or nothing when disabled (non-main processes, tests)."""

    def __init__(
        self, enabled: bool, start: int, total: int, report: Report | None = None,
        console: Console | None = None,
    ):  # fmt: skip
        self.report = report if enabled else None
        self.total = total
        self.progress = make_progress(console) if enabled and report is None else None
        if self.progress is not None:
            self.task = self.progress.add_task("train", total=total, completed=start)

    def advance(self, done: int) -> None:
        if self.report is not None:
            self.report(done, self.total)
        if self.progress is not None:
            self.progress.update(self.task, completed=done)

    def show_losses(self, losses: dict[str, float]) -> None:
        if self.progress is not None:
            self.progress.losses = losses_text(losses)
            self.progress.refresh()

    def __enter__(self) -> ProgressBar:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()


def progress_bar(enabled: bool | Report, start: int, total: int) -> ProgressBar:
    """`enabled`: True for the bar, a callable to report steps to, False for nothing."""
    if callable(enabled):
        return ProgressBar(True, start, total, report=enabled)
    return ProgressBar(enabled, start, total)


class StagesDisplay:
    """The parent's one display of stages running in worker processes: a line per stage (name,
    step / total, bar, elapsed, ETA) on a terminal; plain start / done lines elsewhere (logs)."""

    def __init__(self, console: Console, names: list[str]):
        self.console, self.names = console, names
        self.live = console.is_terminal
        width = max(len(n) for n in names) + 5  # room for the " eval" or ✓ / ✗ after a name
        self.progress = make_progress(console, f"{{task.description:<{width}}}")
        self.tasks: dict[int, Any] = {}  # stage index -> its rich task id
        self.totals: dict[int, int] = {}  # stage index -> its steps (once its worker said)

    def start(self, index: int) -> None:
        if self.live:
            self.tasks[index] = self.progress.add_task(self.names[index], total=None)
        else:
            self.console.print(f"target {self.names[index]}: started")

    def step(self, index: int, done: int, total: int) -> None:
        if index in self.tasks:
            self.totals[index] = total
            self.progress.update(self.tasks[index], completed=done, total=total)

    def evaluated(self, index: int, done: int, total: int) -> None:
        """The stage's line turns to its zero-shot evaluation: languages done of `total`."""
        if index in self.tasks:
            self.totals[index] = total
            name = f"{self.names[index]} eval"
            self.progress.update(self.tasks[index], description=name, completed=done, total=total)

    def done(self, index: int, seconds: float) -> None:
        if index in self.tasks:
            task, total = self.tasks[index], self.totals.get(index, 1)
            name = f"{self.names[index]} ✓"
            self.progress.update(task, description=name, total=total, completed=total)
            self.progress.stop_task(task)
        else:
            self.console.print(f"target {self.names[index]}: done in {seconds:.1f} s")

    def failed(self, index: int) -> None:
        if index in self.tasks:
            self.progress.update(self.tasks[index], description=f"{self.names[index]} ✗")

    def __enter__(self) -> StagesDisplay:
        if self.live:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.progress.stop()


def stages_display(console: Console, stages: Sequence[Any]) -> StagesDisplay:
    return StagesDisplay(console, [stage.train_task for stage in stages])
