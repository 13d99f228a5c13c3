"""Hostile sweep folders: `sweep --status` reads state, manifest and results files as untrusted.
A damaged one is a `damaged` row in the table (or, for sweep.json, one line), never a traceback;
a job id or recipe name that would leave the sweep folder is refused."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.sweep import jobs as J
from stiltx.sweep import state as S

JOB = J.Job(id="toy/seed-1", recipe="toy", ref="single/mnli", seed=1, role="control",
            preset=None, overrides=("seed=1",), stages="targets pawsx (2 steps each)")  # fmt: skip
SPEC = J.SweepSpec(recipes=("single/mnli",), seeds=(1,))


@pytest.fixture
def sweep(tmp_path):
    J.write_manifest(tmp_path, SPEC, [JOB])
    return tmp_path


def status(sweep):
    return CliRunner().invoke(app, ["sweep", "--status", str(sweep)])


def state_file(sweep, data: bytes):
    path = S.state_path(sweep, JOB)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def results_file(sweep, data: bytes):
    (sweep / JOB.id).mkdir(parents=True, exist_ok=True)
    (sweep / JOB.id / "results.json").write_bytes(data)


DAMAGED = {  # case: (which file, its bytes)
    "state is a list": (state_file, b"[]"),
    "started is a number": (state_file, b'{"state": "running", "started": 5}'),
    "log is a number": (state_file, b'{"state": "failed", "log": 7}'),
    "pid is text": (state_file, b'{"state": "running", "pid": "12"}'),
    "state not UTF-8": (state_file, b'{"state": "\xff"}'),
    "state truncated": (state_file, b'{"state": "runn'),
    "results is [1]": (results_file, b"[1]"),
    "results not UTF-8": (results_file, b"\xfe\xff"),
    "results started is a number": (results_file, b'{"started": 5, "finished": null}'),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DAMAGED))
def test_a_damaged_file_is_a_damaged_row(sweep, case):
    write, data = DAMAGED[case]
    write(sweep, data)
    result = status(sweep)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    [row] = [line for line in result.output.splitlines() if line.startswith(JOB.id)]
    assert "\tdamaged\t" in row, row
    assert not S.is_done(sweep, JOB)  # --resume runs it again


def test_a_zoned_start_time_is_no_traceback(sweep):
    state_file(sweep, b'{"state": "failed", "started": "2020-01-01T00:00:00+00:00", '
                      b'"finished": "2020-01-01T00:01:00"}')  # fmt: skip
    result = status(sweep)
    assert result.exit_code == 0 and "\tfailed\t" in result.output, result.output


def test_a_linked_log_is_not_read(sweep, tmp_path_factory):
    secret = tmp_path_factory.mktemp("outside") / "secret"
    secret.write_text("ssh key\n")
    state_file(sweep, json.dumps({"state": "failed", "log": str(secret)}).encode())
    log = S.log_path(sweep, JOB)
    log.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(secret, log)
    assert S.tail(S.job_status(sweep, JOB).log) == ""


MANIFESTS = {  # case: (sweep.json bytes, words of the one-line error)
    "not UTF-8": (b'{"request": "\xff"}', "not UTF-8"),
    "a list": (b"[]", "not a valid sweep manifest"),
    "job id escapes": (None, "job id '../../escaped/seed-1'"),
    "job id absolute": (None, "job id '/tmp/seed-1'"),
    "job id one part": (None, "job id 'seed-1'"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(MANIFESTS))
def test_a_damaged_manifest_is_one_line(sweep, case):
    data, words = MANIFESTS[case]
    if data is None:
        raw = json.loads((sweep / J.MANIFEST).read_text())
        raw["jobs"][0]["id"] = words.split("'")[1]
        data = json.dumps(raw).encode()
    (sweep / J.MANIFEST).write_bytes(data)
    resume = ["--recipes", "single/mnli", "--out", str(sweep), "--resume"]
    for argv in (["--status", str(sweep)], resume):
        result = CliRunner().invoke(app, ["sweep", *argv])
        assert result.exit_code == 2, result.output
        assert "Traceback" not in result.output and words in result.output, result.output
    assert not (sweep.parent / "escaped").exists()


@pytest.mark.parametrize("name", ["..", ".", "...", "a\\b", "a/.."])
def test_a_recipe_name_that_leaves_the_folder_is_refused(tmp_path, name):
    recipe = tmp_path / "r.yaml"
    recipe.write_text(f"extends: single/mnli\nname: {json.dumps(name)}\n")
    if name == "a/..":  # a/.. names the folder 'a-..': a plain name, stays inside
        [job] = J.plan_jobs(J.SweepSpec(recipes=(str(recipe),), seeds=(1,)))
        assert job.run_dir(tmp_path).parent.parent == tmp_path
        return
    with pytest.raises(StiltxError, match="name"):
        J.plan_jobs(J.SweepSpec(recipes=(str(recipe),), seeds=(1,)))


# The other sweep's job: once this sweep's job has started, it takes the run folder's lock, holds
# it a moment, finishes the run (results.json) and lets go.
OTHER = """
import fcntl, os, sys, time
run, lock = sys.argv[1], sys.argv[1] + "/.stiltx.lock"
while not os.path.exists(run + "/started"):
    time.sleep(0.02)
with open(lock, "a") as handle:
    fcntl.flock(handle, fcntl.LOCK_EX)
    open(run + "/taken", "w").close()
    time.sleep(0.5)
    with open(run + "/results.json", "w") as out:
        out.write('{"scores": []}')
"""
# This sweep's job: started before the other took the lock, refused once it has (exit code 2).
REFUSED = """
import os, sys, time
run = sys.argv[1]
open(run + "/started", "w").close()
while not os.path.exists(run + "/taken"):
    time.sleep(0.02)
sys.exit(2)
"""


def test_a_job_another_sweep_took_first_is_waited_for(tmp_path, monkeypatch):
    """Two sweeps on one folder (both --resume): the second starts a job the first started a
    moment before; its train is refused (the run folder is locked). It waits for the other and
    counts the job done, instead of recording it failed."""
    import subprocess
    import sys

    from stiltx.sweep import execute

    run = JOB.run_dir(tmp_path)
    run.mkdir(parents=True)
    other = subprocess.Popen([sys.executable, "-c", OTHER, str(run)])
    refused = [sys.executable, "-c", REFUSED, str(run)]
    monkeypatch.setattr(execute, "job_command", lambda *args, **kwargs: refused)
    try:
        assert execute.run_job(JOB, tmp_path) == S.DONE
    finally:
        other.wait(timeout=60)
    assert S.is_done(tmp_path, JOB)


@pytest.mark.parametrize("case", [c for c, (which, _) in DAMAGED.items() if which is state_file])
def test_resume_writes_over_a_damaged_state_file(sweep, case):
    """`sweep --resume` records a job's start over whatever its state file holds (S.record merges
    into the readable fields, none for a damaged file): no traceback, a sound file after."""
    which, data = DAMAGED[case]
    which(sweep, data)
    S.record(sweep, JOB, state="running", pid=os.getpid(), started=S.now())
    info, problem = S.load_state(S.state_path(sweep, JOB))
    assert problem == "" and info["state"] == "running" and info["pid"] == os.getpid()
    assert S.job_status(sweep, JOB).state == S.RUNNING  # no longer a damaged row
