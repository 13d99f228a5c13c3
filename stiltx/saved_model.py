"""The integrity record of a saved model (a stage's `model/`): the size and sha256 of each file.

Recorded in the stage's done.json when the stage finishes, checked before the model is used
again (`--resume`, `stiltx evaluate`, `intermediate.from: <run>`), as checkpoints are
(train/checkpoint.py), so a truncated or altered model is named in one line instead of failing
deep inside safetensors, or silently loading other weights. Runs saved before the record, and
plain model folders, have none: their files are checked for shape (`check_readable`: each
safetensors header against the file's length, each JSON file parsed), and `loading` turns what
a loader still finds wrong into one line naming the folder. Torch-free.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stiltx import run_files
from stiltx.errors import DataError, StiltxError

# safetensors' own bound on the header (safetensors/src/tensor.rs: MAX_HEADER_SIZE)
MAX_HEADER_BYTES = 100_000_000


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
    that is missing or differs; `digests=False` checks sizes only (cheap, for `validate`).
    Without a record (`{}`: a run saved before it), the files' shape is checked instead."""
    if files == {}:
        check_readable(model_dir)
        return
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


def check_readable(model_dir: str | os.PathLike) -> None:
    """DamagedModelError naming the first file of a saved model (no record to check against)
    that cannot be what it claims: a `*.safetensors` file whose header is unreadable or whose
    tensors end elsewhere than the file does (truncated, appended to), a `*.json` file that is
    not a JSON object. Reads the headers only. A link to a file is read through (the Hub's cache
    is links into its blobs/); whether a link may be followed is `loading`'s check."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        raise DamagedModelError(f"{model_dir}: missing, expected a saved model folder")
    found = [Path(top, name) for top, _, names in os.walk(model_dir) for name in names]
    for path in sorted(found):
        if not path.is_file():
            continue
        if path.suffix == ".safetensors":
            problem = _safetensors_problem(path)
        elif path.suffix == ".json":
            problem = _json_problem(path)
        else:
            continue
        if problem:
            raise DamagedModelError(f"{path}: {problem} (damaged)")


def _safetensors_problem(path: Path) -> str:
    """What is wrong with the layout of one safetensors file (8-byte header length, JSON header,
    then the tensors, the last ending where the file ends), or ''."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        start = handle.read(8)
        if len(start) < 8:
            return f"{size} bytes, too short for a safetensors header"
        (length,) = struct.unpack("<Q", start)
        if length > MAX_HEADER_BYTES or 8 + length > size:
            return f"{size} bytes, its header claims {length} bytes (truncated?)"
        raw = handle.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
        ends = [
            int(entry["data_offsets"][1])
            for name, entry in header.items()
            if name != "__metadata__"
        ]
    except (ValueError, KeyError, TypeError, IndexError, AttributeError) as error:
        return f"unreadable safetensors header ({error.__class__.__name__})"
    data = size - 8 - length
    if max(ends, default=0) != data:
        return f"{size} bytes, its tensors need {8 + length + max(ends, default=0)} (truncated?)"
    return ""


def _json_problem(path: Path) -> str:
    try:
        value = json.loads(path.read_bytes().decode("utf-8"))
    except (ValueError, RecursionError) as error:
        return f"not valid JSON ({error.__class__.__name__})"
    return "" if isinstance(value, dict) else f"a JSON {type(value).__name__}, expected an object"


@contextlib.contextmanager
def loading(model_dir: str | os.PathLike, what: str = "saved model") -> Iterator[Path]:
    """Around a library's load of the model folder `model_dir` (safetensors, adapters): the folder
    checked first (in a folder the command holds, neither it nor a link inside leads out of that
    folder: `run_files.guard_tree`; then `check_readable`), and a
    SafetensorError, unreadable JSON or file error inside the load made one DamagedModelError
    naming the folder, never a traceback. An id that is no local folder (the Hub) is let through."""
    from safetensors import SafetensorError  # not torch: a small compiled module

    model_dir = Path(model_dir)
    if model_dir.is_dir() or model_dir.is_symlink():
        run_files.guard_tree(model_dir)
        check_readable(model_dir)
    try:
        yield model_dir
    except StiltxError:
        raise
    except (SafetensorError, OSError, ValueError, EOFError) as error:
        detail = " ".join(str(error).split())[:200]
        raise DamagedModelError(
            f"{model_dir}: the {what} cannot be loaded ({error.__class__.__name__}: {detail}); "
            "it is damaged or not a saved model"
        ) from None
