"""Classification (single sentence or sentence pair) -> one feature per example.

XLM-R packs a pair as `<s> a </s></s> b </s>`; when the pair is too long both texts are cut,
longest first (the reference behaviour of jiant and XTREME). XLM-R has no token type ids, so none
are emitted.
"""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Features, List, Value

from stiltx.encoding.labels import class_id
from stiltx.errors import DataError
from stiltx.tasks.examples import ClassificationExample
from stiltx.tasks.spec import TaskSpec

FEATURES = Features(
    {
        "input_ids": List(Value("int32")),
        "attention_mask": List(Value("int8")),
        "length": Value("int32"),
        "example_index": Value("int64"),
        "labels": Value("int64"),
    }
)


def encode(
    spec: TaskSpec,
    examples: Sequence[ClassificationExample],
    tokenizer,
    max_length: int,
    stride: int,
    training: bool,
) -> dict[str, list]:
    """Tokenize a batch of examples (one batched fast-tokenizer call per kind of input)."""
    del stride, training  # one window per example; nothing differs between train and eval
    num_classes = len(spec.labels) if spec.labels else 2**31
    text_a = [ex.text_a for ex in examples]
    pairs = [ex.text_b is not None for ex in examples]
    if any(pairs) and not all(pairs):
        raise DataError(
            f"task {spec.name}: mixes single sentences and sentence pairs (e.g. example "
            f"{examples[pairs.index(False)].id!r} has no text_b); expected one or the other"
        )
    text_b = [ex.text_b for ex in examples] if all(pairs) and examples else None
    enc = tokenizer(
        text_a,
        text_b,
        truncation=True,
        max_length=max_length,
        return_token_type_ids=False,
        return_attention_mask=True,
    )
    return {
        "input_ids": enc["input_ids"],
        "attention_mask": enc["attention_mask"],
        "length": [len(ids) for ids in enc["input_ids"]],
        "example_index": list(range(len(examples))),
        "labels": [class_id(spec, ex.id, ex.label, num_classes) for ex in examples],
    }
