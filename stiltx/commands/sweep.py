"""`stiltx sweep`: the paper's grid, recipes x seeds as jobs, locally or on Slurm."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from stiltx.commands.options import (
    INTERRUPTED,
    PresetOpt,
    SetOpt,
    choice,
    console,
    interrupted,
    set_args,
    split_list,
)
from stiltx.errors import StiltxError


def sweep(
    recipes: Annotated[
        str | None,
        typer.Option(help="Comma-separated recipes; globs over bundled names and paths."),
    ] = None,
    seeds: Annotated[
        str, typer.Option(help="Seeds: 1,2,3 or 1-3 (one job per recipe x seed).")
    ] = "1",
    preset: PresetOpt = None,
    set_: SetOpt = None,
    out: Annotated[str | None, typer.Option(help="The sweep folder (one run dir per job).")] = None,
    executor: Annotated[
        str, choice("--executor", choices=("local", "slurm"), help="local or slurm (submitit).")
    ] = "local",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List the jobs and exit.")] = False,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip finished jobs, resume unfinished ones.")
    ] = False,
    status: Annotated[
        str | None, typer.Option("--status", help="Show the jobs of the sweep in this folder.")
    ] = None,
    gpus: Annotated[
        str | None,
        typer.Option(
            help="local: devices to spread jobs over, e.g. 0,1,2,3; a device listed k times "
            "runs k jobs at once (0,0,0,0: four small jobs share GPU 0)."
        ),
    ] = None,
    gpus_per_job: Annotated[int, typer.Option(help="GPUs per job (>1: accelerate launch).")] = 1,
    jobs: Annotated[
        int,
        typer.Option(
            help="local, no --gpus: jobs at a time on the CPU, each with its share of the cores."
        ),
    ] = 1,
    partition: Annotated[str | None, typer.Option(help="slurm: partition.")] = None,
    time_limit: Annotated[int, typer.Option(help="slurm: minutes per job.")] = 24 * 60,
    array_parallelism: Annotated[int, typer.Option(help="slurm: jobs at a time.")] = 64,
    sbatch: Annotated[
        list[str] | None, typer.Option(help="slurm: extra sbatch argument KEY=VALUE (repeatable).")
    ] = None,
    select: Annotated[
        str | None,
        typer.Option(help="Rank the single/* candidates per target with this estimator."),
    ] = None,
    top: Annotated[
        int, typer.Option(help="--select: train only each target's top K (plus direct).")
    ] = 3,
    from_: Annotated[
        str | None, typer.Option("--from", help="--select logme/proxy: a sweep with their runs.")
    ] = None,
    truth: Annotated[
        str | None, typer.Option(help="--select: a full grid to report regret and time saved vs.")
    ] = None,
) -> None:
    """Run the paper's grid: recipes x seeds as jobs (locally or on Slurm), then the transfer tables."""
    # start-up time: the sweep's code (recipe loading, executors) loads on use
    from stiltx.sweep import jobs as J
    from stiltx.sweep.budget import Budget
    from stiltx.sweep.driver import RunOptions, SweepOptions, sweep_command
    from stiltx.sweep.slurm import SlurmOptions

    if status is not None:
        options = SweepOptions(status_of=Path(status))
    else:
        if not recipes:
            raise StiltxError("--recipes is required, e.g. --recipes direct,single/*,multitask9")
        if out is None and not dry_run:
            raise StiltxError("--out DIR is required: the sweep folder (one run directory per job)")
        budget = None
        if select:
            budget = Budget(select, top, *(Path(p) if p else None for p in (from_, truth)))
        slurm = SlurmOptions(
            partition=partition,
            gpus_per_job=gpus_per_job,
            time_min=time_limit,
            array_parallelism=array_parallelism,
            sbatch=tuple(sbatch or ()),
        )
        options = SweepOptions(
            spec=J.SweepSpec(
                recipes=(recipes,),
                seeds=J.parse_seeds(seeds),
                preset=preset,
                overrides=tuple(set_ or ()),
            ),
            sweep_dir=Path(out or "sweeps/dry-run"),
            run=RunOptions(
                executor=executor,  # type: ignore[arg-type]  # one of EXECUTORS: choice() checked
                resume=resume,
                gpus=split_list(gpus),
                gpus_per_job=gpus_per_job,
                jobs=jobs,
                slurm=slurm,
            ),
            dry_run=dry_run,
            budget=budget,
        )
    try:
        failed = sweep_command(options, console)
    except KeyboardInterrupt:
        if status is not None or dry_run:
            raise typer.Exit(INTERRUPTED) from None
        given = {
            "--executor": executor if executor != "local" else None, "--gpus": gpus,
            "--gpus-per-job": str(gpus_per_job) if gpus_per_job != 1 else None,
            "--jobs": str(jobs) if jobs != 1 else None,
            "--partition": partition, "--select": select,
            "--time-limit": str(time_limit) if time_limit != 24 * 60 else None,
            "--array-parallelism": str(array_parallelism) if array_parallelism != 64 else None,
            "--top": str(top) if select else None, "--from": from_, "--truth": truth,
        }  # fmt: skip
        argv = ["stiltx", "sweep", "--recipes", recipes or "", "--seeds", seeds]
        argv += [*set_args(preset, set_), "--out", str(out)]
        argv += [word for key, value in given.items() if value for word in (key, value)]
        interrupted([*argv, *(w for s in sbatch or () for w in ("--sbatch", s)), "--resume"])
    if failed:
        raise typer.Exit(1)
