"""Features of a target's English training examples from an encoder, for LogME (torch).

One row per thing the target's head predicts, the label it must predict beside it:
- classification: the sentence (pair) mean-pooled over its tokens, label = the class;
- multiple choice: each (context, choice) pair pooled, label = 1 for the right choice, else 0;
- tagging: each labelled token (the first sub-token of a word), label = its tag id;
- extractive QA: each context token of each window, two labels: is it the answer's start, is
  it its end (LogME of each, averaged by the caller), as a span head's two token classifiers see it.
The last hidden layer, as the target head reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from stiltx.encoding.extractive_qa import NO_OFFSET
from stiltx.encoding.labels import IGNORE_INDEX
from stiltx.tasks.spec import TaskKind


@dataclass(frozen=True)
class Features:
    rows: np.ndarray  # (R, hidden)
    labels: dict[str, np.ndarray]  # label name -> (R,) ints; QA has `start` and `end`
    forward_passes: int  # sequences run through the encoder


def extract(model, tokenizer, encoded, batch_size: int) -> Features:
    """Rows and labels of `encoded` (an EncodedSplit) under `model`'s encoder, forward only."""
    import torch

    from stiltx.encoding.collate import collate

    kind, features = encoded.kind, encoded.features
    encoder = getattr(model, "base_model", model)
    device = next(model.parameters()).device
    rows: list[np.ndarray] = []
    labels: dict[str, list[np.ndarray]] = {}
    passes = 0
    model.eval()
    with torch.inference_mode():
        for start in range(0, len(features), batch_size):
            batch_rows = [features[i] for i in range(start, min(start + batch_size, len(features)))]
            batch = collate(kind, batch_rows, pad_token_id=tokenizer.pad_token_id)
            ids, mask = batch["input_ids"], batch["attention_mask"]
            shape = ids.shape
            ids, mask = ids.view(-1, shape[-1]), mask.view(-1, shape[-1])  # MC: (B*N, L)
            hidden = encoder(input_ids=ids.to(device), attention_mask=mask.to(device))
            hidden = hidden.last_hidden_state.float().cpu()
            passes += ids.shape[0]
            found, named = _rows(kind, hidden, mask, batch, batch_rows, shape)
            rows.append(found)
            for name, values in named.items():
                labels.setdefault(name, []).append(values)
    return Features(
        rows=np.concatenate(rows).astype(np.float64),
        labels={name: np.concatenate(parts) for name, parts in labels.items()},
        forward_passes=passes,
    )


def _rows(kind: TaskKind, hidden, mask, batch, batch_rows, shape):
    """(rows, {label name: labels}) of one batch; see the module docstring."""
    if kind in (TaskKind.CLASSIFICATION, TaskKind.MULTIPLE_CHOICE):
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = ((hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)).numpy()
        gold = batch["labels"].numpy()
        if kind is TaskKind.CLASSIFICATION:
            return pooled, {"label": gold}
        choices = np.arange(shape[1])[None, :] == gold[:, None]  # (B, N): the right choice
        return pooled, {"label": choices.reshape(-1).astype(np.int64)}
    if kind is TaskKind.TAGGING:
        tags = batch["labels"]
        keep = tags != IGNORE_INDEX
        return hidden[keep].numpy(), {"label": tags[keep].numpy()}
    if kind is TaskKind.EXTRACTIVE_QA:
        found, starts, ends = [], [], []
        for i, row in enumerate(batch_rows):
            offsets = np.asarray(row["offset_mapping"]).reshape(-1, 2)
            context = np.flatnonzero(offsets[:, 0] != NO_OFFSET[0])
            found.append(hidden[i, context].numpy())
            starts.append((context == row["start_positions"]).astype(np.int64))
            ends.append((context == row["end_positions"]).astype(np.int64))
        return np.concatenate(found), {"start": np.concatenate(starts), "end": np.concatenate(ends)}
    raise ValueError(f"no LogME features for {kind.value} targets")
