"""Dual-encoder pairs -> one row per pair: the query's and the candidate's token ids, each
truncated on its own (XTREME-R encodes them apart: processors/lareqa.py:40-54, query at
`query_max_length`, candidate at `max_length`). `collate` stacks a batch's queries above its
candidates so one encoder pass embeds both (stiltx.model.dual_encoder)."""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Features, List, Value

from stiltx.tasks.examples import RetrievalPair
from stiltx.tasks.spec import TaskSpec

FEATURES = Features(
    {
        "query_input_ids": List(Value("int32")),
        "candidate_input_ids": List(Value("int32")),
        "length": Value("int32"),
        "example_index": Value("int64"),
    }
)


def encode(
    spec: TaskSpec,
    examples: Sequence[RetrievalPair],
    tokenizer,
    max_length: int,
    stride: int,
    training: bool,
) -> dict[str, list]:
    del stride, training
    query_length = spec.query_max_length or max_length
    queries = tokenizer(
        [e.query for e in examples], truncation=True, max_length=query_length,
        return_token_type_ids=False, return_attention_mask=False,
    )["input_ids"]  # fmt: skip
    candidates = tokenizer(
        [e.candidate for e in examples], truncation=True, max_length=max_length,
        return_token_type_ids=False, return_attention_mask=False,
    )["input_ids"]  # fmt: skip
    return {
        "query_input_ids": queries,
        "candidate_input_ids": candidates,
        "length": [max(len(q), len(c)) for q, c in zip(queries, candidates, strict=True)],
        "example_index": list(range(len(examples))),
    }
