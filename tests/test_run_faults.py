"""A run killed or damaged at each point of a stage's life resumes to identical results; the run
folder is locked, uniquely named, and `--resume` never writes into a folder that is not a run."""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest
from typer.testing import CliRunner

from stiltx import run_dir as run_dir_module
from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.pipeline import run
from stiltx.recipe.load import load_recipe
from stiltx.train import checkpoint, stage

SMALL = [
    "toy.size=smoke",
    "intermediate.train.max_steps=4",
    "intermediate.train.save_every=1",
    "intermediate.train.eval_every=2",
    "intermediate.train.batch_size=4",
    "intermediate.train.keep_checkpoints=2",
    "target.tasks=[pawsx]",
    "target.train.max_steps=2",
    "target.train.batch_size=4",
    "target.train.save_every=1",
    "target.train.eval_every=2",
    "retrieval.tasks=[]",
    "eval.languages=[en, de]",
]


class Crash(BaseException):
    """Stands for the process being killed (BaseException: no handler of ours catches it)."""


def small(toy_cache):
    return [*SMALL, f"toy.cache_dir={toy_cache}"]


@pytest.fixture(scope="module")
def finished(tmp_path_factory, toy_cache):
    recipe = load_recipe("single/mnli", preset="tiny", overrides=small(toy_cache))
    [out] = run(recipe, out_dir=tmp_path_factory.mktemp("faults") / "reference")
    return recipe, out, scores(out)


def scores(out):
    return json.loads((out / "results.json").read_text())["scores"]


def leftovers(out):
    """Temporary files and checkpoint folders: a finished run keeps neither."""
    return sorted(
        str(p.relative_to(out))
        for p in out.rglob("*")
        if p.name.endswith((".tmp", ".old")) or p.name.startswith("checkpoint-")
    )


def crash_on(monkeypatch, owner, name, *, when=lambda *a, **k: True, after=None):
    """Make `owner.name` raise Crash on its first call that matches `when` (after running the
    real function first when `after` is set: the kill comes right after that write)."""
    real = getattr(owner, name)

    def patched(*args, **kwargs):
        if when(*args, **kwargs):
            monkeypatch.setattr(owner, name, real)
            if after:
                real(*args, **kwargs)
            raise Crash(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, patched)


def named(file):
    return lambda path, *a, **k: str(path).endswith(file)


KILLS = {
    # killed after the stage's model/ was saved, before done.json
    "before done.json": lambda mp: crash_on(
        mp, stage.atomic, "write_json", when=named("done.json")
    ),
    # killed after done.json, before the checkpoints were removed
    "before checkpoint cleanup": lambda mp: crash_on(mp, checkpoint, "remove_all"),
    # killed in the middle of deleting a checkpoint (rotation)
    "mid checkpoint delete": lambda mp: crash_on(mp, checkpoint.shutil, "rmtree"),
    # killed right after the third checkpoint was written
    "after a checkpoint": lambda mp: crash_on(
        mp, checkpoint, "save", when=lambda out, step, **k: step == 3, after=True
    ),
    # killed right after the target stage's done.json
    "after target done.json": lambda mp: crash_on(
        mp, stage.atomic, "write_json", when=named("pawsx/done.json"), after=True
    ),
}


@pytest.mark.parametrize("kill", list(KILLS))
def test_killed_run_resumes_to_identical_results(finished, tmp_path, monkeypatch, kill):
    recipe, _, expected = finished
    out = tmp_path / "run"
    with monkeypatch.context() as patch:
        KILLS[kill](patch)
        with pytest.raises(Crash):
            run(recipe, out_dir=out)
    run(recipe, out_dir=out, resume=True)
    assert scores(out) == expected
    assert leftovers(out) == []


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def drop_steps(path):
    info = json.loads(path.read_text())
    del info["steps"]
    path.write_text(json.dumps(info))


DAMAGES = {
    "truncated done.json": ("intermediate/done.json", truncate),
    "done.json without steps": ("intermediate/done.json", drop_steps),
    "truncated model.safetensors": ("intermediate/model/model.safetensors", truncate),
    "truncated target done.json": ("target/pawsx/done.json", truncate),
}


