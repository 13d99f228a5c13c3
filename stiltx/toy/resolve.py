"""Where a run's data and model actually are: `data.source: toy` / `model.name_or_path: toy`
replaced by the toy world, built on demand (or reused from the cache)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from rich.console import Console

from stiltx.data.prepare import feature_cache_dir
from stiltx.plan import intermediate_members
from stiltx.recipe.schema import DataConfig, ModelConfig, Recipe, ToyConfig
from stiltx.toy.build import default_cache_root, ensure_toy_world, world_key
from stiltx.toy.languages import DEFAULT_LANGUAGES
from stiltx.toy.pretrain import model_for
from stiltx.toy.ship import SHIPPED_DIR
from stiltx.toy.sizes import named_sizes


@dataclass(frozen=True)
class Resolved:
    """Where the data and the model of a run actually are (the toy world is built on demand)."""

    data: DataConfig
    model: ModelConfig


def resolve(recipe: Recipe, console: Console, *, with_model: bool = True) -> Resolved:
    """Replace `data.source: toy` / `model.name_or_path: toy` with the built toy world.

    with_model=False builds only the toy data (seconds), e.g. for --dry-run; the model is then
    resolved only if it was built before.
    """
    data, model = recipe.data, recipe.model
    if data.source == "toy" or model.name_or_path == "toy":
        world = ensure_toy_world(
            seed=recipe.toy.seed,
            sizes=named_sizes(recipe.toy.size),
            cache_dir=recipe.toy.cache_dir,
            mt_noise=recipe.toy.mt_noise,
            with_model=with_model,
            # the toy MT system's files only when a member reads them (translate-train recipes)
            translated=any(m.source == "translated" for m in intermediate_members(recipe)),
        )
        if with_model:  # the default world's encoder ships (stiltx.toy.ship); others pretrain
            console.print(f"toy world: {world.root} (encoder: {world.encoder})", highlight=False)
        if data.source == "toy":
            data = replace(data, source="local", data_dir=str(world.data_dir))
        built = (world.model_dir / "model.safetensors").is_file()
        if model.name_or_path == "toy" and (with_model or built):
            model = replace(model, name_or_path=str(world.model_dir))
    data = replace(data, cache_dir=str(feature_cache_dir(data)))  # encoded features are cached
    return Resolved(data=data, model=model)


def toy_model_dir(toy: ToyConfig) -> Path:
    """Where the toy world of `toy` keeps its encoder and tokenizer (nothing is built here): its
    cache folder once built; the shipped copy for the default world before then. What
    `stiltx push` ships the tokenizer of a toy run from."""
    sizes = named_sizes(toy.size)
    root = Path(toy.cache_dir) if toy.cache_dir else default_cache_root()
    key = world_key(toy.seed, sizes, model_for(sizes), DEFAULT_LANGUAGES, toy.mt_noise)
    built = root / key / "model"
    if not (built / "tokenizer.json").is_file() and replace(toy, cache_dir=None) == ToyConfig():
        return SHIPPED_DIR  # the default world's encoder ships (stiltx.toy.ship)
    return built
