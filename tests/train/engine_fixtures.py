"""Training test helpers: hand-built batches of four task kinds and a small resumable stream.

The stream has the same surface as `stiltx.sampling.loader.MixtureStream` (yields objects with
task / head / kind / tensors / size; `state_dict` / `load_state_dict`), so the loop is tested on
its own. Each task has a fixed pool of batches the model can memorise, so the loss must fall.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from stiltx.model.build import HeadSpec
from stiltx.recipe.schema import TrainConfig
from stiltx.tasks.spec import TaskKind

HEADS = {
    "nli": HeadSpec(TaskKind.CLASSIFICATION, num_labels=3, labels=("e", "n", "c")),
    "mc": HeadSpec(TaskKind.MULTIPLE_CHOICE, num_choices=2),
    "qa": HeadSpec(TaskKind.EXTRACTIVE_QA, num_labels=2),
    "pos": HeadSpec(TaskKind.TAGGING, num_labels=5, labels=("A", "B", "C", "D", "E")),
}
TASK_HEAD = {"mnli": "nli", "hellaswag": "mc", "squad": "qa", "udpos": "pos"}


@dataclass(frozen=True)
class Batch:
    task: str
    head: str
    kind: TaskKind
    tensors: dict
    size: int


def make_batch(kind: TaskKind, vocab: int, gen: torch.Generator, size: int = 4) -> dict:
    ids = lambda *shape: torch.randint(5, vocab, shape, generator=gen)  # noqa: E731
    if kind is TaskKind.CLASSIFICATION:
        return {
            "input_ids": ids(size, 8),
            "attention_mask": torch.ones(size, 8, dtype=torch.long),
            "labels": torch.randint(0, 3, (size,), generator=gen),
        }
    if kind is TaskKind.MULTIPLE_CHOICE:
        return {
            "input_ids": ids(size, 2, 8),
            "attention_mask": torch.ones(size, 2, 8, dtype=torch.long),
            "labels": torch.randint(0, 2, (size,), generator=gen),
        }
    if kind is TaskKind.EXTRACTIVE_QA:
        start = torch.randint(1, 8, (size,), generator=gen)
        return {
            "input_ids": ids(size, 12),
            "attention_mask": torch.ones(size, 12, dtype=torch.long),
            "start_positions": start,
            "end_positions": start + torch.randint(0, 3, (size,), generator=gen),
        }
    tokens = torch.randint(5, 25, (size, 8), generator=gen)
    labels = tokens % 5  # a tag the model can learn from the token itself
    labels[:, 0] = -100
    return {"input_ids": tokens, "attention_mask": torch.ones(size, 8, dtype=torch.long),
            "labels": labels}  # fmt: skip


class PoolStream:
    """Cycles over fixed batch pools; the task of batch n is a pure function of (seed, n)."""

    def __init__(self, tasks: list[str], vocab: int, seed: int = 0, pool: int = 3):
        gen = torch.Generator().manual_seed(seed)
        self.tasks = tasks
        self.seed = seed
        self.pools = {
            t: [make_batch(HEADS[TASK_HEAD[t]].kind, vocab, gen) for _ in range(pool)]
            for t in tasks
        }
        self.position = 0

    def __iter__(self):
        return self

    def __next__(self) -> Batch:
        n = self.position
        task = self.tasks[random.Random(self.seed * 100_003 + n).randrange(len(self.tasks))]
        tensors = self.pools[task][n % len(self.pools[task])]
        self.position += 1
        head = TASK_HEAD[task]
        return Batch(task, head, HEADS[head].kind, tensors, len(tensors["input_ids"]))

    def state_dict(self) -> dict:
        return {"position": self.position}

    def load_state_dict(self, state: dict) -> None:
        self.position = state["position"]


class Crash(RuntimeError):
    """Stands for the process being killed."""


class CrashAfter:
    """Wraps a stream and raises `Crash` when batch number `n` is requested (a simulated kill)."""

    def __init__(self, stream, n: int):
        self.stream, self.n, self.given = stream, n, 0

    def __iter__(self):
        return self

    def __next__(self):
        if self.given == self.n:
            raise Crash(f"killed after {self.n} batches")
        self.given += 1
        return next(self.stream)

    def state_dict(self):
        return self.stream.state_dict()

    def load_state_dict(self, state):
        self.stream.load_state_dict(state)


def train_cfg(**overrides) -> TrainConfig:
    base = dict(
        lr=3e-3, batch_size=4, max_steps=30, warmup_ratio=0.1, weight_decay=0.01,
        eval_every=1000, save_every=1000, log_every=5, keep_checkpoints=2,
    )  # fmt: skip
    return TrainConfig(**{**base, **overrides})
