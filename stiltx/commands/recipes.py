"""`stiltx recipes [show NAME | copy NAME DEST]`: list, show and copy the bundled recipes."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from stiltx import atomic
from stiltx.commands.options import console
from stiltx.errors import StiltxError
from stiltx.recipe.find import find_recipe, list_recipes
from stiltx.terminal import print_whole

app = typer.Typer(help="List, show and copy the bundled recipes.", invoke_without_command=True)


@app.callback()
def recipes_list(ctx: typer.Context) -> None:
    """List the bundled recipes (with no sub-command)."""
    if ctx.invoked_subcommand is not None:
        return
    # one line per recipe at 80 columns: a borderless grid of the name and its title line
    table = Table.grid(padding=(0, 2))
    table.add_column("name", style="bold cyan", no_wrap=True)
    table.add_column("what it reproduces")
    for info in list_recipes(include_presets=True):
        table.add_row(info.name, info.summary)
    console.print(table)
    console.print("stiltx recipes show NAME: the whole recipe and its sources", highlight=False)


@app.command("show")
def recipes_show(name: str) -> None:
    """Print a bundled recipe's YAML."""
    print_whole(console, find_recipe(name).read_text(encoding="utf-8"))


@app.command("copy")
def recipes_copy(name: str, dest: str) -> None:
    """Copy a bundled recipe to DEST (a file or folder) to start your own."""
    source = find_recipe(name)
    target = Path(dest)
    if target.is_dir():
        target = target / source.name
    if target.exists():
        raise StiltxError(f"{target} exists; not overwriting it")
    text = source.read_text(encoding="utf-8")
    if "extends:" in text and not text.startswith("extends: /"):
        text = _standalone(source, text)
    atomic.write_text(target, text)
    console.print(f"copied {name} -> {target}")


def _standalone(source: Path, text: str) -> str:
    """The recipe with its parents inlined, so the copy stands on its own outside the bundle."""
    import yaml  # start-up time: loads on use

    from stiltx.recipe.load import read_tree  # start-up time: loads on use

    tree = read_tree(source)
    comments = "".join(line + "\n" for line in text.splitlines() if line.startswith("#"))
    return comments + yaml.safe_dump(tree, sort_keys=False, allow_unicode=True)
