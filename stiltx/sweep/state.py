"""What each job of a sweep is doing, read from disk. Torch-free.

A job is *done* when its run directory has results.json, and *running* while a live process
holds its run folder's lock (whichever driver started it; shown as `pid N, since T`). Otherwise
its state file (`<sweep>/.sweep/jobs/<job>.json`, written by whoever runs it) says running /
failed; a job marked running whose process is gone (same host) was *interrupted* (a killed
sweep) and resumes from its checkpoints; a job with no state file is *pending*.
Logs: `<sweep>/.sweep/logs/<job>.log`.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stiltx import atomic, run_files
from stiltx.errors import StiltxError
from stiltx.layout import RESULTS_FILE
from stiltx.run_dir import lock_holder
from stiltx.sweep.jobs import Job
from stiltx.sweep.phase import Phase, run_phase
from stiltx.sweep.tether import alive

STATE_DIR = Path(".sweep")
PENDING, RUNNING, DONE, FAILED, INTERRUPTED = "pending", "running", "done", "failed", "interrupted"
CTRL_C = (130, -2)  # a job's exit code after Ctrl-C: `stiltx train`'s own, or killed by SIGINT
DAMAGED = "damaged"  # a state or results file that cannot be read: shown, never a traceback
ORDER = (RUNNING, FAILED, INTERRUPTED, DAMAGED, PENDING, DONE)
# The state file's fields and the types they may have (anything else: a damaged file).
FIELDS: dict[str, tuple[type, ...]] = {
    "state": (str,), "pid": (int,), "host": (str,), "started": (str,), "finished": (str,),
    "returncode": (int,), "devices": (str,), "log": (str,), "slurm_job_id": (str, int),
    "error": (str,),
}  # fmt: skip


def state_path(sweep_dir: Path, job: Job) -> Path:
    return Path(sweep_dir) / STATE_DIR / "jobs" / f"{job.slug}.json"


def log_path(sweep_dir: Path, job: Job) -> Path:
    return Path(sweep_dir) / STATE_DIR / "logs" / f"{job.slug}.log"


def now() -> str:
    return dt.datetime.now().isoformat(timespec="seconds")


def record(sweep_dir: Path, job: Job, **fields: Any) -> None:
    """Merge `fields` into the job's state file (atomic)."""
    path = state_path(sweep_dir, job)
    current = read_state(path)
    current.update(fields)
    atomic.write_json(path, current)


def read_state(path: Path) -> dict[str, Any]:
    """The job's state ({} when absent or damaged: the next write replaces a damaged one)."""
    return load_state(path)[0]


def load_state(path: Path) -> tuple[dict[str, Any], str]:
    """A state file as (fields, problem): untrusted, so a file that is not a JSON object of the
    known field types gives ({}, what is wrong) instead of raising."""
    if not path.exists() and not path.is_symlink():
        return {}, ""
    try:
        info = run_files.read_json(path)
    except (OSError, StiltxError) as error:
        return {}, str(error)
    if not isinstance(info, dict):
        return {}, f"{path}: expected a JSON object, got {type(info).__name__}"
    for key, value in info.items():
        types = FIELDS.get(key)
        if value is not None and types and (not isinstance(value, types) or value is True):
            return {}, f"{path}: {key} is {value!r}, expected {types[0].__name__}"
    return info, ""


def is_done(sweep_dir: Path, job: Job) -> bool:
    """Done = the run wrote a readable results.json (a damaged one is run again: --resume)."""
    results = job.run_dir(sweep_dir) / RESULTS_FILE
    return results.is_file() and not load_state(results)[1]


