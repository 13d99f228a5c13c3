"""Target stages side by side: one worker process per GPU, or N CPU workers sharing the cores.

The target stages of a run are independent given the intermediate model, so they can run at the
same time. `target.parallel` (`auto` or N) sets how many; `plan_fanout` turns it into workers,
torch threads per stage and a GPU per worker. One worker runs in this process, the stages one
after another; more are spawn-context processes (not fork: torch and tokenizers hold threads),
each running one stage at a time through the very function the sequential path calls. Results
come back in stage order, so results.json is the same either way.

The parent keeps the run folder's lock and the one display: workers send progress events over a
queue and the parent draws one line per stage. A worker dies with its parent (the sweep's
parent-death tether); a worker that dies fails the run with a message naming its stage, whose
checkpoints `--resume` continues from.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import queue
import signal
import time
import traceback
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.console import Console

from stiltx import run_files
from stiltx.errors import StiltxError
from stiltx.plan import TargetStage
from stiltx.sweep.tether import die_with_parent
from stiltx.train.progress import stages_display

# On CPU one torch thread per stage: on a busy 2-core AMD EPYC a stage on 2 threads took 20x the
# wall time of 1 thread (OpenMP threads wait for a descheduled peer; benchmarks/README.md).
CPU_THREADS_PER_WORKER = 1
POLL_S = 0.5  # how often the parent looks for a worker that died without a word
REPORT_EVERY_S = 0.5  # a worker's progress events at most this often
BUSY_WINDOW_S = 0.5  # `auto` on CPU: how long it watches the machine for busy cores


@dataclass(frozen=True)
class Fanout:
    workers: int  # stages at a time (1: in this process, one after another)
    threads: int | None  # torch intra-op threads of every stage; None leaves torch's default
    devices: tuple[str, ...] = ()  # CUDA_VISIBLE_DEVICES of each worker; () on CPU


@dataclass(frozen=True)
class Outcome:
    result: Any  # what the stage function returned (an Evaluation)
    seconds: float


StageFn = Callable[..., Any]  # (stage, *, threads, progress) -> result; picklable (a partial)


def plan_fanout(
    parallel: int | str,
    stages: int,
    *,
    gpus: Sequence[str],
    cores: int,
    processes: int = 1,
    busy: float = 0.0,
) -> Fanout:
    """`target.parallel` on this machine -> workers, threads and devices (pure).

    Torch's thread count changes float results, so each stage's threads follow from the machine
    and the plan alone (its cores over what `auto` would run side by side), never from
    `target.parallel`: the scores are the same whatever it says. On CPU `auto` starts a worker
    only for a core that other processes leave idle (`busy`: their load, in cores): a worker costs
    seconds of start-up and pays only on a free core (benchmarks/README.md).
    """
    if processes > 1:  # under `accelerate launch` every process runs every stage, as before
        return Fanout(1, None)
    slots = len(gpus) if gpus else cores // CPU_THREADS_PER_WORKER
    natural = max(1, min(slots, stages))  # what `auto` runs side by side
    threads = max(1, cores // natural)
    idle = natural if gpus else max(1, min(natural, int(cores - busy + 0.5)))
    workers = idle if parallel == "auto" else max(1, min(int(parallel), stages))
    if workers == 1:
        return Fanout(1, threads)
    devices = tuple(gpus[i % len(gpus)] for i in range(workers)) if gpus else ()
    return Fanout(workers, threads, devices)


def machine_fanout(parallel: int | str, stages: int) -> Fanout:
    """`plan_fanout` for this machine: its visible GPUs, its core share, `accelerate launch`."""
    import torch  # heavy; a run has loaded it already

    gpus: list[str] = []
    if torch.cuda.is_available():
        visible = os.environ.get("CUDA_VISIBLE_DEVICES", "").strip()
        count = torch.cuda.device_count()
        gpus = [d.strip() for d in visible.split(",")][:count] if visible else []
        gpus = gpus or [str(i) for i in range(count)]
    processes = int(os.environ.get("WORLD_SIZE", "1") or 1)
    busy = busy_cores() if parallel == "auto" and not gpus else 0.0
    return plan_fanout(
        parallel, stages, gpus=gpus, cores=core_share(), processes=processes, busy=busy
    )


def busy_cores(window_s: float = BUSY_WINDOW_S) -> float:
    """The cores other processes keep busy now, in cores: the machine's non-idle CPU time over
    `window_s` seconds (/proc/stat) less this process's own. Measured, not the load average: the
    1-minute average still counts the run's own intermediate phase, which has just ended (so
    `auto` started one worker on a quiet 2-core box; benchmarks/README.md). Time spent by
    processes of a higher niceness than this one's is idle to us: the scheduler gives the
    workers its cores first. Without /proc/stat: the load average less this run's one core."""
    try:
        first, own = _cpu_jiffies(), time.process_time()
        time.sleep(window_s)
        second, own = _cpu_jiffies(), time.process_time() - own
    except (OSError, ValueError, IndexError):
        return max(0.0, os.getloadavg()[0] - 1) if hasattr(os, "getloadavg") else 0.0
    cpus, total = first[0], sum(b - a for a, b in zip(first[1:], second[1:], strict=True))
    if total <= 0:
        return 0.0
    user, nice, system, idle, iowait, irq, softirq, steal = (
        b - a for a, b in zip(first[1:], second[1:], strict=True)
    )
    niced_idle = nice if os.getpriority(os.PRIO_PROCESS, 0) <= 0 else 0
    busy = (user + nice + system + irq + softirq + steal - niced_idle) / total * cpus
    return max(0.0, busy - own / window_s)


