"""The `stiltx` command line: builds the typer app and registers the commands (stiltx.commands).

Each command module imports its library code inside the command, so `stiltx --help`,
`stiltx tasks`, `stiltx validate` and `stiltx report` start instantly.
"""

from __future__ import annotations

from typing import Annotated

import typer

from stiltx.commands import (
    data,
    evaluate,
    push,
    recipes,
    report,
    score,
    select,
    sweep,
    tasks,
    toy,
    train,
    translate,
    validate,
)
from stiltx.commands.options import CleanErrors
from stiltx.terminal import hide_flag_types, print_raw

hide_flag_types()
app = typer.Typer(
    name="stiltx",
    help="English intermediate-task training (STILTs) for zero-shot cross-lingual transfer.",
    cls=CleanErrors,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from stiltx import __version__

        print_raw(f"stiltx {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """English intermediate-task training (STILTs) for zero-shot cross-lingual transfer."""


# In the order `stiltx --help` lists them.
app.command("validate")(validate.validate)
app.command("train")(train.train)
app.command("translate")(translate.translate)
app.command("evaluate")(evaluate.evaluate)
app.add_typer(recipes.app, name="recipes")
app.command("report")(report.report)
app.command("sweep")(sweep.sweep)
app.command("select")(select.select)
app.command("push")(push.push)
app.command("tasks")(tasks.tasks)
app.command("score")(score.score)
app.add_typer(data.app, name="data")
app.add_typer(toy.app, name="toy")


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
