"""Extractive QA encoding on real XQuAD / TyDiQA samples: windows, answer spans, offsets."""

from __future__ import annotations

import pytest

from stiltx.encoding import encode_split
from stiltx.encoding.extractive_qa import answer_token_span, query_budget
from stiltx.tasks.examples import Answer, QAExample
from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec

SPEC = TaskSpec(
    name="xquad",
    kind=TaskKind.EXTRACTIVE_QA,
    role=Role.TARGET,
    description="test",
    languages=("en",),
    splits=("dev",),
    source=DataSource(local_format="none", local_paths={}),
)
MAX_LENGTH, STRIDE = 96, 32


@pytest.mark.parametrize(
    "sample", ["xquad.en", "xquad.de", "xquad.zh", "xquad.hi", "tydiqa.sw", "tydiqa.ko"]
)
def test_answer_span_in_every_window_decodes_to_the_answer(qa_samples, tiny_tokenizer, sample):
    examples = qa_samples[sample]
    features = encode_split(SPEC, examples, tiny_tokenizer, MAX_LENGTH, stride=STRIDE).features
    assert "token_type_ids" not in features.column_names
    exact = labelled = 0
    found = set()
    for row in features:
        example = examples[row["example_index"]]
        answer = example.answers[0]
        a_start, a_end = answer.start, answer.start + len(answer.text)
        offsets = row["offset_mapping"]
        context_tokens = [o for o in offsets if o[0] >= 0]
        covers = context_tokens[0][0] <= a_start and context_tokens[-1][1] >= a_end
        s, e = row["start_positions"], row["end_positions"]
        assert len(row["input_ids"]) <= MAX_LENGTH
        # A window is labelled with the answer exactly when it holds the whole answer.
        assert (s, e) != (0, 0) if covers else (s, e) == (0, 0)
        if not covers:
            continue
        labelled += 1
        found.add(row["example_index"])
        assert 0 < s <= e
        # The boundary tokens hold the answer's first and last characters (tightest span) ...
        assert offsets[s][0] <= a_start < offsets[s][1]
        assert offsets[e][0] < a_end <= offsets[e][1]
        text = example.context[offsets[s][0] : offsets[e][1]].strip()
        # ... so the span decodes to the answer, or to the answer inside one partly-covered
        # token (the tiny tokenizer has many <unk> tokens spanning several characters).
        assert answer.text.strip() in text
        exact += text == answer.text.strip()
    assert labelled > 0 and len(found) >= 0.9 * len(examples)
    if sample in {"xquad.en", "xquad.de", "xquad.hi"}:  # alphabetic scripts align on words
        assert exact >= 0.9 * labelled


def test_windows_start_stride_tokens_apart_and_cover_the_context(qa_samples, tiny_tokenizer):
    examples = qa_samples["xquad.en"][:10]
    features = encode_split(SPEC, examples, tiny_tokenizer, MAX_LENGTH, stride=STRIDE).features
    by_example: dict[int, list[list[list[int]]]] = {}
    for row in features:
        context = [tuple(o) for o in row["offset_mapping"] if o[0] >= 0]
        by_example.setdefault(row["example_index"], []).append(context)
    assert sorted(by_example) == list(range(10))  # windows of one question stay in order
    for index, windows in by_example.items():
        assert len(windows) > 1  # these paragraphs are far longer than one 96-token window
        full = tiny_tokenizer(examples[index].context, return_offsets_mapping=True)
        all_tokens = [tuple(o) for o in full["offset_mapping"][1:-1]]
        for k, window in enumerate(windows):  # doc stride = the step between window starts
            assert window == all_tokens[k * STRIDE : k * STRIDE + len(window)]
        assert windows[-1][-1] == all_tokens[-1]
        assert {o for w in windows for o in w} == set(all_tokens)


def test_long_question_is_cut_and_unanswered_gets_cls(tiny_tokenizer):
    question = "Who wrote the book in London " * 40
    example = QAExample("q", question, "John Smith wrote it in 2004 while living in London.")
    features = encode_split(SPEC, [example], tiny_tokenizer, 128).features
    max_query = query_budget(128, 4)
    for row in features:
        question_tokens = row["offset_mapping"].index([-1, -1], 1)  # after <s> + question
        assert question_tokens - 1 <= max_query
        assert (row["start_positions"], row["end_positions"]) == (0, 0)


def test_answer_token_span_on_hand_built_offsets():
    # <s> q </s></s> "▁John" "▁Sm" "ith" "▁wrote" </s>
    offsets = [[-1, -1], [-1, -1], [-1, -1], [-1, -1], [0, 4], [4, 7], [7, 10], [10, 16], [-1, -1]]
    assert answer_token_span(offsets, 0, 10) == (4, 6)  # "John Smith"
    assert answer_token_span(offsets, 5, 10) == (5, 6)  # "Smith": starts inside "▁Sm"'s space
    assert answer_token_span(offsets, 11, 16) == (7, 7)
    assert answer_token_span(offsets, 11, 20) == (0, 0)  # runs past the window
    assert answer_token_span([[-1, -1], [-1, -1]], 0, 3) == (0, 0)


def test_answer_only_in_a_later_window(tiny_tokenizer):
    context = " ".join(f"In {1900 + i} the cat sat on the mat." for i in range(30))
    start = context.index("1925")
    example = QAExample("x", "When?", context, (Answer("1925", start),))
    features = encode_split(SPEC, [example], tiny_tokenizer, 64, stride=16).features
    labelled = [row for row in features if row["start_positions"] > 0]
    assert len(features) > 3 and 1 <= len(labelled) < len(features)
    assert features[0]["start_positions"] == 0
    for row in labelled:
        o = row["offset_mapping"]
        span = context[o[row["start_positions"]][0] : o[row["end_positions"]][1]]
        assert span.strip() == "1925"


def test_selecting_examples_keeps_all_their_windows_renumbered(qa_samples, tiny_tokenizer):
    from stiltx.encoding.split import select_examples

    examples = qa_samples["xquad.en"][:9]
    encoded = encode_split(SPEC, examples, tiny_tokenizer, MAX_LENGTH, stride=STRIDE)
    share = select_examples(encoded, range(1, 9, 2))  # what process 1 of 2 evaluates
    assert share.examples == [examples[i] for i in (1, 3, 5, 7)] and share.num_examples == 4
    full = encoded.features
    for k, original in enumerate((1, 3, 5, 7)):
        rows = [r for r in full if r["example_index"] == original]
        mine = [r for r in share.features if r["example_index"] == k]
        assert len(mine) == len(rows) > 1  # every doc-stride window of the question
        for a, b in zip(rows, mine, strict=True):
            assert a["input_ids"] == b["input_ids"] and a["offset_mapping"] == b["offset_mapping"]
            assert (a["start_positions"], a["end_positions"]) == (
                b["start_positions"],
                b["end_positions"],
            )
