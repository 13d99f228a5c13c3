"""`stiltx translate`: machine-translate a recipe's translated members."""

from __future__ import annotations

from typing import Annotated

import typer

from stiltx.commands.options import PresetOpt, RecipeOpt, SetOpt, console, load, split_list


def translate(
    recipe: RecipeOpt,
    preset: PresetOpt = None,
    set_: SetOpt = None,
    tasks: Annotated[str | None, typer.Option(help="Comma-separated tasks (default: all).")] = None,
    languages: Annotated[
        str | None, typer.Option(help="Comma-separated languages (default: all of the recipe).")
    ] = None,
    model: Annotated[
        str | None,
        typer.Option(help="MT model id (default: intermediate.translate.model, else MarianMT)."),
    ] = None,
) -> None:
    """Machine-translate the recipe's translated members (cached on disk, resumable)."""
    # start-up time: the toy world and the translation code load on use
    from stiltx.toy.resolve import resolve
    from stiltx.translate.run import translate_recipe

    resolved = load(recipe, preset, set_)
    data = resolve(resolved, console, with_model=False).data
    translate_recipe(
        resolved,
        data,
        tasks=split_list(tasks),
        languages=split_list(languages),
        model=model,
        console=console,
    )