def tail(path: Path, lines: int = 15) -> str:
    """The last `lines` lines of a log (progress-bar carriage returns folded)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)  # a link: no tail
        with os.fdopen(fd, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 16_000))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    rows = [line.rsplit("\r", 1)[-1] for line in text.splitlines()]
    return "\n".join([r for r in rows if r.strip()][-lines:])


@dataclass(frozen=True)
class JobStatus:
    job: Job
    state: str
    seconds: float | None  # run time (so far, when running)
    log: Path
    detail: str = ""  # returncode / host / slurm id


def _seconds(start: str | None, end: str | None) -> float | None:
    if not isinstance(start, str) or not isinstance(end, str | None):
        return None
    try:
        a = dt.datetime.fromisoformat(start)
        b = dt.datetime.fromisoformat(end) if end else dt.datetime.now()
        return max(0.0, (b - a).total_seconds())
    except (ValueError, TypeError):  # not a time, or one with a zone and one without
        return None


def job_status(sweep_dir: Path, job: Job) -> JobStatus:
    info, problem = load_state(state_path(sweep_dir, job))
    log = log_path(sweep_dir, job)  # never the state's `log`: it could name any file
    slurm, host = info.get("slurm_job_id"), info.get("host")
    where = f"slurm job {slurm}" if slurm else (f"on {host}" if host else "")
    results, damaged = load_state(job.run_dir(sweep_dir) / RESULTS_FILE)
    if damaged:
        return JobStatus(job, DAMAGED, None, log, f"{damaged}; --resume evaluates again")
    if is_done(sweep_dir, job):
        if info.get("state") != DONE:  # finished outside the sweep, or the state write was lost
            info = results
        return JobStatus(job, DONE, _seconds(info.get("started"), info.get("finished")), log)
    if problem:
        return JobStatus(job, DAMAGED, None, log, f"{problem}; --resume runs the job again")
    holder = lock_holder(job.run_dir(sweep_dir))
    if holder is not None:  # a live process runs it, whatever the state file says
        return JobStatus(job, RUNNING, _seconds(holder.since, None), log, str(holder))
    state = info.get("state")
    if state == INTERRUPTED:  # Ctrl-C (the job exited 130)
        took = _seconds(info.get("started"), info.get("finished"))
        return JobStatus(job, INTERRUPTED, took, log, "Ctrl-C; resumes from checkpoints")
    if state == FAILED:
        rc = info.get("returncode")
        why = f"exit {rc}" if rc is not None or not info.get("error") else str(info["error"])
        return JobStatus(job, FAILED, _seconds(info.get("started"), info.get("finished")), log, why)
    if state == RUNNING:
        pid = info.get("pid")
        here = info.get("host") == socket.gethostname()
        if here and isinstance(pid, int) and not alive(pid):
            return JobStatus(job, INTERRUPTED, None, log, "process gone; resumes from checkpoints")
        return JobStatus(job, RUNNING, _seconds(info.get("started"), None), log, where)
    if state == "submitted":
        return JobStatus(job, PENDING, None, log, f"queued as {where}" if slurm else "queued")
    return JobStatus(job, PENDING, None, log)


def sweep_status(sweep_dir: Path, jobs: list[Job]) -> list[JobStatus]:
    return [job_status(sweep_dir, j) for j in jobs]


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    seconds = int(round(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def counts(statuses: list[JobStatus]) -> dict[str, int]:
    out = dict.fromkeys(ORDER, 0)
    for s in statuses:
        out[s.state] += 1
    return out


def summary_line(statuses: list[JobStatus]) -> str:
    c = counts(statuses)
    return f"{len(statuses)} jobs: " + ", ".join(f"{c[k]} {k}" for k in ORDER if c[k] or k == DONE)


HEADERS = ("job", "role", "state", "phase", "step", "ETA", "time", "notes")
SHOWS_PHASE = (RUNNING, INTERRUPTED, FAILED)  # where a job is, or where it stopped


def status_rows(sweep_dir: Path, statuses: list[JobStatus]) -> list[tuple[str, ...]]:
    """(job, role, state, phase, step, ETA, time, log or detail): what `--status` and the live
    table show, in any rendering. Phase, step and ETA come from the run folder (sweep/phase.py)."""
    rows = []
    for s in statuses:
        note = s.detail
        if s.state in (FAILED, INTERRUPTED, RUNNING) and s.log.exists():
            # relative to the sweep folder (named in the title): a path that fits a cell
            log = s.log.relative_to(sweep_dir) if s.log.is_relative_to(sweep_dir) else s.log
            note = f"{note}  log: {log}".strip()
        phase = run_phase(s.job.run_dir(sweep_dir)) if s.state in SHOWS_PHASE else Phase("")
        left = duration(phase.eta_s) if s.state == RUNNING and phase.eta_s is not None else ""
        rows.append(
            (
                s.job.id,
                s.job.role,
                s.state,
                phase.name,
                phase.steps,
                left,
                duration(s.seconds),
                note,
            )
        )
    return rows


SHOWN = ("job", "state", "phase", "step", "ETA", "time")  # a terminal's columns (role: piped)


def status_table(
    sweep_dir: Path,
    statuses: list[JobStatus],
    title: str | None = None,
    summary: str | None = None,
    notes: bool = True,
) -> Any:
    """The jobs as a rich table that stays whole at 80 columns: no borders, one space between
    columns, words wrap in their cell; each job's notes (exit code, log) follow as lines, then
    `summary` (default: the counts of `statuses`)."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    colors = {DONE: "green", FAILED: "red", RUNNING: "cyan", INTERRUPTED: "yellow"}
    table = Table(
        title=title, box=None, padding=(0, 1, 0, 0), show_edge=False, title_justify="left",
    )  # fmt: skip
    for header in SHOWN:
        table.add_column(header, style="bold" if header == "job" else None, overflow="fold",
                         no_wrap=header in ("state", "step", "ETA", "time"))  # fmt: skip
    lines = []
    for row in status_rows(sweep_dir, statuses):
        job, _, state, phase, step, left, took, note = row
        color = colors.get(state)
        table.add_row(job, f"[{color}]{state}[/]" if color else state, phase, step, left, took)
        if note and notes:
            lines.append(Text(f"{job}: {note}", overflow="fold"))
    return Group(table, *lines, Text(summary or summary_line(statuses)))


def render_status(sweep_dir: Path, statuses: list[JobStatus], console: Any) -> None:
    """A rich table on a terminal; tab-separated lines when piped (easy to grep / cut)."""
    if not console.is_terminal:
        rows = status_rows(sweep_dir, statuses)
        lines = ["\t".join(HEADERS), *("\t".join(r) for r in rows), summary_line(statuses)]
        console.file.write("\n".join(lines) + "\n")
        return
    console.print(status_table(sweep_dir, statuses, f"sweep {sweep_dir}"))
