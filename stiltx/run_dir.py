"""The run directory: where a run writes its resolved recipe, environment, logs and results.

    runs/<name>-<timestamp>/  recipe.resolved.yaml  env.json  mixture.json  train_log.jsonl
                              intermediate/  target/<task>/  predictions/<task>/<language>.jsonl
                              results.json  report.md
Every file is written atomically (stiltx.atomic); the names are defined in stiltx.layout.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from stiltx import atomic
from stiltx.errors import StiltxError
from stiltx.layout import ENV_FILE, RESOLVED_RECIPE
from stiltx.recipe.load import recipe_to_yaml
from stiltx.recipe.schema import Recipe

PACKAGES = ("stiltx", "torch", "transformers", "adapters", "datasets", "accelerate", "tokenizers")


def new_run_dir(
    recipe: Recipe, out: str | Path | None = None, now: dt.datetime | None = None
) -> Path:
    """`out` if given, else <recipe.output_dir>/<name>-<timestamp> (a fresh folder)."""
    if out is not None:
        return Path(out)
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # Each process would stamp its own time: the processes must agree on one folder.
        raise StiltxError("several processes (accelerate launch): pass --out RUN_DIR")
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(recipe.output_dir) / f"{recipe.name.replace('/', '-')}-{stamp}"
    path, n = base, 1
    while path.exists():
        n += 1
        path = base.with_name(f"{base.name}-{n}")
    return path


def latest_run_dir(recipe: Recipe) -> Path | None:
    """The newest run folder of this recipe under its output_dir (for a bare `--resume`)."""
    base = Path(recipe.output_dir)
    prefix = f"{recipe.name.replace('/', '-')}-"
    runs = [p for p in base.glob(f"{prefix}*") if p.is_dir() and (p / RESOLVED_RECIPE).is_file()]
    return max(runs, key=lambda p: p.stat().st_mtime) if runs else None


def write_resolved_recipe(run_dir: Path, recipe: Recipe) -> Path:
    header = f"# Resolved recipe (re-runnable: stiltx train --recipe {run_dir / RESOLVED_RECIPE})\n"
    return atomic.write_text(run_dir / RESOLVED_RECIPE, header + recipe_to_yaml(recipe))


def environment(seed: int) -> dict[str, Any]:
    """Package versions, git commit, device names and seed (torch is imported only if present)."""
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "seed": seed,
        "git_commit": git_commit(),
        "packages": {},
    }
    for name in PACKAGES:
        try:
            env["packages"][name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            env["packages"][name] = None
    try:
        import torch

        env["device"] = "cuda" if torch.cuda.is_available() else "cpu"
        env["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        env["torch_threads"] = torch.get_num_threads()
    except ImportError:
        env["device"] = None
    return env


def write_env(run_dir: Path, seed: int) -> Path:
    return atomic.write_json(run_dir / ENV_FILE, environment(seed))


def git_commit() -> str | None:
    """The commit of the stiltx checkout, if running from one (None for an installed wheel)."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
