"""Retrieval tasks scored straight from the encoder: BUCC, Tatoeba, LAReQA, Mewsli-X.

Two halves, kept apart so the scoring can be tested on hand-made vectors:
- `embed` turns texts into L2-normalised sentence vectors (torch; mean over the non-pad tokens of
  one hidden layer, as XTREME's `run_retrieval.py` does: `<s>` and `</s>` are included);
- the scoring functions are pure numpy on such vectors: `knn` (cosine = dot product, chunked),
  Tatoeba top-1 (English queries against the xx sentences, as XTREME), BUCC ratio-margin mining with "max" extraction and an F1-optimal threshold (as
  LASER / XTREME's `utils_retrieve.py`), and the ranking behind mAP@20 (XTREME-R).
`score_retrieval` ties them to a `RetrievalCorpus` and returns metrics in percent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

import numpy as np

from stiltx import atomic, run_files
from stiltx.data.load import load_split
from stiltx.errors import DataError, StiltxError, UnknownNameError, did_you_mean
from stiltx.evaluation.metrics import bucc_f1, map_at_20
from stiltx.evaluation.retrieval_protocol import default_layer
from stiltx.evaluation.shard import shard_predict
from stiltx.evaluation.zero_shot import Evaluation, Missing
from stiltx.plan import TRAIN_LANGUAGE
from stiltx.results import Score
from stiltx.tasks.examples import RetrievalCorpus
from stiltx.tasks.registry import all_tasks
from stiltx.tasks.spec import RetrievalScoring

EmbedFn = Callable[[Sequence[str]], np.ndarray]
Pair = tuple[str, str]

# Pairwise similarity blocks are at most this many floats (64 MiB in float32).
MAX_BLOCK_ELEMENTS = 1 << 24
BUCC_NEIGHBOURS = 4
MAP_K = 20


# --- embedding (torch) ---------------------------------------------------------------------------


def embed(
    model,
    tokenizer,
    texts: Sequence[str],
    *,
    layer: int | None = None,
    pooling: str = "mean",
    batch_size: int = 64,
    max_length: int = 512,
    device=None,
) -> np.ndarray:
    """Sentence vectors, shape (len(texts), hidden), float32, each of unit L2 norm.

    `layer` indexes `hidden_states` (0 = embeddings, num_hidden_layers = last) and, as in Python,
    counts from the end when negative (-1 = last); None uses `default_layer`. `pooling` "mean"
    averages the non-pad tokens, "cls" takes `<s>`.
    Texts are encoded longest first with padding to the batch's longest row (little padding,
    and an out-of-memory error shows up in the first batch), then put back in input order.
    `model` may be a transformers model (encoder or with a head) or an adapters AutoAdapterModel:
    we call its `base_model` (the bare encoder, which still runs the active adapters) with
    `output_hidden_states=True`, so no head is involved.
    """
    # torch: heavy; the scoring half is numpy-only
    import torch

    num_layers = model.config.num_hidden_layers
    if layer is None:
        layer = default_layer(num_layers)
    if not -(num_layers + 1) <= layer <= num_layers:
        raise StiltxError(
            f"retrieval.layer = {layer} is out of range for a model with {num_layers} layers; "
            f"expected 0..{num_layers} (0 = embeddings), -{num_layers + 1}..-1 (-1 = the last) "
            f"or null for {default_layer(num_layers)}"
        )
    layer %= num_layers + 1
    if pooling not in ("mean", "cls"):
        raise StiltxError(f"retrieval.pooling = {pooling!r}; expected 'mean' or 'cls'")
    encoder = getattr(model, "base_model", model)
    device = device if device is not None else next(model.parameters()).device
    hidden_size = model.config.hidden_size
    vectors = np.zeros((len(texts), hidden_size), dtype=np.float32)
    if not texts:
        return vectors

    input_ids = tokenizer(list(texts), truncation=True, max_length=max_length)["input_ids"]
    order = np.argsort([-len(ids) for ids in input_ids], kind="stable")
    pad_id = tokenizer.pad_token_id
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            for start in range(0, len(order), batch_size):
                rows = order[start : start + batch_size]
                longest = max(len(input_ids[i]) for i in rows)
                ids = torch.full((len(rows), longest), pad_id, dtype=torch.long)
                mask = torch.zeros((len(rows), longest), dtype=torch.long)
                for r, i in enumerate(rows):
                    ids[r, : len(input_ids[i])] = torch.tensor(input_ids[i])
                    mask[r, : len(input_ids[i])] = 1
                ids, mask = ids.to(device), mask.to(device)
                outputs = encoder(
                    input_ids=ids, attention_mask=mask, output_hidden_states=True, return_dict=True
                )
                hidden = outputs.hidden_states[layer].float()
                if pooling == "cls":
                    pooled = hidden[:, 0]
                else:
                    weights = mask.unsqueeze(-1).to(hidden.dtype)
                    pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1.0)
                vectors[rows] = pooled.cpu().numpy()
    finally:
        model.train(was_training)
    return normalize_rows(vectors)


# --- similarity (numpy) --------------------------------------------------------------------------


def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Each row divided by its L2 norm (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def knn(
    queries: np.ndarray, candidates: np.ndarray, k: int, *, chunk_rows: int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The k most similar candidates of every query by dot product (= cosine on unit vectors).

    Returns (similarities, indices), both (n_queries, k), best first; ties go to the lower
    candidate index. Similarities are computed `chunk_rows` queries at a time so that no block
    exceeds MAX_BLOCK_ELEMENTS floats, whatever the pool size.
    """
    queries = np.asarray(queries, dtype=np.float32)
    candidates = np.asarray(candidates, dtype=np.float32)
    k = min(k, len(candidates))
    if k <= 0:
        raise DataError(f"knn: no candidates to search (k = {k}, {len(candidates)} candidates)")
    chunk_rows = chunk_rows or max(1, MAX_BLOCK_ELEMENTS // max(1, len(candidates)))
    sims = np.empty((len(queries), k), dtype=np.float32)
    idx = np.empty((len(queries), k), dtype=np.int64)
    for start in range(0, len(queries), chunk_rows):
        block = queries[start : start + chunk_rows] @ candidates.T
        if k < block.shape[1]:
            top = np.argpartition(-block, k - 1, axis=1)[:, :k]
        else:
            top = np.broadcast_to(np.arange(block.shape[1]), block.shape)
        top_sims = np.take_along_axis(block, top, axis=1)
        best = np.lexsort((top, -top_sims), axis=1)  # by similarity desc, then index asc
        idx[start : start + len(block)] = np.take_along_axis(top, best, axis=1)
        sims[start : start + len(block)] = np.take_along_axis(top_sims, best, axis=1)
    return sims, idx


def top1(queries: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Index of the nearest candidate of every query."""
    return knn(queries, candidates, 1)[1][:, 0]


def tatoeba_accuracy(xx: np.ndarray, en: np.ndarray) -> dict[str, float]:
    """Tatoeba top-1 accuracy of line-aligned embeddings (row i of `xx` translates row i of `en`).

    `accuracy` is XTREME's direction: the xx sentences are indexed and each *English* sentence
    queries them; English sentence i is correct when its nearest neighbour is xx sentence i
    (google-research/xtreme third_party/evaluate_retrieval.py:799-808 with
    utils_retrieve.py:331-338 `similarity_search(x=xx, y=en)`; jiant
    jiant/tasks/evaluate/core.py:915-924). `accuracy_xx_en` is the other direction (xx queries,
    English pool), kept for comparison only. Rows are L2-normalised here (cosine).
    """
    xx, en = normalize_rows(xx), normalize_rows(en)
    if xx.ndim != 2 or en.ndim != 2 or xx.shape != en.shape or not len(xx):
        raise DataError(
            f"tatoeba: expected two non-empty (n, dim) arrays of the same shape, line-aligned; "
            f"got {xx.shape} (xx) and {en.shape} (en)"
        )
    rows = np.arange(len(xx))
    en_to_xx = top1(en, xx) == rows
    xx_to_en = top1(xx, en) == rows
    return {
        "accuracy": 100.0 * float(en_to_xx.mean()),
        "accuracy_xx_en": 100.0 * float(xx_to_en.mean()),
    }


# --- BUCC mining (numpy) -------------------------------------------------------------------------


def bucc_mine(
    x: np.ndarray, y: np.ndarray, k: int = BUCC_NEIGHBOURS
) -> list[tuple[int, int, float]]:
    """Candidate pairs (i, j, margin) mined from unit vectors x (source) and y (target).

    Ratio margin: margin(x, y) = cos(x, y) / ((mean of x's k best cos) + (mean of y's k best
    cos)) / 2, i.e. cos / (sum_knn_x cos / 2k + sum_knn_y cos / 2k). Every source proposes its
    best-margin target among its k neighbours (forward), every target its best source
    (backward); "max" extraction takes these proposals by decreasing margin and keeps a pair
    only if neither side is already used (one-to-one). As XTREME's mining step, only pairs
    with margin > 0 are returned.
    """
    x2y_sim, x2y_idx = knn(x, y, k)
    y2x_sim, y2x_idx = knn(y, x, k)
    x_mean, y_mean = x2y_sim.mean(axis=1), y2x_sim.mean(axis=1)
    forward = x2y_sim / ((x_mean[:, None] + y_mean[x2y_idx]) / 2)
    backward = y2x_sim / ((y_mean[:, None] + x_mean[y2x_idx]) / 2)
    rows_x, rows_y = np.arange(len(x)), np.arange(len(y))
    forward_best = x2y_idx[rows_x, forward.argmax(axis=1)]
    backward_best = y2x_idx[rows_y, backward.argmax(axis=1)]
    sources = np.concatenate([rows_x, backward_best])
    targets = np.concatenate([forward_best, rows_y])
    scores = np.concatenate([forward.max(axis=1), backward.max(axis=1)])
    seen_x: set[int] = set()
    seen_y: set[int] = set()
    pairs = []
    for n in np.argsort(-scores, kind="stable"):
        i, j = int(sources[n]), int(targets[n])
        if i in seen_x or j in seen_y:
            continue
        seen_x.add(i)
        seen_y.add(j)
        if scores[n] > 0:
            pairs.append((i, j, float(scores[n])))
    return pairs


def bucc_optimal_threshold(candidates: Mapping[Pair, float], gold: Iterable[Pair]) -> float:
    """The margin threshold that maximises F1 against `gold` (XTREME's `bucc_optimize`).

    Candidates are taken by decreasing score; whenever F1 improves, the threshold becomes the
    midpoint between this score and the next one (this score itself for the last candidate),
    so `bucc_extract(candidates, threshold)` (score >= threshold) returns exactly that prefix.
    0.0 when no candidate is correct.
    """
    gold = set(gold)
    items = sorted(candidates.items(), key=lambda item: -item[1])
    best_f1, threshold, correct = 0.0, 0.0, 0
    for n, (pair, score) in enumerate(items, start=1):
        correct += pair in gold
        if correct == 0:
            continue
        precision, recall = correct / n, correct / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            threshold = (score + items[n][1]) / 2 if n < len(items) else score
    return threshold


def bucc_extract(candidates: Mapping[Pair, float], threshold: float) -> set[Pair]:
    """The candidate pairs whose score is at least `threshold`."""
    return {pair for pair, score in candidates.items() if score >= threshold}


# --- tying it to a RetrievalCorpus ---------------------------------------------------------------


def _unique_texts(texts: Sequence) -> tuple[list[str], list[list[str]]]:
    """Distinct sentence strings (first-seen order) and the ids of each (BUCC mines on unique
    sentences; a mined pair stands for every id pair with those two texts, as in XTREME)."""
    position: dict[str, int] = {}
    ids: list[list[str]] = []
    for t in texts:
        if t.text not in position:
            position[t.text] = len(ids)
            ids.append([])
        ids[position[t.text]].append(t.id)
    return list(position), ids


def bucc_candidates(
    corpus: RetrievalCorpus, embed_fn: EmbedFn, query_embed_fn: EmbedFn | None = None
) -> dict[Pair, float]:
    """Mined (source id, target id) -> margin for a BUCC corpus (queries = xx, candidates = en;
    `query_embed_fn`, where given, embeds the xx side)."""
    source_texts, source_ids = _unique_texts(corpus.queries)
    target_texts, target_ids = _unique_texts(corpus.candidates)
    mined = bucc_mine((query_embed_fn or embed_fn)(source_texts), embed_fn(target_texts))
    return {(s, t): score for i, j, score in mined for s in source_ids[i] for t in target_ids[j]}


def _gold_pairs(corpus: RetrievalCorpus) -> set[Pair]:
    return {(q, c) for q, cs in corpus.gold.items() for c in cs}


def bucc_predict(
    corpus: RetrievalCorpus,
    embed_fn: EmbedFn,
    threshold: float | None = None,
    query_embed_fn: EmbedFn | None = None,
) -> tuple[set[Pair], float]:
    """The mined pairs kept by the threshold, and the threshold: the given one, or (None) the
    one that maximises F1 on this corpus's gold (the dev split)."""
    candidates = bucc_candidates(corpus, embed_fn, query_embed_fn)
    if threshold is None:
        gold = _gold_pairs(corpus)
        if not gold:
            raise DataError(
                f"bucc2018 {corpus.id}: no gold pairs to choose the threshold on; expected the "
                "dev split (or pass the threshold chosen on dev)"
            )
        threshold = bucc_optimal_threshold(candidates, gold)
    return bucc_extract(candidates, threshold), float(threshold)


def _bucc_scores(corpus: RetrievalCorpus, predicted: set[Pair], threshold: float):
    gold = _gold_pairs(corpus)
    result = bucc_f1(predicted, gold) if gold else {}
    return {**result, "threshold": threshold, "num_predicted": float(len(predicted))}


def _ranked_ids(
    corpus: RetrievalCorpus, embed_fn: EmbedFn, k: int, query_embed_fn: EmbedFn | None = None
) -> list[list[str]]:
    queries = (query_embed_fn or embed_fn)([q.text for q in corpus.queries])
    candidates = embed_fn([c.text for c in corpus.candidates])
    _, idx = knn(queries, candidates, k)
    return [[corpus.candidates[j].id for j in row] for row in idx]


def _aligned_bitext(
    corpus: RetrievalCorpus, embed_fn: EmbedFn, query_embed_fn: EmbedFn | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(xx vectors, English vectors), row i of one the translation of row i of the other (the xx
    side by `query_embed_fn` where given)."""
    by_id = {c.id: c for c in corpus.candidates}
    pairs = [(q, by_id.get((corpus.gold.get(q.id) or ("",))[0])) for q in corpus.queries]
    pairs = [(q, c) for q, c in pairs if c is not None]
    if not pairs:
        raise DataError(
            f"tatoeba {corpus.id}: 0 queries with gold candidates; expected aligned pairs"
        )
    xx = (query_embed_fn or embed_fn)([q.text for q, _ in pairs])
    en = embed_fn([c.text for _, c in pairs])
    return xx, en


def _scored_queries(corpus: RetrievalCorpus) -> RetrievalCorpus:
    """The corpus restricted to queries that have gold candidates (the others cannot be scored)."""
    queries = tuple(q for q in corpus.queries if corpus.gold.get(q.id))
    if not queries or not corpus.candidates:
        raise DataError(
            f"retrieval corpus {corpus.id}: {len(queries)} queries with gold candidates and "
            f"{len(corpus.candidates)} candidates; expected at least one of each"
        )
    return RetrievalCorpus(corpus.id, queries, corpus.candidates, corpus.gold)


def score_retrieval(
    task_name: str,
    corpus: RetrievalCorpus,
    embed_fn: EmbedFn,
    *,
    threshold: float | None = None,
    query_embed_fn: EmbedFn | None = None,
) -> dict[str, float]:
    """Score one (task, language, split) corpus; `embed_fn(texts)` returns unit vectors
    (`query_embed_fn`, where given, embeds the queries: the xx side of Tatoeba and BUCC, a
    ranking task's queries; XTREME-R's dual encoders truncate queries and candidates at
    different lengths, run_eval_lareqa.sh:31-33, and MAD-X reads each side under its own
    language adapter).

    - tatoeba: {"accuracy" (English queries, xx pool, as XTREME), "accuracy_xx_en"}: see
      `tatoeba_accuracy`.
    - bucc2018: {"f1", "precision", "recall", "threshold", "num_predicted"}. With
      `threshold=None` the threshold is chosen on this corpus's gold (call it on dev), else the
      given one is applied (call it on test with dev's "threshold"; P/R/F1 are omitted when the
      corpus has no gold). "threshold" is a raw margin, not a percentage.
    - lareqa, mewsli_x: {"map_at_20"} over the full candidate pool.
    Queries without gold candidates are skipped (Tatoeba, LAReQA, Mewsli-X).
    """
    known = {s.name: s.retrieval_scoring for s in all_tasks() if s.retrieval_scoring}
    if task_name not in known:
        raise UnknownNameError(
            f"no retrieval scoring for task {task_name!r}; expected one of {', '.join(known)}"
            f"{did_you_mean(task_name, list(known))}"
        )
    if corpus.queries and not corpus.candidates:
        raise DataError(
            f"{task_name} {corpus.id}: the candidate pool is empty (Mewsli-X: "
            "candidate_set_entities.jsonl is expected beside the mentions file)"
        )
    scoring = known[task_name]
    if scoring is RetrievalScoring.MINING:
        predicted, threshold = bucc_predict(corpus, embed_fn, threshold, query_embed_fn)
        return _bucc_scores(corpus, predicted, threshold)
    if scoring is RetrievalScoring.BITEXT:
        return tatoeba_accuracy(*_aligned_bitext(corpus, embed_fn, query_embed_fn))
    corpus = _scored_queries(corpus)  # RetrievalScoring.RANKING
    ranked = _ranked_ids(corpus, embed_fn, MAP_K, query_embed_fn)
    return map_at_20(ranked, [corpus.gold[q.id] for q in corpus.queries])


# --- one task over its languages (what the pipeline calls) ---------------------------------------


def sharded(embed_fn: EmbedFn) -> EmbedFn:
    """`embed_fn` with the texts split across the processes of `accelerate launch` and the vectors
    gathered back in order (stiltx.evaluation.shard); one process calls `embed_fn` unchanged.
    Every process must call it with the same texts in the same order."""

    def embed_sharded(texts: Sequence[str]) -> np.ndarray:
        rows = shard_predict(lambda part: list(embed_fn(part)), texts)
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    return embed_sharded


def cached(embed_fn: EmbedFn) -> EmbedFn:
    """`embed_fn` that remembers vectors by text: LAReQA / Mewsli-X share one candidate pool
    across languages, and BUCC embeds each unique sentence once."""
    memory: dict[str, np.ndarray] = {}

    def embed_cached(texts: Sequence[str]) -> np.ndarray:
        new = list(dict.fromkeys(t for t in texts if t not in memory))
        if new:
            memory.update(zip(new, embed_fn(new), strict=True))
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([memory[t] for t in texts])

    return embed_cached


def dual_texts(corpus: RetrievalCorpus) -> RetrievalCorpus:
    """The corpus as XTREME-R's dual encoder reads it: each text's `dual_text` where it has one."""

    def swap(texts: tuple) -> tuple:
        return tuple(replace(t, text=t.dual_text) if t.dual_text else t for t in texts)

    return replace(corpus, queries=swap(corpus.queries), candidates=swap(corpus.candidates))


def per_language(embed_fn: EmbedFn, setup: Callable[[str], None]) -> Callable[[str], EmbedFn]:
    """language -> `embed_fn` run with the model set up for that language (`setup(language)`
    before every call: another language may have been set up since), remembered by text."""
    made: dict[str, EmbedFn] = {}

    def under(language: str) -> EmbedFn:
        if language not in made:

            def embed_in(texts: Sequence[str]) -> np.ndarray:
                setup(language)
                return embed_fn(texts)

            made[language] = cached(sharded(embed_in))
        return made[language]

    return under


def by_language(under: Callable[[str], EmbedFn], texts: Sequence) -> EmbedFn:
    """An EmbedFn over `texts` (Text) that embeds each under its own language (`under`; English
    when a text names none): a LAReQA pool holds every language."""
    language = {t.text: t.language or TRAIN_LANGUAGE for t in texts}

    def embed_texts(strings: Sequence[str]) -> np.ndarray:
        groups: dict[str, list[int]] = {}
        for row, text in enumerate(strings):
            groups.setdefault(language.get(text, TRAIN_LANGUAGE), []).append(row)
        parts = {code: under(code)([strings[r] for r in rows]) for code, rows in groups.items()}
        if not parts:
            return np.zeros((0, 0), dtype=np.float32)
        width = next(iter(parts.values())).shape[1]
        vectors = np.zeros((len(strings), width), dtype=np.float32)
        for code, rows in groups.items():
            vectors[rows] = parts[code]
        return vectors

    return embed_texts


ZERO_SHOT_SUFFIX = "_zero_shot"  # map_at_20_zero_shot: a dual-encoder task scored from the encoder


def score_task(
    spec,
    languages: Sequence[str],
    *,
    model,
    tokenizer,
    data,
    layer: int = 0,
    pooling: str = "mean",
    batch_size: int = 64,
    split: str = "test",
    out_dir=None,
    dual: tuple[EmbedFn, EmbedFn] | None = None,
    language_setup: Callable[[str], None] | None = None,
    on_language: Callable[[str], None] | None = None,
):
    """Score a retrieval task on every language -> `zero_shot.Evaluation` (scores + missing).
    `on_language(language)` is called as each language is done (a progress bar).

    Under `accelerate launch` each process embeds its share of the sentences (`sharded`) and
    every process scores from all the vectors; pass `out_dir` in the main process only.

    The split is `split` when the task has it, else the task's test split (Tatoeba and LAReQA
    have only test). BUCC chooses its threshold on dev and applies it to test; the dev
    threshold and scores, and the test pairs, are written to `out_dir/bucc2018/<lang>.*`.
    A language whose data is missing or unusable is recorded as missing, not raised.
    `dual` = (query, candidate) embedders of a trained dual encoder (LAReQA, Mewsli-X as XTREME-R
    scores them, on its texts: `dual_texts`); without it a task that XTREME-R scores that way is
    scored from the pooled encoder and its metric named `<metric>_zero_shot`.
    `language_setup(language)` (MAD-X) makes the model read `language`: every text is then
    embedded under the setup of its own language (`Text.language`; the queries under the
    evaluated language, candidates without one under English), as MAD-X swaps in the target
    language's adapter at evaluation.
    """

    split = split if split in spec.splits else spec.test_split
    query_fn = None
    plain = partial(
        embed, model, tokenizer, layer=layer, pooling=pooling, batch_size=batch_size,
        max_length=spec.defaults.max_length,
    )  # fmt: skip
    if dual is not None:
        query_fn, embed_fn = (cached(sharded(fn)) for fn in dual)
    else:
        embed_fn = cached(sharded(plain))
    under = per_language(plain, language_setup) if language_setup and dual is None else None
    suffix = ZERO_SHOT_SUFFIX if dual is None and spec.train_task else ""
    task_dir = None if out_dir is None else Path(out_dir) / spec.name
    evaluation = Evaluation()
    for language in languages:
        try:
            corpus = load_split(spec, language, split, data)[0]
            if under is not None:  # each side under its own language
                query_fn, embed_fn = under(language), by_language(under, corpus.candidates)
            if spec.retrieval_scoring is RetrievalScoring.MINING:
                metrics = _bucc_task_language(
                    spec, language, split, corpus, data, embed_fn, task_dir, query_fn
                )
            elif dual is not None:
                metrics = score_retrieval(
                    spec.name, dual_texts(corpus), embed_fn, query_embed_fn=query_fn
                )
            else:
                metrics = score_retrieval(spec.name, corpus, embed_fn, query_embed_fn=query_fn)
        except (run_files.OutsideLinkError, atomic.WriteError):
            raise  # the run folder refused or could not take a file: not missing data
        except StiltxError as error:
            evaluation.missing.append(Missing(spec.name, language, str(error)))
            metrics = {}
        if metrics and task_dir is not None:
            atomic.write_json(task_dir / f"{language}.{split}.json", metrics)
        for name, value in metrics.items():
            if name not in ("threshold", "num_predicted"):
                evaluation.scores.append(
                    Score(spec.name, language, split, name + suffix, float(value))
                )
        if on_language is not None:
            on_language(language)
    return evaluation


def _bucc_task_language(spec, language, split, corpus, data, embed_fn, task_dir, query_fn=None):
    """Dev: threshold chosen on dev. Test: threshold chosen on dev, applied to test."""
    threshold = None
    if split != spec.dev_split:
        dev = load_split(spec, language, spec.dev_split, data)[0]
        dev_pairs, threshold = bucc_predict(dev, embed_fn, query_embed_fn=query_fn)
        dev_metrics = _bucc_scores(dev, dev_pairs, threshold)
        if task_dir is not None:
            atomic.write_json(task_dir / f"{language}.{spec.dev_split}.json", dev_metrics)
    predicted, threshold = bucc_predict(corpus, embed_fn, threshold, query_fn)
    if task_dir is not None:
        lines = "".join(f"{s}\t{t}\n" for s, t in sorted(predicted))
        atomic.write_text(task_dir / f"{language}.{split}.pairs.tsv", lines)
    if not corpus.gold:
        raise DataError(
            f"{spec.name} {language}/{split}: no gold pairs, so no score; the mined pairs (dev "
            f"threshold {threshold:.4f}) are in {task_dir}"
        )
    return _bucc_scores(corpus, predicted, threshold)
