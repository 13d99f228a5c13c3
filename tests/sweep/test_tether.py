"""stiltx.sweep.tether: a job and the processes its launcher starts die with the driver (kill -9).

Stand-ins, no training: the driver starts the job from a worker thread (as the local executor
does); the job starts a "rank" in a session of its own (as torch's elastic agent under
`accelerate launch` does), which ties itself to the job as `python -m stiltx` does at start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stiltx.sweep.tether import alive

REPO = Path(__file__).resolve().parents[2]
RANK = (
    "from stiltx.sweep.tether import tether_to_parent as t; t(); print('tied', flush=True); "
    "__import__('time').sleep(600)"
)
JOB = f"""
import os, subprocess, sys
rank = subprocess.Popen([sys.executable, "-c", {RANK!r}], start_new_session=True)
print(os.getpid(), rank.pid, os.environ["STILTX_JOB_PID"], flush=True)
rank.wait()
"""
DRIVER = f"""
import subprocess, sys, threading
from stiltx.sweep.tether import tethered

def work():
    subprocess.Popen(tethered([sys.executable, "-c", {JOB!r}])).wait()

threading.Thread(target=work).start()
"""
pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's"
)


def test_a_killed_driver_takes_its_job_and_the_jobs_children_with_it():
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    driver = subprocess.Popen(
        [sys.executable, "-c", DRIVER], env=env, stdout=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    job, rank, job_pid = (int(x) for x in driver.stdout.readline().split())
    assert driver.stdout.readline() == "tied\n"
    try:
        assert job_pid == job  # the tether exec'd the job: one process, the pid the driver saw
        assert alive(job) and alive(rank)
        os.kill(driver.pid, signal.SIGKILL)
        driver.wait()
        deadline = time.monotonic() + 10
        while (alive(job) or alive(rank)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(job) and not alive(rank)
    finally:
        for pid in (job, rank):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def test_the_tether_does_not_start_a_job_whose_driver_is_gone():
    command = [sys.executable, "-m", "stiltx.sweep.tether", "1", "--", "true"]  # not our parent
    done = subprocess.run(command, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True)
    assert done.returncode != 0 and b"is gone" in done.stderr


def test_a_child_of_a_job_already_gone_exits_at_once():
    env = {**os.environ, "PYTHONPATH": str(REPO), "STILTX_JOB_PID": str(2**22 + 1)}  # no such pid
    done = subprocess.run([sys.executable, "-c", RANK], env=env, capture_output=True, timeout=60)
    assert done.returncode == 1 and done.stdout == b""
