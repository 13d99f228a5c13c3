"""Checkpoints: everything needed to continue a run as if it had never stopped.

A checkpoint is a folder `checkpoint-<step>/`, written atomically (a temporary sibling folder,
then a rename) and holding:

    trainable.safetensors   the parameters that train (whole model or adapter + heads)
    optimizer.pt            optimizer (and fp16 grad-scaler) state: tensors and plain values only
    rng.pt                  python, numpy and torch (CPU + CUDA) RNG states: tensors and plain values
    state.json              step, best metric, early-stopping counter, loss accumulators and the
                            stream / sampler position (JSON, readable by people)
    manifest.json           size and sha256 of each file above, recorded at save time
    complete                marker: written last, removed first; present only in finished ones

Security: a run folder may come from someone else. Every `.pt` file is read with
`torch.load(weights_only=True)`, which unpickles tensors and plain containers only and refuses
anything else, so a crafted checkpoint cannot run code on `--resume`.

Damage (a truncated or emptied file, a disk that filled up): `load_newest` verifies a checkpoint
against its manifest before touching the model, names the damaged file, removes that checkpoint
and falls back to the next newest intact one (None when there is none: the stage starts over).

The lr schedule is a pure function of the step (schedule.py), so the step *is* its state.
`rotate` keeps the newest K plus the best one; `latest` finds the newest complete one.
"""

from __future__ import annotations

import errno
import json
import random
import re
import shutil
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stiltx import atomic, run_files
from stiltx.errors import StiltxError
from stiltx.saved_model import describe_file

COMPLETE = "complete"
MANIFEST = "manifest.json"
WEIGHTS = "trainable.safetensors"
OPTIMIZER = "optimizer.pt"
RNG = "rng.pt"
STATE = "state.json"
FILES = (WEIGHTS, OPTIMIZER, RNG, STATE)
_NAME = re.compile(r"^checkpoint-(\d+)$")


class DamagedCheckpointError(StiltxError):
    """A checkpoint file is missing, truncated or unreadable (the message names the file)."""


class CheckpointWarning(UserWarning):
    """A damaged checkpoint was skipped (and removed); the run continues from an older one."""


def path_for(out_dir: str | Path, step: int) -> Path:
    return Path(out_dir) / f"checkpoint-{step}"


def save(
    out_dir: str | Path, step: int, *, model: Any, optimizer: Any, state: dict, scaler: Any = None
) -> Path:
    """Write checkpoint-<step> atomically; `state` must be JSON-serialisable.

    A failed write (a full disk) leaves the previous checkpoints untouched and says so."""
    import torch
    from safetensors.torch import save_file

    weights = {
        name: p.detach().to("cpu").contiguous()
        for name, p in model.named_parameters()
        if p.requires_grad
    }
    target = path_for(out_dir, step)
    try:
        with atomic.directory(target) as tmp:
            save_file(weights, str(tmp / WEIGHTS))
            optimizer_state = {
                "optimizer": optimizer.state_dict(),
                "scaler": scaler.state_dict() if scaler is not None else None,
            }
            # Python file objects, not paths: a full disk then surfaces as an OSError (ENOSPC)
            # behind torch's RuntimeError, where a path gives only "iostream error".
            with open(tmp / OPTIMIZER, "wb") as handle:
                torch.save(optimizer_state, handle)
            with open(tmp / RNG, "wb") as handle:
                torch.save(rng_state(), handle)
            (tmp / STATE).write_text(json.dumps({"step": step, **state}, indent=2) + "\n")
            manifest = {name: describe_file(tmp / name) for name in FILES}
            (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
            (tmp / COMPLETE).write_text("")  # last: its presence vouches for everything above
    except OSError as error:
        previous = latest(out_dir)
        kept = (
            f"the previous checkpoint {previous} is kept" if previous else "no earlier checkpoint"
        )
        reason = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or error)
        raise StiltxError(
            f"could not write checkpoint {target}: {reason}; {kept}. Free space (or lower "
            "train.keep_checkpoints) and continue with --resume"
        ) from None
    return target


