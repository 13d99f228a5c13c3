"""`stiltx toy build`: build a toy world (data + encoder); `--ship` makes the shipped encoder."""

from __future__ import annotations

import json
import shlex
import sys
import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Annotated

import typer

from stiltx.commands.options import console
from stiltx.errors import StiltxError

app = typer.Typer(help="The offline toy world (--preset tiny).", no_args_is_help=True)


@app.command("build")
def build(
    seed: Annotated[int, typer.Option(help="The world's seed (recipe key toy.seed).")] = 0,
    size: Annotated[str, typer.Option(help="Named size: default, small, smoke.")] = "default",
    steps: Annotated[int | None, typer.Option(help="MLM pretraining steps.")] = None,
    model: Annotated[
        list[str] | None,
        typer.Option("--model", "-m", help="A ToyModelConfig key: key=value (repeatable)."),
    ] = None,
    cache_dir: Annotated[
        str | None, typer.Option("--cache-dir", help="Cache root (default: $STILTX_CACHE/toy).")
    ] = None,
    ship: Annotated[
        bool, typer.Option("--ship", help="Pretrain the default world; write it to the package.")
    ] = False,
) -> None:
    """Build (or reuse) a toy world; with --ship, pretrain the default world's encoder (never
    copying the shipped one) and write it into stiltx/toy/shipped/ with its world key."""
    # start-up time: the toy world loads on use
    from stiltx.toy.build import ensure_toy_world, world_key
    from stiltx.toy.languages import DEFAULT_LANGUAGES
    from stiltx.toy.pretrain import ToyModelConfig, model_for
    from stiltx.toy.sizes import named_sizes

    sizes = named_sizes(size)
    config = model_config(model_for(sizes), model or [], steps)
    if ship and (seed, sizes, config) != (0, named_sizes("default"), ToyModelConfig()):
        raise StiltxError(
            "--ship writes the default world's encoder (seed 0, size default, the default model); "
            "change the defaults in stiltx/toy/ instead of passing options"
        )
    root = _cache_root(cache_dir) / world_key(seed, sizes, config, DEFAULT_LANGUAGES)
    cached = (root / "model" / "model.safetensors").is_file()
    started = time.perf_counter()
    world = ensure_toy_world(
        seed, sizes, cache_dir, model=config, translated=False, use_shipped=not ship
    )
    console.print(
        f"toy world: {world.root} (encoder: {world.encoder}) in {time.perf_counter() - started:.0f}s",
        highlight=False,
    )
    if ship:
        _ship(world, sizes, config, pretrained_here=not cached)


def model_config(base, settings: list[str], steps: int | None):
    """`base` with `key=value` settings (values as JSON) and --steps applied."""
    known = {f.name for f in fields(base)}
    changes = {} if steps is None else {"steps": steps}
    for setting in settings:
        key, sep, value = setting.partition("=")
        if not sep or key not in known:
            raise StiltxError(
                f"--model {setting!r}: expected key=value with a key of {', '.join(sorted(known))}"
            )
        try:
            changes[key] = json.loads(value)
        except json.JSONDecodeError:
            raise StiltxError(f"--model {setting!r}: the value is not a number or JSON") from None
    if isinstance(changes.get("length_warmup"), list):
        changes["length_warmup"] = tuple(tuple(phase) for phase in changes["length_warmup"])
    return replace(base, **changes)


def _cache_root(cache_dir: str | None) -> Path:
    from stiltx.toy.build import default_cache_root

    return Path(cache_dir) if cache_dir else default_cache_root()


def _ship(world, sizes, config, *, pretrained_here: bool) -> None:
    """Write the world's encoder, its key and how it was built to stiltx/toy/shipped/."""
    from stiltx.toy.build import TOY_VERSION, mlm_corpus
    from stiltx.toy.ship import build_record, encoder_key, write_shipped

    corpus = mlm_corpus(world.data_dir, world.languages)
    key = encoder_key(TOY_VERSION, world.seed, world.languages, sizes, config, corpus)
    command = "stiltx " + shlex.join(sys.argv[1:])
    dest = write_shipped(
        world.model_dir, key, build_record(command, world.model_dir, pretrained_here)
    )
    size = sum(p.stat().st_size for p in dest.iterdir()) / 1e6
    console.print(f"shipped: {dest} ({size:.1f} MB)", highlight=False)
