"""Fanned-out target workers (`target.parallel=2`) killed with -9, parent and workers at once, at
a moment of a stage's life; `--resume` then reaches the scores of an uninterrupted run, and a
finished run keeps neither checkpoints nor temporary files."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stiltx.pipeline import run
from stiltx.recipe.load import load_recipe
from stiltx.run_dir import remove_stale_temp_files

REPO = Path(__file__).resolve().parents[2]
SMALL = [
    "toy.size=smoke",
    "target.tasks=[pawsx, xnli]",  # two stages: pawsx, and mnli (which serves xnli)
    "target.train.max_steps=6",
    "target.train.batch_size=4",
    "target.train.save_every=1",
    "target.train.eval_every=3",
    "retrieval.tasks=[]",
    "eval.languages=[en, de]",
]
pytestmark = pytest.mark.slow


def overrides(toy_cache, parallel):
    return [*SMALL, f"toy.cache_dir={toy_cache}", f"target.parallel={parallel}"]


def scores(out):
    return json.loads((out / "results.json").read_text())["scores"]


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory, toy_cache):
    """The reference: the same recipe in this process, one stage after another (the scores do
    not depend on target.parallel: stiltx.train.fanout.plan_fanout)."""
    recipe = load_recipe("direct", preset="tiny", overrides=overrides(toy_cache, 1))
    [out] = run(recipe, out_dir=tmp_path_factory.mktemp("fanout") / "reference")
    return scores(out)


def train(toy_cache, out, tmp_path, *extra):
    sets = [x for item in overrides(toy_cache, 2) for x in ("--set", item)]
    argv = ["train", "-r", "direct", "-p", "tiny", *sets, "--out", str(out), *extra]
    env = {**os.environ, "PYTHONPATH": str(REPO), "STILTX_CACHE": str(tmp_path / "cache")}
    return subprocess.Popen(
        [sys.executable, "-m", "stiltx", *argv], env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, start_new_session=True, text=True,
    )  # fmt: skip


MOMENTS = {  # moment: what appears in the run folder when the kill comes
    "first checkpoint of a stage": "target/*/checkpoint-*/state.json",
}


@pytest.mark.parametrize("moment", list(MOMENTS))
def test_killed_workers_resume_to_identical_results(uninterrupted, toy_cache, tmp_path, moment):
    out = tmp_path / "run"
    process = train(toy_cache, out, tmp_path)
    deadline = time.monotonic() + 300
    while not list(out.glob(MOMENTS[moment])):
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "no stage checkpoint in 5 minutes"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)  # the parent and both workers
    process.communicate()
    assert not (out / "results.json").exists()
    assert len(list(out.glob("target/*/done.json"))) < 2  # the kill came mid-stage

    resumed = train(toy_cache, out, tmp_path, "--resume")
    output, _ = resumed.communicate(timeout=300)
    assert resumed.returncode == 0, output
    assert scores(out) == uninterrupted
    assert list(out.rglob("checkpoint-*")) == []  # a finished stage keeps only its model
    assert remove_stale_temp_files(out) == []  # nor a temporary file of an atomic write
