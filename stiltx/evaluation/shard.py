"""Evaluation split across the processes of `accelerate launch`, gathered back in order.

Every process holds the whole model (DDP), so prediction is embarrassingly parallel: process r of
n predicts examples r, r+n, r+2n, ... (strided, so long and short examples spread evenly), the
predictions are gathered to every process and put back in the original order. Every process then
computes the same scores from the same predictions; only the main process writes files.
A single process (the usual case) calls the prediction function once, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def _state() -> Any:
    # accelerate: heavy, needed only under a launcher
    from accelerate import PartialState

    return PartialState()


def is_main_process() -> bool:
    """True in the process that writes files (rank 0), and in a single process."""
    return _state().is_main_process


def shard_predict(predict_fn: Callable[[Sequence[T]], list], examples: Sequence[T]) -> list:
    """`predict_fn(examples)`, with the work split across processes (see the module docstring).

    `predict_fn` must return one prediction per example and must not itself communicate
    between processes. A process whose share is empty (fewer examples than processes) predicts
    nothing but still takes part in the gather.
    """
    state = _state()
    world, rank = state.num_processes, state.process_index
    if world == 1:
        return predict_fn(examples)
    # accelerate: heavy, needed only under a launcher
    from accelerate.utils import gather_object

    mine = list(examples[rank::world])
    predictions = predict_fn(mine) if mine else []
    if len(predictions) != len(mine):
        raise ValueError(f"rank {rank}: {len(predictions)} predictions for {len(mine)} examples")
    parts = gather_object([predictions])  # one list per process, in rank order
    merged: list = [None] * len(examples)
    for r, part in enumerate(parts):
        merged[r::world] = part
    return merged
