"""Checkpoints: everything needed to continue a run as if it had never stopped.

A checkpoint is a folder `checkpoint-<step>/`, written atomically (a temporary sibling folder,
then a rename) and holding:

    trainable.safetensors   the parameters that train (whole model or adapter + heads)
    optimizer.pt            optimizer (and fp16 grad-scaler) state
    rng.pt                  python, numpy and torch (CPU + CUDA) RNG states
    state.json              step, best metric, early-stopping counter, loss accumulators and the
                            stream / sampler position (JSON, readable by people)
    complete                marker: present only in finished checkpoints

The lr schedule is a pure function of the step (schedule.py), so the step *is* its state.
`rotate` keeps the newest K plus the best one; `latest` finds the newest complete one.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path
from typing import Any

from stiltx import atomic
from stiltx.errors import StiltxError

COMPLETE = "complete"
_NAME = re.compile(r"^checkpoint-(\d+)$")


def path_for(out_dir: str | Path, step: int) -> Path:
    return Path(out_dir) / f"checkpoint-{step}"


def save(
    out_dir: str | Path, step: int, *, model: Any, optimizer: Any, state: dict, scaler: Any = None
) -> Path:
    """Write checkpoint-<step> atomically; `state` must be JSON-serialisable."""
    import torch
    from safetensors.torch import save_file

    weights = {
        name: p.detach().to("cpu").contiguous()
        for name, p in model.named_parameters()
        if p.requires_grad
    }
    target = path_for(out_dir, step)
    with atomic.directory(target) as tmp:
        save_file(weights, str(tmp / "trainable.safetensors"))
        torch.save(
            {
                "optimizer": optimizer.state_dict(),
                "scaler": scaler.state_dict() if scaler is not None else None,
            },
            tmp / "optimizer.pt",
        )
        torch.save(rng_state(), tmp / "rng.pt")
        (tmp / "state.json").write_text(json.dumps({"step": step, **state}, indent=2) + "\n")
        (tmp / COMPLETE).write_text("")
    return target


def complete_checkpoints(out_dir: str | Path) -> list[tuple[int, Path]]:
    """(step, path) of every complete checkpoint under `out_dir`, oldest first."""
    found = []
    root = Path(out_dir)
    if not root.is_dir():
        return []
    for child in root.iterdir():
        match = _NAME.match(child.name)
        if match and (child / COMPLETE).exists():
            found.append((int(match.group(1)), child))
    return sorted(found)


def latest(out_dir: str | Path) -> Path | None:
    found = complete_checkpoints(out_dir)
    return found[-1][1] if found else None


def load(path: str | Path, *, model: Any, optimizer: Any, scaler: Any = None) -> dict:
    """Restore weights, optimizer, scaler and RNG states from `path`; return its state.json."""
    import torch
    from safetensors.torch import load_file

    path = Path(path)
    if not (path / COMPLETE).exists():
        raise StiltxError(f"{path}: not a complete checkpoint (no '{COMPLETE}' marker)")
    weights = load_file(str(path / "trainable.safetensors"))
    expected = {name for name, p in model.named_parameters() if p.requires_grad}
    if set(weights) != expected:
        extra, missing = sorted(set(weights) - expected), sorted(expected - set(weights))
        raise StiltxError(
            f"{path}: trainable weights do not match this model/method (unexpected {extra[:3]}, "
            f"missing {missing[:3]}); resume with the recipe that wrote the checkpoint"
        )
    load_trainable(model, weights)
    saved = torch.load(path / "optimizer.pt", map_location="cpu", weights_only=False)
    optimizer.load_state_dict(saved["optimizer"])
    if scaler is not None and saved["scaler"] is not None:
        scaler.load_state_dict(saved["scaler"])
    set_rng_state(torch.load(path / "rng.pt", weights_only=False))
    return json.loads((path / "state.json").read_text())


def load_trainable(model: Any, weights: dict) -> None:
    """Copy saved trainable tensors into the model's parameters (in place, same device/dtype)."""
    import torch

    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, tensor in weights.items():
            params[name].copy_(tensor)


def load_trainable_file(path: str | Path, model: Any) -> None:
    from safetensors.torch import load_file

    load_trainable(model, load_file(str(Path(path) / "trainable.safetensors")))


def rotate(out_dir: str | Path, keep: int, protect: int | None = None) -> None:
    """Delete complete checkpoints except the newest `keep` and the step `protect` (the best).
    Incomplete leftovers of a crash (no marker) older than the newest complete one go too."""
    found = complete_checkpoints(out_dir)
    keep_steps = {step for step, _ in found[-max(keep, 1) :]}
    if protect is not None:
        keep_steps.add(protect)
    for step, path in found:
        if step not in keep_steps:
            shutil.rmtree(path, ignore_errors=True)


def rng_state() -> dict:
    import numpy as np
    import torch

    return {
        "python": random.getstate(),
        "numpy": np.random.get_state(),
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }


def set_rng_state(state: dict) -> None:
    import numpy as np
    import torch

    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
    torch.set_rng_state(state["torch"])
    if state.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
