"""Classification (single / pair) and multiple-choice encoding."""

from __future__ import annotations

import pytest

from stiltx.encoding import encode_split
from stiltx.errors import DataError
from stiltx.tasks.examples import ClassificationExample, MultipleChoiceExample
from stiltx.tasks.spec import TaskKind

NLI = ("entailment", "neutral", "contradiction")


def test_pair_classification(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.CLASSIFICATION, name="xnli", labels=NLI)
    examples = [
        ClassificationExample("0", "A man is playing a guitar.", "A person plays music.", 0),
        ClassificationExample("1", "The cat sat.", "Nobody is playing.", None),
    ]
    encoded = encode_split(spec, examples, tiny_tokenizer, 64)
    features = encoded.features
    assert (
        encoded.num_examples == 2
        and encoded.labels == NLI
        and encoded.kind is TaskKind.CLASSIFICATION
    )
    assert set(features.column_names) == {
        "input_ids",
        "attention_mask",
        "length",
        "example_index",
        "labels",
    }
    assert features["labels"] == [0, -100]
    expected = tiny_tokenizer("A man is playing a guitar.", "A person plays music.")["input_ids"]
    assert features[0]["input_ids"] == expected
    assert expected.count(tiny_tokenizer.sep_token_id) == 3  # <s> a </s></s> b </s>
    assert features["length"] == [len(ids) for ids in features["input_ids"]]


def test_single_sentence_truncation_and_errors(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.CLASSIFICATION, labels=("no", "yes"))
    long = ClassificationExample("l", "The cat sat on the mat. " * 50, None, 1)
    row = encode_split(spec, [long], tiny_tokenizer, 20).features[0]
    assert len(row["input_ids"]) == 20 and row["input_ids"][-1] == tiny_tokenizer.eos_token_id
    with pytest.raises(DataError, match=r"'bad' has label 7.*0..1"):
        encode_split(spec, [ClassificationExample("bad", "x", None, 7)], tiny_tokenizer, 20)
    mixed = [ClassificationExample("a", "x", "y", 0), ClassificationExample("b", "x", None, 0)]
    with pytest.raises(DataError, match="mixes single sentences and sentence pairs"):
        encode_split(spec, mixed, tiny_tokenizer, 20)
    with pytest.raises(DataError, match="expected ClassificationExample"):
        encode_split(spec, [MultipleChoiceExample("m", "c", ("a", "b"), 0)], tiny_tokenizer, 20)


def test_multiple_choice_packs_n_pairs(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.MULTIPLE_CHOICE, name="xcopa", num_choices=2)
    examples = [
        MultipleChoiceExample("0", "The man sat. What was the cause?", ("He was tired.", "No."), 0),
        MultipleChoiceExample(
            "1", "It rained.", ("The river rose near the old house.", "Cats."), None
        ),
    ]
    features = encode_split(spec, examples, tiny_tokenizer, 64).features
    assert features["labels"] == [0, -100]
    for example, row in zip(examples, features, strict=True):
        assert len(row["input_ids"]) == 2 and len(row["attention_mask"]) == 2
        for choice, ids in zip(example.choices, row["input_ids"], strict=True):
            assert ids == tiny_tokenizer(example.context, choice)["input_ids"]
        assert row["length"] == max(len(ids) for ids in row["input_ids"])
    with pytest.raises(DataError, match="has 3 choices, expected 2"):
        encode_split(
            spec, [MultipleChoiceExample("x", "c", ("a", "b", "c"), 0)], tiny_tokenizer, 64
        )