def _cpu_jiffies() -> tuple[int, ...]:
    """(number of CPUs, user, nice, system, idle, iowait, irq, softirq, steal) from /proc/stat;
    guest time is already inside user."""
    with open("/proc/stat", encoding="ascii") as handle:
        lines = handle.read().splitlines()
    fields = lines[0].split()
    if fields[0] != "cpu" or len(fields) < 9:
        raise ValueError(f"/proc/stat: unexpected first line {lines[0]!r}")
    cpus = sum(1 for line in lines if line.startswith("cpu") and line[3:4].isdigit())
    return (cpus, *(int(x) for x in fields[1:9]))


def core_share() -> int:
    """The cores this run may use: OMP_NUM_THREADS when set (a sweep sets it for jobs that run
    side by side), else the CPUs this process may run on."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def run_stages(
    stage_fn: StageFn, stages: Sequence[TargetStage], fanout: Fanout, console: Console
) -> list[Outcome]:
    """Run every stage through `stage_fn`; the outcomes in stage order."""
    if fanout.workers <= 1:
        outcomes = []
        for stage in stages:
            console.print(f"target: fine-tune on {stage.train_task} (English), {_serves(stage)}")
            t0 = time.perf_counter()
            result = stage_fn(stage, threads=fanout.threads, progress=True)
            outcomes.append(Outcome(result, time.perf_counter() - t0))
        return outcomes
    threads = f", {fanout.threads} thread(s) each" if fanout.threads else ""
    where = f" on GPUs {','.join(fanout.devices)}" if fanout.devices else ""
    console.print(
        f"target: {len(stages)} stages, {fanout.workers} at a time{where}{threads} "
        "(target.parallel)"
    )
    return _Pool(stage_fn, stages, fanout).run(stages_display(console, stages))


def _serves(stage: TargetStage) -> str:
    return f"evaluate {', '.join(t.name for t in stage.targets)} zero-shot"


class _Pool:
    """The parent's side: start workers, hand each a stage when idle, gather, watch for deaths."""

    def __init__(self, stage_fn: StageFn, stages: Sequence[TargetStage], fanout: Fanout):
        context = multiprocessing.get_context("spawn")
        held = run_files.guarded_roots()  # the run folder: its links are refused there too
        self.stages = stages
        self.events = context.Queue()
        self.inboxes = [context.Queue() for _ in range(fanout.workers)]
        self.current: list[int | None] = [None] * fanout.workers
        self.processes = [
            context.Process(
                target=_worker,
                args=(n, stage_fn, self.inboxes[n], self.events, fanout, os.getpid(), held),
                name=f"stiltx-target-{n}",
            )
            for n in range(fanout.workers)
        ]

    def run(self, display: Any) -> list[Outcome]:
        pending = deque(range(len(self.stages)))
        outcomes: dict[int, Outcome] = {}
        try:
            for process in self.processes:
                process.start()
            for n in range(len(self.processes)):
                self._hand_out(n, pending)
            with display:
                while len(outcomes) < len(self.stages):
                    try:
                        event = self.events.get(timeout=POLL_S)
                    except queue.Empty:
                        self._check_alive()
                        continue
                    kind, n, index, payload = event
                    if kind == "progress":
                        display.step(index, *payload)
                    elif kind == "evaluated":
                        display.evaluated(index, *payload)
                    elif kind == "start":
                        display.start(index)
                    elif kind == "done":
                        outcomes[index] = payload
                        display.done(index, payload.seconds)
                        self.current[n] = None
                        self._hand_out(n, pending)
                    else:
                        display.failed(index)
                        raise _failure(self.stages[index], payload)
        finally:
            self._stop()
        return [outcomes[i] for i in range(len(self.stages))]

    def _hand_out(self, n: int, pending: deque[int]) -> None:
        if pending:
            index = pending.popleft()
            self.current[n] = index
            self.inboxes[n].put((index, self.stages[index]))

    def _check_alive(self) -> None:
        for n, process in enumerate(self.processes):
            index = self.current[n]
            if index is None or process.is_alive():
                continue
            time.sleep(POLL_S)  # its last words (an error event) may still be on their way
            for kind, _, at, payload in _drain(self.events):
                if kind == "error" and at == index:
                    raise _failure(self.stages[index], payload)
            raise StiltxError(
                f"target stage {self.stages[index].train_task}: its worker process "
                f"(pid {process.pid}) died ({_exit_reason(process.exitcode)}); the run stopped. "
                "`stiltx train --resume` continues every unfinished stage from its newest "
                "checkpoint"
            )

    def _stop(self) -> None:
        for n, process in enumerate(self.processes):
            if process.is_alive() and self.current[n] is None:
                self.inboxes[n].put(None)  # idle: let it leave on its own
        deadline = time.monotonic() + 5
        for process in self.processes:
            if process.pid is not None:
                process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():  # a stage still running after another failed: stop it
                process.kill()
                process.join()
        for q in (self.events, *self.inboxes):
            q.cancel_join_thread()
            q.close()


