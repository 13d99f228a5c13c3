"""The whole sweep: plan the jobs, do the shared work once, run them, write the transfer tables.

<sweep>/sweep.json                   the request and every job
<sweep>/<recipe>/seed-<s>/           one ordinary run directory per job
<sweep>/.sweep/jobs/*.json, logs/    job states and logs (`stiltx sweep --status DIR`)
<sweep>/transfer.{md,csv,tex,html}   the paper's tables (stiltx.report.transfer)
<sweep>/transfer_heatmap.png
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Literal

from rich.console import Console
from rich.markup import escape

from stiltx import run_files
from stiltx.data.prepare import load_tokenizer, plan, prepare
from stiltx.errors import StiltxError
from stiltx.layout import RESOLVED_RECIPE
from stiltx.run_dir import LockHolder
from stiltx.sweep import jobs as J
from stiltx.sweep import state as S
from stiltx.sweep.budget import Budget, choose, describe, outcome, print_outcome
from stiltx.sweep.execute import job_command
from stiltx.sweep.slurm import SlurmOptions
from stiltx.terminal import print_command
from stiltx.toy.resolve import resolve

Executor = Literal["local", "slurm"]


@dataclass(frozen=True)
class RunOptions:
    """How the jobs run: where, how many GPUs each, and whether finished ones are skipped."""

    executor: Executor = "local"
    resume: bool = False
    gpus: tuple[str, ...] = ()  # local: devices to spread jobs over
    gpus_per_job: int = 1
    jobs: int = 1  # local without GPUs: jobs at a time (each gets its share of the cores)
    slurm: SlurmOptions = field(default_factory=SlurmOptions)


@dataclass(frozen=True)
class SweepOptions:
    """`stiltx sweep` as parsed: plan and run `spec` in `sweep_dir` (or only list its jobs with
    `dry_run`); with `status_of`, show the jobs of the sweep in that folder instead."""

    spec: J.SweepSpec | None = None
    sweep_dir: Path = Path("sweeps/dry-run")
    run: RunOptions = field(default_factory=RunOptions)
    dry_run: bool = False
    status_of: Path | None = None
    budget: Budget | None = None  # --select E --top K: train only the top-ranked candidates


def _recipe(job: J.Job, overrides: tuple[str, ...] | None = None):
    from stiltx.recipe.load import load_recipe

    return load_recipe(job.ref, preset=job.preset, overrides=overrides or job.overrides)


def changed_runs(sweep_dir: Path, jobs: list[J.Job]) -> list[str]:
    """Jobs whose run directory was started with a different recipe (new --set, edited YAML)."""
    from stiltx.recipe.load import load_recipe, recipe_hash

    changed = []
    for job in jobs:
        stored = job.run_dir(sweep_dir) / RESOLVED_RECIPE
        ours = _recipe(job, job.run_overrides(sweep_dir)) if stored.is_file() else None
        if ours is not None and recipe_hash(load_recipe(str(stored))) != recipe_hash(ours):
            changed.append(job.id)
    return changed


def started_alone(sweep_dir: Path, jobs: list[J.Job]) -> list[J.Job]:
    """`jobs`, a combining job whose run was started training its own models (before its
    single-task jobs were in the sweep) left to finish so, not linked to them."""
    from stiltx.recipe.load import load_recipe, recipe_hash

    kept = []
    for job in jobs:
        stored = job.run_dir(sweep_dir) / RESOLVED_RECIPE
        if job.reuse and stored.is_file():
            alone = _recipe(job)
            if recipe_hash(load_recipe(str(stored))) == recipe_hash(alone):
                job = replace(job, reuse=(), stages=J.describe_stages(alone))
        kept.append(job)
    return kept


def print_plan(jobs: list[J.Job], sweep_dir: Path, options: RunOptions, console: Console) -> None:
    from rich.table import Table

    table = Table(title=f"sweep plan: {len(jobs)} jobs -> {sweep_dir}")
    for column in ("job", "role", "stages"):
        table.add_column(column, style="bold" if column == "job" else None, overflow="fold")
    for job in jobs:
        state = " (done)" if S.is_done(sweep_dir, job) else ""
        table.add_row(job.id + state, job.role, job.stages)
    console.print(table)
    if options.executor == "slurm":
        from stiltx.sweep.slurm import plan_text

        console.print(escape(plan_text(jobs, sweep_dir, options.slurm)), highlight=False)
        return
    console.print("commands (local executor):", highlight=False)
    for job in jobs:
        command = job_command(job, sweep_dir, resume=False, gpus_per_job=options.gpus_per_job)
        print_command(console, ["python", *command[1:]])


def prepare_shared(jobs: list[J.Job], console: Console) -> None:
    """Build the toy world / tiny model and encode every split once, before any job starts (jobs
    running side by side would otherwise each build or encode the same things)."""
    seen: set[str] = set()
    for job in jobs:
        if job.recipe in seen:
            continue
        talk = console if not seen else Console(quiet=True)
        seen.add(job.recipe)
        recipe = _recipe(job)
        try:
            where = resolve(recipe, talk)
            prepare(plan(recipe), load_tokenizer(where.model.name_or_path), where.data)
        except Exception as error:  # best effort: the job reports any real problem in its log
            console.print(
                f"[yellow]shared preparation of {job.recipe} skipped[/]: {escape(str(error))}"
            )


def run_sweep(
    spec: J.SweepSpec,
    sweep_dir: Path,
    options: RunOptions,
    console: Console,
    dry_run: bool = False,
    budget: Budget | None = None,
) -> int:
    """Run the sweep (with `budget`, only the chosen candidates); return the number of failed jobs."""
    sweep_dir = Path(sweep_dir)
    if options.executor == "local":  # refuse bad --gpus / --jobs before anything is written
        from stiltx.sweep.execute import device_groups

        device_groups(options.gpus, options.gpus_per_job, options.jobs)
    jobs = all_jobs = J.plan_jobs(spec)
    choice = None
    if budget is not None:
        jobs, choice = choose(all_jobs, budget, console)
        jobs = J.relink(jobs)  # a combining job takes models only from jobs that still run
        console.print(escape(describe(choice)), highlight=False, soft_wrap=True)
    if dry_run:
        print_plan(jobs, sweep_dir, options, console)
        return 0
    started = (sweep_dir / J.MANIFEST).is_file() or any(j.run_dir(sweep_dir).exists() for j in jobs)
    if started and not options.resume:
        raise StiltxError(
            f"{sweep_dir} already holds this sweep; pass --resume to skip finished jobs and "
            "resume the others, or choose another --out"
        )
    if started:  # its runs and state files are read by joining names onto it
        run_files.check_tree(sweep_dir, "sweep folder")
    jobs = started_alone(sweep_dir, jobs)
    changed = changed_runs(sweep_dir, jobs)
    if changed:
        raise StiltxError(
            f"the recipes of {', '.join(changed)} differ from the ones their runs in {sweep_dir} "
            "were started with (changed --preset / --set or YAML); use the same settings, or "
            "another --out"
        )
    J.write_manifest(sweep_dir, spec, jobs, selection=asdict(choice) if choice else None)
    todo = [j for j in jobs if not S.is_done(sweep_dir, j)]
    console.print(
        f"sweep {sweep_dir}: {len(jobs)} jobs, {len(jobs) - len(todo)} already done, "
        f"{len(todo)} to run ({options.executor})"
    )
    if todo:
        prepare_shared(todo, console)
    total, finished = len(todo), []

    def on_start(job: J.Job, devices: str | None) -> None:
        where = f" on GPU {devices}" if devices else ""
        console.print(f"[cyan]start[/] {job.id}{where}", highlight=False)

    def on_end(job: J.Job, final: str) -> None:
        finished.append(job.id)
        status = S.job_status(sweep_dir, job)
        color = "green" if final == S.DONE else "red"
        console.print(
            f"[{color}]{final}[/] [{len(finished)}/{total}] {job.id} ({S.duration(status.seconds)})",
            highlight=False,
        )
        if final != S.DONE:
            tail = S.tail(status.log)  # none: the job never started (its inputs failed)
            text = f"  log: {status.log}\n{escape(tail)}" if tail else f"  {escape(status.detail)}"
            console.print(text, highlight=False)

    def on_wait(job: J.Job, holder: LockHolder) -> None:
        console.print(
            f"[cyan]waiting[/] {job.id}: running ({holder}) in another process; "
            "this sweep waits for it to end",
            highlight=False,
        )

    with live_jobs(sweep_dir, jobs, console):
        results = _run(todo, sweep_dir, options, console, on_start, on_end, on_wait)
    write_tables(sweep_dir, console)
    failed = [job_id for job_id, final in results.items() if final != S.DONE]
    console.print(S.summary_line(S.sweep_status(sweep_dir, jobs)))
    if choice is not None:
        print_outcome(outcome(sweep_dir, jobs, all_jobs, choice, budget.truth), console)
    return len(failed)


def _run(
    todo: list[J.Job],
    sweep_dir: Path,
    options: RunOptions,
    console: Console,
    on_start: Callable[[J.Job, str | None], None],
    on_end: Callable[[J.Job, str], None],
    on_wait: Callable[[J.Job, LockHolder], None],
) -> dict[str, str]:
    """The jobs through the chosen executor: {job id: final state}."""
    if options.executor == "slurm":
        from stiltx.sweep.slurm import run_slurm

        return run_slurm(
            todo,
            sweep_dir,
            options.slurm,
            on_submitted=lambda h: console.print(f"submitted {len(h)} jobs"),
            on_end=on_end,
        )
    if options.executor == "local":
        from stiltx.sweep.execute import run_local

        return run_local(
            todo,
            sweep_dir,
            gpus=options.gpus,
            gpus_per_job=options.gpus_per_job,
            jobs_at_once=options.jobs,
            on_start=on_start,
            on_end=on_end,
            on_wait=on_wait,
        )
    raise StiltxError(f"--executor '{options.executor}': expected local or slurm")


class LiveJobs:
    """The live table under the start / done lines: the jobs that run, failed or were cut off
    (phase, step, ETA from their run folders, read again at each refresh) and the counts of all."""

    def __init__(self, sweep_dir: Path, jobs: list[J.Job]):
        self.sweep_dir, self.jobs = sweep_dir, jobs

    def __rich__(self):
        statuses = S.sweep_status(self.sweep_dir, self.jobs)
        shown = [s for s in statuses if s.state not in (S.PENDING, S.DONE)]
        summary = S.summary_line(statuses)
        return S.status_table(self.sweep_dir, shown, summary=summary, notes=False)


@contextmanager
def live_jobs(sweep_dir: Path, jobs: list[J.Job], console: Console) -> Iterator[None]:
    """The live table while the jobs run, in a terminal only (a log gets the start / done lines)."""
    if not console.is_terminal:
        yield
        return
    from rich.live import Live  # start-up time: only a running sweep draws it

    with Live(LiveJobs(sweep_dir, jobs), console=console, refresh_per_second=1, transient=True):
        yield


def write_tables(sweep_dir: Path, console: Console) -> None:
    """The transfer tables and heatmap of whatever finished (nothing when no run finished)."""
    from stiltx.report.transfer import write_transfer

    written = write_transfer(sweep_dir)
    for path in written:
        console.print(f"wrote {path}", highlight=False)


def show_status(sweep_dir: Path, console: Console) -> None:
    run_files.check_tree(sweep_dir, "sweep folder")
    _, jobs = J.read_manifest(sweep_dir)
    S.render_status(sweep_dir, S.sweep_status(sweep_dir, jobs), console)


def sweep_command(options: SweepOptions, console: Console) -> int:
    """`stiltx sweep`: show a sweep's status, or plan / run one; the number of failed jobs."""
    if options.status_of is not None:
        with run_files.guarded(options.status_of, "sweep folder"):
            show_status(options.status_of, console)
        return 0
    if options.spec is None:
        raise ValueError("SweepOptions needs a spec (or status_of)")
    with run_files.guarded(options.sweep_dir, "sweep folder"):  # links made while it runs
        return run_sweep(
            options.spec,
            options.sweep_dir,
            options.run,
            console,
            dry_run=options.dry_run,
            budget=options.budget,
        )