def complete_checkpoints(out_dir: str | Path) -> list[tuple[int, Path]]:
    """(step, path) of every complete checkpoint under `out_dir`, oldest first."""
    found = []
    root = run_files.guard(out_dir)
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


def verify(path: str | Path) -> None:
    """DamagedCheckpointError naming the first file that differs from the manifest."""
    path = run_files.guard(path)  # a link made in the run folder meanwhile: refused
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        expected = {
            name: (int(manifest[name]["bytes"]), str(manifest[name]["sha256"])) for name in FILES
        }
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DamagedCheckpointError(
            f"{path / MANIFEST}: missing or unreadable ({error.__class__.__name__}); "
            "cannot vouch for this checkpoint"
        ) from None
    for name, (size, sha) in expected.items():
        file = run_files.guard(path / name)
        if not file.is_file():
            raise DamagedCheckpointError(f"{file}: missing")
        actual = file.stat().st_size
        if actual != size:
            raise DamagedCheckpointError(f"{file}: {actual} bytes, expected {size} (truncated?)")
        if describe_file(file)["sha256"] != sha:
            raise DamagedCheckpointError(f"{file}: contents differ from the recorded sha256")


@dataclass(frozen=True)
class Loaded:
    """A checkpoint read into memory and checked, before anything is applied to the model."""

    path: Path
    weights: dict
    optimizer: dict
    rng: dict
    state: dict


def read(path: str | Path) -> Loaded:
    """Verify and read a checkpoint without touching any model (DamagedCheckpointError if bad)."""
    import pickle

    import torch
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    path = Path(path)
    if not (path / COMPLETE).exists():
        raise DamagedCheckpointError(f"{path}: not a complete checkpoint (no '{COMPLETE}' marker)")
    verify(path)
    current = path / WEIGHTS
    try:
        weights = load_file(str(current))
        current = path / OPTIMIZER
        # weights_only: tensors and plain containers only; a pickled object is refused, not run.
        optimizer = torch.load(current, map_location="cpu", weights_only=True)
        current = path / RNG
        rng = torch.load(current, map_location="cpu", weights_only=True)
        current = path / STATE
        state = json.loads(current.read_text(encoding="utf-8"))
        if not isinstance(state, dict) or not isinstance(state.get("step"), int):
            raise ValueError("no integer 'step'")
        if not isinstance(optimizer, dict) or "optimizer" not in optimizer:
            raise ValueError("no 'optimizer' entry")
        for key in ("python", "numpy", "torch"):
            if key not in rng:
                raise ValueError(f"no '{key}' RNG state")
    except pickle.UnpicklingError:
        raise DamagedCheckpointError(
            f"{current}: holds pickled objects other than tensors and plain values; refused "
            "(loading it could run code). Was it written by stiltx?"
        ) from None
    except (OSError, ValueError, KeyError, TypeError, RuntimeError, EOFError, SafetensorError) as error:  # fmt: skip
        raise DamagedCheckpointError(
            f"{current}: unreadable ({error.__class__.__name__}: {str(error)[:200]!r})"
        ) from None
    return Loaded(path, weights, optimizer, rng, state)


def apply(loaded: Loaded, *, model: Any, optimizer: Any, scaler: Any = None) -> dict:
    """Restore weights, optimizer, scaler and RNG states; return the checkpoint's state.json."""
    expected = {name for name, p in model.named_parameters() if p.requires_grad}
    if set(loaded.weights) != expected:
        extra = sorted(set(loaded.weights) - expected)
        missing = sorted(expected - set(loaded.weights))
        raise StiltxError(
            f"{loaded.path}: trainable weights do not match this model/method (unexpected "
            f"{extra[:3]}, missing {missing[:3]}); resume with the recipe that wrote the checkpoint"
        )
    load_trainable(model, loaded.weights)
    optimizer.load_state_dict(loaded.optimizer["optimizer"])
    if scaler is not None and loaded.optimizer.get("scaler") is not None:
        scaler.load_state_dict(loaded.optimizer["scaler"])
    set_rng_state(loaded.rng)
    return dict(loaded.state)


