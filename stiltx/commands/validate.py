"""`stiltx validate`: check a recipe and report every problem at once."""

from __future__ import annotations

from rich.markup import escape

from stiltx.commands.options import PresetOpt, RecipeOpt, SetOpt, console, load


def validate(recipe: RecipeOpt, preset: PresetOpt = None, set_: SetOpt = None) -> None:
    """Check a recipe (types, ranges, task names, files); report every problem at once."""
    resolved = load(recipe, preset, set_)
    # start-up time: the data layer loads only when the recipe has files to check
    from stiltx.data.members import check_recipe_data, licensed_data_warnings, needs_data_check

    if needs_data_check(resolved):  # translated files and MLM corpora: named when missing
        from stiltx.toy.resolve import resolve  # start-up time: the toy world loads on use

        check_recipe_data(resolved, resolve(resolved, console, with_model=False).data)
    # licensed data (CCGbank) the user must supply: a warning, the files may come before the run
    warnings = licensed_data_warnings(resolved)
    for warning in warnings:
        console.print(f"[yellow]warning:[/] {escape(warning)}", highlight=False)
    note = f" ({len(warnings)} warning{'s' * (len(warnings) > 1)} above)" if warnings else ""
    console.print(f"[green]ok[/] {resolved.name}: recipe is valid{note}", highlight=False)
