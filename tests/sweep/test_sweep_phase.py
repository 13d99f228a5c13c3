"""What a running job is doing, from its run folder: phase, step / total and the time left; in
`sweep --status` (piped and at 80 columns) and in the sweep's live table."""

from __future__ import annotations

import io
import json
import os
import socket

import pytest
from rich.console import Console
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.sweep import jobs as J
from stiltx.sweep import state as S
from stiltx.sweep.driver import LiveJobs
from stiltx.sweep.phase import eta, run_phase


def rows(*pairs):
    return [{"step": step, "total": 1200, "loss": {}, "elapsed_s": s} for step, s in pairs]


def write_log(stage_dir, *pairs, extra: str = ""):
    stage_dir.mkdir(parents=True, exist_ok=True)
    text = "".join(json.dumps(r) + "\n" for r in rows(*pairs))
    (stage_dir / "train_log.jsonl").write_text(text + extra)


def test_eta_is_the_recent_rate_times_the_steps_left():
    # 0.2 s per step between the rows; 1050 steps left
    assert eta(rows((50, 12.0), (100, 22.0), (150, 32.0)), 1200) == pytest.approx(210.0)
    assert eta(rows((50, 12.0), (100, 22.0), (150, 32.0)), 1200, age_s=10) == pytest.approx(200.0)
    # a resume starts elapsed_s again: only the rows since then count (0.1 s per step)
    assert eta(rows((50, 12.0), (100, 22.0), (150, 3.0), (200, 8.0)), 1200) == pytest.approx(100.0)
    assert eta(rows((100, 20.0)), 1200) == pytest.approx(220.0)  # one row: from the call's start
    assert eta(rows((100, 20.0), (150, 3.0)), 1200) is None  # one row since a resume: unknown
    assert eta([], 1200) is None and eta(rows((100, 20.0)), None) is None


def test_the_phase_follows_the_run_folder(tmp_path):
    run = tmp_path / "run"
    assert run_phase(run).name == ""
    run.mkdir()
    (run / "recipe.resolved.yaml").write_text("retrieval:\n  tasks: [tatoeba]\n")
    assert run_phase(run).name == "starting"
    write_log(run / "intermediate", (50, 12.0), (100, 22.0))
    phase = run_phase(run)
    assert (phase.name, phase.steps) == ("intermediate", "100/1200")
    (run / "intermediate" / "done.json").write_text("{}")
    assert run_phase(run).name == "retrieval"
    write_log(run / "target" / "mnli", (5, 1.0))
    write_log(run / "target" / "squad", (7, 1.0))
    phase = run_phase(run)
    assert phase.name in ("target mnli +1", "target squad +1") and phase.step in (5, 7)
    (run / "target" / "mnli" / "done.json").write_text("{}")
    (run / "target" / "squad" / "done.json").write_text("{}")
    assert run_phase(run).name in ("evaluate mnli", "evaluate squad")


def test_a_damaged_log_shows_the_phase_without_a_step(tmp_path):
    stage = tmp_path / "run" / "intermediate"
    stage.mkdir(parents=True)
    (stage / "train_log.jsonl").write_bytes(b'[1]\n{"step": "x", "elapsed_s": 1}\n\xff{"st')
    phase = run_phase(tmp_path / "run")
    assert (phase.name, phase.steps, phase.eta_s) == ("intermediate", "", None)
    write_log(stage, (10, 2.0), (20, 4.0), extra='{"step": 30, "elapsed')  # half a line: skipped
    assert run_phase(tmp_path / "run").steps == "20/1200"


JOBS = [
    J.Job(id=f"{name}/seed-1", recipe=name, ref=name, seed=1, role=role, preset="tiny",
          overrides=("seed=1",), stages="")
    for name, role in (("baselines-translate", "baseline"), ("single-mnli", "intermediate"),
                       ("direct", "control"))
]  # fmt: skip


@pytest.fixture
def sweep(tmp_path):
    """Three jobs: one training its intermediate stage (this process stands in for its pid),
    one that failed after its pawsx stage, one pending."""
    J.write_manifest(tmp_path, J.SweepSpec(recipes=("x",), seeds=(1,)), JOBS)
    running, failed, _ = JOBS
    write_log(running.run_dir(tmp_path) / "intermediate", (50, 12.0), (100, 22.0), (150, 32.0))
    S.record(tmp_path, running, state=S.RUNNING, pid=os.getpid(), host=socket.gethostname(),
             started=S.now())  # fmt: skip
    (failed.run_dir(tmp_path) / "target" / "pawsx").mkdir(parents=True)
    (failed.run_dir(tmp_path) / "target" / "pawsx" / "done.json").write_text("{}")
    S.record(tmp_path, failed, state=S.FAILED, started=S.now(), finished=S.now(), returncode=2)
    return tmp_path


def test_status_piped_has_phase_step_and_eta(sweep):
    result = CliRunner().invoke(app, ["sweep", "--status", str(sweep)])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.splitlines()]
    assert lines[0] == ["job", "role", "state", "phase", "step", "ETA", "time", "notes"]
    running, failed = lines[1], lines[2]  # running first (state order)
    assert running[:5] == ["baselines-translate/seed-1", "baseline", "running", "intermediate",
                           "150/1200"]  # fmt: skip
    assert running[5] in ("3:30", "3:29", "3:28")  # 210 s at 0.2 s per step, less the log's age
    assert failed[2:6] == ["failed", "evaluate pawsx", "", ""]  # where it stopped; no ETA


def test_status_and_live_table_are_whole_at_80_columns(sweep):
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    S.render_status(sweep, S.sweep_status(sweep, J.read_manifest(sweep)[1]), console)
    console.print(LiveJobs(sweep, JOBS))
    text = out.getvalue()
    assert all(len(line) <= 80 for line in text.splitlines()) and "…" not in text
    table = text.split("single-mnli/seed-1: exit 2")[0]
    header = next(line for line in table.splitlines() if line.startswith("job "))
    assert header.split() == ["job", "state", "phase", "step", "ETA", "time"]
    row = next(line for line in table.splitlines() if line.startswith("baselines-translate/seed-1"))
    assert row.split()[1:4] == ["running", "intermediate", "150/1200"]
    parts = text.split("3 jobs: 1 running, 1 failed, 1 pending, 0 done")
    assert len(parts) == 3 and parts[2].strip() == ""  # each view ends with the counts
    live = parts[1]
    assert "baselines-translate/seed-1" in live and "direct/seed-1" not in live  # pending: counted
    assert "log:" not in live  # the live view: no notes (a failed job's log is printed on its end)


def test_a_job_stopped_by_ctrl_c_is_interrupted_not_failed(sweep):
    _, stopped, _ = JOBS
    S.record(sweep, stopped, state=S.INTERRUPTED, finished=S.now(), returncode=130)
    status = S.job_status(sweep, stopped)
    assert (status.state, status.detail) == (S.INTERRUPTED, "Ctrl-C; resumes from checkpoints")
    row = S.status_rows(sweep, [status])[0]
    assert row[2:4] == ("interrupted", "evaluate pawsx")  # where it stopped
