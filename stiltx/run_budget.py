"""What a run spent, for results.json's `budget`: steps and examples of each training stage.

Read back from each finished stage's done.json (torch-free), so a comparison of recipes can be
made at stated cost: language adapters (MAD-X; counted even when reused from the cache, where
they were trained once for every run that uses them), the intermediate stage, every target.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stiltx import run_files
from stiltx.layout import DONE_FILE, RunLayout
from stiltx.plan import intermediate_stage, language_adapter_stages, target_stages
from stiltx.recipe.schema import Recipe
from stiltx.train.language_adapters import stage_budget


def run_budget(recipe: Recipe, run_dir: Path) -> dict[str, Any]:
    """{"stages": [{"stage", ..., "steps", "examples"}], "steps": total, "examples": total}."""
    layout = RunLayout(run_dir)
    stages = language_adapter_stages(recipe)
    rows = [stage_budget(layout.language_adapter(s.language)) for s in stages]
    inter = intermediate_stage(recipe)
    if inter is not None and not inter.from_:
        rows.append({"stage": "intermediate", **_spent(layout.intermediate)})
    for stage in target_stages(recipe):
        spent = _spent(layout.target(stage.train_task))
        rows.append({"stage": "target", "task": stage.train_task, **spent})
    return {
        "stages": rows,
        "steps": sum(row["steps"] or 0 for row in rows),
        "examples": sum(row["examples"] or 0 for row in rows),
    }


def _spent(stage_dir: Path) -> dict[str, Any]:
    info = json.loads(run_files.read_text(stage_dir / DONE_FILE))
    return {"steps": info.get("steps"), "examples": info.get("examples")}
