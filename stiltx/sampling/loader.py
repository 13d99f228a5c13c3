"""Batches for training: one infinite, reshuffling, resumable stream per task, and their mixture.

`TaskStream` walks an encoded split (`EncodedSplit.features`, a `datasets.Dataset` with a `length`
column) epoch after epoch. Each epoch is a fresh permutation from a numpy Generator seeded by
(seed, task, epoch), so the position (epoch, batch index) fully determines the state: resuming
needs two integers, not a saved RNG. With `group_by_length` the permutation is cut into windows of
`window` batches, each window is sorted by length and cut into batches, and the batches of the
epoch are shuffled: batches hold similar lengths (little padding under dynamic padding) while
the order of batches stays random.

`MixtureStream` asks a `TaskSampler` for the task of each optimizer step and pulls the next batch of
that task's stream. A single task is a mixture of one: the same path.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from stiltx.errors import DataError, RecipeError
from stiltx.recipe.schema import SamplingConfig
from stiltx.sampling.sampler import TaskSampler
from stiltx.tasks.spec import TaskKind

if TYPE_CHECKING:
    import datasets
    from torch import Tensor

CollateFn = Callable[[list[dict[str, Any]]], "dict[str, Tensor]"]


class EncodedLike(Protocol):
    """What a stream needs from `stiltx.encoding.EncodedSplit`."""

    task: str
    kind: TaskKind
    features: datasets.Dataset


@dataclass(frozen=True)
class TaskBatch:
    """One collated batch of one task; `head` is the model head that trains on it."""

    task: str
    head: str
    kind: TaskKind
    tensors: dict[str, Tensor]
    size: int  # examples (feature rows) in the batch


def batches_per_epoch(num_rows: int, batch_size: int) -> int:
    """Batches of one epoch over `num_rows` rows (the last batch may be short)."""
    return math.ceil(num_rows / batch_size)


class TaskStream:
    """Infinite iterator of `TaskBatch` over one encoded split (see the module docstring)."""

    def __init__(
        self,
        task: str,
        head: str,
        encoded: EncodedLike,
        batch_size: int,
        collate_fn: CollateFn,
        seed: int,
        group_by_length: bool = True,
        window: int = 50,
        columns: Sequence[str] | None = None,
    ):
        """`columns` (optional) restricts the columns fetched per batch, e.g. the model inputs,
        so large unused columns (QA offset mappings) are never read during training."""
        features = encoded.features
        if len(features) == 0:
            raise DataError(f"task {task!r}: the encoded training split has no rows")
        if batch_size <= 0 or window <= 0:
            raise RecipeError(
                "train config",
                [f"{task}: batch_size and window must be positive, got {batch_size} and {window}"],
            )
        if "length" not in features.column_names:
            raise DataError(f"task {task!r}: encoded features lack a 'length' column")
        self.task = task
        self.head = head
        self.kind = TaskKind(encoded.kind)
        self.batch_size = batch_size
        self.collate_fn = collate_fn
        self.seed = int(seed)
        self.group_by_length = group_by_length
        self.window = window
        self._lengths = np.asarray(features.select_columns(["length"])[:]["length"], dtype=np.int64)
        if columns is not None:
            features = features.select_columns(list(columns))
        self._features = features.with_format(None)
        self._task_key = zlib.crc32(task.encode("utf-8"))  # streams of one seed differ per task
        self._epoch = 0
        self._position = 0
        self._batches: list[np.ndarray] | None = None

    @property
    def num_rows(self) -> int:
        return len(self._lengths)

    @property
    def batches_per_epoch(self) -> int:
        return batches_per_epoch(self.num_rows, self.batch_size)

    def epoch_batches(self, epoch: int) -> list[np.ndarray]:
        """Row indices of every batch of `epoch`, in order: a pure function of (seed, task, epoch)."""
        rng = np.random.default_rng([self.seed, self._task_key, epoch])
        order = rng.permutation(self.num_rows)
        size = self.batch_size
        if not self.group_by_length:
            return [order[i : i + size] for i in range(0, len(order), size)]
        span = self.window * size
        batches = []
        for start in range(0, len(order), span):
            part = order[start : start + span]
            part = part[np.argsort(-self._lengths[part], kind="stable")]
            batches.extend(part[i : i + size] for i in range(0, len(part), size))
        return [batches[i] for i in rng.permutation(len(batches))]

    def __iter__(self) -> Iterator[TaskBatch]:
        return self

    def __next__(self) -> TaskBatch:
        if self._batches is None:
            self._batches = self.epoch_batches(self._epoch)
        indices = self._batches[self._position]
        self._position += 1
        if self._position == len(self._batches):
            self._epoch, self._position, self._batches = self._epoch + 1, 0, None
        rows = self.fetch(indices)
        return TaskBatch(self.task, self.head, self.kind, self.collate_fn(rows), len(rows))

    def fetch(self, indices: Sequence[int] | np.ndarray) -> list[dict[str, Any]]:
        """Rows at `indices`, as dicts: one columnar read from Arrow, then zipped into rows."""
        columns = self._features[[int(i) for i in indices]]
        names = list(columns)
        return [
            dict(zip(names, values, strict=True)) for values in zip(*columns.values(), strict=True)
        ]

    def state_dict(self) -> dict[str, int]:
        """{epoch, position}: the next batch is batch `position` of epoch `epoch`."""
        return {"epoch": self._epoch, "position": self._position}

    def load_state_dict(self, state: Mapping[str, int]) -> None:
        epoch, position = int(state["epoch"]), int(state["position"])
        if epoch < 0 or not 0 <= position < self.batches_per_epoch:
            raise DataError(
                f"task {self.task!r}: stream state {dict(state)} is out of range "
                f"(batches per epoch: {self.batches_per_epoch})"
            )
        self._epoch, self._position, self._batches = epoch, position, None


class MixtureStream:
    """Infinite iterator of `TaskBatch`: the sampler picks the task, its stream gives the batch.

    The task is drawn once per optimizer step and kept for `grad_accum` micro-batches, so an
    accumulated step trains one task (as jiant does). With `grad_accum=1` every batch is a step.
    """

    def __init__(
        self, streams: Mapping[str, TaskStream], sampler: TaskSampler, *, grad_accum: int = 1
    ):
        if set(streams) != set(sampler.tasks):
            raise RecipeError(
                "mixture",
                [
                    f"streams for {sorted(streams)} but the sampler draws from {sorted(sampler.tasks)}"
                ],
            )
        if grad_accum <= 0:
            raise RecipeError("train config", [f"grad_accum: must be >= 1, got {grad_accum}"])
        self.streams = dict(streams)
        self.sampler = sampler
        self.grad_accum = grad_accum
        self._step = 0  # optimizer steps started
        self._micro = 0  # micro-batches already given for the current step
        self._task: str | None = None

    @property
    def step(self) -> int:
        """Optimizer steps completed (all of their micro-batches given)."""
        return self._step

    def __iter__(self) -> Iterator[TaskBatch]:
        return self

    def __next__(self) -> TaskBatch:
        if self._micro == 0:
            self._task = self.sampler.next_task(self._step)
        batch = next(self.streams[self._task])
        self._micro += 1
        if self._micro == self.grad_accum:
            self._step, self._micro = self._step + 1, 0
        return batch

    def state_dict(self) -> dict[str, Any]:
        """JSON-serialisable: sampler, every stream's position, and the position in the step."""
        return {
            "step": self._step,
            "micro": self._micro,
            "task": self._task,
            "sampler": self.sampler.state_dict(),
            "streams": {task: stream.state_dict() for task, stream in self.streams.items()},
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        missing = set(self.streams) - set(state["streams"])
        if missing:
            raise DataError(f"mixture state: no saved stream position for tasks {sorted(missing)}")
        self.sampler.load_state_dict(state["sampler"])
        for task, stream in self.streams.items():
            stream.load_state_dict(state["streams"][task])
        self._step, self._micro, self._task = int(state["step"]), int(state["micro"]), state["task"]


def build_mixture(
    encoded: Mapping[str, EncodedLike],
    heads: Mapping[str, str],
    batch_sizes: Mapping[str, int],
    collate_fns: Mapping[str, CollateFn],
    config: SamplingConfig,
    seed: int,
    *,
    stream_seed: int | None = None,
    total_steps: int | None = None,
    grad_accum: int = 1,
    columns: Mapping[str, Sequence[str]] | None = None,
) -> MixtureStream:
    """One stream per task plus a sampler over them, seeded from `seed`.

    A task's size for the rates is its number of encoded training rows (QA: doc-stride windows,
    MLM: token blocks), the units the stream batches. Every mapping is keyed by task name, in
    mixture order. `stream_seed` (default `seed`) seeds the streams alone: under DDP every process
    shares the sampler's seed (one task per step) but draws its own batches.
    """
    streams = {
        task: TaskStream(
            task,
            heads[task],
            split,
            batch_sizes[task],
            collate_fns[task],
            seed if stream_seed is None else stream_seed,
            columns=(columns or {}).get(task),
        )
        for task, split in encoded.items()
    }
    sampler = TaskSampler(
        {task: stream.num_rows for task, stream in streams.items()},
        config,
        seed,
        {task: stream.batches_per_epoch for task, stream in streams.items()},
        total_steps=total_steps,
    )
    return MixtureStream(streams, sampler, grad_accum=grad_accum)
