"""Extractive QA -> doc-stride windows over the context, one feature per window.

Question first, context second, `truncation="only_second"`: a long context is cut into windows of
`max_length` tokens whose starts are `doc_stride` context tokens apart, as XTREME and jiant cut
them (`doc_stride` is the step between window starts, not the overlap; the rule, its reference
lines and our clamps: stiltx/encoding/qa_windows.py). The fast tokenizer's `stride` argument is
the overlap, so it gets room - step, where room is what the window leaves for context after this
question; questions are tokenized in groups of equal room. Every window keeps `example_index`, so
prediction regroups the windows of one question; `offset_mapping` (character offsets into the
context, [-1, -1] for question and special tokens), so a predicted token span maps back to text;
and `token_is_max_context` (1 where this window is the token's max-context window, 0 elsewhere and
on non-context tokens), so prediction starts an answer only there, as the references do.

Training targets: the first answer's character span -> the token span inside the window, or
(0, 0) = CLS when the answer is not wholly inside that window (or the question has no answer).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
from datasets import Features, List, Value

from stiltx.encoding.qa_windows import doc_spans, max_context_masks, window_step
from stiltx.tasks.examples import QAExample
from stiltx.tasks.spec import TaskSpec

MAX_QUERY_TOKENS = 64  # XTREME / BERT's max_query_length: longer questions are cut
NO_OFFSET = [-1, -1]  # offset of a token that is not part of the context

FEATURES = Features(
    {
        "input_ids": List(Value("int32")),
        "attention_mask": List(Value("int8")),
        "length": Value("int32"),
        "example_index": Value("int64"),
        "start_positions": Value("int64"),
        "end_positions": Value("int64"),
        "offset_mapping": List(List(Value("int32"), length=2)),
        "token_is_max_context": List(Value("int8")),
    }
)


def query_budget(max_length: int, num_special: int) -> int:
    """Most question tokens in a window: MAX_QUERY_TOKENS, or half the window when it is small."""
    max_query = min(MAX_QUERY_TOKENS, (max_length - num_special) // 2)
    if max_query < 1 or max_length - num_special - max_query < 2:
        raise ValueError(f"max_length {max_length} is too short for question + context windows")
    return max_query


def answer_token_span(
    offsets: Sequence[Sequence[int]], start_char: int, end_char: int
) -> tuple[int, int]:
    """Token span (inclusive) of the characters [start_char, end_char) in one window, else (0, 0).

    `offsets` holds one [start, end) per token, NO_OFFSET for non-context tokens.
    """
    offsets = np.asarray(offsets).reshape(-1, 2)
    context = np.flatnonzero(offsets[:, 0] >= 0)
    if context.size == 0 or end_char <= start_char:
        return 0, 0
    first, last = int(context[0]), int(context[-1])
    if offsets[first, 0] > start_char or offsets[last, 1] < end_char:
        return 0, 0
    window = offsets[first : last + 1]
    # start: the last token beginning at or before start_char; end: the first token ending at or
    # after end_char (offsets are non-decreasing inside the context)
    start = first + int(np.flatnonzero(window[:, 0] <= start_char)[-1])
    end = first + int(np.flatnonzero(window[:, 1] >= end_char)[0])
    return start, end


def context_offsets(offsets: Sequence[Sequence[int]], sequence_ids: list[int | None]) -> np.ndarray:
    """(n, 2) int32 offsets with NO_OFFSET outside the context (sequence 1, a contiguous run)."""
    out = np.asarray(offsets, dtype=np.int32).reshape(-1, 2)
    first = sequence_ids.index(1) if 1 in sequence_ids else len(sequence_ids)
    last = len(sequence_ids) - 1 - sequence_ids[::-1].index(1) if 1 in sequence_ids else -1
    out[:first] = NO_OFFSET
    out[last + 1 :] = NO_OFFSET
    return out


def clip_questions(questions: list[str], tokenizer, max_tokens: int) -> list[str]:
    """Strip leading spaces and cut questions longer than `max_tokens` tokens (at a token end)."""
    questions = [q.lstrip() for q in questions]
    enc = tokenizer(questions, add_special_tokens=False, return_offsets_mapping=True)
    return [
        q if len(offs) <= max_tokens else q[: offs[max_tokens - 1][1]]
        for q, offs in zip(questions, enc["offset_mapping"], strict=True)
    ]


def encode(
    spec: TaskSpec,
    examples: Sequence[QAExample],
    tokenizer,
    max_length: int,
    stride: int,
    training: bool,
) -> dict[str, list | pa.Array]:
    """Tokenize a batch of questions into windows with answer token spans and context offsets.

    `stride` is the doc stride: context tokens between window starts.
    """
    del spec, training  # windows and targets are the same for training and evaluation
    num_special = tokenizer.num_special_tokens_to_add(pair=True)
    questions = clip_questions(
        [ex.question for ex in examples], tokenizer, query_budget(max_length, num_special)
    )
    question_tokens = tokenizer(questions, add_special_tokens=False)["input_ids"]
    rooms = [max_length - num_special - len(ids) for ids in question_tokens]
    windows: list[list[dict]] = [[] for _ in examples]
    for room in sorted(set(rooms)):
        group = [i for i, r in enumerate(rooms) if r == room]
        step = window_step(stride, room)
        enc = tokenizer(
            [questions[i] for i in group],
            [examples[i].context for i in group],
            truncation="only_second",
            max_length=max_length,
            stride=room - step,  # the fast tokenizer's stride is the overlap
            return_overflowing_tokens=True,
            return_offsets_mapping=True,
            return_token_type_ids=False,
        )
        for w, ids in enumerate(enc["input_ids"]):
            offsets = context_offsets(enc["offset_mapping"][w], enc.sequence_ids(w))
            windows[group[enc["overflow_to_sample_mapping"][w]]].append(
                {"ids": ids, "mask": enc["attention_mask"][w], "offsets": offsets}
            )
        for i in group:
            _mark_max_context(windows[i], room, step)
    columns: dict[str, list] = {name: [] for name in FEATURES}
    for example_index, (example, rows) in enumerate(zip(examples, windows, strict=True)):
        for row in rows:
            start, end = (0, 0)
            if example.answers:
                first = example.answers[0]
                start, end = answer_token_span(
                    row["offsets"], first.start, first.start + len(first.text)
                )
            columns["input_ids"].append(row["ids"])
            columns["attention_mask"].append(row["mask"])
            columns["length"].append(len(row["ids"]))
            columns["example_index"].append(example_index)
            columns["start_positions"].append(start)
            columns["end_positions"].append(end)
            columns["offset_mapping"].append(row["offsets"])
            columns["token_is_max_context"].append(row["max_context"])
    columns["offset_mapping"] = offsets_array(columns["offset_mapping"])
    return columns


def _mark_max_context(rows: list[dict], room: int, step: int) -> None:
    """Add each window's `max_context` (one 0/1 per token), checking the windows' token spans.

    The tokenizer's windows must be the reference's spans (qa_windows.doc_spans); a tokenizer
    whose overflow behaves otherwise fails here rather than silently shifting windows.
    """
    lengths = [int((row["offsets"][:, 0] >= 0).sum()) for row in rows]
    spans = doc_spans((len(rows) - 1) * step + lengths[-1], room, step)
    if [n for _, n in spans] != lengths:
        raise RuntimeError(f"QA windows of {lengths} context tokens, expected spans {spans}")
    for row, mask in zip(rows, max_context_masks(spans), strict=True):
        flags = np.zeros(len(row["ids"]), dtype=np.int8)
        flags[np.flatnonzero(row["offsets"][:, 0] >= 0)] = mask
        row["max_context"] = flags


def offsets_array(rows: list[np.ndarray]) -> pa.Array:
    """Per-window (n, 2) offset arrays as one Arrow list<fixed_size_list<int32, 2>> column.

    Built from one flat buffer: ~20x faster than letting `datasets` convert nested lists.
    """
    flat = np.concatenate(rows).reshape(-1) if rows else np.zeros(0, dtype=np.int32)
    starts = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum([len(r) for r in rows], out=starts[1:])
    pairs = pa.FixedSizeListArray.from_arrays(pa.array(flat, type=pa.int32()), 2)
    return pa.ListArray.from_arrays(pa.array(starts), pairs)
