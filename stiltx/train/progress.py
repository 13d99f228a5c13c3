"""The training progress bar: step / total, bar, elapsed and ETA always visible at 80 columns.

Line 1 (fixed-width columns, only the bar stretches or shrinks):
    step 120/3000 ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━   4% 0:01:10 ETA 0:28:03
Line 2 (the running loss per task; wraps onto more lines, never cuts a name):
    loss anli 1.100  ccg 1.517  cosmosqa 1.386  ...
"""

from __future__ import annotations

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


def make_progress(console: Console | None = None) -> TwoLineProgress:
    return TwoLineProgress(
        TextColumn("step"),
        MofNCompleteColumn(),
        BarColumn(bar_width=None),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
        expand=True,
    )


class ProgressBar:
    """The loop's bar, or nothing when disabled (non-main processes, tests)."""

    def __init__(self, enabled: bool, start: int, total: int, console: Console | None = None):
        self.progress = make_progress(console) if enabled else None
        if self.progress is not None:
            self.task = self.progress.add_task("train", total=total, completed=start)

    def advance(self, done: int) -> None:
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


def progress_bar(enabled: bool, start: int, total: int) -> ProgressBar:
    return ProgressBar(enabled, start, total)
