"""The `stiltx` command line: parses, delegates, prints. One function per command.

Heavy libraries (torch, transformers, datasets) are imported inside the commands, so `stiltx --help`,
`stiltx tasks`, `stiltx validate` and `stiltx report` start instantly.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, Any

import typer
from rich.console import Console

from stiltx.errors import StiltxError

app = typer.Typer(
    name="stiltx",
    help="English intermediate-task training (STILTs) for zero-shot cross-lingual transfer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True)


def clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a StiltxError into one clean message on stderr and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StiltxError as error:
            err_console.print(f"[bold red]error:[/] {error}", highlight=False, markup=True)
            sys.exit(error.exit_code)

    return wrapper


# ---- commands -------------------------------------------------------------------------------------
# (each command: a thin function that parses options, calls into the library, prints the result)


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
