"""Model outputs -> one prediction per source example, for every trainable task kind.

Two layers, kept apart so the second is tested on hand-built logits:
- `model_outputs`: the batched forward pass under `torch.inference_mode`. Features are sorted by
  length (longest first) so each dynamically padded batch is tight; outputs are put back in
  feature order and trimmed to each feature's own length.
- pure post-processing (`argmax_predictions`, `qa_predictions`, `tagging_predictions`): plain
  numpy, logits -> predictions.

Predictions per kind: classification -> label index (into spec.labels); multiple choice -> choice
index; extractive QA -> answer text; tagging -> one tag per word.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from stiltx.encoding import EncodedSplit, collate
from stiltx.tasks.spec import TaskKind

MAX_ANSWER_LENGTH = 30  # tokens, as in the SQuAD / XTREME reference code
N_BEST = 20  # start and end candidates considered per window
DEFAULT_TAG = "O"  # tag for words that got no token (truncated sentence); labels[0] if absent


# ---------------------------------------------------------------- pure post-processing


def argmax_predictions(
    logits: Sequence[np.ndarray], example_index: Sequence[int], num_examples: int
) -> list[int]:
    """Classification / multiple choice: the argmax of each example's single feature."""
    predictions: list[int | None] = [None] * num_examples
    for scores, index in zip(logits, example_index, strict=True):
        predictions[index] = int(np.argmax(scores))
    missing = [i for i, p in enumerate(predictions) if p is None]
    if missing:
        raise ValueError(f"no features for examples {missing[:5]} (of {len(missing)})")
    return predictions  # type: ignore[return-value]


def window_spans(
    start_logits: np.ndarray,
    end_logits: np.ndarray,
    offsets: Sequence[Sequence[int]],
    *,
    max_answer_length: int = MAX_ANSWER_LENGTH,
    n_best: int = N_BEST,
) -> list[tuple[float, int, int]]:
    """Valid answer spans of one window as (score, start_char, end_char).

    Candidates are the n_best start and n_best end tokens; a span is valid when both ends are
    context tokens (offset not [-1, -1]), start <= end and it has at most max_answer_length tokens.
    Score = start logit + end logit.
    """
    starts = np.argsort(start_logits, kind="stable")[::-1][:n_best]
    ends = np.argsort(end_logits, kind="stable")[::-1][:n_best]
    spans = []
    for s in starts:
        if offsets[s][0] < 0:
            continue
        for e in ends:
            if offsets[e][0] < 0 or e < s or e - s + 1 > max_answer_length:
                continue
            spans.append((float(start_logits[s] + end_logits[e]), offsets[s][0], offsets[e][1]))
    return spans


def qa_predictions(
    start_logits: Sequence[np.ndarray],
    end_logits: Sequence[np.ndarray],
    offset_mapping: Sequence[Sequence[Sequence[int]]],
    example_index: Sequence[int],
    contexts: Sequence[str],
    *,
    max_answer_length: int = MAX_ANSWER_LENGTH,
    n_best: int = N_BEST,
) -> list[str]:
    """Extractive QA: per question, the best valid span over ALL its doc-stride windows.

    Each window contributes its valid spans (see `window_spans`); the highest score wins and is
    cut from the context by character offsets (surrounding whitespace stripped, since XLM-R's
    word-initial tokens cover the preceding space). No valid span -> "".
    """
    best: list[tuple[float, int, int] | None] = [None] * len(contexts)
    for start, end, offsets, index in zip(
        start_logits, end_logits, offset_mapping, example_index, strict=True
    ):
        for span in window_spans(
            start, end, offsets, max_answer_length=max_answer_length, n_best=n_best
        ):
            if best[index] is None or span[0] > best[index][0]:
                best[index] = span
    return [
        "" if span is None else context[span[1] : span[2]].strip()
        for span, context in zip(best, contexts, strict=True)
    ]


def tagging_predictions(
    logits: Sequence[np.ndarray],
    word_index: Sequence[Sequence[int]],
    example_index: Sequence[int],
    num_words: Sequence[int],
    labels: Sequence[str],
) -> list[list[str]]:
    """Tagging: each word's tag is the argmax at its first sub-token.

    Words that got no token (cut off by max_length, or a word the tokenizer maps to nothing) get
    DEFAULT_TAG ("O") when the label set has it, else the first label, so every sentence gets
    exactly one tag per word and the metric sees aligned sequences.
    """
    fallback = DEFAULT_TAG if DEFAULT_TAG in labels else labels[0]
    tags = [[fallback] * n for n in num_words]
    for scores, words, index in zip(logits, word_index, example_index, strict=True):
        for position, word in enumerate(words):
            if word >= 0:
                tags[index][word] = labels[int(np.argmax(scores[position]))]
    return tags


