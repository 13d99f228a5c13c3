"""Retrieval -> one feature per sentence, for sentence embeddings (no labels, no training).

Input is either a list of `Text` (one row each, in order) or a list of `RetrievalCorpus` (rows: the
corpus's queries in order, then its candidates in order). `is_query` (1 / 0) and `text_index`
(position within the corpus's queries or candidates; for `Text` input, the position in the list)
say which sentence a row embeds, so stiltx.evaluation.retrieval can split the matrix back.
"""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Features, List, Value

from stiltx.tasks.examples import RetrievalCorpus, Text
from stiltx.tasks.spec import TaskSpec

FEATURES = Features(
    {
        "input_ids": List(Value("int32")),
        "attention_mask": List(Value("int8")),
        "length": Value("int32"),
        "example_index": Value("int64"),
        "is_query": Value("int8"),
        "text_index": Value("int64"),
    }
)


def _rows(
    examples: Sequence[Text | RetrievalCorpus],
) -> tuple[list[str], list[tuple[int, int, int]]]:
    """Sentences to embed and their (example_index, is_query, text_index)."""
    texts, where = [], []
    for i, ex in enumerate(examples):
        if isinstance(ex, Text):
            texts.append(ex.text)
            where.append((i, 1, i))
            continue
        for j, query in enumerate(ex.queries):
            texts.append(query.text)
            where.append((i, 1, j))
        for j, candidate in enumerate(ex.candidates):
            texts.append(candidate.text)
            where.append((i, 0, j))
    return texts, where


def encode(
    spec: TaskSpec,
    examples: Sequence[Text | RetrievalCorpus],
    tokenizer,
    max_length: int,
    stride: int,
    training: bool,
) -> dict[str, list]:
    """Tokenize every sentence (truncated to max_length) in one batched call."""
    del spec, stride, training
    texts, where = _rows(examples)
    enc = tokenizer(texts, truncation=True, max_length=max_length, return_token_type_ids=False)
    return {
        "input_ids": enc["input_ids"],
        "attention_mask": enc["attention_mask"],
        "length": [len(ids) for ids in enc["input_ids"]],
        "example_index": [w[0] for w in where],
        "is_query": [w[1] for w in where],
        "text_index": [w[2] for w in where],
    }
