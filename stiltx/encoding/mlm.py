"""Masked language modelling -> token blocks (training) or one feature per line (evaluation).

Training packs the text densely, like XLM-R's pretraining: the lines' tokens, each line ended by
`</s>`, are concatenated and cut into blocks of `max_length - 2` tokens, each wrapped in
`<s> ... </s>`; the last, shorter block is kept. `example_index` is the line a block starts in.
Evaluation (`training=False`) encodes each line on its own, truncated. Masking is not done here:
the collator masks at batch time (stiltx.encoding.collate), so every epoch sees fresh masks.
"""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Features, List, Value

from stiltx.tasks.examples import MLMExample
from stiltx.tasks.spec import TaskSpec

FEATURES = Features(
    {
        "input_ids": List(Value("int32")),
        "attention_mask": List(Value("int8")),
        "length": Value("int32"),
        "example_index": Value("int64"),
    }
)


def pack_blocks(
    line_ids: Sequence[Sequence[int]], block: int, bos: int, eos: int
) -> tuple[list[list[int]], list[int]]:
    """Concatenate lines (each + eos), cut into `block`-token pieces wrapped in bos/eos.

    Returns the blocks and, for each, the index of the line its first token comes from.
    """
    stream: list[int] = []
    owner: list[int] = []
    for i, ids in enumerate(line_ids):
        stream.extend(ids)
        stream.append(eos)
        owner.extend([i] * (len(ids) + 1))
    blocks, starts = [], []
    for begin in range(0, len(stream), block):
        blocks.append([bos, *stream[begin : begin + block], eos])
        starts.append(owner[begin])
    return blocks, starts


def encode(
    spec: TaskSpec,
    examples: Sequence[MLMExample],
    tokenizer,
    max_length: int,
    stride: int,
    training: bool,
) -> dict[str, list]:
    """Tokenize lines in one batched call; pack them into blocks when training."""
    del spec, stride
    texts = [ex.text for ex in examples]
    if training:
        enc = tokenizer(texts, add_special_tokens=False, return_attention_mask=False)
        ids, starts = pack_blocks(
            enc["input_ids"], max_length - 2, tokenizer.bos_token_id, tokenizer.eos_token_id
        )
    else:
        enc = tokenizer(texts, truncation=True, max_length=max_length, return_attention_mask=False)
        ids, starts = enc["input_ids"], list(range(len(examples)))
    return {
        "input_ids": ids,
        "attention_mask": [[1] * len(x) for x in ids],
        "length": [len(x) for x in ids],
        "example_index": starts,
    }
