"""What the commands share: --recipe / --preset / --set, typed choices, the consoles, clean errors.

A bad choice or any `StiltxError` becomes one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import shlex
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from typer.core import TyperGroup

from stiltx.errors import StiltxError
from stiltx.terminal import StdoutConsole, print_command

console: Console = StdoutConsole()
err_console: Console = StdoutConsole(stderr=True)  # one line when piped, word-wrapped in a terminal

RecipeOpt = Annotated[str, typer.Option("--recipe", "-r", help="Bundled recipe name or YAML path.")]
PresetOpt = Annotated[
    str | None, typer.Option("--preset", "-p", help="Preset merged over the recipe, e.g. tiny.")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        "-s",
        help="Override a key: key.path=value (repeatable). target.train.<key> applies to every "
        "target task, replacing <key> in target.overrides.<task> too.",
    ),
]


def split_list(text: str | None) -> tuple[str, ...]:
    """`--tasks a,b` -> ("a", "b")."""
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


def load(recipe: str, preset: str | None, overrides: list[str] | None):
    """The recipe of --recipe / --preset / --set, validated."""
    from stiltx.recipe.load import load_recipe  # start-up time: YAML and the schema on use only

    return load_recipe(recipe, preset=preset, overrides=overrides or [])


def choice(*names: str, choices: tuple[str, ...], help: str) -> Any:
    """A typer option whose value is one of `choices`; anything else fails as one clean line
    naming the option and the allowed values (typer's own error is a boxed, wrapped panel)."""

    def parse(text: str) -> str:
        if text not in choices:
            raise StiltxError(f"{names[0]} '{text}': expected one of {', '.join(choices)}")
        return text

    # the help text names the choices; a `<a|b|...>` type column would squeeze it at 80 columns
    return typer.Option(*names, parser=parse, metavar="<str>", help=help)


INTERRUPTED = 130  # 128 + SIGINT, as a shell reports Ctrl-C


def interrupted(argv: list[str]) -> None:
    """Ctrl-C: the command that resumes (`argv`) on stderr, exit 130. Piped: one line; in a
    terminal, wrapped between arguments with ` \\` continuations, so a copy still runs."""
    if not err_console.is_terminal:
        print(f"interrupted; resume with: {shlex.join(argv)}", file=sys.stderr, flush=True)
    else:
        err_console.print("[yellow]interrupted[/]; resume with:", highlight=False)
        print_command(err_console, argv)
    sys.exit(INTERRUPTED)


def set_args(preset: str | None, overrides: list[str] | None) -> list[str]:
    """--preset / --set as given, for a command line printed back to the user."""
    args = ["--preset", preset] if preset else []
    for item in overrides or ():
        args += ["--set", item]
    return args


def fail(message: str, exit_code: int) -> None:
    """Print `error: message` on stderr and exit."""
    err_console.print(f"[bold red]error:[/] {escape(message)}", highlight=False)
    sys.exit(exit_code)


class CleanErrors(TyperGroup):
    """The app's group: a `StiltxError` raised while parsing or running any command is printed as
    one clean message on stderr with its exit code (2), no traceback."""

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StiltxError as error:
            fail(str(error), error.exit_code)
