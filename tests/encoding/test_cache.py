"""The encoded-split cache: reused on a second call, invalidated by tokenizer / length changes."""

from __future__ import annotations

import pytest

from stiltx.encoding import encode_split
from stiltx.encoding.cache import fingerprint
from stiltx.tasks.examples import ClassificationExample
from stiltx.tasks.spec import TaskKind

EXAMPLES = [
    ClassificationExample(str(i), f"The cat sat on mat {i}.", "A person plays music.", i % 3)
    for i in range(30)
]


class CountingTokenizer:
    """Counts calls to a real tokenizer (everything else passes through)."""

    def __init__(self, tokenizer):
        self._tokenizer = tokenizer
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self._tokenizer(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._tokenizer, name)


@pytest.fixture
def spec(make_spec):
    return make_spec(TaskKind.CLASSIFICATION, name="pawsx", labels=("a", "b", "c"))


def test_second_call_loads_from_disk(tmp_path, tiny_tokenizer, spec):
    tokenizer = CountingTokenizer(tiny_tokenizer)
    first = encode_split(spec, EXAMPLES, tokenizer, 32, cache_dir=tmp_path)
    assert tokenizer.calls == 1
    entry = tmp_path / "pawsx" / first.fingerprint
    assert (entry / "meta.json").is_file() and (entry / "features").is_dir()
    second = encode_split(spec, EXAMPLES, tokenizer, 32, cache_dir=tmp_path)
    assert tokenizer.calls == 1  # nothing was tokenized again
    assert second.fingerprint == first.fingerprint
    assert second.features.to_dict() == first.features.to_dict()
    assert all(str(entry) in f["filename"] for f in second.features.cache_files)
    assert second.examples == EXAMPLES and second.num_examples == 30
    assert not [p for p in (tmp_path / "pawsx").iterdir() if p.name.startswith(".")]  # no temp left


def test_fingerprint_changes_with_what_the_encoding_depends_on(
    tmp_path, tiny_tokenizer, spec, make_spec
):
    from stiltx.toy.tokenizer import train_tokenizer

    base = fingerprint(spec, EXAMPLES, tiny_tokenizer, 32, 128, True)
    tiny_tokenizer(["warm up"], truncation=True, max_length=7)  # per-call state must not matter
    assert fingerprint(spec, EXAMPLES, tiny_tokenizer, 32, 128, True) == base
    tiny_tokenizer.save_pretrained(tmp_path / "tok")
    from transformers import XLMRobertaTokenizerFast

    reloaded = XLMRobertaTokenizerFast.from_pretrained(tmp_path / "tok")
    assert fingerprint(spec, EXAMPLES, reloaded, 32, 128, True) == base
    other_tokenizer = train_tokenizer(["The cat sat on the mat."] * 20, vocab_size=60)
    changed = [
        fingerprint(spec, EXAMPLES, other_tokenizer, 32, 128, True),
        fingerprint(spec, EXAMPLES, tiny_tokenizer, 64, 128, True),
        fingerprint(spec, EXAMPLES, tiny_tokenizer, 32, 64, True),
        fingerprint(spec, EXAMPLES, tiny_tokenizer, 32, 128, False),
        fingerprint(spec, EXAMPLES[:-1], tiny_tokenizer, 32, 128, True),
        fingerprint(
            make_spec(TaskKind.CLASSIFICATION, "pawsx", ("x", "y", "z")),
            EXAMPLES,
            tiny_tokenizer,
            32,
            128,
            True,
        ),
    ]
    assert len(set(changed + [base])) == len(changed) + 1
    added = XLMRobertaTokenizerFast.from_pretrained(tmp_path / "tok")
    added.add_tokens(["<new>"])
    assert fingerprint(spec, EXAMPLES, added, 32, 128, True) != base


def test_changed_tokenizer_never_reuses_the_cache(tmp_path, tiny_tokenizer, spec):
    from stiltx.toy.tokenizer import train_tokenizer

    first = encode_split(spec, EXAMPLES, tiny_tokenizer, 32, cache_dir=tmp_path)
    other = train_tokenizer(["The cat sat on the mat. A person plays music."] * 20, vocab_size=60)
    second = encode_split(spec, EXAMPLES, other, 32, cache_dir=tmp_path)
    assert second.fingerprint != first.fingerprint
    assert (
        second.features["input_ids"]
        == other(
            [e.text_a for e in EXAMPLES],
            [e.text_b for e in EXAMPLES],
            truncation=True,
            max_length=32,
        )["input_ids"]
    )
    longer = encode_split(spec, EXAMPLES, tiny_tokenizer, 64, cache_dir=tmp_path)
    assert longer.fingerprint not in {first.fingerprint, second.fingerprint}
    assert len(list((tmp_path / "pawsx").iterdir())) == 3
