"""Every estimator on the smoke toy world's data and real tiny encoders: a score per candidate,
its cost, and one-line errors for what is missing."""

from __future__ import annotations

import math

import pytest
import torch

from stiltx.errors import StiltxError
from stiltx.select.estimate import Candidate, Target
from stiltx.select.registry import ESTIMATORS, get_estimator

TEXT_CANDIDATES = [Candidate(f"single/{t}", t) for t in ("mnli", "qqp", "squad", "udpos_en")]


@pytest.fixture
def text_candidates():
    return [c for c in TEXT_CANDIDATES if c.task != "udpos_en"]


def test_semb_scores_english_and_cross_lingual(setting, text_candidates):
    estimate = get_estimator("semb").fn(Target("xnli", ("de", "sw")), text_candidates, setting)
    assert set(estimate.columns) == {"semb-en", "semb-xl"}
    for column in estimate.columns.values():
        assert set(column) == {c.name for c in text_candidates}
        assert all(-1.0 <= v <= 1.0 for v in column.values())
    # mnli is xnli's own training data: closest in English
    assert max(estimate.columns["semb-en"], key=estimate.columns["semb-en"].get) == "single/mnli"
    # 16 sampled training texts each (target + candidates); smoke eval splits hold 8 per language
    assert estimate.cost.forward_passes == 16 * (1 + len(text_candidates)) + 8 * 2
    assert estimate.cost.train_steps == 0 and estimate.cost.seconds > 0


@pytest.mark.parametrize("name", ["size", "vocab"])
def test_baselines(setting, text_candidates, name):
    estimate = get_estimator(name).fn(Target("xnli"), text_candidates, setting)
    scores = estimate.columns[name]
    assert set(scores) == {c.name for c in text_candidates}
    if name == "vocab":
        assert scores["single/mnli"] == pytest.approx(1.0)  # same data, same sample
    else:
        assert all(v > 0 for v in scores.values())


@pytest.mark.parametrize("target", ["xnli", "panx", "xquad", "xcopa"])
def test_logme_per_target_kind(setting, candidate_runs, target):
    try:
        estimate = get_estimator("logme").fn(Target(target), candidate_runs, setting)
    except StiltxError as error:  # a target the toy world may not ship
        pytest.skip(str(error))
    scores = estimate.columns["logme"]
    assert set(scores) == {c.name for c in candidate_runs}
    assert all(math.isfinite(v) for v in scores.values())
    assert len(set(scores.values())) == len(scores)  # different encoders, different evidence
    assert estimate.cost.forward_passes > 0


def test_proxy_trains_a_few_steps(setting, candidate_runs):
    estimate = get_estimator("proxy").fn(Target("xnli"), candidate_runs[:2], setting)
    scores = estimate.columns["proxy"]
    assert set(scores) == {c.name for c in candidate_runs[:2]}
    assert all(0.0 <= v <= 100.0 for v in scores.values())
    assert estimate.cost.train_steps == 2 * setting.proxy_steps
    # a candidate's proxy does not depend on what ran before it in the process (head init seeded)
    torch.manual_seed(12345)
    alone = get_estimator("proxy").fn(Target("xnli"), candidate_runs[1:2], setting)
    name = candidate_runs[1].name
    assert alone.columns["proxy"][name] == scores[name]


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_no_candidates(setting, name):
    with pytest.raises(StiltxError, match="no candidates") as error:
        get_estimator(name).fn(Target("xnli"), [], setting)
    assert "\n" not in str(error.value)


@pytest.mark.parametrize("name", ["semb", "size", "vocab"])
def test_target_without_training_data(setting, text_candidates, name):
    with pytest.raises(StiltxError, match="tatoeba has no English training data"):
        get_estimator(name).fn(Target("tatoeba"), text_candidates, setting)


@pytest.mark.parametrize("name", ["logme", "proxy"])
def test_candidates_without_runs(setting, text_candidates, name):
    with pytest.raises(StiltxError, match="missing for single/mnli, single/qqp, single/squad"):
        get_estimator(name).fn(Target("xnli"), text_candidates, setting)


def test_unknown_estimator():
    with pytest.raises(StiltxError, match="did you mean 'logme'"):
        get_estimator("logm")
