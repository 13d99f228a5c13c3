"""QA answer spans kept through translation, on real XQuAD samples (../shared/data/xquad):
markers survive -> exact span; markers lost -> the translated answer is found in the context."""

from __future__ import annotations

import pytest

from stiltx.data.squad_json import read_squad_json
from stiltx.tasks.registry import get_task
from stiltx.translate.fields import rebuild, source_texts
from stiltx.translate.spans import OPEN, mark_answer, relocate, strip_markers, unmark

XQUAD = get_task("xquad")


@pytest.fixture(scope="module")
def xquad(shared_data):
    def read(language):
        return read_squad_json(shared_data / "xquad" / f"xquad.{language}.json", XQUAD, language)

    return read


def test_marked_span_round_trips_exactly_on_every_english_sample(xquad):
    examples = xquad("en")
    assert len(examples) > 1000
    for example in examples:
        answer = example.answers[0]
        context, found = unmark(mark_answer(example.context, answer))  # an identity "MT"
        assert found.text == answer.text
        assert context[found.start : found.start + len(found.text)] == answer.text
        assert strip_markers(mark_answer(example.context, answer)) == " ".join(
            example.context.split()
        )


def test_lost_markers_fall_back_to_the_translated_answer(xquad):
    """XQuAD's German context and answer stand in for an MT output that dropped the markers."""
    english, german = xquad("en"), {e.id: e for e in xquad("de")}
    found = at_gold = 0
    pairs = [german[e.id] for e in english if e.id in german][:300]
    for de in pairs:
        answer = de.answers[0]
        marked_output = de.context.replace(answer.text, answer.text.lower(), 1)  # MT changed case
        result = relocate(marked_output, answer.text)
        if result is None:
            continue
        context, located = result
        found += 1
        assert context[located.start : located.start + len(located.text)] == located.text
        assert located.text.lower() == " ".join(answer.text.lower().split())  # spacing normalized
        words_before = len(context[: located.start].split())
        at_gold += words_before == len(de.context[: answer.start].split())
    assert found == len(pairs)  # every German answer is found again
    assert at_gold / found > 0.9  # the first occurrence is the gold one almost always


def test_a_qa_example_whose_answer_is_lost_is_dropped(xquad):
    example = xquad("en")[0]
    texts = source_texts(example)
    assert texts[0] == example.question and OPEN in texts[1] and texts[2] == example.answers[0].text
    kept = rebuild(example, texts)  # identity translation keeps the example
    assert kept.answers[0].text == example.answers[0].text
    assert rebuild(example, [texts[0], "Ganz anderer Text.", "nicht da"]) is None