@pytest.mark.parametrize("case", list(DAMAGES))
def test_damaged_finished_stage_is_trained_again(finished, tmp_path, case):
    recipe, reference, expected = finished
    name, damage = DAMAGES[case]
    out = tmp_path / "run"
    shutil.copytree(reference, out)
    damage(out / name)
    with pytest.warns(checkpoint.CheckpointWarning, match=rf"{name}.*training this stage again"):
        run(recipe, out_dir=out, resume=True)
    assert scores(out) == expected
    assert leftovers(out) == []


def test_stale_temp_files_are_removed_on_resume(finished, tmp_path):
    recipe, reference, expected = finished
    out = tmp_path / "run"
    shutil.copytree(reference, out)
    (out / "results.json").unlink()
    (out / ".results.json.x1y2.tmp").write_text("{half")
    (out / "intermediate" / ".checkpoint-3.ab12.tmp").mkdir()
    (out / "intermediate" / ".checkpoint-3.ab12.tmp" / "optimizer.pt").write_bytes(b"\0" * 99)
    (out / "target" / "pawsx" / ".model.cd34.tmp").mkdir()
    (out / "target" / "pawsx" / ".model.old").mkdir()
    run(recipe, out_dir=out, resume=True)
    assert scores(out) == expected
    assert leftovers(out) == []


# ---- the run folder: markers, locks, names, bad --out -------------------------------------------


def cli_train(toy_cache, *args):
    argv = ["train", "-r", "single/mnli", "-p", "tiny"]
    for item in small(toy_cache):
        argv += ["--set", item]
    return CliRunner().invoke(app, [*argv, *args])


def test_resume_refuses_a_folder_that_is_not_a_run(tmp_path, toy_cache):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "results.json").write_text('{"mine":1}')
    result = cli_train(toy_cache, "--out", str(mine), "--resume")
    assert result.exit_code == 2
    assert "is not a stiltx run (expected recipe.resolved.yaml" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in mine.iterdir() if p.name != ".stiltx.lock") == ["results.json"]
    assert (mine / "results.json").read_text() == '{"mine":1}'


@pytest.mark.parametrize("where", ["file", "under a file"])
def test_bad_out_is_a_clear_error(tmp_path, toy_cache, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("keep me")
    out = blocker if where == "file" else blocker / "run"
    result = cli_train(toy_cache, "--out", str(out))
    assert result.exit_code == 2, result.output
    assert str(out) in result.output and "Traceback" not in result.output
    assert blocker.read_text() == "keep me"


def test_a_second_process_on_the_same_run_folder_is_refused(finished, tmp_path):
    recipe, reference, _ = finished
    out = tmp_path / "run"
    shutil.copytree(reference, out)
    with run_dir_module.claim(out, resume=True, recipe=recipe):
        with pytest.raises(StiltxError, match=r"in use by another stiltx process \(pid \d+\)"):
            run(recipe, out_dir=out, resume=True)
    run(recipe, out_dir=out, resume=True)  # released: the folder is usable again


def test_launches_in_the_same_second_get_distinct_folders(tmp_path, toy_cache):
    recipe = load_recipe(
        "single/mnli", preset="tiny", overrides=[f"output_dir={tmp_path}", *small(toy_cache)]
    )
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    first = run_dir_module.new_run_dir(recipe, now=now)
    second = run_dir_module.new_run_dir(recipe, now=now)
    assert first != second and first.is_dir() and second.is_dir()
    assert second.name == f"{first.name}-2"


def test_a_full_disk_stops_the_run_cleanly_and_resume_finishes_it(finished, tmp_path, toy_cache):
    """On a 1 MiB tmpfs the second checkpoint does not fit: one line naming it, the first kept, no
    temporary file; with the tmpfs grown, --resume finishes with the uninterrupted scores."""
    import os
    import subprocess

    _, _, expected = finished
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(disk)]
    if os.geteuid() != 0 or subprocess.run(mount, capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        out = disk / "run"
        result = cli_train(toy_cache, "--out", str(out))
        assert result.exit_code == 2, result.output
        text = " ".join(result.output.split())
        assert "could not write checkpoint" in text and "the disk is full" in text, text
        assert "Traceback" not in result.output
        assert not [p for p in leftovers(out) if p.endswith((".tmp", ".old"))]
        subprocess.run(["mount", "-o", "remount,size=64m", str(disk)], check=True)
        result = cli_train(toy_cache, "--out", str(out), "--resume")
        assert result.exit_code == 0, result.output
        assert scores(out) == expected
        assert leftovers(out) == []
    finally:
        subprocess.run(["umount", str(disk)], check=False)
