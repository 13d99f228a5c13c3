"""What a job's run is doing now, read from its run folder: phase, step and time left. Torch-free.

The run folder says it all (stiltx.layout): a stage folder with a train log and no done.json is
training; its last log line has the step, the stage's total steps and the seconds since that
call started, so the rate of the steps logged since the last (re)start gives the time left.
Target stages finished but no results.json: the zero-shot evaluation after them. The files are
untrusted (another process writes them, a kill may leave half a line): what cannot be read is
simply not shown.

    intermediate        the intermediate stage trains (step / total, ETA)
    target xnli +1      target stages train (the busiest shown; +N: others side by side)
    evaluate xnli       zero-shot evaluation after the newest finished target stage
    retrieval           scoring retrieval tasks from the intermediate encoder
    starting            the toy world, data encoding, model loading
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from stiltx import run_files
from stiltx.errors import StiltxError
from stiltx.layout import DONE_FILE, INTERMEDIATE_DIR, RESOLVED_RECIPE, TARGET_DIR, TRAIN_LOG

TAIL_BYTES = 64_000  # the end of a train log is enough for the rate of its newest lines


@dataclass(frozen=True)
class Phase:
    name: str  # "" when the run folder says nothing (not started)
    step: int | None = None
    total: int | None = None
    eta_s: float | None = None  # the current stage's time left, at its recent rate

    @property
    def steps(self) -> str:
        if self.step is None:
            return ""
        return f"{self.step}/{self.total}" if self.total else str(self.step)


def log_rows(path: Path) -> list[dict]:
    """The readable training rows (those with `step` and `elapsed_s`) at the end of a log."""
    try:
        run_files.guard(path)  # a link (or a linked folder) leading out of the sweep: no rows
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - TAIL_BYTES))
            text = handle.read().decode("utf-8", errors="replace")
    except (OSError, StiltxError):
        return []
    rows = []
    for line in text.splitlines():
        try:
            row = json.loads(line)
        except ValueError:  # the first (cut) line of the tail, or half a line from a kill
            continue
        if isinstance(row, dict) and _number(row.get("step")) and _number(row.get("elapsed_s")):
            rows.append(row)
    return rows


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


def eta(rows: list[dict], total: int | None, age_s: float = 0.0) -> float | None:
    """Seconds left for `total` steps at the rate of the rows since the last (re)start (a resume
    starts `elapsed_s` again from 0), less the `age_s` since the last row was written."""
    if not rows or not total:
        return None
    start = 0
    for i in range(1, len(rows)):
        if rows[i]["elapsed_s"] < rows[i - 1]["elapsed_s"]:
            start = i  # a resumed call: its own clock
    first, last = rows[start], rows[-1]
    if last["step"] > first["step"]:
        rate = (last["elapsed_s"] - first["elapsed_s"]) / (last["step"] - first["step"])
    elif last["step"] > 0 and start == 0:
        rate = last["elapsed_s"] / last["step"]  # one row: includes the call's set-up
    else:
        return None
    return max(0.0, rate * max(0, total - last["step"]) - age_s)


def stage_phase(name: str, stage_dir: Path, now: float | None = None) -> Phase:
    """A training stage's phase from its train log (step, total and ETA where it says them)."""
    log = stage_dir / TRAIN_LOG
    rows = log_rows(log)
    if not rows:
        return Phase(name)
    last = rows[-1]
    total = last.get("total") if _number(last.get("total")) else None
    try:
        age = max(0.0, (now or time.time()) - log.stat().st_mtime)
    except OSError:
        age = 0.0
    total = int(total) if total is not None else None
    return Phase(name, int(last["step"]), total, eta(rows, total, age))


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _has_retrieval(run_dir: Path) -> bool:
    import yaml  # the recipe the run was started with

    try:
        tree = yaml.safe_load(run_files.read_text(run_dir / RESOLVED_RECIPE))
        return bool(tree.get("retrieval", {}).get("tasks"))
    except (OSError, ValueError, AttributeError, yaml.YAMLError, StiltxError):
        return False


def run_phase(run_dir: Path, now: float | None = None) -> Phase:
    """What the run in `run_dir` is doing (see the module docstring)."""
    if not run_dir.is_dir():
        return Phase("")
    targets = [d for d in sorted((run_dir / TARGET_DIR).glob("*")) if d.is_dir()]
    training = [d for d in targets if (d / TRAIN_LOG).is_file() and not (d / DONE_FILE).exists()]
    if training:
        busiest = max(training, key=lambda d: _mtime(d / TRAIN_LOG))
        more = f" +{len(training) - 1}" if len(training) > 1 else ""
        return stage_phase(f"target {busiest.name}{more}", busiest, now)
    inter = run_dir / INTERMEDIATE_DIR
    if (inter / TRAIN_LOG).is_file() and not (inter / DONE_FILE).exists():
        return stage_phase("intermediate", inter, now)
    finished = [d for d in targets if (d / DONE_FILE).exists()]
    if finished:
        return Phase(f"evaluate {max(finished, key=lambda d: _mtime(d / DONE_FILE)).name}")
    if (inter / DONE_FILE).exists() and _has_retrieval(run_dir):
        return Phase("retrieval")
    return Phase("starting")
