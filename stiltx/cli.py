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
from rich.markup import escape

from stiltx.errors import StiltxError

app = typer.Typer(
    name="stiltx",
    help="English intermediate-task training (STILTs) for zero-shot cross-lingual transfer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
console = Console()
err_console = Console(stderr=True, soft_wrap=True)


def clean_errors(func: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a StiltxError into one clean message on stderr and exit code 2 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except StiltxError as error:
            err_console.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
            sys.exit(error.exit_code)

    return wrapper


# ---- commands -------------------------------------------------------------------------------------
# (each command: a thin function that parses options, calls into the library, prints the result)

RecipeOpt = Annotated[str, typer.Option("--recipe", "-r", help="Bundled recipe name or YAML path.")]
PresetOpt = Annotated[
    str | None, typer.Option("--preset", "-p", help="Preset merged over the recipe, e.g. tiny.")
]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", "-s", help="Override a key: key.path=value (repeatable)."),
]


def _load(recipe: str, preset: str | None, overrides: list[str] | None):
    from stiltx.recipe.load import load_recipe

    return load_recipe(recipe, preset=preset, overrides=overrides or [])


@app.command()
@clean_errors
def validate(recipe: RecipeOpt, preset: PresetOpt = None, set_: SetOpt = None) -> None:
    """Check a recipe (types, ranges, task names, files); report every problem at once."""
    resolved = _load(recipe, preset, set_)
    console.print(f"[green]ok[/] {resolved.name}: recipe is valid")


@app.command()
@clean_errors
def train(
    recipe: RecipeOpt,
    preset: PresetOpt = None,
    set_: SetOpt = None,
    out: Annotated[
        str | None, typer.Option(help="Run directory (default runs/<name>-<time>).")
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue the run in --out from its newest checkpoint.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the resolved recipe and mixture, then exit.")
    ] = False,
) -> None:
    """Run the three phases: intermediate training, target fine-tuning, zero-shot evaluation."""
    from stiltx.recipe.load import recipe_to_yaml

    resolved = _load(recipe, preset, set_)
    if dry_run:
        from rich.syntax import Syntax

        from stiltx.pipeline import mixture_preview

        console.print(Syntax(recipe_to_yaml(resolved), "yaml", background_color="default"))
        console.print(mixture_preview(resolved))
        return
    if resume and out is None:
        raise StiltxError("--resume needs --out RUN_DIR (the run to continue)")
    from stiltx.pipeline import run

    run(resolved, out_dir=out, resume=resume, console=console)


recipes_app = typer.Typer(
    help="List, show and copy the bundled recipes.", invoke_without_command=True
)
app.add_typer(recipes_app, name="recipes")


@recipes_app.callback()
@clean_errors
def recipes_list(ctx: typer.Context) -> None:
    """List the bundled recipes (with no sub-command)."""
    if ctx.invoked_subcommand is not None:
        return
    from rich.table import Table

    from stiltx.recipe.find import list_recipes

    table = Table(title="Bundled recipes")
    table.add_column("name", style="bold cyan")
    table.add_column("what it reproduces")
    for info in list_recipes(include_presets=True):
        table.add_row(info.name, info.summary)
    console.print(table)


@recipes_app.command("show")
@clean_errors
def recipes_show(name: str) -> None:
    """Print a bundled recipe's YAML."""
    from stiltx.recipe.find import find_recipe

    console.print(find_recipe(name).read_text(encoding="utf-8"), markup=False, highlight=False)


@recipes_app.command("copy")
@clean_errors
def recipes_copy(name: str, dest: str) -> None:
    """Copy a bundled recipe to DEST (a file or folder) to start your own."""
    from pathlib import Path

    from stiltx import atomic
    from stiltx.recipe.find import find_recipe

    source = find_recipe(name)
    target = Path(dest)
    if target.is_dir():
        target = target / source.name
    if target.exists():
        raise StiltxError(f"{target} exists; not overwriting it")
    text = source.read_text(encoding="utf-8")
    if "extends:" in text and not text.startswith("extends: /"):
        # Inline the parents so the copy stands on its own outside the bundled folder.
        import yaml

        from stiltx.recipe.load import read_tree

        tree = read_tree(source)
        comments = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
        text = comments + yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
    atomic.write_text(target, text)
    console.print(f"copied {name} -> {target}")


def main() -> None:  # pragma: no cover - console script entry
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
