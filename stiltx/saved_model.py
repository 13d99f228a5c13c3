"""The integrity record of a saved model (a stage's `model/`): the size and sha256 of each file.

Recorded in the stage's done.json when the stage finishes, checked before the model is used
again (`--resume`, `stiltx evaluate`, `intermediate.from: <run>`), as checkpoints are
(train/checkpoint.py), so a truncated or altered model is named in one line instead of failing
deep inside safetensors, or silently loading other weights. Torch-free.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from stiltx.errors import DataError


class DamagedModelError(DataError):
    """A saved model's file is missing, of another size, or differs from its recorded sha256."""


def describe_file(path: Path) -> dict[str, Any]:
    """{"bytes": size, "sha256": hex digest} of one file."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return {"bytes": path.stat().st_size, "sha256": digest.hexdigest()}


def record(model_dir: Path) -> dict[str, dict[str, Any]]:
    """Every file of `model_dir` (relative name -> size and sha256), links left out."""
    return {
        p.relative_to(model_dir).as_posix(): describe_file(p)
        for p in sorted(model_dir.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def verify(model_dir: Path, files: object, *, where: str, digests: bool = True) -> None:
    """DamagedModelError naming the first file of `files` (a record, or the older name -> bytes)
    that is missing or differs; `digests=False` checks sizes only (cheap, for `validate`)."""
    if not isinstance(files, dict):
        raise DamagedModelError(f"{where}: 'model_files' is {files!r}, expected name -> record")
    for name, expected in files.items():
        size, sha = _expected(expected)
        if size is None or not isinstance(name, str) or ".." in Path(name).parts:
            raise DamagedModelError(f"{where}: 'model_files' entry {name!r} is {expected!r}")
        file = model_dir / name
        actual = file.stat().st_size if file.is_file() and not file.is_symlink() else None
        if actual != size:
            found = "missing" if actual is None else f"{actual} bytes"
            raise DamagedModelError(f"{file}: {found}, expected {size} bytes (damaged)")
        if digests and sha is not None and describe_file(file)["sha256"] != sha:
            raise DamagedModelError(f"{file}: contents differ from the recorded sha256 (damaged)")


def _expected(entry: object) -> tuple[int | None, str | None]:
    if isinstance(entry, int) and not isinstance(entry, bool):  # runs before the sha256
        return entry, None
    if isinstance(entry, dict):
        size, sha = entry.get("bytes"), entry.get("sha256")
        if isinstance(size, int) and not isinstance(size, bool) and isinstance(sha, str):
            return size, sha
    return None, None
