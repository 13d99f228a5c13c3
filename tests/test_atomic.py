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
