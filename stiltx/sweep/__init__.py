"""`stiltx sweep`: the paper's grid (recipes x seeds) as jobs, run locally or on Slurm.

- `jobs.py`: recipe patterns x seeds -> `Job`s, each an ordinary run directory under the sweep
  folder (re-runnable alone with `stiltx train --recipe ... --out <run dir> --resume`); the
  manifest `sweep.json`.
- `state.py`: what each job is doing, read from disk (pending / running / done / failed /
  interrupted), durations, log paths and tails; the `--status` table (and the live one).
- `phase.py`: what a running job does now (phase, step / total, ETA), read from its run folder.
- `execute.py`: one job as a subprocess (`python -m stiltx train`, under `accelerate launch`
  when it has several GPUs) and the local executor (one at a time, or N at a time on N GPUs).
- `tether.py`: a job dies with the process that started it (Linux's parent-death signal).
- `slurm.py`: the submitit executor (optional extra `stiltx[slurm]`) and its dry-run plan.
- `driver.py`: the whole sweep: plan, shared work once, run, transfer tables.

The tables themselves (transfer matrix, per-target selection, X-STILTs row, baselines) are pure
functions in `stiltx.report.transfer`, so `stiltx report DIR --view transfer` needs no torch.
"""