def _drain(events: Any) -> list[tuple]:
    out = []
    while True:
        try:
            out.append(events.get_nowait())
        except queue.Empty:
            return out


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit code {code}"


def _failure(stage: TargetStage, error: BaseException) -> BaseException:
    """The worker's error, raised in the parent; a StiltxError names the stage."""
    if not isinstance(error, StiltxError):
        return error
    message = f"target stage {stage.train_task}: {error}"
    try:
        return type(error)(message)
    except TypeError:  # a subclass with other constructor arguments
        return StiltxError(message)


# ---- the worker's side ----------------------------------------------------------------------------


def _worker(
    number: int,
    stage_fn: StageFn,
    inbox: Any,
    events: Any,
    fanout: Fanout,
    parent: int,
    held: dict[str, tuple[str, str]],
) -> None:
    """One worker process: stages from `inbox` one at a time until None; events to `events`."""
    die_with_parent()  # a killed run leaves no worker behind (stiltx.sweep.tether)
    if os.getppid() != parent:
        os._exit(1)  # the run died before the tether was set
    run_files.hold_roots(held)
    if fanout.devices:
        os.environ["CUDA_VISIBLE_DEVICES"] = fanout.devices[number]
    if fanout.threads:
        os.environ["OMP_NUM_THREADS"] = str(fanout.threads)
    while (item := inbox.get()) is not None:
        index, stage = item
        events.put(("start", number, index, None))
        t0 = time.perf_counter()
        try:
            result = stage_fn(
                stage, threads=fanout.threads, progress=_Reporter(events, number, index)
            )
        except BaseException as error:  # noqa: BLE001 - every failure goes to the parent
            events.put(("error", number, index, _portable(error)))
            events.close()
            events.join_thread()
            os._exit(1)
        events.put(("done", number, index, Outcome(result, time.perf_counter() - t0)))


class _Reporter:
    """The training loop's progress callback in a worker: (done, total) -> a throttled event."""

    def __init__(self, events: Any, number: int, index: int):
        self.events, self.number, self.index, self.last = events, number, index, 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self.last >= REPORT_EVERY_S:
            self.last = now
            self.events.put(("progress", self.number, self.index, (done, total)))

    def evaluated(self, done: int, total: int) -> None:
        """Zero-shot evaluation after training: `done` of `total` (task, language) pairs."""
        self.events.put(("evaluated", self.number, self.index, (done, total)))


def _portable(error: BaseException) -> BaseException:
    """The error as the parent can raise it: a StiltxError as itself (its one clean message),
    anything else as a RuntimeError carrying the worker's traceback."""
    if isinstance(error, StiltxError):
        try:
            return pickle.loads(pickle.dumps(error))
        except Exception:  # noqa: BLE001 - a subclass may not round-trip
            return StiltxError(str(error))
    text = "".join(traceback.format_exception(error))
    return RuntimeError(f"in its worker process:\n{text}")
