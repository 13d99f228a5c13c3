"""The Slurm executor, through submitit (optional extra: `pip install 'stiltx[slurm]'`).

All jobs go out as one Slurm job array (at most `array_parallelism` at a time); each array task
calls `execute.run_job`, i.e. runs `python -m stiltx train ...` (under `accelerate launch` with
several GPUs) in the same Python environment on the node. submitit's `local` and `debug`
clusters run the very same jobs on this machine (the tests use `local`). Jobs that take the
models of others (`Job.reuse`: merges over the sweep's single-task jobs) go out as a second
array once the first has ended (a plain ordering that every submitit cluster honours; Slurm's
`--dependency=afterok` would start each a little earlier, but local / debug clusters ignore it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stiltx.errors import StiltxError
from stiltx.sweep import state as S
from stiltx.sweep.execute import job_command, run_job
from stiltx.sweep.jobs import Job

SUBMITIT_DIR = S.STATE_DIR / "submitit"


@dataclass(frozen=True)
class SlurmOptions:
    partition: str | None = None
    gpus_per_job: int = 1
    time_min: int = 24 * 60
    array_parallelism: int = 64
    cpus_per_task: int | None = None
    mem_gb: int | None = None
    sbatch: tuple[str, ...] = ()  # extra sbatch arguments: "account=abc", "qos=high", ...
    cluster: str = "slurm"  # submitit's cluster: slurm, or local / debug (this machine)


def sbatch_extra(items: Sequence[str]) -> dict[str, str]:
    """['account=abc', '--qos=high', 'exclusive'] -> {'account': 'abc', 'qos': 'high', ...}."""
    out = {}
    for item in items:
        key, sep, value = item.lstrip("-").partition("=")
        if not key.strip():
            raise StiltxError(f"--sbatch '{item}': expected KEY=VALUE, e.g. --sbatch account=abc")
        out[key.strip()] = value.strip() if sep else ""
    return out


def parameters(options: SlurmOptions, name: str = "stiltx-sweep") -> dict[str, Any]:
    """submitit AutoExecutor parameters (generic + slurm_-prefixed)."""
    params: dict[str, Any] = {
        "name": name,
        "timeout_min": options.time_min,
        "gpus_per_node": options.gpus_per_job,
        "tasks_per_node": 1,  # one process per job: `accelerate launch` starts the others
        "slurm_array_parallelism": options.array_parallelism,
    }
    if options.cpus_per_task:
        params["cpus_per_task"] = options.cpus_per_task
    if options.mem_gb:
        params["mem_gb"] = options.mem_gb
    if options.partition:
        params["slurm_partition"] = options.partition
    if options.sbatch:
        params["slurm_additional_parameters"] = sbatch_extra(options.sbatch)
    return params


def _submitit():
    try:
        import submitit
    except ImportError:
        raise StiltxError(
            "--executor slurm needs submitit: pip install 'stiltx[slurm]' (or pip install submitit)"
        ) from None
    return submitit


def make_executor(sweep_dir: Path, options: SlurmOptions):
    submitit = _submitit()
    executor = submitit.AutoExecutor(folder=Path(sweep_dir) / SUBMITIT_DIR, cluster=options.cluster)
    params = parameters(options)
    if options.cluster != "slurm":  # local / debug ignore Slurm-only settings
        params = {k: v for k, v in params.items() if not k.startswith("slurm_")}
    try:
        executor.update_parameters(**params)
    except (ValueError, NameError, AssertionError) as error:
        raise StiltxError(f"submitit refused the Slurm settings: {error}") from None
    return executor


def waves(jobs: Sequence[Job]) -> list[list[Job]]:
    """The arrays to submit one after another: the jobs that take no other job's models, then
    those that do (empty arrays left out)."""
    ids = {job.id for job in jobs}
    later = [job for job in jobs if ids & set(job.reuse)]
    first = [job for job in jobs if job not in later]
    return [wave for wave in (first, later) if wave]


def plan_text(jobs: Sequence[Job], sweep_dir: Path, options: SlurmOptions) -> str:
    """What `--executor slurm --dry-run` prints: executor settings, the sbatch header, commands."""
    params = parameters(options)
    lines = [
        f"submitit AutoExecutor(folder={Path(sweep_dir) / SUBMITIT_DIR}, cluster={options.cluster})",
        "parameters: " + ", ".join(f"{k}={v!r}" for k, v in params.items()),
    ]
    arrays = waves(jobs)
    for n, wave in enumerate(arrays):
        after = " after the first has ended (they take its models)" if n else ""
        how = "one Slurm array" if len(arrays) == 1 else f"Slurm array {n + 1} of {len(arrays)}"
        lines.append(
            f"{len(wave)} jobs as {how}{after}, at most {options.array_parallelism} at a time; "
            "each array task runs stiltx.sweep.execute.run_job, i.e.:"
        )
        for job in wave:
            command = job_command(job, sweep_dir, resume=False, gpus_per_job=options.gpus_per_job)
            lines.append(f"  [{job.id}] python " + " ".join(command[1:]))
    try:
        from submitit.slurm.slurm import _make_sbatch_string  # the sbatch file submitit writes

        sbatch = {
            "job_name": params["name"],
            "time": options.time_min,
            "gpus_per_node": options.gpus_per_job,
            "ntasks_per_node": 1,
            "partition": options.partition,
            "cpus_per_task": options.cpus_per_task,
            "mem": f"{options.mem_gb}GB" if options.mem_gb else None,
            "array_parallelism": options.array_parallelism,
            "additional_parameters": sbatch_extra(options.sbatch) or None,
        }
        text = _make_sbatch_string(
            command="python -u -m submitit.core._submit <folder>",
            folder=Path(sweep_dir) / SUBMITIT_DIR / "%j",
            map_count=max(1, len(jobs)),
            **{k: v for k, v in sbatch.items() if v is not None},
        )
        header = [ln for ln in text.splitlines() if ln.startswith("#SBATCH")]
        lines += ["sbatch header (as submitit writes it):", *(f"  {ln}" for ln in header)]
    except ImportError:
        lines.append("(install submitit, pip install 'stiltx[slurm]', to see the sbatch header)")
    return "\n".join(lines)


def run_slurm(
    jobs: Sequence[Job],
    sweep_dir: Path,
    options: SlurmOptions,
    *,
    on_submitted: Callable[[list[Any]], None] | None = None,
    on_end: Callable[[Job, str], None] | None = None,
) -> dict[str, str]:
    """Submit `jobs` as one array (two: `waves`) and wait for them; {job id: final state}."""
    executor = make_executor(sweep_dir, options)
    results: dict[str, str] = {}
    for wave in waves(jobs):
        results.update(_run_array(executor, wave, sweep_dir, options, on_submitted, on_end))
    return results


def _run_array(
    executor: Any,
    jobs: Sequence[Job],
    sweep_dir: Path,
    options: SlurmOptions,
    on_submitted: Callable[[list[Any]], None] | None,
    on_end: Callable[[Job, str], None] | None,
) -> dict[str, str]:
    for job in jobs:
        S.record(sweep_dir, job, state="submitted", pid=None, started=None, returncode=None)
    with executor.batch():
        handles = [
            executor.submit(
                run_job, job, str(Path(sweep_dir).resolve()), None, options.gpus_per_job
            )
            for job in jobs
        ]
    for job, handle in zip(jobs, handles, strict=True):
        if S.read_state(S.state_path(sweep_dir, job)).get("state") == "submitted":
            S.record(sweep_dir, job, slurm_job_id=str(handle.job_id))
    if on_submitted:
        on_submitted(handles)
    results = {}
    for job, handle in zip(jobs, handles, strict=True):
        try:
            final = handle.result()
        except Exception as error:  # the job died outside run_job (time limit, node failure)
            S.record(sweep_dir, job, state=S.FAILED, finished=S.now(), error=str(error)[-2000:])
            final = S.FAILED
        results[job.id] = final
        if on_end:
            on_end(job, final)
    return results
