"""Atomic writes: all or nothing, and the files get normal permissions (not mkstemp's 0600)."""

from __future__ import annotations

import json
import os
import stat

import pytest

from stiltx import atomic


def test_write_json_replaces_whole_file_with_shared_permissions(tmp_path):
    path = tmp_path / "a" / "results.json"
    atomic.write_json(path, {"x": 1})
    atomic.write_json(path, {"x": 2})
    assert json.loads(path.read_text()) == {"x": 2}
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask
    assert [p.name for p in path.parent.iterdir()] == ["results.json"]  # no temp file left


def test_failed_directory_build_leaves_the_old_one(tmp_path):
    target = tmp_path / "model"
    with atomic.directory(target) as tmp:
        (tmp / "w.bin").write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic.directory(target) as tmp:
        (tmp / "w.bin").write_bytes(b"half")
        raise RuntimeError("killed")
    assert (target / "w.bin").read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]


@pytest.mark.parametrize("where", ["file in the way", "full disk"])
def test_a_failed_write_is_a_clean_error_and_keeps_the_old_file(tmp_path, monkeypatch, where):
    import errno

    from stiltx.errors import StiltxError

    path = tmp_path / "results.json"
    atomic.write_json(path, {"x": 1})
    if where == "file in the way":
        target, match = tmp_path / "results.json" / "inner.json", "cannot write .*inner.json"
    else:

        def disk_full(fd):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(atomic.os, "fsync", disk_full)
        target, match = path, r"cannot write .*results.json: the disk is full; the previous"
    with pytest.raises(StiltxError, match=match) as error:
        atomic.write_json(target, {"x": 2})
    assert isinstance(error.value, OSError)  # callers that catch OSError still do
    assert json.loads(path.read_text()) == {"x": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["results.json"]
