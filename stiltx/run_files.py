"""Reading and copying the files of a run or sweep folder as untrusted input.

A run folder may be shared, copied or tampered with: a file may be a symbolic link (reading it
would read, and `stiltx push` would upload, whatever it points to), not UTF-8, or not JSON. Every
reader here opens without following a link and turns each of these into one StiltxError naming
the file; a name that becomes part of a path (a run id, a job id, a task) is checked to be one
plain path component first.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
import stat
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from stiltx.errors import StiltxError

_NOT_IN_A_NAME = re.compile(r"[/\\\x00-\x1f\x7f]")  # separators and control characters


def component(value: object, what: str) -> str:
    """`value` as one plain path component (no '/', not '.' or '..'), else a StiltxError."""
    if not isinstance(value, str) or value.strip(".") == "" or _NOT_IN_A_NAME.search(value):
        raise StiltxError(
            f"{what} {value!r}: expected one plain name (not '.' or '..', no '/', '\\' or "
            "control characters)"
        )
    return value


def inside(path: Path, root: Path, what: str) -> Path:
    """`path` if it stays inside `root` once links are resolved, else a StiltxError."""
    real, top = Path(os.path.realpath(path)), Path(os.path.realpath(root))
    if real != top and top not in real.parents:
        raise StiltxError(f"{what} {path}: leads outside {root} (to {real}); refusing it")
    return path


def check_tree(root: str | os.PathLike, what: str = "run folder") -> Path:
    """`root` if no link under it leads outside it, else a StiltxError naming the first such link.

    stiltx writes its files (atomic writes: temporary file and rename in the same folder) and
    reads them by joining names onto the folder: a `predictions/`, stage or checkpoint folder that
    is a link would carry those reads and writes to wherever it points. A link that stays inside
    the folder is harmless and left alone. A link made later, while a command runs, is caught by
    `guard` at each read and write of a folder the command holds (`guarded`)."""
    root = Path(root)
    top = os.path.realpath(root)
    for folder, dirs, files in os.walk(root):  # links to folders are listed, never entered
        for name in [*dirs, *files]:
            path = os.path.join(folder, name)
            if not os.path.islink(path):
                continue
            real = os.path.realpath(path)
            if os.path.commonpath([top, real]) != top:
                raise _leads_outside(path, what, root, real)
    return root


class OutsideLinkError(StiltxError):
    """A link in a run or sweep folder leads outside it: refused, never taken for damage (which
    would train a stage again, writing through the link)."""


def _leads_outside(path: str | os.PathLike, what: str, root: object, real: str) -> StiltxError:
    return OutsideLinkError(
        f"{path}: is a symbolic link leading outside the {what} {root} (to {real}); refusing to "
        "read or write through it (replace the link with what it points to, or remove it)"
    )


# Folders a command holds (lexical absolute path -> (resolved path, what)): a run folder while
# `train` runs in it, a sweep folder while `sweep` drives it. Checked once at the start
# (`check_tree`), they can still change under the command: a stage, predictions or checkpoint
# folder, or a file, replaced by a link between two stages. `guard` refuses such a path at the
# moment it is read, written or removed (atomic writes, the readers here, checkpoints, models).
_GUARDED: dict[str, tuple[str, str]] = {}


@contextlib.contextmanager
def guarded(root: str | os.PathLike, what: str = "run folder") -> Iterator[Path]:
    """Hold `root` (already checked by `check_tree`): while inside, every `guard`ed path under it
    must stay inside it once links are resolved."""
    key = os.path.abspath(root)
    before = _GUARDED.get(key)
    _GUARDED[key] = (os.path.realpath(root), what)
    try:
        yield Path(root)
    finally:
        if before is None:
            _GUARDED.pop(key, None)
        else:
            _GUARDED[key] = before


def guarded_roots() -> dict[str, tuple[str, str]]:
    """The folders held now, for a worker process to hold too (`hold_roots`)."""
    return dict(_GUARDED)


def hold_roots(roots: Mapping[str, tuple[str, str]]) -> None:
    """In a worker process (spawned: it starts with none): hold what the parent held."""
    _GUARDED.update(roots)


def guard(path: str | os.PathLike) -> Path:
    """`path`, unless it lies in a held folder (`guarded`) and a link (the path itself or a
    folder on the way) leads it outside that folder: then a StiltxError naming the link."""
    path = Path(path)
    if not _GUARDED:
        return path
    lexical = os.path.abspath(path)
    for root, (top, what) in _GUARDED.items():
        if lexical != root and not lexical.startswith(root.rstrip(os.sep) + os.sep):
            continue
        real = os.path.realpath(lexical)
        if real == top or real.startswith(top.rstrip(os.sep) + os.sep):
            continue
        link = _first_link(root, lexical) or lexical
        raise _leads_outside(link, what, root, os.path.realpath(link))
    return path


def guard_tree(folder: str | os.PathLike) -> Path:
    """`guard` for `folder` and every link under it (a saved model read by a library that follows
    links); outside the folders held, links are left alone (the Hub's cache is made of them)."""
    folder = guard(folder)
    if _GUARDED:
        for top, dirs, files in os.walk(folder):
            for name in [*dirs, *files]:
                if os.path.islink(os.path.join(top, name)):
                    guard(os.path.join(top, name))
    return folder


def _first_link(root: str, lexical: str) -> str | None:
    """The first component below `root` on the way to `lexical` that is a link leading out."""
    top = os.path.realpath(root)
    current = root
    for part in Path(os.path.relpath(lexical, root)).parts:
        current = os.path.join(current, part)
        if os.path.islink(current):
            real = os.path.realpath(current)
            if real != top and not real.startswith(top.rstrip(os.sep) + os.sep):
                return current
    return None


def still_there(folder: Path, what: str, marker: str = "") -> Path:
    """`folder` if it (and its `marker` file) still exists, else a StiltxError. A run writes by
    joining names onto its folders, and an atomic write creates the folders it needs: a folder
    removed while the run runs (rm -rf) would come back holding part of a run that looks whole."""
    if not os.path.lexists(Path(folder) / marker):
        gone = f" (its {marker} is gone)" if marker else ""
        raise StiltxError(
            f"{folder}: the {what} was removed while the run was running{gone}; stopping without "
            "writing more (start the run again)"
        )
    return Path(folder)


def read_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of a regular file, opened without following a link."""
    with os.fdopen(_open_plain(Path(path)), "rb") as handle:
        return handle.read()


def read_text(path: str | os.PathLike) -> str:
    """UTF-8 text of a file (no link followed); StiltxError naming the file when it is not."""
    data = read_bytes(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise StiltxError(
            f"{path}: not UTF-8 text (byte {error.start}); the file is damaged"
        ) from None


def read_json(path: str | os.PathLike) -> Any:
    """A JSON file (no link followed); StiltxError naming the file and the line when damaged."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise StiltxError(f"{path}:{error.lineno}: not valid JSON ({error.msg})") from None
    except RecursionError:
        raise StiltxError(f"{path}: JSON nested too deeply") from None


def copy_tree(source: Path, dest: Path) -> None:
    """Copy the regular files and folders under `source` into `dest`; a link (or a device, a
    socket) anywhere inside is refused with a message, never followed."""
    for root, dirs, files in os.walk(source):
        for name in [*dirs, *files]:
            path = Path(root) / name
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                raise StiltxError(
                    f"{path}: is a symbolic link; only regular files are copied (replace the "
                    "link with the file it points to, or remove it)"
                )
            if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
                raise StiltxError(f"{path}: is not a regular file or folder; refusing to copy it")
        target = dest / Path(root).relative_to(source)
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            copy_file(Path(root) / name, target / name)


def copy_file(source: Path, dest: Path) -> None:
    """Copy one regular file (no link followed) with its times and mode."""
    fd = _open_plain(source)
    with os.fdopen(fd, "rb") as reader, open(dest, "xb") as writer:
        shutil.copyfileobj(reader, writer)
        info = os.fstat(reader.fileno())
    os.chmod(dest, stat.S_IMODE(info.st_mode))
    os.utime(dest, ns=(info.st_atime_ns, info.st_mtime_ns))


def _open_plain(path: Path) -> int:
    guard(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise StiltxError(f"{path}: is a symbolic link, expected a file; refusing it") from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StiltxError(f"{path}: is not a regular file")
    return fd
