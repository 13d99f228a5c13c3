"""Atomic file writes: write to a temporary file in the same folder, then rename.

A reader never sees a half-written file, and a crash leaves the previous version (or nothing).
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from stiltx import run_files
from stiltx.errors import StiltxError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_FILE_MODE = 0o666 & ~_umask()
_DIR_MODE = 0o777 & ~_umask()


class WriteError(StiltxError, OSError):
    """A write failed (full disk, read-only folder, a file in the way): one clean message, exit
    code 2, the previous version of the file left in place. Still an OSError for callers."""


def os_error_of(error: BaseException) -> OSError | None:
    """The OSError behind `error`: itself, one in its cause / context chain (torch.save writing to
    a Python file raises RuntimeError over it), or a full disk that a library only names in its
    message (safetensors: "os error 28")."""
    seen: BaseException | None = error
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, OSError):
            return seen
        if isinstance(seen, StiltxError):  # already a message of ours: not a write failure
            return None
        seen = seen.__cause__ or (None if seen.__suppress_context__ else seen.__context__)
    if "No space left on device" in str(error) or "os error 28" in str(error):
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return None


def _write_error(path: Path, error: OSError) -> WriteError:
    if error.errno == errno.ENOENT and not os.path.lexists(path.parent):  # append_line's O_CREAT
        reason = f"its folder {path.parent} was removed while the run was running"
        wrapped = WriteError(f"cannot write {path}: {reason}; stopping without writing more")
        wrapped.errno = error.errno
        return wrapped
    reason = "the disk is full" if error.errno == errno.ENOSPC else (error.strerror or str(error))
    wrapped = WriteError(f"cannot write {path}: {reason}; the previous version (if any) is kept")
    wrapped.errno = error.errno
    return wrapped


def write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    path = run_files.guard(path)  # a folder held by the run: never written through a link
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, _FILE_MODE)  # mkstemp makes 0600; results are meant to be shared
        os.replace(tmp, path)
    except BaseException as error:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(error, OSError) and not isinstance(error, WriteError):
            raise _write_error(path, error) from None
        raise
    return path


def append_line(path: str | os.PathLike, line: str) -> None:
    """Append one line (a log) in one write, never through a link; a failed write (full disk) is
    a WriteError naming the file. A torn last line is for the reader to drop."""
    path = run_files.guard(path)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(path, flags, _FILE_MODE)
        try:
            data = memoryview((line.rstrip("\n") + "\n").encode("utf-8"))
            while data:  # a nearly full disk takes part of it; the next write says ENOSPC
                data = data[os.write(fd, data) :]
        finally:
            os.close(fd)
    except OSError as error:
        raise _write_error(path, error) from None


def write_text(path: str | os.PathLike, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_json(path: str | os.PathLike, obj: Any, indent: int | None = 2) -> Path:
    return write_text(path, json.dumps(obj, indent=indent, ensure_ascii=False) + "\n")


def write_jsonl(path: str | os.PathLike, rows: list[Any]) -> Path:
    return write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


@contextmanager
def directory(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary sibling folder to fill; on success it is renamed to `path` (replacing it)."""
    path = run_files.guard(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
    except OSError as error:
        raise _write_error(path, error) from None
    try:
        yield tmp
        os.chmod(tmp, _DIR_MODE)  # mkdtemp makes 0700
        if path.exists():
            old = path.with_name(f".{path.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(path, old)
            os.replace(tmp, path)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, path)
    except BaseException as error:
        shutil.rmtree(tmp, ignore_errors=True)
        if isinstance(error, WriteError):  # a file inside: name it where it was to end up
            renamed = WriteError(str(error).replace(str(tmp), str(path)))
            renamed.errno = error.errno
            raise renamed from None
        cause = os_error_of(error)
        if cause is not None and isinstance(error, Exception):
            raise _write_error(path, cause) from None
        raise


def writable_dir(path: str | os.PathLike, what: str = "output folder") -> Path:
    """`path` as an existing folder that can be written (created if missing), else a StiltxError
    naming it: a file in the way, a read-only parent, a full disk."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise StiltxError(f"{what} {path}: is a file, expected a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=path, prefix=".write-test.", suffix=".tmp")
        probe.close()
    except OSError as error:
        raise StiltxError(f"{what} {path}: cannot write there ({error.strerror})") from None
    return path
