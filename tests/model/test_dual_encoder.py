"""LAReQA and Mewsli-X as XTREME-R runs them: the dual encoder's in-batch sampled softmax
(third_party/bert.py:60-66), a dual-encoder target stage on the smoke world, and mAP@20 from its
embeddings against XTREME-R's own formula (utils_lareqa.py:219-308, 348-383)."""

from __future__ import annotations

import hashlib
import json
import math
from collections import defaultdict

import numpy as np
import pytest
import torch

from stiltx.model.build import HeadSpec, add_heads, build_model
from stiltx.model.dual_encoder import in_batch_softmax_loss
from stiltx.pipeline import run
from stiltx.recipe.load import load_recipe
from stiltx.recipe.schema import DataConfig, ModelConfig
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskKind


def test_in_batch_softmax_loss_equals_a_hand_computation():
    queries = torch.tensor([[3.0, 0.0], [0.0, 2.0]])  # unit after normalising: e1, e2
    candidates = torch.tensor([[1.0, 1.0], [0.0, 5.0]])  # (1, 1) / sqrt 2, e2
    scale = torch.tensor([2.0])
    loss, logits = in_batch_softmax_loss(queries, candidates, scale)
    r = 1 / math.sqrt(2)
    # logits = cosines x 2: [[2r, 0], [2r, 2]]; query i's positive is candidate i
    assert logits.flatten().tolist() == pytest.approx([2 * r, 0.0, 2 * r, 2.0])
    first = -math.log(math.exp(2 * r) / (math.exp(2 * r) + math.exp(0.0)))
    second = -math.log(math.exp(2.0) / (math.exp(2 * r) + math.exp(2.0)))
    assert loss.item() == pytest.approx((first + second) / 2, abs=1e-6)


def test_the_head_scores_the_stacked_queries_against_the_stacked_candidates(tiny_model_dir):
    model, tokenizer = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), {})
    add_heads(model, {"pairs": HeadSpec(TaskKind.DUAL_ENCODER)})
    head = model.heads["pairs"]
    assert head.logit_scale.item() == 100.0  # bert.py:23
    batch = tokenizer(
        ["the cat", "a house", "the river", "Paris"], padding=True, return_tensors="pt"
    )
    model.eval()
    out = model(**batch, head="pairs")
    with torch.no_grad():
        first = model.base_model(**batch)[0][:, 0]
        pooled = torch.tanh(head.pooler(first))
        expected, _ = in_batch_softmax_loss(pooled[:2], pooled[2:], head.logit_scale)
    assert out.loss.item() == pytest.approx(expected.item(), rel=1e-6)
    assert out.logits.shape == (2, 2)
    unit = head.embed(first)
    assert torch.allclose(unit.norm(dim=1), torch.ones(4))


def _recipe(toy_cache, *extra):
    return load_recipe(
        "xtreme-r",
        preset="tiny",
        overrides=[
            "toy.size=smoke", f"toy.cache_dir={toy_cache}", "intermediate=null",
            "target.benchmark=xtreme-r", "target.tasks=[mewsli_x]", "retrieval.tasks=[]",
            "target.train.max_steps=30", "target.train.lr=1e-3", "target.train.batch_size=8",
            "target.train.grad_accum=1", "target.train.log_every=5", *extra,
        ],
    )  # fmt: skip


def test_a_dual_encoder_stage_trains_and_its_score_enters_the_xtreme_r_average(tmp_path, toy_cache):
    [run_dir] = run(_recipe(toy_cache), out_dir=tmp_path / "run")
    log = run_dir / "target" / "mewsli_x_wikipedia" / "train_log.jsonl"
    losses = [
        json.loads(line)["loss"]["mewsli_x_wikipedia"] for line in log.read_text().splitlines()
    ]
    assert len(losses) == 6 and losses[0] > math.log(8) - 0.1  # starts near chance (8 in a batch)
    assert max(losses[-2:]) < losses[0] - 0.3  # and falls
    results = json.loads((run_dir / "results.json").read_text())
    rows = {(s["language"], s["metric"]) for s in results["scores"] if s["task"] == "mewsli_x"}
    assert rows == {("en", "map_at_20"), ("de", "map_at_20")}  # Mewsli-X's toy languages
    aggregates = results["aggregates"]
    assert aggregates["excluded_tasks"] == {}
    assert aggregates["overall"] == pytest.approx(aggregates["tasks"]["mewsli_x"])


def _vector(text: str) -> np.ndarray:
    """A constructed embedding: a fixed random unit vector per text."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(16).astype(np.float32)
    return v / np.linalg.norm(v)


def _reference_map_at_20(squad_per_lang: dict, language: str) -> float:
    """xtreme third_party/utils_lareqa.py: load_data (219-247), generate_examples (250-307),
    average_precision_at_k (348-359), mean_avg_prec_at_k (362-383), restricted to the questions
    of one language; encodings from `_vector` on the texts evaluate_retrieval.py:543,572-574 embed."""
    questions, candidates, by_xling = [], {}, defaultdict(list)
    for lang, squad in squad_per_lang.items():
        paragraphs = 0
        for passage in squad["data"]:
            for paragraph in passage["paragraphs"]:
                paragraphs += 1
                context_id = f"{lang}_{paragraphs}"
                context = paragraph["context"]
                breaks = paragraph["sentence_breaks"]
                sentences = [context[s:e] for s, e in breaks]
                for qas in paragraph["qas"]:
                    start = qas["answers"][0]["answer_start"]
                    answer = next((context[s:e] for s, e in breaks if s <= start < e), None)
                    if not answer:
                        continue
                    questions.append((qas["question"], qas["id"], lang))
                    for pos, sentence in enumerate(sentences):
                        uid = f"{context_id}_{pos}"
                        candidates.setdefault(uid, (sentence + context).replace("\n", ""))
                        if sentence == answer and uid not in by_xling[qas["id"]]:
                            by_xling[qas["id"]].append(uid)
    uids = list(candidates)
    matrix = np.stack([_vector(candidates[u]) for u in uids])
    scores = []
    for question, xling, lang in questions:
        if lang != language:
            continue
        ranked = (np.expand_dims(_vector(question), 0) @ matrix.T).squeeze().argsort()[::-1][:20]
        targets = {uids.index(u) for u in by_xling[xling]}
        hits = score = 0.0
        for i, pred in enumerate(ranked):
            if pred in targets and pred not in ranked[:i]:
                hits += 1.0
                score += hits / (i + 1.0)
        scores.append(score / min(len(targets), 20))
    return 100.0 * float(np.mean(scores))


def test_map_at_20_from_dual_encoder_embeddings_equals_xtreme_r_formula(shared_data):
    from stiltx.evaluation.retrieval import score_task

    folder = shared_data / "lareqa" / "xquad-r"
    squad_per_lang = {p.stem: json.loads(p.read_text()) for p in sorted(folder.glob("*.json"))}
    embed = lambda texts: np.stack([_vector(t) for t in texts])  # noqa: E731
    languages = tuple(squad_per_lang)
    evaluation = score_task(
        get_task("lareqa"),
        languages,
        model=None,
        tokenizer=None,
        data=DataConfig(source="local", data_dir=str(shared_data)),
        dual=(embed, embed),
    )
    ours = {s.language: s.value for s in evaluation.scores}
    assert [s.metric for s in evaluation.scores] == ["map_at_20"] * len(languages)
    for language in languages:
        assert ours[language] == pytest.approx(
            _reference_map_at_20(squad_per_lang, language), abs=1e-9
        )
