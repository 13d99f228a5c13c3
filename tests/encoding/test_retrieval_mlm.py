"""Retrieval sentences and MLM lines / blocks."""

from __future__ import annotations

from stiltx.encoding import encode_split
from stiltx.tasks.examples import MLMExample, RetrievalCorpus, Text
from stiltx.tasks.spec import TaskKind


def test_retrieval_rows_are_queries_then_candidates(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.RETRIEVAL, name="tatoeba")
    corpus = RetrievalCorpus(
        "de-en",
        queries=(Text("q0", "Die Katze saß."), Text("q1", "Berlin ist groß.")),
        candidates=(Text("c0", "The cat sat."), Text("c1", "Berlin is big."), Text("c2", "Hi")),
        gold={"q0": ("c0",), "q1": ("c1",)},
    )
    features = encode_split(spec, [corpus], tiny_tokenizer, 32).features
    assert features["is_query"] == [1, 1, 0, 0, 0]
    assert features["text_index"] == [0, 1, 0, 1, 2]
    assert features["example_index"] == [0] * 5
    texts = [t.text for t in corpus.queries + corpus.candidates]
    assert features["input_ids"] == tiny_tokenizer(texts)["input_ids"]
    plain = encode_split(spec, [Text("a", "Hi"), Text("b", "The cat")], tiny_tokenizer, 32)
    assert plain.features["text_index"] == [0, 1] == plain.features["example_index"]


def test_mlm_blocks_keep_every_token(tiny_tokenizer, make_spec):
    spec = make_spec(TaskKind.MLM, name="mlm")
    lines = [MLMExample(str(i), f"The cat sat on the mat number {i}.") for i in range(20)]
    blocks = encode_split(spec, lines, tiny_tokenizer, 32, training=True).features
    bos, eos = tiny_tokenizer.bos_token_id, tiny_tokenizer.eos_token_id
    stream = []
    for line in lines:
        stream += tiny_tokenizer(line.text, add_special_tokens=False)["input_ids"] + [eos]
    assert all(len(ids) <= 32 and ids[0] == bos and ids[-1] == eos for ids in blocks["input_ids"])
    assert [t for ids in blocks["input_ids"] for t in ids[1:-1]] == stream
    assert blocks["example_index"][0] == 0 and blocks["example_index"] == sorted(
        blocks["example_index"]
    )
    per_line = encode_split(spec, lines, tiny_tokenizer, 32, training=False).features
    assert per_line["input_ids"] == tiny_tokenizer([x.text for x in lines])["input_ids"]
