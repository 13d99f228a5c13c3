"""QA windows and answer choice equal the references' on the real SQuAD-style samples.

The reference logic is re-implemented here from google-research/xtreme
`third_party/processors/squad.py` (transformers' legacy `squad_convert_example_to_features`, which
XTREME's run_squad.py uses with `--doc_stride 128`, scripts/train_qa.sh:67) and from the
candidate loop of `compute_predictions_logits` (nyu-mll/jiant
`jiant/tasks/lib/templates/squad_style/utils.py:286-338`, the same as transformers' copy that
XTREME's run_squad.py:55-57 imports), and compared with what stiltx encodes and predicts.
"""

from __future__ import annotations

import numpy as np
import pytest

from stiltx.encoding import encode_split
from stiltx.encoding.extractive_qa import query_budget
from stiltx.encoding.qa_windows import doc_spans, max_context_masks, window_step
from stiltx.evaluation.predict import max_context_per_window, offsets_per_window, qa_predictions
from stiltx.tasks.spec import TaskKind

PAIR_SPECIAL = 4  # XLM-R: <s> q </s></s> c </s> (the reference's sequence_pair_added_tokens)


# ---- the reference, re-implemented from the cited lines ----------------------------------------


def reference_doc_spans(num_tokens: int, room: int, doc_stride: int) -> list[tuple[int, int]]:
    """xtreme third_party/processors/squad.py:137-180: (start, length) of each window.

    `room` = max_seq_length - len(truncated_query) - sequence_pair_added_tokens (:151-154).
    """
    spans: list[tuple[int, int]] = []
    while len(spans) * doc_stride < num_tokens:  # :138
        start = len(spans) * doc_stride  # :173
        spans.append((start, min(num_tokens - start, room)))  # :151-154
        if num_tokens - start <= room:  # no overflowing tokens left (:178-179)
            break
    return spans


def reference_is_max_context(spans, cur_span_index: int, position: int) -> bool:
    """xtreme third_party/processors/squad.py:60-79 (`_new_check_is_max_context`)."""
    best_score, best_span_index = None, None
    for span_index, (start, length) in enumerate(spans):
        end = start + length - 1
        if position < start or position > end:
            continue
        score = min(position - start, end - position) + 0.01 * length
        if best_score is None or score > best_score:
            best_score, best_span_index = score, span_index
    return cur_span_index == best_span_index


def reference_best_indexes(logits, n_best_size: int) -> list[int]:
    """jiant squad_style/utils.py:530-539 (`_get_best_indexes`)."""
    ranked = sorted(enumerate(logits), key=lambda x: x[1], reverse=True)
    return [index for index, _ in ranked[:n_best_size]]


def reference_answer(windows, context: str, n_best_size=20, max_answer_length=30) -> str:
    """jiant squad_style/utils.py:286-338: the top prelim prediction over an example's windows.

    `windows`: (start_logits, end_logits, offsets, is_max_context {token index: bool}) per
    feature; `start in token_to_orig_map` = a context token (offset not [-1, -1]).
    """
    prelim = []
    for start_logits, end_logits, offsets, is_max_context in windows:
        context_tokens = {t for t, o in enumerate(offsets) if o[0] >= 0}
        for start in reference_best_indexes(start_logits, n_best_size):
            for end in reference_best_indexes(end_logits, n_best_size):
                if start not in context_tokens or end not in context_tokens:  # :303-310
                    continue
                if not is_max_context.get(start, False):  # :311
                    continue
                if end < start or end - start + 1 > max_answer_length:  # :313-317
                    continue
                score = start_logits[start] + end_logits[end]
                prelim.append((score, offsets[start][0], offsets[end][1]))
    prelim = sorted(prelim, key=lambda p: p[0], reverse=True)  # :337-339, stable
    return context[prelim[0][1] : prelim[0][2]].strip() if prelim else ""


# ---- the samples -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def spec(make_spec):
    return make_spec(TaskKind.EXTRACTIVE_QA, name="xquad")


@pytest.fixture(scope="module")
def samples(qa_samples):
    """XQuAD en (= SQuAD v1.1 dev) / de / zh, MLQA de / hi, TyDiQA-GoldP sw / ko: 20 each."""
    names = ("xquad.en", "xquad.de", "xquad.zh", "mlqa.de", "mlqa.hi", "tydiqa.sw", "tydiqa.ko")
    return {name: qa_samples[name][:20] for name in names}


def _reference_windows(example, tokenizer, max_length, doc_stride):
    """The reference's spans and max-context flags for one example (its context token count)."""
    max_query = query_budget(max_length, PAIR_SPECIAL)  # XTREME: 64 at max_seq_length 384
    question = tokenizer(example.question.lstrip(), add_special_tokens=False)["input_ids"]
    room = max_length - min(len(question), max_query) - PAIR_SPECIAL
    context = tokenizer(example.context, add_special_tokens=False, return_offsets_mapping=True)
    spans = reference_doc_spans(len(context["input_ids"]), room, doc_stride)
    flags = [
        [reference_is_max_context(spans, k, start + j) for j in range(length)]
        for k, (start, length) in enumerate(spans)
    ]
    return spans, flags, [tuple(o) for o in context["offset_mapping"]]


