"""Tagging (POS, NER, CCG supertags) -> one feature per sentence of pre-split words.

The words are tokenized with `is_split_into_words=True`; each word's tag id goes on its FIRST
sub-token and every other position gets -100 (ignored by the loss), as in XTREME and jiant.
`word_index` records which word a first sub-token starts (-1 elsewhere), so prediction maps token
predictions back to words. Sentences longer than `max_length` tokens are truncated: their last
words get no token (prediction fills them in, see stiltx.evaluation.predict).
"""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Features, List, Value

from stiltx.encoding.labels import IGNORE_INDEX, tag_ids
from stiltx.errors import DataError
from stiltx.tasks.examples import TaggingExample
from stiltx.tasks.spec import TaskSpec

FEATURES = Features(
    {
        "input_ids": List(Value("int32")),
        "attention_mask": List(Value("int8")),
        "length": Value("int32"),
        "example_index": Value("int64"),
        "labels": List(Value("int64")),
        "word_index": List(Value("int32")),
    }
)


def first_subtoken_labels(
    word_ids: Sequence[int | None], tag_ids_of_words: Sequence[int] | None
) -> tuple[list[int], list[int]]:
    """(labels, word_index) per token: the word's tag id / number on its first sub-token only."""
    labels, word_index = [], []
    previous = None
    for word in word_ids:
        if word is None or word == previous:
            labels.append(IGNORE_INDEX)
            word_index.append(-1)
        else:
            labels.append(IGNORE_INDEX if tag_ids_of_words is None else tag_ids_of_words[word])
            word_index.append(word)
        previous = word
    return labels, word_index


def _tag_ids(spec: TaskSpec, ex: TaggingExample, ids: dict[str, int]) -> list[int] | None:
    if ex.tags is None:
        return None
    if len(ex.tags) != len(ex.words):
        raise DataError(
            f"task {spec.name}: example {ex.id!r} has {len(ex.words)} words but {len(ex.tags)} "
            "tags, expected one tag per word"
        )
    for position, tag in enumerate(ex.tags):
        if tag not in ids:
            raise DataError(
                f"task {spec.name}: example {ex.id!r} word {position} ({ex.words[position]!r}) has "
                f"tag {tag!r}, expected one of {list(ids)}"
            )
    return [ids[tag] for tag in ex.tags]


def encode(
    spec: TaskSpec,
    examples: Sequence[TaggingExample],
    tokenizer,
    max_length: int,
    stride: int,
    training: bool,
) -> dict[str, list]:
    """Tokenize a batch of word sequences and align tags to first sub-tokens."""
    del stride, training
    ids = tag_ids(spec)
    enc = tokenizer(
        [list(ex.words) for ex in examples],
        is_split_into_words=True,
        truncation=True,
        max_length=max_length,
        return_token_type_ids=False,
    )
    columns: dict[str, list] = {name: [] for name in FEATURES}
    for i, ex in enumerate(examples):
        labels, word_index = first_subtoken_labels(enc.word_ids(i), _tag_ids(spec, ex, ids))
        columns["input_ids"].append(enc["input_ids"][i])
        columns["attention_mask"].append(enc["attention_mask"][i])
        columns["length"].append(len(enc["input_ids"][i]))
        columns["example_index"].append(i)
        columns["labels"].append(labels)
        columns["word_index"].append(word_index)
    return columns
