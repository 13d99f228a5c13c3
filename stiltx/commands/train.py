"""`stiltx train`: the three phases of one recipe (or, with --dry-run, what they would be)."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Annotated

import typer

from stiltx.commands.options import (
    PresetOpt,
    RecipeOpt,
    SetOpt,
    console,
    interrupted,
    load,
    set_args,
)
from stiltx.errors import StiltxError
from stiltx.terminal import finished_line, print_raw

if TYPE_CHECKING:
    from stiltx.recipe.schema import Recipe


def train(
    recipe: RecipeOpt,
    preset: PresetOpt = None,
    set_: SetOpt = None,
    out: Annotated[
        str | None, typer.Option(help="Run directory (default runs/<name>-<time>).")
    ] = None,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue the run in --out (default: this recipe's newest run) from its checkpoints.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the resolved recipe and mixture, then exit.")
    ] = False,
) -> None:
    """Run the three phases: intermediate training, target fine-tuning, zero-shot evaluation."""
    resolved = load(recipe, preset, set_)
    if dry_run:
        print_dry_run(resolved)
        return
    if resume and out is None:
        from stiltx.run_dir import latest_run_dir  # start-up time: loads on use

        found = latest_run_dir(resolved)
        if found is None:
            raise StiltxError(
                f"--resume: no earlier run of {resolved.name} under {resolved.output_dir}/; "
                "pass --out RUN_DIR"
            )
        out = str(found)
        console.print(f"resuming {found}")
    from stiltx.pipeline import run  # start-up time: the pipeline (and torch) load on use
    from stiltx.run_dir import new_run_dir  # start-up time: loads on use

    started = time.perf_counter()
    base = new_run_dir(resolved, out)  # named before it starts: Ctrl-C says how to resume it
    try:
        run_dirs = run(resolved, out_dir=base, resume=resume, console=console)
    except KeyboardInterrupt:
        argv = ["stiltx", "train", "--recipe", recipe, *set_args(preset, set_)]
        interrupted([*argv, "--out", str(base), "--resume"])
    console.print(finished_line(run_dirs, time.perf_counter() - started), highlight=False)


def print_dry_run(resolved: Recipe) -> None:
    """The resolved recipe as YAML (highlighted in a terminal), then the mixture preview."""
    from rich.syntax import Syntax  # start-up time: pygments loads on use

    from stiltx.preview import mixture_preview  # start-up time: loads on use
    from stiltx.recipe.load import recipe_to_yaml  # start-up time: loads on use

    text = recipe_to_yaml(resolved)
    if console.is_terminal:  # highlighted, long lines wrapped (never cut)
        console.print(Syntax(text, "yaml", background_color="default", word_wrap=True))
    else:
        print_raw(text)
    console.print(mixture_preview(resolved))
