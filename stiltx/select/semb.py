"""SEmb-style text embeddings (Poth et al. 2021, §3; their task_selection/semb.py): how close each
candidate's English training text lies to the target's text, in the PRETRAINED encoder's space.

Each text is mean-pooled over its non-pad tokens at the encoder's last layer
(`evaluation.retrieval.embed`, which also scales each sentence vector to unit length, so long
texts do not dominate the mean); a dataset is the mean of its sampled sentence vectors; the score
is the cosine of two dataset vectors. Two rankings:
- `semb-en`: against the target's English training text (the paper's SEmb);
- `semb-xl`: against the target's evaluation-language text (the mean of one vector per
  language): which candidate's data lies closest to what the model will be scored on.
No training: the cost is forward passes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np

from stiltx.errors import StiltxError
from stiltx.plan import TRAIN_LANGUAGE
from stiltx.select.estimate import Candidate, Cost, Estimate, Setting, Target, require_candidates
from stiltx.select.text import evaluation_text, train_task, training_text
from stiltx.tasks.registry import get_task

LAST_LAYER = -1


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    return float(a @ b / max(float(np.linalg.norm(a) * np.linalg.norm(b)), 1e-12))


def eval_languages(target: Target) -> tuple[str, ...]:
    """The target's evaluation languages other than English (all of the task's when none given)."""
    return tuple(
        lang
        for lang in target.languages or get_task(target.task).languages
        if lang != TRAIN_LANGUAGE
    )


def semb(target: Target, candidates: Sequence[Candidate], setting: Setting) -> Estimate:
    # torch / transformers: only when an embedding is actually computed
    from stiltx.evaluation.retrieval import embed
    from stiltx.model.build import build_model

    require_candidates(candidates, "semb")
    start = time.perf_counter()
    target_train = training_text(
        train_task(target.task).name, setting.data, setting.sample, setting.seed
    )
    foreign, missing = {}, []
    for lang in eval_languages(target):
        try:
            foreign[lang] = evaluation_text(
                target.task, lang, setting.data, setting.sample, setting.seed
            )
        except StiltxError:  # no evaluation text in this language here: named in the notes
            missing.append(lang)
    model, tokenizer = build_model(setting.model, {})
    passes = 0

    def mean_vector(texts: list[str]) -> np.ndarray:
        nonlocal passes
        passes += len(texts)
        vectors = embed(
            model,
            tokenizer,
            texts,
            layer=LAST_LAYER,
            batch_size=setting.batch_size,
            max_length=setting.model.max_length,
        )
        return vectors.mean(axis=0)

    english = mean_vector(target_train)
    languages = [mean_vector(texts) for texts in foreign.values()]
    columns: dict[str, dict[str, float]] = {"semb-en": {}, "semb-xl": {}}
    for c in candidates:
        vector = mean_vector(training_text(c.task, setting.data, setting.sample, setting.seed))
        columns["semb-en"][c.name] = cosine(vector, english)
        if languages:
            columns["semb-xl"][c.name] = float(np.mean([cosine(vector, v) for v in languages]))
    if not languages:
        del columns["semb-xl"]
    cost = Cost(seconds=time.perf_counter() - start, forward_passes=passes)
    notes = (f"semb-xl: mean cosine over {', '.join(foreign)}",) if foreign else ()
    if missing:
        notes += (f"semb-xl: no {target.task} evaluation text in {', '.join(missing)}",)
    return Estimate("semb", columns, cost, notes)
