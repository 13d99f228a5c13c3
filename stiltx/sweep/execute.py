"""Run jobs: one job = one `python -m stiltx train` subprocess with its own log file.

A subprocess keeps one job's crash, memory and CUDA state away from the others, gives each job
its own log, and is exactly what a user would type to re-run it. A job with several GPUs runs
under `accelerate launch --num_processes K` (DDP / FSDP / DeepSpeed from accelerate's config).
The local executor runs jobs one after another, or N at a time on N GPU groups (each job sees
only its devices through CUDA_VISIBLE_DEVICES). Slurm jobs (slurm.py) call the same `run_job`.

A job dies with the process that runs it (stiltx.sweep.tether: Linux's parent-death signal at
every level), so a killed driver leaves no job behind. A job whose run folder is locked by a live
process (another driver, or one that outlived a driver from before the tether) is waited for,
never started a second time: when the lock is released it is done, or it is resumed as usual.
A job that takes the models of others (`Job.reuse`: a merge over the sweep's single-task jobs)
starts once they are done; if one of them failed, it fails too, untried, naming it.
"""

from __future__ import annotations

import os
import queue
import shlex
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path

from stiltx import run_files
from stiltx.errors import StiltxError
from stiltx.run_dir import LockHolder, lock_holder
from stiltx.sweep import state as S
from stiltx.sweep.jobs import Job
from stiltx.sweep.tether import tethered
from stiltx.train.fanout import core_share

WAIT_POLL_S = 1.0  # how often a job held by another process is looked at again


def job_command(job: Job, sweep_dir: Path, resume: bool, gpus_per_job: int = 1) -> list[str]:
    """The argv of one job: `python -m stiltx train ...`, under `accelerate launch` for K > 1 GPUs."""
    train = job.train_args(sweep_dir, resume)
    if gpus_per_job > 1:
        launch = ["-m", "accelerate.commands.launch", "--num_processes", str(gpus_per_job)]
        return [sys.executable, *launch, "-m", "stiltx", *train]
    return [sys.executable, "-m", "stiltx", *train]


def wait_while_held(run_dir: Path, on_wait: Callable[[LockHolder], None] | None = None) -> None:
    """Return once no live process holds `run_dir`'s lock; `on_wait` hears of the holder once."""
    holder = lock_holder(run_dir)
    if holder is None:
        return
    if on_wait:
        on_wait(holder)
    while lock_holder(run_dir) is not None:
        time.sleep(WAIT_POLL_S)


def run_job(
    job: Job,
    sweep_dir: str | Path,
    devices: str | None = None,
    gpus_per_job: int = 1,
    on_wait: Callable[[Job, LockHolder], None] | None = None,
    cores: int | None = None,
) -> str:
    """Run (or resume) one job to the end; return its final state (done / failed).

    `cores`: the job's share of the CPU cores (OMP_NUM_THREADS), which its target stages split
    between them (stiltx.train.fanout) instead of each taking the whole machine.

    A job another live process is running is waited for first (also when it took the job just
    before this one started it). A finished job is not run again.
    An unfinished run directory is resumed from its newest checkpoint (`--resume`), so a killed
    sweep loses at most the steps since the last save.
    """
    sweep_dir = Path(sweep_dir).resolve()  # logs and states name absolute paths
    run_dir = job.run_dir(sweep_dir)
    wait_while_held(run_dir, (lambda holder: on_wait(job, holder)) if on_wait else None)
    if S.is_done(sweep_dir, job):
        return S.DONE
    missing = unfinished_inputs(job, sweep_dir)
    if missing:
        S.record(sweep_dir, job, state=S.FAILED, finished=S.now(), returncode=None,
                 error=f"not started: it takes the models of {', '.join(missing)}, which did "
                 "not finish; finish them (--resume), then this job runs")  # fmt: skip
        return S.FAILED
    resume = run_dir.is_dir() and any(run_dir.iterdir())
    command = job_command(job, sweep_dir, resume, gpus_per_job)
    env = dict(os.environ)
    if devices is not None:
        env["CUDA_VISIBLE_DEVICES"] = devices
    if cores is not None:
        env["OMP_NUM_THREADS"] = str(cores)
    log = run_files.guard(S.log_path(sweep_dir, job))  # .sweep/logs made a link: refused
    log.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        fd = os.open(log, flags, 0o644)
    except OSError as error:
        raise StiltxError(f"cannot write the job's log {log} ({error.strerror})") from None
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(f"\n[{S.now()}] $ {shlex.join(command)}\n")
        handle.flush()
        process = subprocess.Popen(  # the pid stays the job's: the tether execs `command`
            tethered(command),
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
        )
        S.record(
            sweep_dir,
            job,
            state=S.RUNNING,
            pid=process.pid,
            host=socket.gethostname(),
            started=S.now(),
            finished=None,
            returncode=None,
            devices=devices,
            log=str(log),
            slurm_job_id=os.environ.get("SLURM_JOB_ID"),
        )
        returncode = process.wait()
    if returncode != 0 and lock_holder(run_dir) is not None:
        # Refused: another process (a second sweep on this folder) started the job between the
        # wait above and this one's start. Wait for it as for one that was running before.
        return run_job(job, sweep_dir, devices, gpus_per_job, on_wait, cores)
    final = S.DONE if returncode == 0 and S.is_done(sweep_dir, job) else S.FAILED
    if returncode in S.CTRL_C:  # stopped by the user, not broken: --resume continues it
        final = S.INTERRUPTED
    S.record(sweep_dir, job, state=final, finished=S.now(), returncode=returncode)
    return final


