"""Rows of an encoded split -> a padded batch of tensors for the model (dynamic padding).

Each batch is padded to its own longest row (multiple choice: its longest choice), never to
`max_length`, so length-grouped batches waste little compute. With `buckets` (`bucket_lengths`)
it is padded to the smallest bucket that holds that row instead: a few shapes in all, so a
compiled model (`train.compile`) is not recompiled for every new length. Only the columns in
`MODEL_INPUTS[kind]` (the feature columns a batch is built from; MLM adds `labels` by masking)
reach the model; bookkeeping columns (`length`, `example_index`,
`offset_mapping`, `word_index`) stay behind. MLM masks here, at batch time, with torch's global
RNG, so a resumed run that restores the RNG state masks exactly as the uninterrupted one.
"""

from __future__ import annotations

from functools import lru_cache

import torch

from stiltx.encoding.labels import IGNORE_INDEX
from stiltx.tasks.spec import TaskKind

MODEL_INPUTS: dict[TaskKind, tuple[str, ...]] = {
    TaskKind.CLASSIFICATION: ("input_ids", "attention_mask", "labels"),
    TaskKind.MULTIPLE_CHOICE: ("input_ids", "attention_mask", "labels"),
    TaskKind.EXTRACTIVE_QA: ("input_ids", "attention_mask", "start_positions", "end_positions"),
    TaskKind.TAGGING: ("input_ids", "attention_mask", "labels"),
    TaskKind.MLM: ("input_ids", "attention_mask"),  # + labels, made by masking
    TaskKind.RETRIEVAL: ("input_ids", "attention_mask"),
    # stacked into input_ids (queries, then candidates) and attention_mask by `collate`
    TaskKind.DUAL_ENCODER: ("query_input_ids", "candidate_input_ids"),
}


def bucket_lengths(max_length: int, buckets: int) -> tuple[int, ...]:
    """`buckets` padded lengths up to `max_length`: max_length x k / buckets (k = 1..buckets),
    rounded up to a multiple of 8 (tensor-core friendly) and never above max_length."""
    if buckets <= 0:
        return ()
    sizes = set()
    for k in range(1, buckets + 1):
        size = -(-max_length * k // buckets)  # ceil
        sizes.add(min(max_length, -(-size // 8) * 8))
    return tuple(sorted(sizes))


def _padded_length(longest: int, buckets: tuple[int, ...]) -> int:
    """The smallest bucket that holds `longest`; `longest` itself without (or above all) buckets."""
    return next((size for size in buckets if size >= longest), longest)


def pad(values: list, pad_value: int, buckets: tuple[int, ...] = ()) -> torch.Tensor:
    """Stack ints, or right-pad lists of ints (B, L) or lists of lists (B, N, L) to the longest
    (or to the smallest of `buckets` that holds it)."""
    first = values[0]
    if not isinstance(first, list | tuple):
        return torch.tensor(values, dtype=torch.long)
    if first and isinstance(first[0], list | tuple):  # multiple choice: (B, N, L)
        longest = _padded_length(max(len(seq) for group in values for seq in group), buckets)
        out = torch.full((len(values), len(first), longest), pad_value, dtype=torch.long)
        for i, group in enumerate(values):
            for j, seq in enumerate(group):
                out[i, j, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
        return out
    longest = _padded_length(max(len(seq) for seq in values), buckets)
    out = torch.full((len(values), longest), pad_value, dtype=torch.long)
    for i, seq in enumerate(values):
        out[i, : len(seq)] = torch.as_tensor(seq, dtype=torch.long)
    return out


@lru_cache(maxsize=8)
def _masker(tokenizer, mlm_probability: float):
    # transformers: heavy, needed only for MLM batches
    from transformers import DataCollatorForLanguageModeling

    # seed=None: the collator draws from torch's global RNG (checkpointed with the run).
    return DataCollatorForLanguageModeling(tokenizer, mlm_probability=mlm_probability)


def mask_tokens(
    input_ids: torch.Tensor, attention_mask: torch.Tensor, tokenizer, mlm_probability: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT masking (80% <mask>, 10% random, 10% kept) of non-special, non-pad tokens.

    Returns (masked input_ids, labels) with labels -100 everywhere except the chosen positions.
    """
    special = torch.isin(input_ids, torch.tensor(tokenizer.all_special_ids)) | (attention_mask == 0)
    return _masker(tokenizer, float(mlm_probability)).torch_mask_tokens(input_ids.clone(), special)


def collate(
    kind: TaskKind | str,
    rows: list[dict],
    pad_token_id: int,
    mlm_tokenizer=None,
    mlm_probability: float = 0.15,
    buckets: tuple[int, ...] = (),
) -> dict[str, torch.Tensor]:
    """Pad `rows` (dicts of an encoded split) into model inputs; labels are padded with -100.
    `buckets`: padded lengths to choose from (`bucket_lengths`); empty: each batch's longest."""
    kind = TaskKind(kind)
    if kind is TaskKind.DUAL_ENCODER:  # row i's candidate is row B + i: one encoder pass for both
        sequences = [r["query_input_ids"] for r in rows] + [r["candidate_input_ids"] for r in rows]
        input_ids = pad(sequences, pad_token_id)
        mask = pad([[1] * len(s) for s in sequences], 0)
        return {"input_ids": input_ids, "attention_mask": mask}
    pad_values = {"input_ids": pad_token_id, "attention_mask": 0}
    batch = {
        name: pad([row[name] for row in rows], pad_values.get(name, IGNORE_INDEX), buckets)
        for name in MODEL_INPUTS[kind]
        if name in rows[0]
    }
    if kind is TaskKind.MLM:
        if mlm_tokenizer is None:
            raise ValueError("collate(mlm) needs mlm_tokenizer to mask tokens")
        batch["input_ids"], batch["labels"] = mask_tokens(
            batch["input_ids"], batch["attention_mask"], mlm_tokenizer, mlm_probability
        )
    return batch
