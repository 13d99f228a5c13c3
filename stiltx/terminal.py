"""Terminal presentation for the CLI: whole text at any width, raw text when piped.

- In a terminal, output fits its width (COLUMNS when set): tables pick a layout that fits, and
  text that is longer than a line wraps; nothing is cut to '…'.
- When stdout is not a terminal (a pipe or a file) and COLUMNS is not set, output is raw: no
  colour, no wrapping at 80 columns, so `stiltx recipes show multitask9 > x.yaml` is valid YAML.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console, ConsoleDimensions
from rich.text import Text

PIPE_WIDTH = 100_000  # "unlimited": rich tables render at their natural width, text never wraps


class StdoutConsole(Console):
    """A rich Console whose width is unlimited when its file (stdout, or stderr with
    `stderr=True`) is piped and COLUMNS is not set; in a terminal rich wraps on word boundaries."""

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        if not self.is_terminal and not str(self._environ.get("COLUMNS", "")).isdigit():
            return ConsoleDimensions(PIPE_WIDTH, dims.height)
        return dims

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        Console.size.fset(self, new_size)  # type: ignore[attr-defined]


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def print_raw(text: str) -> None:
    """Write `text` to stdout exactly (plus a final newline): no markup, wrapping or cutting."""
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    sys.stdout.flush()


def print_whole(console: Console, text: str) -> None:
    """Plain text: raw when piped; in a terminal, long lines wrap on word boundaries (the
    terminal's own wrap would break words), a word longer than a line is folded."""
    if not console.is_terminal:
        print_raw(text)
        return
    console.print(Text(text, overflow="fold"), highlight=False)


def command_lines(argv: list[str], width: int, indent: str = "  ") -> list[str]:
    """A shell command as lines of at most `width` characters, broken between arguments with
    ` \\` continuations (still a valid command when copied); an argument is never split, nor an
    option from its value."""
    words: list[str] = []
    for arg in map(shlex.quote, argv):
        if words and words[-1].startswith("--") and " " not in words[-1] and arg[0] != "-":
            words[-1] += " " + arg  # `--set key=value` stays on one line
        else:
            words.append(arg)
    lines, line = [], indent + words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) + 2 > width:
            lines.append(line + " \\")
            line = indent + "    " + word
        else:
            line += " " + word
    return [*lines, line]


def print_command(console: Console, argv: list[str], indent: str = "  ") -> None:
    """One shell command: one raw line when piped; in a terminal, wrapped between arguments."""
    if not console.is_terminal:
        print_raw(indent + shlex.join(argv))
        return
    for line in command_lines(argv, console.width, indent):
        console.print(Text(line, overflow="fold"), highlight=False)


def hide_flag_types() -> None:
    """Typer's rich help prints `--dry-run <bool>` for on/off flags, which take no value.

    Show nothing in the type column for flags (so `--dry-run`, not `--dry-run <bool>`).
    """
    from typer import core

    original = core.TyperOption.display_type_rich
    if getattr(original, "_stiltx_flags", False):
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else original(self, ctx)

    display_type_rich._stiltx_flags = True  # type: ignore[attr-defined]
    core.TyperOption.display_type_rich = display_type_rich


def duration(seconds: float) -> str:
    """'42s', '3m 05s', '2h 07m'."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


def finished_line(run_dirs, seconds: float) -> str:
    """The last line of `stiltx train`: where the run is and how long it took."""
    dirs = [str(d) for d in run_dirs]
    if len(dirs) == 1:
        where = dirs[0]
    else:
        import os.path

        where = f"{os.path.commonpath(dirs) if dirs else '?'} ({len(dirs)} seeds)"
    return f"done in {duration(seconds)}: {where}"


@contextmanager
def steps_progress(
    label: str, total: int, enabled: bool = True, console: Console | None = None
) -> Iterator[Callable[[str], None]]:
    """A transient progress bar over `total` steps; yields `advance(name)` (one step done, `name`
    shown beside the label). At 80 columns: label, bar, n/total, elapsed and time left.

    Shown only in a terminal (rich draws nothing live elsewhere, and a transient bar leaves no
    final line), so pipes, logs and tests see nothing; `enabled=False` turns it off outright."""
    if not enabled:
        yield lambda name: None
        return
    # start-up time: every command imports this module; only a long step draws a bar
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn(f"{label} [dim]{{task.fields[name]}}", justify="left"),
        BarColumn(bar_width=None),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True, expand=True) as bar:
        task = bar.add_task(label, total=total, name="")
        yield lambda name: bar.update(task, advance=1, name=name)
