"""The training loop: one straight-line function on accelerate, the same for every method.

Full fine-tuning and adapter tuning differ only in which parameters have `requires_grad`
(stiltx.model.methods); this loop trains exactly those and never asks which method it runs.
A single task and a nine-task mixture differ only in the stream of TaskBatches it is handed.

Multi-GPU / multi-node (DDP, FSDP, DeepSpeed) comes from `accelerate launch`; nothing here
assumes one process.
"""

from __future__ import annotations

import contextlib
import json
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stiltx import atomic, run_files
from stiltx.errors import StiltxError
from stiltx.layout import TRAIN_LOG
from stiltx.recipe.schema import TrainConfig
from stiltx.sampling.prefetch import Prefetcher
from stiltx.train import checkpoint, schedule
from stiltx.train.progress import Report
from stiltx.train.progress import progress_bar as _progress

EvalFn = Callable[[Any], dict[str, float]]  # model -> score per task (higher is better)
LOG_NAME = TRAIN_LOG


class NonFiniteLossError(StiltxError):
    """The loss became NaN or inf: the run stops, the last good checkpoint stays on disk."""


@dataclass(frozen=True)
class TrainResult:
    steps: int  # optimizer steps done (including those before a resume)
    examples: int  # training examples seen
    seconds: float  # wall time of this call
    best_step: int | None  # step of the best evaluation (its weights are loaded at the end)
    best_metric: float | None  # mean over tasks of the best evaluation
    best_scores: dict[str, float] = field(default_factory=dict)
    stopped_early: bool = False
    losses: dict[str, float] = field(default_factory=dict)  # per-task mean at the last log step
    resumed_from: int | None = None
    log_path: Path | None = None