def unfinished_inputs(job: Job, sweep_dir: Path) -> list[str]:
    """The jobs among `job.reuse` that are not done (one another process runs is waited for)."""
    for job_id in job.reuse:
        wait_while_held(Path(sweep_dir) / job_id)
    return [job_id for job_id in job.reuse if not S.is_done(sweep_dir, replace(job, id=job_id))]


def device_groups(gpus: Sequence[str], gpus_per_job: int, jobs: int = 1) -> list[str | None]:
    """'0,1,2,3' with 2 per job -> ['0,1', '2,3']; no GPUs listed -> `jobs` slots of None (CPU:
    that many jobs at a time, one by default)."""
    if jobs < 1:
        raise StiltxError(f"--jobs {jobs}: expected a number of jobs at a time, 1 or more")
    if not gpus:
        if gpus_per_job > 1:
            raise StiltxError(
                f"--gpus-per-job {gpus_per_job} needs --gpus listing the devices to use locally"
            )
        return [None] * jobs
    if jobs > 1:
        raise StiltxError(
            f"--jobs {jobs} is for CPU-only sweeps; with --gpus list a device once per job it "
            "runs at a time (0,0: two jobs share GPU 0)"
        )
    if gpus_per_job < 1 or len(gpus) < gpus_per_job:
        raise StiltxError(
            f"--gpus {','.join(gpus)} has fewer devices than --gpus-per-job {gpus_per_job}"
        )
    usable = len(gpus) - len(gpus) % gpus_per_job
    return [",".join(gpus[i : i + gpus_per_job]) for i in range(0, usable, gpus_per_job)]


def job_cores(side_by_side: int) -> int | None:
    """Each job's share of the cores when several run at once (None: one at a time, or the user
    set OMP_NUM_THREADS). A job's target stages then fan out within its share, and a job on one
    GPU runs its stages one after another on it, so jobs and stages never oversubscribe."""
    if side_by_side <= 1 or os.environ.get("OMP_NUM_THREADS"):
        return None
    return max(1, core_share() // side_by_side)


def run_local(
    jobs: Sequence[Job],
    sweep_dir: Path,
    *,
    gpus: Sequence[str] = (),
    gpus_per_job: int = 1,
    jobs_at_once: int = 1,
    on_start: Callable[[Job, str | None], None] | None = None,
    on_end: Callable[[Job, str], None] | None = None,
    on_wait: Callable[[Job, LockHolder], None] | None = None,
) -> dict[str, str]:
    """Run `jobs` with as many at a time as there are device groups; {job id: final state}.

    A failed job does not stop the others. `on_wait` hears of a job another process is running.
    A job that takes others' models waits for those of them in `jobs` to end before it takes a
    device (they come first in `jobs`, so they have started by then).
    """
    groups = device_groups(gpus, gpus_per_job, jobs_at_once)
    cores = job_cores(len(groups))
    free: queue.Queue[str | None] = queue.Queue()
    for group in groups:
        free.put(group)
    jobs = sorted(jobs, key=lambda job: bool(job.reuse))  # the jobs they take from first
    ended = {job.id: threading.Event() for job in jobs}

    def work(job: Job) -> str:
        for job_id in job.reuse:
            if job_id in ended:
                ended[job_id].wait()
        devices = free.get()
        try:
            if on_start:
                on_start(job, devices)
            return run_job(job, sweep_dir, devices, gpus_per_job, on_wait, cores)
        finally:
            free.put(devices)
            ended[job.id].set()

    results: dict[str, str] = {}
    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        futures = {pool.submit(work, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures[future]
            results[job.id] = future.result()
            if on_end:
                on_end(job, results[job.id])
    return results
