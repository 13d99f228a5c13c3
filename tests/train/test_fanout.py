"""Target stages side by side: how `target.parallel` maps onto a machine (pure), and that a
worker's failure or death reaches the parent as an error naming its stage."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest
from rich.console import Console

from stiltx.errors import StiltxError
from stiltx.plan import target_stages
from stiltx.recipe.load import load_recipe
from stiltx.train.fanout import Fanout, busy_cores, plan_fanout, run_stages

CPU = {"gpus": (), "processes": 1}


@pytest.mark.parametrize(
    ("parallel", "stages", "cores", "expected"),
    [
        ("auto", 6, 2, Fanout(2, 1)),  # 2 workers x 1 thread on 2 cores
        ("auto", 6, 1, Fanout(1, 1)),  # one core (or OMP_NUM_THREADS=1): one at a time
        ("auto", 6, 16, Fanout(6, 2)),  # no more workers than stages; the rest as threads
        ("auto", 1, 8, Fanout(1, 8)),
        (1, 6, 2, Fanout(1, 1)),  # the same threads as auto: the same scores
        (2, 6, 1, Fanout(2, 1)),  # asked for: 2 workers even on a 1-core share
        (4, 6, 8, Fanout(4, 1)),
    ],
)
def test_cpu_threads_follow_the_machine_not_the_parallel_setting(parallel, stages, cores, expected):
    assert plan_fanout(parallel, stages, cores=cores, **CPU) == expected


def test_auto_starts_cpu_workers_only_on_idle_cores():
    assert plan_fanout("auto", 6, cores=2, busy=0.4, **CPU) == Fanout(2, 1)
    assert plan_fanout("auto", 6, cores=2, busy=1.2, **CPU) == Fanout(1, 1)  # same threads
    assert plan_fanout("auto", 6, cores=16, busy=12, **CPU) == Fanout(4, 2)
    assert plan_fanout(2, 6, cores=2, busy=5, **CPU) == Fanout(2, 1)  # asked for: as asked


@pytest.mark.skipif(not Path("/proc/stat").exists(), reason="/proc/stat: Linux")
def test_busy_cores_sees_another_process_at_work():
    spin = "import time\nend = time.monotonic() + 3\nwhile time.monotonic() < end: pass\n"
    other = subprocess.Popen([sys.executable, "-c", spin])
    try:
        time.sleep(0.3)
        assert busy_cores(0.5) > 0.6  # a process spinning on a core of its own, at least
    finally:
        other.kill()
        other.wait()


def test_one_stage_per_gpu_and_sequential_under_accelerate_launch():
    gpus = ("3", "5")
    assert plan_fanout("auto", 6, gpus=gpus, cores=16) == Fanout(2, 8, ("3", "5"))
    assert plan_fanout(3, 6, gpus=gpus, cores=16) == Fanout(3, 8, ("3", "5", "3"))
    assert plan_fanout("auto", 6, gpus=gpus, cores=16, processes=2) == Fanout(1, None)


# ---- workers (spawned processes: a second or two each) ---------------------------------------------


def _fails(stage, *, threads, progress, how):
    """A stage function for the workers: fails in the given way on its second stage."""
    if stage.train_task != "panx":
        progress(1, 1)
        return stage.train_task
    if how == "error":
        raise StiltxError("the data is broken")
    os.kill(os.getpid(), signal.SIGKILL)
    return None


@pytest.fixture(scope="module")
def stages():
    recipe = load_recipe("direct", preset="tiny", overrides=["target.tasks=[xnli,panx]"])
    return target_stages(recipe)


def test_workers_return_results_in_stage_order(stages):
    ok = partial(_fails, how="none")
    outcomes = run_stages(ok, stages[:1] * 3, Fanout(2, 1), Console(file=open(os.devnull, "w")))
    assert [o.result for o in outcomes] == ["mnli"] * 3


@pytest.mark.parametrize(
    ("how", "message"),
    [("error", "target stage panx: the data is broken"), ("kill", "killed by SIGKILL")],
)
def test_a_failing_or_killed_worker_fails_the_run_naming_its_stage(stages, how, message):
    with pytest.raises(StiltxError, match=message) as caught:
        run_stages(partial(_fails, how=how), stages, Fanout(2, 1), Console(record=True))
    assert "panx" in str(caught.value)
