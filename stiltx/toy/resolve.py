"""Where a run's data and model actually are: `data.source: toy` / `model.name_or_path: toy`
replaced by the toy world, built on demand (or reused from the cache)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.console import Console

from stiltx.data.prepare import feature_cache_dir
from stiltx.plan import intermediate_members
from stiltx.recipe.schema import DataConfig, ModelConfig, Recipe
from stiltx.toy.build import ensure_toy_world
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