def train(
    model: Any,
    method: Any,
    stream: Iterable,
    cfg: TrainConfig,
    out_dir: str | Path,
    *,
    eval_fn: EvalFn | None = None,
    accelerator: Any = None,
    resume: bool = False,
    total_steps: int | None = None,
    progress: bool | Report = True,
) -> TrainResult:
    """Train `model` on the TaskBatches of `stream` for `total_steps` optimizer steps.

    `method` must already be prepared (`method.prepare(model, heads)`). Every `cfg.eval_every`
    steps `eval_fn(model)` scores each task; the mean picks the best checkpoint and drives early
    stopping (`cfg.patience`). Checkpoints go to `out_dir/checkpoint-<step>`; with `resume` the
    run continues from the newest complete one and ends exactly where an uninterrupted run would.
    At the end the best weights (if any evaluation ran) are in `model` and saved by the method
    to `out_dir/model`.
    """
    import torch

    started = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    accelerator = accelerator or make_accelerator(cfg, out_dir)
    accelerator.gradient_accumulation_steps = cfg.grad_accum
    total = total_steps if total_steps is not None else schedule.total_steps(cfg)
    warmup = schedule.warmup_steps(cfg, total)
    params = method.trainable_parameters(model)
    # Fused AdamW (one kernel for all parameters), as transformers' Trainer defaults to, on a GPU
    # and on CPU (torch >= 2.4): for the tiny toy model 2.5 ms per step on one CPU thread against
    # 7 ms for the per-parameter loop.
    fused = accelerator.device.type in ("cuda", "cpu")
    optimizer = torch.optim.AdamW(param_groups(params, cfg.weight_decay), lr=cfg.lr, fused=fused)
    model, optimizer = accelerator.prepare(model, optimizer)
    plain = accelerator.unwrap_model(model)
    if cfg.compile:  # fixed shapes (no dynamic dims): with length_buckets, a few graphs in all
        model = torch.compile(model, dynamic=False)
    trainable = [p for _, p in params]
    device = accelerator.device
    log_path = out_dir / LOG_NAME

    # Everything the loop carries from step to step is in `state`, so a checkpoint can hold it.
    state: dict[str, Any] = {
        "examples": 0,
        "best_metric": None,
        "best_step": None,
        "best_scores": {},
        "bad_evals": 0,
        "stopped_early": False,
        "window": {},  # task -> [loss sum, batches] since the last log line
    }
    start, resumed_from = 0, None
    newest = checkpoint.latest(out_dir)
    if newest is not None and not resume:
        raise StiltxError(
            f"{out_dir} already holds checkpoints (newest: {newest.name}); pass --resume to "
            "continue that run, or choose another output directory"
        )
    if newest is not None:
        # Damaged newer checkpoints are named, removed and skipped (checkpoint.load_newest).
        restored = checkpoint.load_newest(
            out_dir, model=plain, optimizer=optimizer, scaler=accelerator.scaler
        )
        if restored is None:
            warnings.warn(
                f"{out_dir}: no intact checkpoint left; this stage starts over from step 0",
                checkpoint.CheckpointWarning,
                stacklevel=2,
            )
        else:
            state = restored
            start = resumed_from = state.pop("step")
            stream.load_state_dict(state.pop("stream"))
            _truncate_log(log_path, start)
    if resumed_from is None and accelerator.is_main_process:
        run_files.guard(log_path).unlink(missing_ok=True)
    window = {t: [torch.tensor(s, device=device), n] for t, (s, n) in state.pop("window").items()}
    if device.type != "cpu":  # fetch + collate the next batches while the device computes
        stream = Prefetcher(stream, pin_memory=device.type == "cuda")
    closing = (
        contextlib.closing(stream) if isinstance(stream, Prefetcher) else contextlib.nullcontext()
    )
    if cfg.log_with:
        accelerator.init_trackers("stiltx", config=_flat(asdict(cfg)))

    def save_checkpoint(step: int) -> None:
        _check_finite(window, step, out_dir)
        run_files.still_there(out_dir, "stage folder")
        accelerator.wait_for_everyone()
        if accelerator.is_main_process:
            snapshot = {**state, "window": _floats(window), "stream": stream.state_dict()}
            checkpoint.save(
                out_dir, step, model=plain, optimizer=optimizer, state=snapshot,
                scaler=accelerator.scaler,
            )  # fmt: skip
            checkpoint.rotate(out_dir, cfg.keep_checkpoints, protect=state["best_step"])

    batches = iter(stream)
    losses: dict[str, float] = {}
    done = start
    model.train()
    shown = progress if accelerator.is_main_process else False
    with _progress(shown, start, total) as bar, closing:
        for step in range(start, total):
            lr = schedule.lr_at(step, peak=cfg.lr, warmup=warmup, total=total)
            for group in optimizer.param_groups:
                group["lr"] = lr
            for _ in range(cfg.grad_accum):
                batch = next(batches)
                tensors = {k: v.to(device, non_blocking=True) for k, v in batch.tensors.items()}
                with accelerator.accumulate(model):
                    loss = model(**tensors, head=batch.head).loss
                    accelerator.backward(loss)
                    if accelerator.sync_gradients and cfg.max_grad_norm:
                        accelerator.clip_grad_norm_(trainable, cfg.max_grad_norm)
                    optimizer.step()
                    optimizer.zero_grad(set_to_none=True)
                # No .item() here: syncing the device every step costs throughput. The window
                # sums are checked for NaN/inf before anything is logged, evaluated or saved.
                sums = window.setdefault(batch.task, [torch.zeros((), device=device), 0])
                sums[0] = sums[0] + loss.detach().float()
                sums[1] += 1
                state["examples"] += int(batch.size)
            done = step + 1
            bar.advance(done)

            if done % cfg.log_every == 0 or done == total:
                losses = _check_finite(window, done, out_dir)
                row = {"step": done, "total": total, "lr": lr, "loss": losses}
                row["examples"] = state["examples"]  # `total`: for a sweep's ETA (sweep/phase.py)
                row["elapsed_s"] = round(time.perf_counter() - started, 3)
                _append_log(log_path, row, accelerator)
                bar.show_losses(losses)
                window.clear()

            improved = False
            if eval_fn is not None and (done % cfg.eval_every == 0 or done == total):
                _check_finite(window, done, out_dir)
                model.eval()
                scores = {k: float(v) for k, v in eval_fn(plain).items()}
                model.train()
                metric = sum(scores.values()) / max(1, len(scores))
                improved = state["best_metric"] is None or metric > state["best_metric"]
                if improved:
                    state.update(best_metric=metric, best_step=done, best_scores=scores)
                    state["bad_evals"] = 0
                else:
                    state["bad_evals"] += 1
                row = {"step": done, "eval": scores, "metric": metric, "best": state["best_metric"]}
                _append_log(log_path, row, accelerator)
                if cfg.patience is not None and state["bad_evals"] >= cfg.patience:
                    state["stopped_early"] = True

            if done % cfg.save_every == 0 or improved or done == total or state["stopped_early"]:
                save_checkpoint(done)
            if state["stopped_early"]:
                break

    if state["best_step"] is not None and state["best_step"] != done:
        checkpoint.load_trainable_file(checkpoint.path_for(out_dir, state["best_step"]), plain)
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        with atomic.directory(run_files.still_there(out_dir, "stage folder") / "model") as tmp:
            method.save(plain, tmp)
    if cfg.log_with:
        accelerator.end_training()
    return TrainResult(
        steps=done,
        examples=state["examples"],
        seconds=time.perf_counter() - started,
        best_step=state["best_step"],
        best_metric=state["best_metric"],
        best_scores=state["best_scores"],
        stopped_early=state["stopped_early"],
        losses=losses,
        resumed_from=resumed_from,
        log_path=log_path,
    )


