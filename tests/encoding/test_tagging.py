"""Tagging encoding on real PAN-X sentences: tags sit on the first sub-token of each word."""

from __future__ import annotations

import pytest

from stiltx.encoding import encode_split
from stiltx.encoding.tagging import first_subtoken_labels
from stiltx.errors import DataError
from stiltx.tasks.examples import TaggingExample
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskKind

PANX_TAGS = get_task("panx").labels


@pytest.mark.parametrize("language", ["en", "de", "zh", "hi"])
def test_labels_align_with_words(panx_samples, tiny_tokenizer, make_spec, language):
    spec = make_spec(TaskKind.TAGGING, name="panx", labels=PANX_TAGS)
    examples = panx_samples[language]
    features = encode_split(spec, examples, tiny_tokenizer, 512).features
    assert features["example_index"] == list(range(len(examples)))
    for example, row in zip(examples, features, strict=True):
        labels, word_index = row["labels"], row["word_index"]
        # Independent count: each word tokenized alone gives its number of sub-tokens.
        sizes = [
            len(tiny_tokenizer(word, add_special_tokens=False)["input_ids"])
            for word in example.words
        ]
        expected_first = []
        position = 1  # after <s>
        for size in sizes:
            expected_first.append(position)
            position += size
        assert position + 1 == len(row["input_ids"])  # + </s>
        firsts = [i for i, w in enumerate(word_index) if w >= 0]
        assert firsts == expected_first
        assert [word_index[i] for i in firsts] == list(range(len(example.words)))
        assert [labels[i] for i in firsts] == [PANX_TAGS.index(t) for t in example.tags]
        assert all(labels[i] == -100 for i in range(len(labels)) if word_index[i] < 0)


def test_truncated_sentence_labels_only_the_words_that_fit(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.TAGGING, labels=("O", "X"))
    words = tuple("the cat sat on the mat".split() * 10)
    example = TaggingExample("s", words, tuple("X" if w == "cat" else "O" for w in words))
    row = encode_split(spec, [example], tiny_tokenizer, 16).features[0]
    assert len(row["input_ids"]) == 16
    kept = [w for w in row["word_index"] if w >= 0]
    assert kept == list(range(len(kept))) and 0 < len(kept) < len(words)


def test_unlabelled_and_bad_tags(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.TAGGING, labels=("O", "B-PER"))
    row = encode_split(spec, [TaggingExample("u", ("John", "ran"))], tiny_tokenizer, 32).features[0]
    assert set(row["labels"]) == {-100} and [w for w in row["word_index"] if w >= 0] == [0, 1]
    with pytest.raises(DataError, match=r"'b'.*word 1.*'B-LOC'"):
        encode_split(
            spec, [TaggingExample("b", ("a", "Paris"), ("O", "B-LOC"))], tiny_tokenizer, 32
        )
    with pytest.raises(DataError, match="2 words but 1 tags"):
        encode_split(spec, [TaggingExample("c", ("a", "b"), ("O",))], tiny_tokenizer, 32)


def test_first_subtoken_labels_by_hand():
    labels, index = first_subtoken_labels([None, 0, 0, 1, 2, 2, 2, None], [5, 6, 7])
    assert labels == [-100, 5, -100, 6, 7, -100, -100, -100]
    assert index == [-1, 0, -1, 1, 2, -1, -1, -1]