@pytest.mark.parametrize(("max_length", "doc_stride"), [(64, 16), (96, 32), (80, 24), (256, 64)])
def test_windows_and_max_context_equal_the_reference(
    spec, samples, tiny_tokenizer, max_length, doc_stride
):
    several = 0
    for name, examples in samples.items():
        features = encode_split(spec, examples, tiny_tokenizer, max_length, stride=doc_stride)
        rows = features.features.to_list()
        for index, example in enumerate(examples):
            mine = [r for r in rows if r["example_index"] == index]
            spans, flags, all_offsets = _reference_windows(
                example, tiny_tokenizer, max_length, doc_stride
            )
            assert len(mine) == len(spans), (name, example.id)
            for row, (start, length), ref_flags in zip(mine, spans, flags, strict=True):
                context = [t for t, o in enumerate(row["offset_mapping"]) if o[0] >= 0]
                offsets = [tuple(row["offset_mapping"][t]) for t in context]
                assert offsets == all_offsets[start : start + length], (name, example.id)
                assert [bool(row["token_is_max_context"][t]) for t in context] == ref_flags
                outside = set(range(len(row["input_ids"]))) - set(context)
                assert not any(row["token_is_max_context"][t] for t in outside)
            several += len(spans) >= 3
    # long contexts: several windows per question, so the max-context rule is exercised
    assert several >= (50 if max_length < 256 else 5)


def test_a_step_larger_than_the_room_is_clamped_not_a_gap():
    assert window_step(128, 300) == 128
    assert window_step(128, 128) == 128  # contiguous windows, as the reference
    assert window_step(128, 57) == 29  # ceil(57 / 2): every token in about two windows
    spans = doc_spans(200, 57, window_step(128, 57))
    covered = {p for start, length in spans for p in range(start, start + length)}
    assert covered == set(range(200))
    for spans in (doc_spans(1000, 300, 128), doc_spans(301, 300, 128), doc_spans(10, 300, 128)):
        assert spans == reference_doc_spans(spans[-1][0] + spans[-1][1], 300, 128)
    masks = max_context_masks(doc_spans(1000, 300, 128))
    assert sum(int(m.sum()) for m in masks) == 1000  # each token is max-context exactly once


@pytest.mark.parametrize(
    "spans",
    [
        [(0, 10), (5, 300)],  # at position 7 only the 0.01 * length term decides (2.1 vs 5.0)
        [(0, 300), (3, 40), (20, 300)],
        doc_spans(1000, 300, 128),
        doc_spans(7, 300, 128),
    ],
)
def test_max_context_masks_equal_the_reference_score(spans):
    masks = max_context_masks(spans)
    for k, (start, length) in enumerate(spans):
        expected = [reference_is_max_context(spans, k, start + j) for j in range(length)]
        assert masks[k].tolist() == expected
    with pytest.raises(ValueError, match="must both be >= 1"):
        window_step(0, 300)


def test_answers_equal_the_reference_choice_on_fixed_logits(spec, samples, tiny_tokenizer):
    rng = np.random.default_rng(7)
    differs = total = 0
    for examples in samples.values():
        encoded = encode_split(spec, examples, tiny_tokenizer, 64, stride=16)
        features = encoded.features
        n = [len(ids) for ids in features["input_ids"]]
        # peaked, tie-free logits: a few high tokens per window, so windows compete
        starts = [rng.normal(size=k) + 4.0 * (rng.random(k) < 0.1) for k in n]
        ends = [rng.normal(size=k) + 4.0 * (rng.random(k) < 0.1) for k in n]
        offsets = offsets_per_window(features)
        flags = max_context_per_window(features)
        index = features["example_index"]
        contexts = [ex.context for ex in examples]
        ours = qa_predictions(starts, ends, offsets, index, contexts, flags)
        without_rule = qa_predictions(starts, ends, offsets, index, contexts)
        for i, example in enumerate(examples):
            spans, ref_flags, _ = _reference_windows(example, tiny_tokenizer, 64, 16)
            windows = []
            for k, w in enumerate(np.flatnonzero(np.asarray(index) == i)):
                context = [t for t, o in enumerate(offsets[w].tolist()) if o[0] >= 0]
                is_max = dict(zip(context, ref_flags[k], strict=True))
                windows.append((starts[w], ends[w], offsets[w].tolist(), is_max))
            assert ours[i] == reference_answer(windows, example.context), example.id
            differs += ours[i] != without_rule[i]
            total += 1
    assert differs > 0  # the max-context rule changed some answers: the check has teeth
    print(f"max-context changed {differs} of {total} answers")
