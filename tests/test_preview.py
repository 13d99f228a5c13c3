"""--dry-run's preview shows what the run will use: the stage table from plan's records and the
mixture probabilities from the sizes the run's sampler weighs (encoded rows, not raw examples)."""

from __future__ import annotations

import json
import re

import pytest
from rich.console import Console

from stiltx.pipeline import run
from stiltx.plan import intermediate_stage
from stiltx.preview import mixture_preview, mixture_sizes, stage_table
from stiltx.recipe.load import load_recipe
from stiltx.sampling.rates import rates
from stiltx.sampling.sampler import TaskSampler

CAPPED = [
    "toy.size=smoke",
    "intermediate.sampling.policy=capped",
    "intermediate.sampling.cap=20",
    "intermediate.train.max_steps=2",
    "intermediate.train.eval_every=2",
    "intermediate.train.save_every=2",
    "intermediate.train.batch_size=4",
    "target.tasks=[pawsx]",
    "target.train.max_steps=1",
    "target.train.batch_size=4",
    "retrieval.tasks=[]",
]


@pytest.fixture(scope="module")
def capped_run(tmp_path_factory, toy_cache):
    recipe = load_recipe(
        "multitask9", preset="tiny", overrides=[*CAPPED, f"toy.cache_dir={toy_cache}"]
    )
    [run_dir] = run(recipe, out_dir=tmp_path_factory.mktemp("runs") / "capped")
    return recipe, run_dir


def test_preview_probabilities_are_the_samplers(capped_run):
    recipe, run_dir = capped_run
    stage = intermediate_stage(recipe)
    sizes, unit = mixture_sizes(recipe, stage)
    mixture = json.loads((run_dir / "mixture.json").read_text())
    run_sizes = {name: entry["size"] for name, entry in mixture["tasks"].items()}
    assert unit == "train rows"
    assert sizes == run_sizes  # QA windows counted as the sampler counts them
    sampler = TaskSampler(run_sizes, stage.sampling, recipe.seed)
    preview = rates(sizes, stage.sampling)
    assert preview == pytest.approx(sampler.probabilities(0))
    console = Console(record=True, width=200)
    console.print(mixture_preview(recipe))
    cells = [
        [c.strip() for c in re.split("[│┃|]", line)] for line in console.export_text().splitlines()
    ]
    shown = {row[1]: row[3] for row in cells if len(row) == 5 and row[1] in preview}
    assert shown == {name: f"{p:.3f}" for name, p in preview.items()}
    assert any(len(row) > 2 and row[1] == "target:pawsx" for row in cells)


def test_stage_table_shows_the_steps_a_command_line_set_gives_every_task():
    recipe = load_recipe(
        "multitask9",
        preset="tiny",
        overrides=["intermediate.train.max_steps=30", "target.train.max_steps=20"],
    )
    console = Console(record=True, width=80)
    console.print(stage_table(recipe))
    rows = [
        [c.strip() for c in re.split("[│┃|]", line)] for line in console.export_text().splitlines()
    ]
    steps = {row[1]: row[3] for row in rows if len(row) == 8 and row[1].startswith(("int", "tar"))}
    assert steps.pop("intermediate") == "30"
    assert steps and set(steps.values()) == {"20"}, steps
