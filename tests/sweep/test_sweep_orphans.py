"""A killed sweep driver leaves no job behind, and `--resume` / `--status` treat a job another live
process is running as running (waited for), never as failed. Real subprocesses, smoke toy world:
one uninterrupted sweep is the reference the resumed ones must match score for score."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from stiltx.run_dir import LOCK_FILE, lock_holder
from stiltx.sweep import jobs as J
from stiltx.sweep import state as S
from stiltx.sweep.driver import show_status

TRAIN = ("max_steps=2", "eval_every=2", "save_every=2", "batch_size=4")
FAST = (
    "toy.size=smoke",
    "target.tasks=[xnli]",
    "retrieval.tasks=[]",
    "eval.languages=[en]",
    *(f"{stage}.train.{setting}" for stage in ("intermediate", "target") for setting in TRAIN),
)
REPO = Path(__file__).resolve().parents[2]
JOB = "single-mnli/seed-1"
# Holds a run folder's lock the way `stiltx train` does, until killed.
HOLDER = (
    "import fcntl, os, sys, time\n"
    "handle = open(sys.argv[1], 'a+')\n"
    "fcntl.flock(handle.fileno(), fcntl.LOCK_EX)\n"
    "handle.write(f'{os.getpid()}\\n'); handle.flush()\n"
    "time.sleep(600)\n"
)
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def world(tmp_path_factory, toy_cache):
    """The environment and argv of a one-job sweep, and the scores of it run without a break."""
    root = tmp_path_factory.mktemp("orphans")
    env = {**os.environ, "PYTHONPATH": str(REPO), "STILTX_CACHE": str(root / "cache")}
    sets = [x for item in (*FAST, f"toy.cache_dir={toy_cache}") for x in ("--set", item)]
    argv = [sys.executable, "-m", "stiltx", "sweep", "--recipes", "single/mnli",
            "--preset", "tiny", "--seeds", "1", *sets]  # fmt: skip
    done = subprocess.run([*argv, "--out", str(root / "reference")], env=env, capture_output=True)
    assert done.returncode == 0, done.stdout.decode()[-3000:]
    reference = scores(root / "reference")
    return {"root": root, "env": env, "argv": argv, "toy": toy_cache, "scores": reference}


def scores(sweep_dir: Path) -> list:
    return json.loads((sweep_dir / JOB / "results.json").read_text())["scores"]


def resume(world, out: Path) -> subprocess.CompletedProcess:
    command = [*world["argv"], "--out", str(out), "--resume"]
    return subprocess.run(command, env=world["env"], capture_output=True, text=True)


def wait_for_holder(run_dir: Path, process: subprocess.Popen) -> int:
    """The pid holding `run_dir`'s lock, once there is one (`process` must live meanwhile)."""
    deadline = time.monotonic() + 120
    while (holder := lock_holder(run_dir)) is None or not holder.pid.isdigit():
        assert process.poll() is None, "stopped before the run folder was locked"
        assert time.monotonic() < deadline, "the run folder was not locked in 2 minutes"
        time.sleep(0.2)
    return int(holder.pid)


def session_alive(sid: int) -> list[int]:
    """Processes (zombies left out) of the session `sid`."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == sid and fields[0] != "Z":
            alive.append(int(stat.parent.name))
    return alive


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_a_killed_driver_leaves_no_job_and_resume_finishes_it(world):
    out = world["root"] / "killed"
    driver = subprocess.Popen(
        [*world["argv"], "--out", str(out)], env=world["env"], start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        job_pid = wait_for_holder(out / JOB, driver)  # the job's `stiltx train` holds its folder
        [job] = J.read_manifest(out)[1]
        assert S.read_state(S.state_path(out, job))["pid"] == job_pid
        assert job_pid in session_alive(driver.pid)
        os.kill(driver.pid, signal.SIGKILL)  # the driver only: its job must follow by itself
        driver.wait()
        # A killed multi-threaded process shows as a zombie once its main thread is gone, while
        # its other threads may still be exiting and holding its files (the run folder's lock).
        deadline = time.monotonic() + 30
        while session_alive(driver.pid) or lock_holder(out / JOB) is not None:
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert session_alive(driver.pid) == []
        assert lock_holder(out / JOB) is None, "the killed job's lock outlived it by 30 s"
    finally:
        for pid in session_alive(driver.pid):
            os.kill(pid, signal.SIGKILL)
    assert S.job_status(out, job).state == S.INTERRUPTED

    resumed = resume(world, out)
    assert resumed.returncode == 0, resumed.stdout[-3000:]
    assert "1 jobs: 1 done" in resumed.stdout
    assert scores(out) == world["scores"]


def test_a_job_held_by_a_live_process_is_running_and_waited_for(world):
    out = world["root"] / "held"
    overrides = (*FAST, f"toy.cache_dir={world['toy']}")
    spec = J.SweepSpec(recipes=("single/mnli",), seeds=(1,), preset="tiny", overrides=overrides)
    J.write_manifest(out, spec, J.plan_jobs(spec))
    (out / JOB).mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out / JOB / LOCK_FILE)])
    try:
        assert wait_for_holder(out / JOB, holder) == holder.pid
        text = io.StringIO()
        show_status(out, Console(file=text))
        [row] = text.getvalue().splitlines()[1:-1]
        assert row.split("\t")[2] == "running"
        assert f"pid {holder.pid}, since " in row

        waiting = subprocess.Popen(
            [*world["argv"], "--out", str(out), "--resume"], text=True,
            env={**world["env"], "PYTHONUNBUFFERED": "1"},  # each line as it is printed
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )  # fmt: skip
        lines = []
        for line in waiting.stdout:
            lines.append(line)
            if line.startswith("waiting"):
                break
        assert f"waiting {JOB}: running (pid {holder.pid}, since " in lines[-1], "".join(lines)
        time.sleep(2)
        assert waiting.poll() is None  # still waiting, nothing started
        assert not S.log_path(out, J.plan_jobs(spec)[0]).exists()
    finally:
        holder.kill()
        holder.wait()
    rest = waiting.communicate(timeout=300)[0]
    assert waiting.returncode == 0, rest[-3000:]
    assert "failed" not in rest and "1 jobs: 1 done" in rest
    assert scores(out) == world["scores"]
