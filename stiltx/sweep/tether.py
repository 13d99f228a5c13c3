"""A job dies with the process that started it, so a killed sweep driver leaves nothing running.

Linux's parent-death signal (`prctl(PR_SET_PDEATHSIG, SIGKILL)`) is set at every level:

- the driver starts each job as `python -m stiltx.sweep.tether DRIVER_PID -- COMMAND`: the
  tether sets the signal, checks that its parent is still DRIVER_PID (the driver may have died
  before the signal was set), and `exec`s COMMAND in the same process, which keeps the signal.
  The signal fires when the *thread* that started the process ends; the driver starts a job from
  the thread that then waits for it (execute.run_job), so that thread ends only with the job or
  with the whole driver.
- a job under `accelerate launch` has children (one `python -m stiltx train` per GPU, each in a
  session of its own, so a process group cannot reach them): the tether puts the job's pid in
  STILTX_JOB_PID, and every `python -m stiltx` that finds it there and is not that process sets
  the signal on itself at start (`tether_to_parent`), and exits if the job is already gone.

Only the job's own processes are ever killed. Elsewhere than Linux nothing is set.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from pathlib import Path

JOB_PID = "STILTX_JOB_PID"
_PR_SET_PDEATHSIG = 1


def die_with_parent() -> bool:
    """Have the kernel SIGKILL this process when its parent dies; False where not supported."""
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0


def tethered(command: list[str]) -> list[str]:
    """`command` run through the tether, tied to this (the starting) process."""
    return [sys.executable, "-m", "stiltx.sweep.tether", str(os.getpid()), "--", *command]


def tether_to_parent() -> None:
    """At the start of `python -m stiltx`: a process started by a tethered job (accelerate's
    per-GPU processes) dies with its parent too. Does nothing outside a sweep job."""
    job = os.environ.get(JOB_PID, "")
    if not job.isdigit() or int(job) == os.getpid():
        return
    die_with_parent()
    if not alive(int(job)):
        os._exit(1)  # the job died before this process was tied to it


def alive(pid: int) -> bool:
    """The process exists and is not a zombie (dead, not yet reaped by its new parent)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (not Linux): existing is all we know


def main(argv: list[str]) -> None:
    """`python -m stiltx.sweep.tether DRIVER_PID -- COMMAND...`: tie, check, exec."""
    if len(argv) < 3 or argv[1] != "--" or not argv[0].isdigit():
        sys.exit("usage: python -m stiltx.sweep.tether DRIVER_PID -- COMMAND...")
    die_with_parent()
    if os.getppid() != int(argv[0]):
        sys.exit(f"stiltx: the sweep driver (pid {argv[0]}) is gone; not starting the job")
    os.environ[JOB_PID] = str(os.getpid())
    os.execvp(argv[2], argv[2:])


if __name__ == "__main__":
    main(sys.argv[1:])