def load(path: str | Path, *, model: Any, optimizer: Any, scaler: Any = None) -> dict:
    """Verify, then restore weights, optimizer, scaler and RNG states from `path`; return its
    state.json. DamagedCheckpointError (nothing applied) when a file is damaged."""
    return apply(read(path), model=model, optimizer=optimizer, scaler=scaler)


def load_newest(
    out_dir: str | Path, *, model: Any, optimizer: Any, scaler: Any = None
) -> dict | None:
    """Restore the newest intact checkpoint; damaged newer ones are named, removed and skipped.
    None when no intact checkpoint exists (the caller starts over)."""
    for step, path in reversed(complete_checkpoints(out_dir)):
        try:
            loaded = read(path)
            best = loaded.state.get("best_step")
            if best is not None and best != step:
                # The run ends by loading the best checkpoint's weights: it must be intact too.
                verify(path_for(out_dir, best))
        except DamagedCheckpointError as error:
            remove(path)
            warnings.warn(
                f"{error}; removed {path.name} and falling back to an older checkpoint",
                CheckpointWarning,
                stacklevel=2,
            )
            continue
        return apply(loaded, model=model, optimizer=optimizer, scaler=scaler)
    return None


def load_trainable(model: Any, weights: dict) -> None:
    """Copy saved trainable tensors into the model's parameters (in place, same device/dtype)."""
    import torch

    params = dict(model.named_parameters())
    with torch.no_grad():
        for name, tensor in weights.items():
            params[name].copy_(tensor)


def load_trainable_file(path: str | Path, model: Any) -> None:
    """Copy a checkpoint's trainable weights into `model` (the best one, at the end of a stage)."""
    from safetensors.torch import load_file

    verify(path)
    load_trainable(model, load_file(str(Path(path) / WEIGHTS)))


def remove(path: str | Path) -> None:
    """Delete a checkpoint so that a kill midway never leaves a `complete` one with files missing:
    the marker goes first, then the folder is renamed out of the checkpoint namespace, then deleted."""
    path = run_files.guard(path)  # never delete through a link
    (path / COMPLETE).unlink(missing_ok=True)
    doomed = path.with_name(f".{path.name}.deleted.tmp")
    try:
        path.rename(doomed)
    except OSError:
        doomed = path
    shutil.rmtree(doomed, ignore_errors=True)


def remove_all(out_dir: str | Path) -> None:
    """Delete every checkpoint folder of a stage (complete or not)."""
    root = run_files.guard(out_dir)
    if root.is_dir():
        for path in sorted(root.glob("checkpoint-*")):
            if _NAME.match(path.name) and path.is_dir():
                remove(path)


def rotate(out_dir: str | Path, keep: int, protect: int | None = None) -> None:
    """Delete complete checkpoints except the newest `keep` and the step `protect` (the best).
    Stale temporary folders and files of crashed writes are removed by `stiltx.run_dir`'s
    cleanup when a run starts or resumes (under the run lock)."""
    found = complete_checkpoints(out_dir)
    keep_steps = {step for step, _ in found[-max(keep, 1) :]}
    if protect is not None:
        keep_steps.add(protect)
    for step, path in found:
        if step not in keep_steps:
            remove(path)


def rng_state() -> dict:
    """Every RNG's state as tensors and plain values (loadable with weights_only=True)."""
    import numpy as np
    import torch

    version, internal, gauss = random.getstate()
    name, keys, pos, has_gauss, cached = np.random.get_state()
    return {
        "python": [version, list(internal), gauss],
        "numpy": {
            "name": str(name),
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None,
    }


def set_rng_state(state: dict) -> None:
    import numpy as np
    import torch

    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    saved = state["numpy"]
    np.random.set_state(
        (
            saved["name"],
            saved["keys"].numpy().astype(np.uint32),
            saved["pos"],
            saved["has_gauss"],
            saved["cached_gaussian"],
        )
    )
    torch.set_rng_state(state["torch"])
    if state.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
