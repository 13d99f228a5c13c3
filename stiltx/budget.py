"""What a run spent, for results.json's `budget`: optimizer steps and training examples per stage.

Read from the stages' done.json files (every stage writes one when it finishes, in this process or
a worker), so a resumed run counts what it did before the kill too. Stage names are their folders:
`intermediate`, `intermediate/single/<task>` (merge/*, fusion/*), `merge/<setting>/target/<task>`
(a merge grid setting's target training, chosen on English dev), `language_adapters/<language>`
(MAD-X; `reused` when copied from the cache, counted all the same: trained once for every run that
uses it), `target/<task>` (and `target/<task>/before/<task>`, XCOPA's SocialIQA). A model taken
from elsewhere (`intermediate.from`, `intermediate.combine.from`) is counted as `from:<name>` with
the steps its own run recorded, so the total is the cost of the whole result. Torch-free.

    "budget": {"steps": 5400, "examples": 86400,
               "stages": {"intermediate/single/mnli": {"steps": 600, "examples": 9600}, ...}}
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stiltx import run_files
from stiltx.layout import CACHE_FILE, DONE_FILE


def run_budget(run_dir: Path, inputs: Mapping[str, Path] | None = None) -> dict[str, Any]:
    """Steps and examples of every finished stage under `run_dir`, and of each input model
    (name -> its model dir; a run's `intermediate/model` has its done.json beside it)."""
    stages: dict[str, dict[str, Any]] = {}
    for done in sorted(Path(run_dir).rglob(DONE_FILE)):
        info = _read(done)
        if info is None or "combine" in info:  # a merged / collected model: nothing trained
            continue
        spent = _spent(info)
        if (cached := done.parent / CACHE_FILE).is_file():  # a MAD-X language adapter
            spent["reused"] = bool((_read_any(cached) or {}).get("reused"))
        stages[done.parent.relative_to(run_dir).as_posix()] = spent
    for name, model_dir in (inputs or {}).items():
        info = _read(Path(model_dir).parent / DONE_FILE)
        stages[f"from:{name}"] = {**(_spent(info) if info else _unknown()), "from": str(model_dir)}
    steps = [s["steps"] for s in stages.values()]
    examples = [s["examples"] for s in stages.values()]
    return {  # a total with an unknown part is unknown (null)
        "steps": None if None in steps else sum(steps),
        "examples": None if None in examples else sum(examples),
        "stages": stages,
    }


def _read(path: Path) -> dict[str, Any] | None:
    info = _read_any(path)
    return info if info is not None and "steps" in info else None


def _read_any(path: Path) -> dict[str, Any] | None:
    try:
        info = json.loads(run_files.read_text(path))
    except (OSError, ValueError):
        return None
    return info if isinstance(info, dict) else None


def _spent(info: Mapping[str, Any]) -> dict[str, Any]:
    # runs written before done.json recorded examples: unknown (null), never guessed
    return {"steps": int(info["steps"]), "examples": info.get("examples")}


def _unknown() -> dict[str, Any]:
    return {"steps": None, "examples": None}
