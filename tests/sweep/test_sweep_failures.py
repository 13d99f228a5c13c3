"""Failed jobs are reported with their log tail and do not stop the others; local GPU slots."""

from __future__ import annotations

import io
import os

import pytest
from rich.console import Console

from stiltx.errors import StiltxError
from stiltx.sweep import jobs as J
from stiltx.sweep import state as S
from stiltx.sweep.driver import RunOptions, run_sweep
from stiltx.sweep.execute import device_groups, job_cores


@pytest.mark.parametrize(
    ("gpus", "per_job", "groups"),
    [((), 1, [None]), (("0", "1", "2", "3"), 1, ["0", "1", "2", "3"]),
     (("0", "1", "2", "3", "4"), 2, ["0,1", "2,3"]), (("0", "0"), 1, ["0", "0"])],
)  # fmt: skip
def test_device_groups(gpus, per_job, groups):
    assert device_groups(gpus, per_job) == groups


def test_cpu_jobs_side_by_side():
    assert device_groups((), 1, jobs=3) == [None, None, None]
    with pytest.raises(StiltxError, match="--jobs 0"):
        device_groups((), 1, jobs=0)
    with pytest.raises(StiltxError, match="0,0: two jobs share GPU 0"):
        device_groups(("0",), 1, jobs=2)


def test_a_bad_jobs_setting_is_refused_before_the_sweep_folder_is_written(tmp_path):
    spec = J.SweepSpec(recipes=("direct",), seeds=(1,), preset="tiny")
    with pytest.raises(StiltxError, match="--jobs 2 is for CPU-only sweeps"):
        run_sweep(spec, tmp_path / "sweep", RunOptions(gpus=("0",), jobs=2), console=Console())
    assert not (tmp_path / "sweep").exists()


def test_device_groups_refuse_too_few_devices():
    with pytest.raises(StiltxError, match="fewer devices"):
        device_groups(("0",), 2)
    with pytest.raises(StiltxError, match="--gpus"):
        device_groups((), 2)


def test_jobs_side_by_side_split_the_cores_their_target_stages_share(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert job_cores(1) is None  # one job at a time: it may fan out over every core
    assert job_cores(4) == 4
    assert job_cores(32) == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "2")  # the user's setting wins
    assert job_cores(4) is None


def test_failed_jobs_are_reported_and_the_others_carry_on(tmp_path, tiny_model_dir, monkeypatch):
    empty = tmp_path / "no-data"
    empty.mkdir()
    recipe = tmp_path / "broken.yaml"
    recipe.write_text(
        "extends: direct\nname: broken\ndata: {source: local, data_dir: " + str(empty) + "}\n"
        f"model: {{name_or_path: {tiny_model_dir}, max_length: 32}}\n"
        "target: {tasks: [xnli], train: {max_steps: 1}}\nretrieval: {tasks: []}\n"
    )
    monkeypatch.setenv("STILTX_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(J.Path(__file__).parents[2])]))
    out, text = tmp_path / "sweep", io.StringIO()
    spec = J.SweepSpec(recipes=(str(recipe),), seeds=(1, 2))
    failed = run_sweep(spec, out, RunOptions(), Console(file=text, width=200))
    assert failed == 2  # the second job ran although the first had failed
    _, jobs = J.read_manifest(out)
    statuses = S.sweep_status(out, jobs)
    assert [(s.state, s.detail) for s in statuses] == [(S.FAILED, "exit 2")] * 2
    printed = text.getvalue()
    for s in statuses:
        assert f"log: {s.log}" in printed
        assert "error:" in S.tail(s.log)  # the job's own clean error, shown in the log tail
    rows = S.status_rows(out, statuses)
    logs = [f"log: {s.log.relative_to(out)}" for s in statuses]  # relative to the sweep folder
    assert all(log in row[-1] for log, row in zip(logs, rows, strict=True))
