"""Retrieval: embeddings from a tiny model, and scoring on constructed vectors with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from stiltx.errors import DataError, StiltxError, UnknownNameError
from stiltx.evaluation.retrieval import (
    bucc_candidates,
    bucc_extract,
    bucc_mine,
    bucc_optimal_threshold,
    default_layer,
    embed,
    knn,
    normalize_rows,
    score_retrieval,
)
from stiltx.tasks.examples import RetrievalCorpus, Text


def test_default_layer_scales_14_of_24():
    assert default_layer(24) == 14
    assert default_layer(12) == 7
    assert default_layer(2) == 1


# --- embed on the tiny model --------------------------------------------------------------------

TEXTS = [
    "short",
    "The cat sat on the mat and looked at the old house near the river.",
    "Berlin ist die Hauptstadt.",
    "",
    "猫坐在垫子上",
    "Paris is the capital of France and has many museums, parks and cafés.",
]


@pytest.fixture(scope="module")
def tiny(tiny_model_dir):
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    return AutoModelForMaskedLM.from_pretrained(tiny_model_dir), AutoTokenizer.from_pretrained(
        tiny_model_dir
    )


def test_embed_gives_unit_vectors_in_input_order(tiny):
    model, tokenizer = tiny
    vectors = embed(model, tokenizer, TEXTS, layer=1, batch_size=2)
    assert vectors.shape == (len(TEXTS), 32) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Sorting by length and padding per batch must not change any vector or its row.
    alone = np.stack([embed(model, tokenizer, [t], layer=1)[0] for t in TEXTS])
    np.testing.assert_allclose(vectors, alone, atol=1e-5)
    reversed_ = embed(model, tokenizer, TEXTS[::-1], layer=1, batch_size=4)
    np.testing.assert_allclose(reversed_[::-1], vectors, atol=1e-5)
    assert not np.allclose(vectors[0], vectors[1])  # different texts, different vectors


def test_embed_restores_training_mode(tiny):
    model, tokenizer = tiny
    model.train()
    try:
        first = embed(model, tokenizer, TEXTS[:2], layer=1)
        assert model.training  # put back as found
        # dropout was off inside embed: the same input gives the same vectors
        np.testing.assert_array_equal(first, embed(model, tokenizer, TEXTS[:2], layer=1))
    finally:
        model.eval()


def test_embed_is_the_masked_mean_of_the_chosen_layer(tiny):
    import torch

    model, tokenizer = tiny
    text = "Berlin ist die Hauptstadt."
    with torch.inference_mode():
        ids = tokenizer([text], return_tensors="pt")
        hidden = model(**ids, output_hidden_states=True).hidden_states
    for layer in (0, 2):
        expected = hidden[layer][0].mean(0).numpy()
        expected /= np.linalg.norm(expected)
        np.testing.assert_allclose(
            embed(model, tokenizer, [text], layer=layer)[0], expected, atol=1e-5
        )
    cls = hidden[1][0, 0].numpy()
    got = embed(model, tokenizer, [text], layer=1, pooling="cls")[0]
    np.testing.assert_allclose(got, cls / np.linalg.norm(cls), atol=1e-5)
    # layer=None: the default for a 2-layer model is hidden_states[1].
    np.testing.assert_allclose(
        embed(model, tokenizer, [text]), embed(model, tokenizer, [text], layer=1), atol=1e-6
    )


def test_embed_rejects_a_layer_out_of_range(tiny):
    model, tokenizer = tiny
    with pytest.raises(StiltxError, match="retrieval.layer = 3 is out of range.*expected 0..2"):
        embed(model, tokenizer, ["x"], layer=3)
    with pytest.raises(StiltxError, match="retrieval.layer = -4 is out of range.*-3..-1"):
        embed(model, tokenizer, ["x"], layer=-4)


def test_a_negative_layer_counts_from_the_last(tiny):
    model, tokenizer = tiny  # 2 layers: hidden_states 0..2
    for negative, layer in ((-1, 2), (-2, 1), (-3, 0)):
        np.testing.assert_array_equal(
            embed(model, tokenizer, TEXTS[:2], layer=negative),
            embed(model, tokenizer, TEXTS[:2], layer=layer),
        )


def test_embed_through_an_adapter_model_uses_its_active_adapters(tiny_model_dir, tiny):
    import adapters
    import torch

    plain, tokenizer = tiny
    model = adapters.AutoAdapterModel.from_pretrained(tiny_model_dir)
    model.add_classification_head("nli", num_labels=3)
    np.testing.assert_allclose(
        embed(model, tokenizer, TEXTS, layer=2), embed(plain, tokenizer, TEXTS, layer=2), atol=1e-5
    )
    model.add_adapter("task", config="seq_bn")
    model.set_active_adapters("task")
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if ".task." in name:
                parameter.normal_(0.0, 0.5)
    with_adapter = embed(model, tokenizer, TEXTS, layer=2)
    assert np.abs(with_adapter - embed(plain, tokenizer, TEXTS, layer=2)).max() > 1e-2
    np.testing.assert_allclose(np.linalg.norm(with_adapter, axis=1), 1.0, atol=1e-5)


# --- knn -----------------------------------------------------------------------------------------


def test_knn_chunked_equals_unchunked_and_breaks_ties_by_index():
    rng = np.random.default_rng(0)
    x, y = normalize_rows(rng.normal(size=(37, 8))), normalize_rows(rng.normal(size=(53, 8)))
    sims, idx = knn(x, y, 5)
    sims_c, idx_c = knn(x, y, 5, chunk_rows=4)
    np.testing.assert_array_equal(idx, idx_c)
    np.testing.assert_allclose(sims, sims_c, atol=1e-6)
    full = x @ y.T
    np.testing.assert_array_equal(idx[:, 0], full.argmax(axis=1))
    assert (np.diff(sims, axis=1) <= 1e-7).all()
    tied = np.array([[0.0, 1.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32)
    assert knn(np.array([[0.0, 1.0]]), tied, 3)[1].tolist() == [[0, 1, 2]]


# --- scoring on constructed embeddings ------------------------------------------------------------


def lookup(vectors: dict[str, np.ndarray]):
    return lambda texts: normalize_rows(np.stack([vectors[t] for t in texts]))


def basis(i: int, dim: int = 6) -> np.ndarray:
    v = np.zeros(dim, dtype=np.float32)
    v[i] = 1.0
    return v


def test_tatoeba_accuracy_queries_with_english_as_xtreme_does():
    # xx -> en: q0..q2 sit nearest their translation; q3 sits nearest en-0 -> 3 of 4.
    # en -> xx (XTREME's evaluate_retrieval.py / utils_retrieve.similarity_search and jiant index
    # the xx side and query with English): en-0 is still nearest xx-0, en-3 nearest xx-3 -> 4 of 4.
    vectors = {f"en {i}": basis(i) for i in range(4)}
    vectors |= {f"xx {i}": basis(i) + 0.3 * basis(5) for i in range(3)}
    vectors["xx 3"] = basis(0) + 0.5 * basis(3)
    corpus = RetrievalCorpus(
        id="tatoeba.xx",
        queries=tuple(Text(f"q{i}", f"xx {i}") for i in range(4)),
        candidates=tuple(Text(f"c{i}", f"en {i}") for i in range(4)),
        gold={f"q{i}": (f"c{i}",) for i in range(4)},
    )
    assert score_retrieval("tatoeba", corpus, lookup(vectors)) == {
        "accuracy": 100.0,
        "accuracy_xx_en": 75.0,
    }


# Sources s0 = e0, s1 = e1, s2 = 0.6 e0 + 0.8 e2; targets t0 = e0, t1 = e1, t2 = e2. With 3
# candidates each side, k = min(4, 3) = 3, so the kNN sums are the row / column sums of
#   cos = [[1, 0, 0], [0, 1, 0], [0.6, 0, 0.8]]:  X = (1, 1, 1.4), Y = (1.6, 1, 0.8)
# and margin(i, j) = cos / ((X_i / 3 + Y_j / 3) / 2) = 6 cos / (X_i + Y_j):
#   (s1, t1) = 6/2 = 3,  (s0, t0) = 6/2.6 = 30/13,  (s2, t2) = 4.8/2.2 = 24/11,  (s2, t0) = 1.2.
# "max" extraction keeps the three diagonal pairs. With dev gold {(s0,t0), (s1,t1)} the best F1
# (1.0) is after two pairs: threshold = (30/13 + 24/11) / 2 = 321/143.
BUCC_VECTORS = {
    "zh a": basis(0),
    "zh b": basis(1),
    "zh c": 0.6 * basis(0) + 0.8 * basis(2),
    "en a": basis(0),
    "en b": basis(1),
    "en c": basis(2),
}


def bucc_corpus(gold_pairs, duplicate=False):
    queries = [Text("zh-0", "zh a"), Text("zh-1", "zh b"), Text("zh-2", "zh c")]
    if duplicate:
        queries.append(Text("zh-3", "zh b"))  # the same sentence under a second id
    gold: dict[str, tuple[str, ...]] = {}
    for s, t in gold_pairs:
        gold[s] = gold.get(s, ()) + (t,)
    return RetrievalCorpus(
        id="bucc2018.zh",
        queries=tuple(queries),
        candidates=(Text("en-0", "en a"), Text("en-1", "en b"), Text("en-2", "en c")),
        gold=gold,
    )


def test_bucc_mine_margins_by_hand():
    x = np.stack([BUCC_VECTORS[t] for t in ("zh a", "zh b", "zh c")])
    y = np.stack([BUCC_VECTORS[t] for t in ("en a", "en b", "en c")])
    mined = bucc_mine(x, y)
    assert [(i, j) for i, j, _ in mined] == [(1, 1), (0, 0), (2, 2)]
    np.testing.assert_allclose([s for *_, s in mined], [3.0, 30 / 13, 24 / 11], rtol=1e-6)


def test_bucc_threshold_on_dev_is_frozen_for_test():
    embed_fn = lookup(BUCC_VECTORS)
    dev = score_retrieval("bucc2018", bucc_corpus([("zh-0", "en-0"), ("zh-1", "en-1")]), embed_fn)
    assert dev["threshold"] == pytest.approx(321 / 143, rel=1e-6)
    assert dev["f1"] == pytest.approx(100.0) and dev["num_predicted"] == 2
    # On test the dev threshold still drops (s2, t2), which is gold there: P 1, R 2/3, F1 0.8.
    test_gold = [("zh-0", "en-0"), ("zh-1", "en-1"), ("zh-2", "en-2")]
    test = score_retrieval("bucc2018", bucc_corpus(test_gold), embed_fn, threshold=dev["threshold"])
    assert test == pytest.approx(
        {
            "f1": 80.0,
            "precision": 100.0,
            "recall": 200 / 3,
            "threshold": 321 / 143,
            "num_predicted": 2,
        }
    )
    # Choosing on that gold instead keeps all three (the last score itself is the threshold).
    assert score_retrieval("bucc2018", bucc_corpus(test_gold), embed_fn)["f1"] == pytest.approx(
        100.0
    )
    # No gold and no threshold: nothing to choose it on.
    with pytest.raises(DataError, match="no gold pairs to choose the threshold"):
        score_retrieval("bucc2018", bucc_corpus([]), embed_fn)
    assert "f1" not in score_retrieval("bucc2018", bucc_corpus([]), embed_fn, threshold=2.0)


def test_bucc_duplicate_sentences_share_a_mined_pair():
    candidates = bucc_candidates(bucc_corpus([], duplicate=True), lookup(BUCC_VECTORS))
    assert candidates[("zh-1", "en-1")] == candidates[("zh-3", "en-1")] == pytest.approx(3.0)


def test_bucc_optimal_threshold_hand_checked():
    scores = {("a", "1"): 1.5, ("b", "2"): 1.3, ("c", "3"): 1.2, ("d", "4"): 1.1, ("e", "5"): 0.9}
    gold = {("a", "1"), ("b", "2"), ("d", "4"), ("f", "6")}
    # prefix F1: 0.4, 0.667, 0.571, 0.75 (best, 4 pairs), 0.667 -> threshold (1.1 + 0.9) / 2.
    threshold = bucc_optimal_threshold(scores, gold)
    assert threshold == pytest.approx(1.0)
    assert bucc_extract(scores, threshold) == {("a", "1"), ("b", "2"), ("c", "3"), ("d", "4")}
    assert bucc_optimal_threshold(scores, {("z", "9")}) == 0.0


def test_map_at_20_over_the_full_pool():
    def unit(*parts):
        return sum(w * basis(i, 4) for i, w in parts)

    vectors = {"q0": basis(0, 4), "q1": basis(1, 4), "q2": basis(2, 4), "q3": basis(3, 4)}
    vectors |= {"A": basis(0, 4), "B": unit((0, 1), (1, 1)), "C": basis(1, 4)}
    # 22 fillers near e2 and slightly away from e0 / e1: they push q2's answer past rank 20.
    fillers = [f"F{i}" for i in range(22)]
    for i, name in enumerate(fillers):
        vectors[name] = unit((2, 1), (3, 0.1 * i), (0, -0.05), (1, -0.05))
    corpus = RetrievalCorpus(
        id="lareqa.en",
        queries=tuple(Text(q, q) for q in ("q0", "q1", "q2", "q3")),
        candidates=tuple(Text(c, c) for c in ["A", "B", "C", *fillers]),
        gold={"q0": ("A", "C"), "q1": ("B",), "q2": ("A",)},  # q3 has no gold: skipped
    )
    # q0 ranks A, B, C: AP = (1/1 + 2/3) / 2; q1 ranks C, B: AP = 1/2; q2: A is 23rd -> 0.
    expected = ((1 + 2 / 3) / 2 + 0.5 + 0.0) / 3 * 100
    for task in ("lareqa", "mewsli_x"):
        result = score_retrieval(task, corpus, lookup(vectors))
        assert result == pytest.approx({"map_at_20": expected})


def test_unknown_retrieval_task():
    corpus = RetrievalCorpus(id="x", queries=(), candidates=())
    with pytest.raises(UnknownNameError, match="did you mean 'tatoeba'"):
        score_retrieval("tatoba", corpus, lookup({}))
    with pytest.raises(DataError, match="0 queries with gold candidates"):
        score_retrieval("tatoeba", corpus, lookup({}))


# --- score_task: a task over its languages, from files -----------------------------------------

SENTENCES = [
    "Berlin 1998",
    "Maria 12 London",
    "Paris 2004",
    "John Smith 3",
    "The cat sat on the mat.",
]


def write_lines(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")


def test_score_task_over_languages(tmp_path, tiny):
    import json

    from stiltx.evaluation.retrieval import score_task
    from stiltx.recipe.schema import DataConfig
    from stiltx.tasks.registry import get_task

    model, tokenizer = tiny
    data_dir = tmp_path / "data"
    # Tatoeba de: the English side holds the same strings in reverse order, so each query's
    # nearest English sentence is its identical string (cosine 1) whatever the random weights,
    # and that is the line-aligned gold only for the middle line: accuracy 1/5.
    write_lines(data_dir / "tatoeba/v1/tatoeba.deu-eng.deu", SENTENCES)
    write_lines(data_dir / "tatoeba/v1/tatoeba.deu-eng.eng", SENTENCES[::-1])
    # BUCC de: identical strings again, dev and test; the test threshold is dev's.
    for split in ("dev", "test"):
        write_lines(
            data_dir / f"bucc2018/de-en.{split}.de",
            [f"de-{i}\t{s}" for i, s in enumerate(SENTENCES)],
        )
        write_lines(
            data_dir / f"bucc2018/de-en.{split}.en",
            [f"en-{i}\t{s}" for i, s in enumerate(SENTENCES[::-1])],
        )
        n = len(SENTENCES)
        write_lines(
            data_dir / f"bucc2018/de-en.{split}.gold", [f"de-{i}\ten-{n - 1 - i}" for i in range(n)]
        )
    data = DataConfig(source="local", data_dir=str(data_dir))
    common = dict(model=model, tokenizer=tokenizer, data=data, layer=1, batch_size=2)

    tatoeba = score_task(get_task("tatoeba"), ["de", "fr"], split="test", **common)
    assert [(s.language, s.split, s.metric, s.value) for s in tatoeba.scores] == [
        ("de", "test", "accuracy", 20.0),
        ("de", "test", "accuracy_xx_en", 20.0),
    ]
    assert [m.language for m in tatoeba.missing] == ["fr"]  # no files: missing, not a crash

    out_dir = tmp_path / "retrieval"
    bucc = score_task(get_task("bucc2018"), ["de"], split="test", out_dir=out_dir, **common)
    assert {s.metric: s.value for s in bucc.scores} == pytest.approx(
        {"f1": 100.0, "precision": 100.0, "recall": 100.0}
    )
    assert {s.split for s in bucc.scores} == {"test"} and not bucc.missing
    dev = json.loads((out_dir / "bucc2018/de.dev.json").read_text())
    test = json.loads((out_dir / "bucc2018/de.test.json").read_text())
    assert dev["threshold"] == test["threshold"] and dev["f1"] == 100.0
    pairs = (out_dir / "bucc2018/de.test.pairs.tsv").read_text().splitlines()
    assert sorted(pairs) == sorted(f"de-{i}\ten-{len(SENTENCES) - 1 - i}" for i in range(5))


def test_an_empty_candidate_pool_is_a_clear_error():
    from stiltx.tasks.examples import Text

    corpus = RetrievalCorpus(
        id="mewsli_x-en", queries=(Text("q", "a [mention]"),), candidates=(), gold={"q": ("Q1",)}
    )
    with pytest.raises(DataError, match="candidate_set_entities.jsonl is expected"):
        score_retrieval("mewsli_x", corpus, lookup({}))
