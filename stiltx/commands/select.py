"""`stiltx select`: rank intermediate tasks for a target without training them all, or score the
rankings against a finished sweep (`--evaluate SWEEP_DIR`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stiltx.commands.options import PresetOpt, SetOpt, choice, console, split_list

FORMATS = ("table", "md", "csv", "json")


def select(
    target: Annotated[
        str | None,
        typer.Option(help="Target task(s), e.g. xnli or xnli,panx (default: the recipe's)."),
    ] = None,
    candidates: Annotated[
        str, typer.Option(help="Candidate recipes (a glob), e.g. 'single/*'.")
    ] = "single/*",
    estimator: Annotated[
        str, typer.Option(help="Comma-separated: semb, logme, proxy, size, vocab.")
    ] = "semb,size,vocab",
    from_: Annotated[
        str | None,
        typer.Option("--from", help="A sweep with finished candidate runs (logme, proxy need it)."),
    ] = None,
    evaluate: Annotated[
        str | None,
        typer.Option(help="Score each ranking against this finished sweep (NDCG, regret, tau)."),
    ] = None,
    recipe: Annotated[
        str, typer.Option("--recipe", "-r", help="Recipe giving the data and the encoder.")
    ] = "multitask9",
    preset: PresetOpt = None,
    set_: SetOpt = None,
    languages: Annotated[
        list[str] | None,
        typer.Option(help="Language group or codes (low-resource, sw, ...); repeat for more."),
    ] = None,
    top_k: Annotated[int, typer.Option(help="k of NDCG@k and Regret@k.")] = 3,
    sample: Annotated[int, typer.Option(help="Examples read per task and split.")] = 256,
    proxy_steps: Annotated[int, typer.Option(help="proxy: target training steps.")] = 20,
    fmt: Annotated[
        str, choice("--format", "-f", choices=FORMATS, help="table, md, csv or json.")
    ] = ("table"),
) -> None:
    """Rank candidate intermediate tasks per target with cheap estimators, or score rankings."""
    from stiltx.select.driver import SelectOptions, select_command  # start-up time

    options = SelectOptions(
        recipe=recipe,
        preset=preset,
        overrides=tuple(set_ or ()),
        targets=split_list(target),
        candidates=candidates,
        estimators=split_list(estimator),
        from_=Path(from_) if from_ else None,
        evaluate=Path(evaluate) if evaluate else None,
        groups=tuple(languages or ()),
        k=top_k,
        sample=sample,
        proxy_steps=proxy_steps,
        fmt=fmt,
    )
    select_command(options, console)
