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
from stiltx.evaluation.first_token import first_token_only
from stiltx.tasks.spec import TaskKind

MAX_ANSWER_LENGTH = 30  # tokens, as in the SQuAD / XTREME reference code
N_BEST = 20  # start and end candidates considered per window
DEFAULT_TAG = "O"  # tag for words that got no token (truncated sentence); labels[0] if absent
CPU_MAX_TOKENS = 2048  # padded tokens per prediction batch on CPU (default_max_tokens)


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
    max_context: Sequence[int] | None = None,
    *,
    max_answer_length: int = MAX_ANSWER_LENGTH,
    n_best: int = N_BEST,
) -> list[tuple[float, int, int]]:
    """Valid answer spans of one window as (score, start_char, end_char).

    Candidates are the n_best start and n_best end tokens; a span is valid when both ends are
    context tokens (offset not [-1, -1]), its start token has its max context in this window
    (`max_context`, the encoder's `token_is_max_context`; None = every token), start <= end and
    it has at most max_answer_length tokens. Score = start logit + end logit. These are the
    references' rules: xtreme uses transformers' `compute_predictions_logits` (run_squad.py:55),
    the same as jiant's squad_style/utils.py:298-319, whose max-context check is on the start only
    (`if not feature.token_is_max_context.get(start_index, False): continue`, utils.py:311).
    """
    starts = np.argsort(start_logits, kind="stable")[::-1][:n_best]
    ends = np.argsort(end_logits, kind="stable")[::-1][:n_best]
    spans = []
    for s in starts:
        if offsets[s][0] < 0 or (max_context is not None and not max_context[s]):
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
    max_context: Sequence[Sequence[int]] | None = None,
    *,
    max_answer_length: int = MAX_ANSWER_LENGTH,
    n_best: int = N_BEST,
) -> list[str]:
    """Extractive QA: per question, the best valid span over ALL its doc-stride windows.

    Each window contributes its valid spans (see `window_spans`); the highest score wins and is
    cut from the context by character offsets (surrounding whitespace stripped, since XLM-R's
    word-initial tokens cover the preceding space). No valid span -> "". Computed for all
    windows at once (`best_window_spans`); ties resolve as the loop over `window_spans` in
    feature order would (first window, then first candidate pair, wins).
    """
    example_index = np.asarray(example_index, dtype=np.int64)
    scores, span_start, span_end = best_window_spans(
        start_logits,
        end_logits,
        offset_mapping,
        max_context,
        max_answer_length=max_answer_length,
        n_best=n_best,
    )
    found = np.isfinite(scores)
    windows = np.flatnonzero(found)
    # per example: highest score first, then the earliest window
    order = np.lexsort((windows, -scores[windows], example_index[windows]))
    ranked = windows[order]
    first = np.ones(len(ranked), dtype=bool)
    first[1:] = example_index[ranked][1:] != example_index[ranked][:-1]
    answers = [""] * len(contexts)
    for w in ranked[first].tolist():
        index = int(example_index[w])
        answers[index] = contexts[index][span_start[w] : span_end[w]].strip()
    return answers


