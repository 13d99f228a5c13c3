"""LogME as an intermediate-task estimator (You et al. 2021; Poth et al. 2021 use it the same
way): how well the features of each candidate's trained intermediate encoder explain the
target's English training labels, without training on the target.

Features per target kind: `select.features` (sentence-pooled for classification, per labelled
token for tagging, per choice for multiple choice, per context token for extractive QA, where the
score is the mean of the LogME of "is the start" and of "is the end"). Cost: forward passes.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from stiltx.data.labels import task_with_labels
from stiltx.errors import StiltxError
from stiltx.layout import RunLayout
from stiltx.plan import TRAIN_LANGUAGE
from stiltx.recipe.load import load_recipe
from stiltx.select.estimate import Candidate, Cost, Estimate, Setting, Target, require_runs
from stiltx.select.logme import logme
from stiltx.select.text import sample, train_task, training_examples
from stiltx.tasks.spec import TaskKind

KINDS = (
    TaskKind.CLASSIFICATION,
    TaskKind.MULTIPLE_CHOICE,
    TaskKind.TAGGING,
    TaskKind.EXTRACTIVE_QA,
)


def candidate_encoder(candidate: Candidate, model_dir: Path, setting: Setting):
    """The pretrained encoder with the candidate's intermediate weights (or adapter) loaded, as
    the pipeline's retrieval step loads an intermediate model: (model, tokenizer)."""
    # torch / adapters: only when a model is built
    from stiltx.model.build import build_model
    from stiltx.model.methods import make_method

    recipe = load_recipe(str(RunLayout(candidate.run_dir).resolved_recipe))
    model, tokenizer = build_model(setting.model, {})
    method = make_method(recipe.method)
    method.load(model, model_dir)
    method.activate(model, TRAIN_LANGUAGE)
    return model, tokenizer


def score_features(features) -> float:
    """LogME of the features, averaged over the label sets (QA: start and end)."""
    values = [logme(features.rows, labels) for labels in features.labels.values()]
    return sum(values) / len(values)


def logme_estimator(target: Target, candidates: Sequence[Candidate], setting: Setting) -> Estimate:
    from stiltx.encoding import encode_split  # datasets: only when encoding
    from stiltx.select.features import extract

    spec = task_with_labels(train_task(target.task).name, setting.data)
    if spec.kind not in KINDS:
        raise StiltxError(f"select logme: no LogME features for {spec.kind.value} targets")
    model_dirs = require_runs(candidates, "logme")
    start = time.perf_counter()
    examples = sample(training_examples(spec.name, setting.data), setting.sample, setting.seed)
    scores, passes = {}, 0
    for candidate, model_dir in zip(candidates, model_dirs, strict=True):
        model, tokenizer = candidate_encoder(candidate, model_dir, setting)
        encoded = encode_split(spec, examples, tokenizer, setting.model.max_length, training=True)
        features = extract(model, tokenizer, encoded, setting.batch_size)
        scores[candidate.name] = score_features(features)
        passes += features.forward_passes
    cost = Cost(seconds=time.perf_counter() - start, forward_passes=passes)
    return Estimate("logme", {"logme": scores}, cost)
