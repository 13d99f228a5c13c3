"""Hostile run folders: a link in place of the lock, a user folder given to `--resume`. stiltx
refuses with exit code 2 and one line naming the file, and changes nothing it did not make."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.run_dir import LOCK_FILE, lock_holder, open_lock

ARGS = ["toy.size=smoke", "intermediate.train.max_steps=1", "target.tasks=[pawsx]"]


def train(toy_cache, *args):
    argv = ["train", "-r", "single/mnli", "-p", "tiny"]
    for item in [*ARGS, f"toy.cache_dir={toy_cache}"]:
        argv += ["--set", item]
    return CliRunner().invoke(app, [*argv, *args])


def one_line_refusal(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in " ".join(result.output.split()), result.output


def link_lock_to_victim(run, victim):
    os.symlink(victim, run / LOCK_FILE)


def link_lock_to_missing(run, victim):
    os.symlink(victim.parent / "nowhere", run / LOCK_FILE)


LINKS = {"to a file": link_lock_to_victim, "dangling": link_lock_to_missing}


@pytest.mark.parametrize("resume", [True, False], ids=["--resume", "fresh"])
@pytest.mark.parametrize("case", list(LINKS))
def test_a_linked_lock_is_refused_and_its_target_kept(tmp_path, toy_cache, case, resume):
    run, victim = tmp_path / "run", tmp_path / "precious.txt"
    run.mkdir()
    (run / "recipe.resolved.yaml").write_text("name: x\n")
    victim.write_text("do not truncate me\n")
    LINKS[case](run, victim)
    result = train(toy_cache, "--out", str(run), *(["--resume"] if resume else []))
    if resume:
        one_line_refusal(result, LOCK_FILE, "symbolic link")
    else:  # a fresh run in a non-empty folder is refused either way
        assert result.exit_code == 2 and "Traceback" not in result.output
    assert victim.read_text() == "do not truncate me\n"
    assert not (tmp_path / "nowhere").exists()
    assert lock_holder(run) is None


def test_open_lock_never_truncates(tmp_path):
    lock = tmp_path / LOCK_FILE
    lock.write_text("123\n")
    fd, created = open_lock(lock)
    os.close(fd)
    assert not created and lock.read_text() == "123\n"


def test_open_lock_refuses_a_folder(tmp_path):
    (tmp_path / LOCK_FILE).mkdir()
    with pytest.raises((StiltxError, OSError)):
        os.close(open_lock(tmp_path / LOCK_FILE)[0])


def test_a_refused_resume_on_a_user_folder_leaves_no_lock(tmp_path, toy_cache):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine")
    result = train(toy_cache, "--out", str(mine), "--resume")
    one_line_refusal(result, "is not a stiltx run")
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
