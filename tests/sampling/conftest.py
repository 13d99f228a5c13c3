"""Stand-ins for encoded splits: a `datasets.Dataset` of plain lists plus a padding collate.

The encoding module is written in parallel; these mirror its contract (`features` with input_ids,
attention_mask, labels, length; `collate(rows) -> dict[str, Tensor]`) without depending on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from stiltx.tasks.spec import TaskKind

PAD = 1


@dataclass(frozen=True)
class Encoded:
    task: str
    kind: TaskKind
    features: Any


def make_encoded(
    task: str,
    n: int,
    *,
    seed: int = 0,
    min_len: int = 3,
    max_len: int = 60,
    kind=TaskKind.CLASSIFICATION,
) -> Encoded:
    """`n` rows with random lengths; `labels` holds the row number so tests can tell rows apart."""
    import datasets

    lengths = np.random.default_rng(seed).integers(min_len, max_len + 1, size=n).tolist()
    features = datasets.Dataset.from_dict(
        {
            "input_ids": [
                [5 + (i + j) % 50 for j in range(length)] for i, length in enumerate(lengths)
            ],
            "attention_mask": [[1] * length for length in lengths],
            "labels": list(range(n)),
            "length": lengths,
            "example_index": list(range(n)),
        }
    )
    return Encoded(task=task, kind=kind, features=features)


def pad_collate(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Dynamic padding to the longest row, as the encoding module's `collate` does."""
    import torch

    width = max(len(row["input_ids"]) for row in rows)
    return {
        "input_ids": torch.tensor(
            [r["input_ids"] + [PAD] * (width - len(r["input_ids"])) for r in rows]
        ),
        "attention_mask": torch.tensor(
            [r["attention_mask"] + [0] * (width - len(r["attention_mask"])) for r in rows]
        ),
        "labels": torch.tensor([r["labels"] for r in rows]),
    }


@pytest.fixture
def encoded_factory():
    return make_encoded


@pytest.fixture
def collate():
    return pad_collate