# ---------------------------------------------------------------- the model loop


def model_outputs(
    model, head: str, encoded: EncodedSplit, *, batch_size: int = 32, device=None
) -> list[tuple[np.ndarray, ...]]:
    """Run `model` with `head` over every feature; return outputs in feature order.

    Per feature: (logits,) for classification / multiple choice (trimmed to the feature's length
    for tagging), (start_logits, end_logits) for QA. The model's train/eval mode is restored.
    """
    features = encoded.features
    lengths = np.asarray(features["length"])
    order = np.argsort(-lengths, kind="stable")
    inputs = features.select_columns(["input_ids", "attention_mask"])
    pad_token_id = getattr(model.config, "pad_token_id", None)
    pad_token_id = 1 if pad_token_id is None else pad_token_id  # XLM-R's <pad>
    if device is None:
        device = next(model.parameters()).device
    token_level = encoded.kind in (TaskKind.TAGGING, TaskKind.EXTRACTIVE_QA)
    results: list[tuple[np.ndarray, ...] | None] = [None] * len(features)
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for begin in range(0, len(order), batch_size):
                batch_ids = order[begin : begin + batch_size].tolist()
                columns = inputs[batch_ids]
                rows = [
                    {"input_ids": ids, "attention_mask": mask}
                    for ids, mask in zip(
                        columns["input_ids"], columns["attention_mask"], strict=True
                    )
                ]
                batch = collate(encoded.kind, rows, pad_token_id)
                batch = {name: tensor.to(device) for name, tensor in batch.items()}
                output = model(**batch, head=head)
                if encoded.kind is TaskKind.EXTRACTIVE_QA:
                    arrays = (output.start_logits, output.end_logits)
                else:
                    arrays = (output.logits,)
                arrays = tuple(a.float().cpu().numpy() for a in arrays)
                for row, feature in enumerate(batch_ids):
                    n = lengths[feature]
                    results[feature] = tuple(a[row, :n] if token_level else a[row] for a in arrays)
    finally:
        model.train(was_training)
    return results  # type: ignore[return-value]


def offsets_per_window(features) -> list[np.ndarray]:
    """The QA `offset_mapping` column as one (n, 2) array per window, read straight from Arrow
    (converting millions of [start, end] pairs to Python lists would dominate evaluation)."""
    table = features.select_columns(["offset_mapping"]).with_format("arrow")[:]
    column = table.column("offset_mapping").combine_chunks()
    starts = column.offsets.to_numpy()
    starts = starts - starts[0]  # a sliced array keeps its parent's offsets
    flat = column.flatten().flatten().to_numpy(zero_copy_only=False).reshape(-1, 2)
    return [flat[starts[i] : starts[i + 1]] for i in range(len(column))]


def predict(model, head: str, encoded: EncodedSplit, *, batch_size: int = 32, device=None) -> list:
    """One prediction per example of `encoded.examples` (see the module docstring).

    `model` is an adapters AutoAdapterModel already on `device` (default: its parameters' device);
    it is called as `model(input_ids=..., attention_mask=..., head=head)`.
    """
    kind = encoded.kind
    if kind not in (
        TaskKind.CLASSIFICATION,
        TaskKind.MULTIPLE_CHOICE,
        TaskKind.EXTRACTIVE_QA,
        TaskKind.TAGGING,
    ):
        raise ValueError(
            f"predict does not handle {kind.value} tasks (retrieval: stiltx.evaluation.retrieval)"
        )
    outputs = model_outputs(model, head, encoded, batch_size=batch_size, device=device)
    example_index = encoded.features["example_index"]
    if kind is TaskKind.EXTRACTIVE_QA:
        return qa_predictions(
            [o[0] for o in outputs],
            [o[1] for o in outputs],
            offsets_per_window(encoded.features),
            example_index,
            [example.context for example in encoded.examples],
        )
    if kind is TaskKind.TAGGING:
        if not encoded.labels:
            raise ValueError(f"task {encoded.task}: tagging prediction needs the tag names")
        return tagging_predictions(
            [o[0] for o in outputs],
            encoded.features["word_index"],
            example_index,
            [len(example.words) for example in encoded.examples],
            encoded.labels,
        )
    return argmax_predictions([o[0] for o in outputs], example_index, encoded.num_examples)
