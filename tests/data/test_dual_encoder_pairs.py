"""The dual-encoder texts as XTREME-R makes them: sb_sed sentence breaks, LAReQA's SQuAD pairs
(processors/lareqa.py:242-310) and Mewsli-X's mention / entity strings (utils_mewslix.py:562-617)."""

from __future__ import annotations

import json

from stiltx.data.dual_encoder import entity_text, mention_text, read_mewsli_pairs, squad_pairs
from stiltx.data.sentence_breaks import sentence_breaks
from stiltx.tasks.examples import Answer, QAExample

# Recorded from xtreme third_party/processors/sb_sed.py infer_sentence_breaks on this text.
TRICKY = (
    'Dr. Smith went to Washington, D.C. He met J. R. R. Tolkien there. "Why?" she asked. It '
    "rained (a lot). In 1998 the U.S. 100 dollar bill changed. e.g. this one. [...] But no! "
    "Warner Bros.\nRecords signed Jay Z. Then \u2022 Items."
)
TRICKY_BREAKS = [
    (0, 34), (35, 65), (66, 83), (84, 102), (103, 159), (160, 165), (166, 173), (174, 208),
    (209, 213), (214, 222),
]  # fmt: skip


def test_sentence_breaks_equal_the_recorded_reference_output():
    assert list(sentence_breaks(TRICKY)) == TRICKY_BREAKS


def test_squad_pairs_pair_each_question_with_its_sentence_then_the_paragraph():
    context = "Paris is in France. It has\nmany museums. The Louvre opened in 1793."
    examples = [
        QAExample("q1", "Where is Paris?", context, (Answer("France", 12),)),
        QAExample(
            "q2",
            "When?",
            context,
            (Answer("1793", context.index("1793")), Answer("in 1793", context.index("in 1793"))),
        ),  # fmt: skip
        QAExample("q3", "Unanswerable?", context, ()),  # no answer: no pair
        QAExample("q4", "Misplaced?", context, (Answer("Rome", 12),)),  # text not at its start
    ]
    pairs = squad_pairs(examples)
    assert [p.id for p in pairs] == ["q1", "q2"]
    assert pairs[0].query == "Where is Paris?"
    # lareqa.py:51: sentence + paragraph, newlines removed
    assert pairs[0].candidate == "Paris is in France." + context.replace("\n", "")
    assert pairs[1].candidate == "The Louvre opened in 1793." + context.replace("\n", "")


def test_mewsli_strings_follow_the_reference_preprocessing():
    # the docstring's example (utils_mewslix.py:575-577) as its code makes it (:583-602): one
    # sentence of context, spaces around the marked mention, the mention prepended
    sentences = [
        "Earlier news.",
        "The verdict came back for Smith, who stepped down as AG of Fictitious County in "
        "February, 2012.",
        "Later {news}.",
    ]
    text = " ".join(sentences)
    starts = [text.index(s) for s in sentences]
    spans = [{"start": b, "end": b + len(s)} for b, s in zip(starts, sentences, strict=True)]
    start = text.index("Smith")
    assert mention_text(text, spans, start, start + 5) == (
        "Smith: The verdict came back for { Smith } , who stepped down as AG of Fictitious County "
        "in February, 2012."
    )
    escaped = mention_text(text, spans, text.index("Later"), text.index("Later") + 5)
    assert escaped == "Later: { Later } (news)."  # existing markers escaped (:588-592)
    entity = {"description": "A  city.\nOn a river. Skipped", "sentence_spans": [
        {"start": 0, "end": 8}, {"start": 9, "end": 20}]}  # fmt: skip
    assert entity_text(entity, "here") == "A city. On a river."


def test_mewsli_pairs_read_one_mention_entity_pair_a_line(tmp_path):
    row = {
        "contextual_mention": {
            "context": {"language": "en", "text": "Ann Lee sang. Bo ran.",
                        "sentence_spans": [{"start": 0, "end": 13}, {"start": 14, "end": 21}]},
            "mention": {"example_id": "m1", "entity_id": "Q1",
                        "mention_span": {"start": 0, "end": 7, "text": "Ann Lee"}},
        },
        "entity": {"entity_id": "Q1", "description": "Ann Lee is a singer.",
                   "sentence_spans": [{"start": 0, "end": 20}]},
    }  # fmt: skip
    path = tmp_path / "wikipedia_pairs-train.jsonl"
    path.write_text(json.dumps(row) + "\n")
    [pair] = read_mewsli_pairs(path, None, "en")
    assert (pair.id, pair.query, pair.candidate) == (
        "m1",
        "Ann Lee: { Ann Lee } sang.",
        "Ann Lee is a singer.",
    )


def test_missing_wikipedia_pairs_stop_the_run_naming_the_file_and_where_to_get_it(
    tmp_path, toy_cache
):
    from typer.testing import CliRunner

    from stiltx.cli import app

    args = [
        "train", "--recipe", "xtreme-r", "--preset", "tiny", "--out", str(tmp_path / "run"),
        "--set", "toy.size=smoke", "--set", f"toy.cache_dir={toy_cache}",
        "--set", "intermediate=null", "--set", "target.tasks=[mewsli_x]",
        "--set", "retrieval.tasks=[]", "--set", "data.source=local",
        "--set", f"data.data_dir={tmp_path}",
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert "mewsli_x/wikipedia_pairs-train.jsonl" in result.output
    assert "get-mewsli-x.sh" in result.output and "Traceback" not in result.output
