"""`intermediate.combine` (merge/*, fusion/*): validation with key paths, the merge grids, the
resolved recipe of every other recipe unchanged, and the sweep's overrides."""

from __future__ import annotations

import re

import pytest

from stiltx.errors import RecipeError
from stiltx.recipe.combine import grid, label
from stiltx.recipe.load import load_recipe, recipe_to_dict
from stiltx.sweep.jobs import SweepSpec, plan_jobs


def problems(name: str, *overrides: str) -> list[str]:
    with pytest.raises(RecipeError) as error:
        load_recipe(name, preset="tiny", overrides=list(overrides))
    return error.value.problems


def test_the_combining_recipes_hold_the_nine_tasks_and_their_grids():
    for name in ("merge/average", "merge/task-arithmetic", "merge/ties", "fusion/fusion9"):
        recipe = load_recipe(name, preset="tiny")
        assert recipe.intermediate.tasks == load_recipe("multitask9").intermediate.tasks
        assert recipe.intermediate.combine.kind == name.split("/")[0]
    ties = load_recipe("merge/ties").intermediate.combine
    assert grid(ties) == [{"density": d, "scale": 1.0} for d in (0.1, 0.2, 0.5)]
    arithmetic = load_recipe("merge/task-arithmetic").intermediate.combine
    assert [label(s) for s in grid(arithmetic)] == ["scale=0.1", "scale=0.3", "scale=0.5"]
    assert grid(load_recipe("merge/average").intermediate.combine) == [{}]
    assert load_recipe("fusion/fusion9").method.kind == "adapter"


def test_bad_combine_settings_are_all_reported_with_their_keys():
    found = problems(
        "merge/ties",
        "method.kind=adapter",
        "intermediate.combine.densities=[0, 1.5]",
        "intermediate.combine.scales=[-1]",
        "intermediate.combine.from=[a/b, c/d]",
    )
    assert found == [
        "intermediate.combine.kind: merge combines method.kind=full models, the recipe has "
        "method.kind=adapter",
        "intermediate.combine.scales[0]: got -1.0, expected a number > 0",
        "intermediate.combine.densities[0]: got 0.0, expected 0 < density <= 1",
        "intermediate.combine.densities[1]: got 1.5, expected 0 < density <= 1",
        "intermediate.combine.from: got 2 entries for 9 tasks; expected one per task in "
        "intermediate.tasks order, or one sweep directory",
    ]
    assert problems("fusion/fusion9", "method.kind=full")[0].startswith(
        "intermediate.combine.kind: fusion combines method.kind=adapter models"
    )


def test_a_stray_combine_key_never_turns_a_mixture_into_a_merge():
    assert problems("multitask9", "intermediate.combine.scales=[0.5]") == [
        "intermediate.combine.kind: required key is missing"
    ]


def test_other_recipes_resolve_as_before():
    """No `combine` key in their recipe.resolved.yaml, so their recipe_hash is unchanged."""
    for name in ("multitask9", "single/mnli", "baselines/mlm"):
        assert "combine" not in recipe_to_dict(load_recipe(name, preset="tiny"))["intermediate"]
    merged = recipe_to_dict(load_recipe("merge/ties"))["intermediate"]["combine"]
    assert merged["kind"] == "merge" and merged["from"] == []


def test_sweep_applies_combine_overrides_to_combining_recipes_only():
    spec = SweepSpec(
        recipes=("multitask9", "merge/ties"),
        seeds=(1,),
        preset="tiny",
        overrides=("intermediate.combine.densities=[0.3]",),
    )
    jobs = {job.recipe: job for job in plan_jobs(spec)}
    assert "intermediate.combine.densities=[0.3]" not in jobs["multitask9"].overrides
    assert "intermediate.combine.densities=[0.3]" in jobs["merge-ties"].overrides
    assert jobs["merge-ties"].stages.startswith(
        "intermediate anli, mnli, qqp, squad, hellaswag, cosmosqa, commonsenseqa, socialiqa, ccg "
        "(1200 steps each) -> ties -> targets"
    )


def test_dry_run_shows_one_intermediate_stage_per_task_and_the_merge():
    from rich.console import Console

    from stiltx.preview import stage_table

    recipe = load_recipe("merge/ties", preset="tiny", overrides=["intermediate.train.max_steps=30"])
    console = Console(record=True, width=200)
    console.print(stage_table(recipe))
    text = console.export_text()
    for task in recipe.intermediate.tasks:
        assert re.search(rf"intermediate:{task}\s+│ {task}\s+│\s+30 │", text), task
    assert "ties: 3 settings (the targets train for each), chosen on English dev" in text