def best_window_spans(
    start_logits: Sequence[np.ndarray],
    end_logits: Sequence[np.ndarray],
    offset_mapping: Sequence[Sequence[Sequence[int]]],
    max_context: Sequence[Sequence[int]] | None = None,
    *,
    max_answer_length: int = MAX_ANSWER_LENGTH,
    n_best: int = N_BEST,
    chunk: int = 2048,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The best valid span of every window, vectorised: (score, start_char, end_char) arrays.

    Same candidates, validity rule and scores as `window_spans` (n_best x n_best start/end
    pairs, both ends context tokens, the start a max-context token, start <= end, at most
    max_answer_length tokens); a window
    without a valid span gets score -inf. Windows are padded to a common length in chunks of
    `chunk` windows (padding is never context, so never chosen).
    """
    n = len(start_logits)
    scores = np.full(n, -np.inf)
    span_start = np.zeros(n, dtype=np.int64)
    span_end = np.zeros(n, dtype=np.int64)
    for begin in range(0, n, chunk):
        rows = range(begin, min(n, begin + chunk))
        width = max(len(start_logits[i]) for i in rows)
        dtype = np.result_type(*(start_logits[i].dtype for i in rows))
        start = np.full((len(rows), width), -np.inf, dtype=dtype)
        end = np.full((len(rows), width), -np.inf, dtype=dtype)
        offsets = np.full((len(rows), width, 2), -1, dtype=np.int64)
        startable = np.zeros((len(rows), width), dtype=bool)
        for r, i in enumerate(rows):
            k = len(start_logits[i])
            start[r, :k], end[r, :k] = start_logits[i], end_logits[i]
            offsets[r, :k] = np.asarray(offset_mapping[i], dtype=np.int64).reshape(-1, 2)
            startable[r, :k] = True if max_context is None else np.asarray(max_context[i], bool)
        best = min(n_best, width)
        # as window_spans: reversed stable argsort (ties: the higher position first)
        starts = np.argsort(start, axis=1, kind="stable")[:, ::-1][:, :best]
        ends = np.argsort(end, axis=1, kind="stable")[:, ::-1][:, :best]
        context = offsets[:, :, 0] >= 0
        s, e = starts[:, :, None], ends[:, None, :]
        valid = (
            np.take_along_axis(context & startable, starts, 1)[:, :, None]
            & np.take_along_axis(context, ends, 1)[:, None, :]
            & (e >= s)
            & (e - s + 1 <= max_answer_length)
        )
        pair = (
            np.take_along_axis(start, starts, 1)[:, :, None]
            + np.take_along_axis(end, ends, 1)[:, None, :]
        )
        pair = np.where(valid, pair, -np.inf).reshape(len(rows), -1)
        pick = pair.argmax(axis=1)  # first maximum in (start, end) candidate order
        rows_ = np.arange(len(rows))
        s_tok, e_tok = starts[rows_, pick // best], ends[rows_, pick % best]
        has = valid.reshape(len(rows), -1)[rows_, pick]
        scores[begin : begin + len(rows)] = np.where(has, pair[rows_, pick], -np.inf)
        span_start[begin : begin + len(rows)] = offsets[rows_, s_tok, 0]
        span_end[begin : begin + len(rows)] = offsets[rows_, e_tok, 1]
    return scores, span_start, span_end


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
    model,
    head: str,
    encoded: EncodedSplit,
    *,
    batch_size: int = 32,
    max_tokens: int | None = None,
    device=None,
) -> list[tuple[np.ndarray, ...]]:
    """Run `model` with `head` over every feature; return outputs in feature order.

    Per feature: (logits,) for classification / multiple choice (trimmed to the feature's length
    for tagging), (start_logits, end_logits) for QA. The model's train/eval mode is restored.

    Batches are cut by a token budget (`max_tokens` padded tokens, see `batch_bounds`), since
    prediction's batch size changes nothing that is computed: None picks it by device
    (`default_max_tokens`); 0 cuts fixed batches of `batch_size` features instead.

    Heads that read the first token only (classification, multiple choice) get the last layer
    computed for that token alone (`first_token.first_token_only`).

    The hot loop does no per-feature Python work: token ids are read from Arrow once, each
    batch is padded with numpy, and outputs stay on the device until the loop ends (no sync per
    batch, so batch preparation overlaps the device's compute).
    """
    features = encoded.features
    lengths = np.asarray(features["length"], dtype=np.int64)
    order = np.argsort(-lengths, kind="stable")
    pad_token_id = getattr(model.config, "pad_token_id", None)
    pad_token_id = 1 if pad_token_id is None else pad_token_id  # XLM-R's <pad>
    if device is None:
        device = next(model.parameters()).device
    device = torch.device(device)
    token_level = encoded.kind in (TaskKind.TAGGING, TaskKind.EXTRACTIVE_QA)
    if max_tokens is None:
        max_tokens = default_max_tokens(device, batch_size, int(lengths.max(initial=1)))
    row_tokens = lengths[order]
    if encoded.kind is TaskKind.MULTIPLE_CHOICE and len(row_tokens):  # a row: choices x tokens
        row_tokens = row_tokens * len(features[0]["input_ids"])
    bounds = batch_bounds(row_tokens, batch_size, max_tokens or None)
    batches = _padded_batches(encoded, order, bounds, pad_token_id)
    pending: list[tuple[np.ndarray, tuple]] = []
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode(), first_token_only(model, head):
            for batch_ids, batch in batches:
                if device.type == "cuda":
                    batch = {k: v.pin_memory() for k, v in batch.items()}
                batch = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
                output = model(**batch, head=head)
                if encoded.kind is TaskKind.EXTRACTIVE_QA:
                    arrays = (output.start_logits, output.end_logits)
                else:
                    arrays = (output.logits,)
                pending.append((batch_ids, tuple(a.float() for a in arrays)))
    finally:
        model.train(was_training)
    results: list[tuple[np.ndarray, ...] | None] = [None] * len(features)
    for batch_ids, arrays in pending:
        arrays = tuple(a.cpu().numpy() for a in arrays)
        for row, feature in enumerate(batch_ids.tolist()):
            n = lengths[feature]
            results[feature] = tuple(a[row, :n] if token_level else a[row] for a in arrays)
    return results  # type: ignore[return-value]


def default_max_tokens(device, batch_size: int, longest: int) -> int:
    """The token budget of a prediction batch on `device`.

    CPU: `CPU_MAX_TOKENS`, batches whose activations stay near the caches. On a quiet 2-core box
    they beat 32 x the longest row on one thread and on two (benchmarks/README.md, "Zero-shot
    prediction"; QA at two threads: 2.32x Trainer at 2,048 tokens, 1.53x at 32 rows). Under
    contention from jobs of equal priority small batches lose to OpenMP's per-operator waits for
    a descheduled thread (QA 0.44x there), which is why stiltx's own stages run one thread per
    process. An accelerator: `batch_size` x the longest feature, the largest batch the
    fixed-count path makes (no more memory), while batches of short features get many more rows
    and so fewer kernel launches.
    """
    if torch.device(device).type == "cpu":
        return CPU_MAX_TOKENS
    return batch_size * max(1, longest)


def batch_bounds(
    sorted_lengths: np.ndarray, batch_size: int, max_tokens: int | None = None
) -> list[tuple[int, int]]:
    """[begin, end) of each batch over rows sorted longest first.

    `max_tokens=None`: `batch_size` rows per batch. Otherwise each batch takes as many rows as
    fit `max_tokens` padded tokens (rows x its first, longest, row's length), at least one.
    """
    n = len(sorted_lengths)
    if max_tokens is None:
        return [(b, min(n, b + batch_size)) for b in range(0, n, batch_size)]
    bounds, begin = [], 0
    while begin < n:
        rows = max(1, max_tokens // max(1, int(sorted_lengths[begin])))
        bounds.append((begin, min(n, begin + rows)))
        begin += rows
    return bounds


def _padded_batches(
    encoded: EncodedSplit, order: np.ndarray, bounds: list[tuple[int, int]], pad_token_id: int
):
    """(feature ids, model inputs) per batch of `order`, each padded to its longest row."""
    features = encoded.features
    if encoded.kind is TaskKind.MULTIPLE_CHOICE:  # (choices, tokens) per row: the general collate
        inputs = features.select_columns(["input_ids", "attention_mask"])
        for begin, end in bounds:
            batch_ids = order[begin:end]
            columns = inputs[batch_ids.tolist()]
            rows = [
                {"input_ids": ids, "attention_mask": mask}
                for ids, mask in zip(columns["input_ids"], columns["attention_mask"], strict=True)
            ]
            yield batch_ids, collate(encoded.kind, rows, pad_token_id)
        return
    ids_flat, starts = _flat_column(features, "input_ids")
    mask_flat, _ = _flat_column(features, "attention_mask")
    lengths = np.diff(starts)
    for begin, end in bounds:
        batch_ids = order[begin:end]
        width = int(lengths[batch_ids].max())
        positions = starts[batch_ids, None] + np.arange(width)
        inside = np.arange(width) < lengths[batch_ids, None]
        positions = np.where(inside, positions, 0)
        ids = np.where(inside, ids_flat[positions], pad_token_id)
        mask = np.where(inside, mask_flat[positions], 0)
        yield (
            batch_ids,
            {"input_ids": torch.from_numpy(ids), "attention_mask": torch.from_numpy(mask)},
        )


def _flat_column(features, name: str) -> tuple[np.ndarray, np.ndarray]:
    """A list-of-ints column as (all values concatenated as int64, row start offsets (n+1))."""
    column = features.select_columns([name]).with_format("arrow")[:].column(name).combine_chunks()
    starts = column.offsets.to_numpy().astype(np.int64)
    values = column.flatten().to_numpy(zero_copy_only=False).astype(np.int64)
    return values, starts - starts[0]  # a sliced array keeps its parent's offsets


def offsets_per_window(features) -> list[np.ndarray]:
    """The QA `offset_mapping` column as one (n, 2) array per window, read straight from Arrow
    (converting millions of [start, end] pairs to Python lists would dominate evaluation)."""
    table = features.select_columns(["offset_mapping"]).with_format("arrow")[:]
    column = table.column("offset_mapping").combine_chunks()
    starts = column.offsets.to_numpy()
    starts = starts - starts[0]  # a sliced array keeps its parent's offsets
    flat = column.flatten().flatten().to_numpy(zero_copy_only=False).reshape(-1, 2)
    return [flat[starts[i] : starts[i + 1]] for i in range(len(column))]


def max_context_per_window(features) -> list[np.ndarray]:
    """The QA `token_is_max_context` column as one bool array per window, read from Arrow."""
    values, starts = _flat_column(features, "token_is_max_context")
    flags = values.astype(bool)
    return [flags[starts[i] : starts[i + 1]] for i in range(len(starts) - 1)]


def predict(
    model,
    head: str,
    encoded: EncodedSplit,
    *,
    batch_size: int = 32,
    max_tokens: int | None = None,
    device=None,
) -> list:
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
    outputs = model_outputs(
        model, head, encoded, batch_size=batch_size, max_tokens=max_tokens, device=device
    )
    example_index = encoded.features["example_index"]
    if kind is TaskKind.EXTRACTIVE_QA:
        return qa_predictions(
            [o[0] for o in outputs],
            [o[1] for o in outputs],
            offsets_per_window(encoded.features),
            example_index,
            [example.context for example in encoded.examples],
            max_context_per_window(encoded.features),
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
