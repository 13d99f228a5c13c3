"""A full disk (ENOSPC) while a run writes: one WriteError naming the file, the previous version
kept, no temporary file or folder left behind. On a small tmpfs where it can be mounted (root),
else with os.write / os.fsync made to fail with ENOSPC."""

from __future__ import annotations

import errno
import os
import subprocess

import pytest

from stiltx import atomic

SIZE = 64 * 1024


@pytest.fixture(params=["tmpfs", "simulated"])
def full_disk(request, tmp_path, monkeypatch):
    """A folder on which writes past SIZE bytes fail with ENOSPC."""
    folder = tmp_path / "disk"
    folder.mkdir()
    if request.param == "tmpfs":
        mount = ["mount", "-t", "tmpfs", "-o", f"size={SIZE}", "tmpfs", str(folder)]
        if os.geteuid() != 0 or subprocess.run(mount, capture_output=True).returncode != 0:
            pytest.skip("cannot mount a tmpfs here (needs root)")
        request.addfinalizer(lambda: subprocess.run(["umount", str(folder)], check=False))
        return folder
    real_write, real_fsync = os.write, os.fsync

    def write(fd, data):
        if len(data) > SIZE:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(fd, data)

    def fsync(fd):  # atomic.write_bytes flushes through a buffered file: fail at the sync
        if os.fstat(fd).st_size > SIZE:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "write", write)
    monkeypatch.setattr(os, "fsync", fsync)
    return folder


def leftovers(folder):
    return sorted(p.name for p in folder.rglob("*") if ".tmp" in p.name or p.name.endswith(".old"))


def test_write_bytes_keeps_the_previous_version(full_disk):
    target = full_disk / "results.json"
    atomic.write_text(target, '{"old": 1}')
    with pytest.raises(atomic.WriteError, match=rf"cannot write {target}: the disk is full"):
        atomic.write_bytes(target, b"x" * (SIZE * 2))
    assert target.read_text() == '{"old": 1}' and leftovers(full_disk) == []


def test_append_line_names_the_file(full_disk):
    log = full_disk / "train_log.jsonl"
    with pytest.raises(atomic.WriteError, match=rf"cannot write {log}: the disk is full"):
        atomic.append_line(log, "x" * (SIZE * 2))


def _fill_like_torch(tmp):
    """What torch.save does when its Python file hits a full disk: a RuntimeError over it."""
    try:
        with open(tmp / "optimizer.pt", "wb") as handle:
            handle.write(b"x" * (SIZE * 2))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError:
        raise RuntimeError("[enforce fail at inline_container.cc:672] unexpected pos")  # noqa: B904


FILLS = {
    "OSError": lambda tmp: atomic.write_bytes(tmp / "weights.bin", b"x" * (SIZE * 2)),
    "torch RuntimeError over it": _fill_like_torch,
    "safetensors message only": lambda tmp: (_ for _ in ()).throw(
        RuntimeError("Error while serializing: I/O error: No space left on device (os error 28)")
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(FILLS))
def test_directory_leaves_the_previous_folder(full_disk, case):
    model = full_disk / "model"
    atomic.write_text(model / "config.json", "{}")
    with pytest.raises(atomic.WriteError, match=rf"cannot write {model}\S*: the disk is full"):
        with atomic.directory(model) as tmp:
            FILLS[case](tmp)
    assert sorted(p.name for p in model.iterdir()) == ["config.json"]
    assert leftovers(full_disk) == []


def test_an_unrelated_error_is_not_called_a_full_disk(tmp_path):
    with pytest.raises(ValueError, match="mine"):
        with atomic.directory(tmp_path / "model"):
            raise ValueError("mine")
    assert list(tmp_path.iterdir()) == []


# A whole run whose predictions or results.json meet a full disk: os.fsync of that file's
# temporary copy fails with ENOSPC, as on a full tmpfs. Before, a prediction file that could not
# be written was recorded as a missing score and the run 'finished' without it.
RUN_SETS = [
    "toy.size=smoke",
    "target.tasks=[pawsx]",
    "target.train.max_steps=2",
    "target.train.batch_size=4",
    "target.parallel=1",
    "retrieval.tasks=[]",
    "eval.languages=[en, de]",
]


def run_recipe(toy_cache):
    from stiltx.recipe.load import load_recipe

    return load_recipe("direct", preset="tiny", overrides=[*RUN_SETS, f"toy.cache_dir={toy_cache}"])


def scores(run_dir):
    import json

    return json.loads((run_dir / "results.json").read_text())["scores"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, toy_cache):
    from stiltx.pipeline import run

    out = tmp_path_factory.mktemp("full-disk") / "reference"
    run(run_recipe(toy_cache), out_dir=out)
    return out


def fill_at(monkeypatch, name):
    """os.fsync fails with ENOSPC for the temporary copy of the file called `name`."""
    real = os.fsync

    def fsync(fd):
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(f".{name}."):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd)

    monkeypatch.setattr(os, "fsync", fsync)


@pytest.mark.parametrize("name, path", [("en.jsonl", "predictions/pawsx/en.jsonl"),
                                        ("results.json", "results.json")])  # fmt: skip
def test_a_full_disk_at_predictions_or_results_stops_and_resumes(
    uninterrupted, toy_cache, tmp_path, monkeypatch, name, path
):
    from stiltx.pipeline import run

    out = tmp_path / "run"
    fill_at(monkeypatch, name)
    with pytest.raises(atomic.WriteError) as error:
        run(run_recipe(toy_cache), out_dir=out)
    message = str(error.value)
    assert message.startswith(f"cannot write {out / path}: the disk is full"), message
    assert "\n" not in message
    assert not (out / "results.json").exists() and leftovers(out) == []
    monkeypatch.undo()  # space freed
    run(run_recipe(toy_cache), out_dir=out, resume=True)
    assert scores(out) == scores(uninterrupted)
    assert (out / path).is_file()