def make_accelerator(cfg: TrainConfig, out_dir: Path) -> Any:
    from accelerate import Accelerator
    from accelerate.utils import DistributedDataParallelKwargs

    # In a mixture each step trains one task's head; the other heads get no gradient, which DDP
    # must be told about (single-process runs ignore this).
    ddp = DistributedDataParallelKwargs(find_unused_parameters=True)
    return Accelerator(
        mixed_precision=cfg.mixed_precision,
        gradient_accumulation_steps=cfg.grad_accum,
        log_with=list(cfg.log_with) or None,
        project_dir=str(out_dir),
        kwargs_handlers=[ddp],
    )


def param_groups(named: list[tuple[str, Any]], weight_decay: float) -> list[dict]:
    """AdamW groups: weight decay on weight matrices, none on biases and LayerNorm weights."""
    decay, no_decay = [], []
    for name, p in named:
        skip = p.ndim < 2 or name.endswith("bias") or "norm" in name.lower()
        (no_decay if skip else decay).append(p)
    groups = [{"params": decay, "weight_decay": weight_decay}]
    if no_decay:
        groups.append({"params": no_decay, "weight_decay": 0.0})
    return [g for g in groups if g["params"]]


def _check_finite(window: dict, step: int, out_dir: Path) -> dict[str, float]:
    """Per-task mean loss of the window; NonFiniteLossError if any is NaN/inf."""
    import math

    means = {task: float(s) / max(1, n) for task, (s, n) in sorted(window.items())}
    bad = [task for task, value in means.items() if not math.isfinite(value)]
    if bad:
        last = checkpoint.latest(out_dir)
        kept = f"last good checkpoint: {last}" if last else "no checkpoint had been written yet"
        raise NonFiniteLossError(
            f"loss became NaN/inf for task(s) {', '.join(bad)} at or before step {step}; the run "
            f"stopped ({kept}). Try a lower train.lr, train.max_grad_norm, or mixed_precision=no"
        )
    return means


def _floats(window: dict) -> dict[str, list]:
    return {task: [float(s), n] for task, (s, n) in window.items()}


def _append_log(path: Path, row: dict, accelerator: Any) -> None:
    """One JSON line per event; a whole line per write, so a crash never leaves half a line."""
    if not accelerator.is_main_process:
        return
    atomic.append_line(path, json.dumps(row))
    accelerator.log(_flat(row), step=row["step"])


def _truncate_log(path: Path, step: int) -> None:
    """On resume, drop log lines a killed run wrote after the checkpoint it resumes from."""
    if not run_files.guard(path).exists():
        return
    rows = []
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        try:
            row = json.loads(line)
            if row["step"] <= step:
                rows.append(row)
        except (ValueError, KeyError, TypeError):  # half a line from a kill, or damage
            if line.strip():
                warnings.warn(
                    f"{path}:{number}: unreadable log line dropped", checkpoint.CheckpointWarning,
                    stacklevel=2,
                )  # fmt: skip
    atomic.write_jsonl(path, rows)


def _flat(row: dict, prefix: str = "") -> dict:
    out: dict = {}
    for key, value in row.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, f"{name}/"))
        elif isinstance(value, int | float | str | bool):
            out[name] = value
        elif isinstance(value, list | tuple):
            out[name] = ",".join(map(str, value))
    return out
