"""Prediction: pure post-processing on hand-built logits, and the batched loop on a tiny model."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from stiltx.encoding import encode_split
from stiltx.evaluation.predict import (
    CPU_MAX_TOKENS,
    argmax_predictions,
    batch_bounds,
    default_max_tokens,
    model_outputs,
    offsets_per_window,
    predict,
    qa_predictions,
    tagging_predictions,
    window_spans,
)
from stiltx.tasks.examples import (
    Answer,
    ClassificationExample,
    MultipleChoiceExample,
    QAExample,
    TaggingExample,
)
from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec

TAGS = ("B-PER", "I-PER", "O", "B-LOC", "I-LOC")


def spec(kind: TaskKind, labels=(), num_choices: int = 0) -> TaskSpec:
    return TaskSpec(
        name=f"toy_{kind.value}",
        kind=kind,
        role=Role.TARGET,
        description="test",
        languages=("en",),
        splits=("dev",),
        source=DataSource(local_format="none", local_paths={}),
        labels=tuple(labels),
        num_choices=num_choices,
    )


# ---------------------------------------------------------------- pure post-processing


def test_argmax_predictions_follow_example_index():
    logits = [np.array([0.1, 2.0, 0.3]), np.array([5.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])]
    assert argmax_predictions(logits, [2, 0, 1], 3) == [0, 2, 1]
    with pytest.raises(ValueError, match="no features"):
        argmax_predictions(logits[:2], [0, 1], 3)


def test_window_spans_keep_only_valid_spans():
    # tokens 0, 1, 5 are not context; 2..4 cover characters [0,3) [3,8) [8,12)
    offsets = [[-1, -1], [-1, -1], [0, 3], [3, 8], [8, 12], [-1, -1]]
    start = np.array([100.0, 50.0, 1.0, 3.0, 2.0, 90.0])
    end = np.array([100.0, 50.0, 2.0, 1.0, 0.5, 90.0])
    # Valid (start <= end, both context): 2-2, 2-3, 2-4, 3-3, 3-4, 4-4. The top context pair
    # (start 3, end 2: score 5) has end < start and is excluded.
    assert sorted(window_spans(start, end, offsets)) == sorted(
        [(3.0, 0, 3), (2.0, 0, 8), (1.5, 0, 12), (4.0, 3, 8), (3.5, 3, 12), (2.5, 8, 12)]
    )
    assert max(window_spans(start, end, offsets)) == (4.0, 3, 8)
    assert sorted(window_spans(start, end, offsets, max_answer_length=1)) == [
        (2.5, 8, 12),
        (3.0, 0, 3),
        (4.0, 3, 8),
    ]
    assert window_spans(start, end, offsets, n_best=2) == []  # the top 2 are non-context
    assert window_spans(start, end, offsets, n_best=3) == []  # only start 3 / end 2: end < start


def _straddling_example(tokenizer, max_length=48, stride=16):
    """A QA example whose answer is cut by one window and whole in the next; and its features."""
    answer = "John Smith wrote it in 2004"
    question = "Who wrote the book?"
    for filler in range(1, 60):
        context = "The cat sat on the mat. " * 4 + "a " * filler + answer + ". The old house."
        a_start = context.index(answer)
        example = QAExample("q", question, context, (Answer(answer, a_start),))
        features = encode_split(
            spec(TaskKind.EXTRACTIVE_QA), [example], tokenizer, max_length, stride=stride
        ).features
        rows = list(features)
        for k in range(len(rows) - 1):
            ctx = [o for o in rows[k]["offset_mapping"] if o[0] >= 0]
            if (
                ctx[0][0] <= a_start < ctx[-1][1] < a_start + len(answer)
                and rows[k + 1]["start_positions"]
            ):
                return example, rows, k
    raise AssertionError("no filler length gives a straddling answer")


def _logits_for(rows, picks):
    """Start/end logits per window: 100 on <s>, the first question token and the last </s>
    (non-context: must never be chosen), `picks` {window: (start, end, value)} on top of 0."""
    starts, ends = [], []
    for k, row in enumerate(rows):
        n = len(row["input_ids"])
        start, end = np.zeros(n), np.zeros(n)
        for t in (0, 1, n - 1):
            assert row["offset_mapping"][t] == [-1, -1]
            start[t] = end[t] = 100.0
        if k in picks:
            s, e, v = picks[k]
            start[s] += v
            end[e] += v
        starts.append(start)
        ends.append(end)
    return starts, ends


def test_qa_answer_spanning_two_windows(tiny_tokenizer):
    example, rows, k = _straddling_example(tiny_tokenizer)
    a_start = example.answers[0].start
    cut = rows[k]["offset_mapping"]
    s_k = next(t for t, o in enumerate(cut) if o[0] >= 0 and o[0] <= a_start < o[1])
    e_k = max(t for t, o in enumerate(cut) if o[0] >= 0)  # the window ends inside the answer
    whole = rows[k + 1]
    s_next, e_next = whole["start_positions"], whole["end_positions"]
    offsets = [row["offset_mapping"] for row in rows]
    index = [row["example_index"] for row in rows]

    # The whole answer in window k+1 outscores the cut-off span in window k.
    starts, ends = _logits_for(rows, {k: (s_k, e_k, 5.0), k + 1: (s_next, e_next, 6.0)})
    assert qa_predictions(starts, ends, offsets, index, [example.context]) == [
        example.answers[0].text
    ]

    # The best span over all windows wins, wherever it is: here the truncated one.
    starts, ends = _logits_for(rows, {k: (s_k, e_k, 7.0), k + 1: (s_next, e_next, 6.0)})
    (truncated,) = qa_predictions(starts, ends, offsets, index, [example.context])
    assert truncated == example.context[a_start : cut[e_k][1]].strip()
    assert (
        truncated
        and example.answers[0].text.startswith(truncated)
        and truncated != example.answers[0].text
    )

    # Spans longer than max_answer_length tokens are invalid: one-token spans remain, and the
    # best is a single token of window k (score 7 + 0) at either end of the cut span.
    (single,) = qa_predictions(starts, ends, offsets, index, [example.context], max_answer_length=1)
    token_text = {example.context[cut[t][0] : cut[t][1]].strip() for t in (s_k, e_k)}
    assert single in token_text
    # Only non-context tokens among the top-1 candidates -> no valid span -> "".
    assert qa_predictions(starts, ends, offsets, index, [example.context], n_best=1) == [""]


def test_tagging_predictions_map_first_subtokens_to_words():
    # Sentence of 4 words; only words 0..2 fit; word 1 has two sub-tokens.
    word_index = [-1, 0, 1, -1, 2, -1]
    logits = np.full((6, 3), -1.0)
    for position, label in [(1, 2), (2, 0), (3, 1), (4, 1)]:
        logits[position, label] = 1.0
    assert tagging_predictions([logits], [word_index], [0], [4], ("B", "I", "O")) == [
        ["O", "B", "I", "O"]
    ]
    assert tagging_predictions([logits], [word_index], [0], [4], ("X", "Y", "Z")) == [
        ["Z", "X", "Y", "X"]
    ]


# ---------------------------------------------------------------- the model loop


@pytest.fixture(scope="module")
def model(tiny_model_dir):
    adapters = pytest.importorskip("adapters")
    torch.manual_seed(0)
    model = adapters.AutoAdapterModel.from_pretrained(tiny_model_dir)
    if "default" in model.heads:
        model.delete_head("default")
    model.add_classification_head("x", num_labels=3)
    model.add_multiple_choice_head("y", num_choices=2)
    model.add_qa_head("z")
    model.add_tagging_head("t", num_labels=len(TAGS))
    return model


def test_classification_predictions_restore_input_order(model, tiny_tokenizer):
    texts = [
        "The cat.",
        "The cat sat on the mat and looked at the old house near the river.",
        "A man.",
        "Paris is the capital of France.",
        "Hi",
        "Berlin ist die Hauptstadt von Deutschland.",
    ]
    examples = [
        ClassificationExample(str(i), t, "A person plays music.", None) for i, t in enumerate(texts)
    ]
    encoded = encode_split(
        spec(TaskKind.CLASSIFICATION, ("a", "b", "c")), examples, tiny_tokenizer, 64
    )
    model.train()
    outputs = model_outputs(model, "x", encoded, batch_size=4)
    assert model.training  # mode restored
    with torch.inference_mode():
        model.eval()
        for row, (logits,) in zip(encoded.features, outputs, strict=True):
            alone = model(
                input_ids=torch.tensor([row["input_ids"]]),
                attention_mask=torch.tensor([row["attention_mask"]]),
                head="x",
            ).logits[0]
            np.testing.assert_allclose(logits, alone.numpy(), atol=1e-5)
    predictions = predict(model, "x", encoded, batch_size=4, device="cpu")
    assert predictions == [int(np.argmax(o[0])) for o in outputs]
    assert all(isinstance(p, int) and 0 <= p < 3 for p in predictions)


def test_multiple_choice_qa_and_tagging_predictions(model, tiny_tokenizer):
    mc = [
        MultipleChoiceExample(str(i), "It rained." * (i + 1), ("Yes.", "The river rose."), None)
        for i in range(3)
    ]
    choices = predict(
        model,
        "y",
        encode_split(spec(TaskKind.MULTIPLE_CHOICE, num_choices=2), mc, tiny_tokenizer, 64),
        batch_size=2,
    )
    assert len(choices) == 3 and all(c in (0, 1) for c in choices)

    context = " ".join(f"In {1900 + i} the cat sat on the mat." for i in range(12))
    qa = [QAExample(str(i), q, context) for i, q in enumerate(["When?", "Who sat on the mat?"])]
    answers = predict(
        model,
        "z",
        encode_split(spec(TaskKind.EXTRACTIVE_QA), qa, tiny_tokenizer, 48, stride=16),
        batch_size=3,
    )
    assert len(answers) == 2 and all(isinstance(a, str) and a in context for a in answers)
    features = encode_split(
        spec(TaskKind.EXTRACTIVE_QA), qa, tiny_tokenizer, 48, stride=16
    ).features
    for subset in (features, features.select([3, 1, 4])):
        arrays = offsets_per_window(subset)
        assert [a.tolist() for a in arrays] == subset["offset_mapping"]

    sentences = [
        TaggingExample("0", ("John", "lives", "in", "Paris")),
        TaggingExample("1", tuple("the cat sat".split() * 20)),
    ]
    encoded = encode_split(spec(TaskKind.TAGGING, TAGS), sentences, tiny_tokenizer, 16)
    tags = predict(model, "t", encoded, batch_size=2)
    assert [len(t) for t in tags] == [4, 60]
    assert all(tag in TAGS for sentence in tags for tag in sentence)
    fitted = max(w for w in encoded.features[1]["word_index"])
    assert set(tags[1][fitted + 1 :]) == {"O"}  # cut off by max_length: the default tag


def _loop_qa_predictions(starts, ends, offsets, index, contexts):
    """The span choice written as a plain loop over `window_spans` (the reference)."""
    best = [None] * len(contexts)
    for start, end, offs, i in zip(starts, ends, offsets, index, strict=True):
        for span in window_spans(start, end, offs):
            if best[i] is None or span[0] > best[i][0]:
                best[i] = span
    return [
        "" if b is None else c[b[1] : b[2]].strip() for b, c in zip(best, contexts, strict=True)
    ]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_vectorised_span_choice_equals_the_loop_ties_included(dtype):
    rng = np.random.default_rng(3)
    contexts = ["".join(rng.choice(list("abc "), size=400)) for _ in range(40)]
    starts, ends, offsets, index = [], [], [], []
    for w in range(150):
        n = int(rng.integers(5, 70))
        # few distinct values: many ties, the hard case for identical choices
        starts.append(rng.integers(0, 4, size=n).astype(dtype))
        ends.append(rng.integers(0, 4, size=n).astype(dtype))
        first = int(rng.integers(1, 4))
        chars = np.sort(rng.integers(0, 390, size=n))
        offs = [[int(c), int(c) + 3] for c in chars]
        for t in [*range(first), n - 1, *rng.integers(0, n, size=2).tolist()]:
            offs[t] = [-1, -1]
        offsets.append(offs)
        index.append(int(rng.integers(0, 40)) if w >= 40 else w)
    assert qa_predictions(starts, ends, offsets, index, contexts) == _loop_qa_predictions(
        starts, ends, offsets, index, contexts
    )


# ---------------------------------------------------------------- batching by a token budget


def test_batch_bounds_by_tokens_and_by_count():
    lengths = np.array([10, 8, 8, 5, 3, 3, 1])
    # 20 tokens: 2 rows of 10, then 2 of 8, then every row of 3 and below (6 fit, 3 are left)
    assert batch_bounds(lengths, 32, 20) == [(0, 2), (2, 4), (4, 7)]
    assert batch_bounds(np.array([50, 5]), 32, 20) == [(0, 1), (1, 2)]  # too long: alone
    assert batch_bounds(lengths, 3) == [(0, 3), (3, 6), (6, 7)]  # no budget: batch_size rows
    assert batch_bounds(np.array([], dtype=np.int64), 3, 20) == []
    assert default_max_tokens("cuda", 32, 384) == 32 * 384
    threads = torch.get_num_threads()
    try:  # CPU: the token budget, whatever the threads
        for n in (1, 2):
            torch.set_num_threads(n)
            assert default_max_tokens("cpu", 32, 384) == CPU_MAX_TOKENS
    finally:
        torch.set_num_threads(threads)


def _budget_examples(kind: TaskKind):
    """Examples of very different lengths, so budgets cut batches of 1 to all rows."""
    words = "the cat sat on the mat and looked at the old house near the river".split()
    if kind is TaskKind.CLASSIFICATION:
        return [
            ClassificationExample(str(i), " ".join(words[: 1 + (i * 5) % 14]), "A dog.", None)
            for i in range(9)
        ]
    if kind is TaskKind.TAGGING:
        return [TaggingExample(str(i), tuple(words[: 1 + (i * 3) % 14])) for i in range(9)]
    if kind is TaskKind.MULTIPLE_CHOICE:
        return [
            MultipleChoiceExample(str(i), " ".join(words[: 2 + i]), ("Yes.", "The river."), None)
            for i in range(5)
        ]
    context = " ".join(f"In {1900 + i} the cat sat on the mat." for i in range(10))
    return [
        QAExample(str(i), q, context[: 40 + 25 * i])
        for i, q in enumerate(["When?", "Who sat on the mat?", "Where did the cat sit?"])
    ]


@pytest.mark.parametrize(
    ("kind", "head", "labels"),
    [
        (TaskKind.CLASSIFICATION, "x", ("a", "b", "c")),
        (TaskKind.TAGGING, "t", TAGS),
        (TaskKind.EXTRACTIVE_QA, "z", ()),
        (TaskKind.MULTIPLE_CHOICE, "y", ()),
    ],
)
def test_token_budget_batches_predict_as_fixed_count_batches(
    model, tiny_tokenizer, kind, head, labels
):
    """Same outputs (to float noise) and identical predictions, so identical scores."""
    task = spec(kind, labels, num_choices=2 if kind is TaskKind.MULTIPLE_CHOICE else 0)
    examples = _budget_examples(kind)
    encoded = encode_split(task, examples, tiny_tokenizer, 48, stride=16)
    lengths = np.asarray(encoded.features["length"])
    assert len(set(lengths.tolist())) > 2  # batches of different widths
    fixed = model_outputs(model, head, encoded, batch_size=2, max_tokens=0)
    reference = predict(model, head, encoded, batch_size=2, max_tokens=0)
    # a budget of one longest row (batches of 1 .. several rows), of everything at once, and the
    # device's default
    for budget in (int(lengths.max()) * 2, int(lengths.sum()) * 2, None):
        outputs = model_outputs(model, head, encoded, batch_size=2, max_tokens=budget)
        for ours, theirs in zip(outputs, fixed, strict=True):
            for a, b in zip(ours, theirs, strict=True):
                assert a.shape == b.shape
                np.testing.assert_allclose(a, b, atol=1e-5)
        assert predict(model, head, encoded, batch_size=2, max_tokens=budget) == reference
