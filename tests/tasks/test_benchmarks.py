"""XTREME / XTREME-R as data and the aggregation rules."""

from __future__ import annotations

import pytest

from stiltx.errors import UnknownNameError
from stiltx.tasks import benchmarks as B


def test_task_lists_and_categories():
    assert B.XTREME.task_names == (
        "xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba",
    )  # fmt: skip
    assert set(B.XTREME_R.task_names) == {
        "xnli", "xcopa", "udpos", "panx", "xquad", "mlqa", "tydiqa", "tatoeba", "lareqa",
        "mewsli_x",
    }  # fmt: skip
    assert B.XTREME.tasks_in(B.RETRIEVAL) == ("bucc2018", "tatoeba")
    assert B.XTREME_R.tasks_in(B.RETRIEVAL) == ("mewsli_x", "lareqa", "tatoeba")
    assert B.XTREME_R.tasks_in(B.CLASSIFICATION) == ("xnli", "xcopa")


def test_languages_match_xtreme_evaluate_py():
    counts = {t.name: len(t.languages) for t in B.XTREME.tasks}
    assert counts == {
        "xnli": 15, "pawsx": 7, "udpos": 33, "panx": 40, "xquad": 11, "mlqa": 7, "tydiqa": 9,
        "bucc2018": 4, "tatoeba": 36,
    }  # fmt: skip
    counts_r = {t.name: len(t.languages) for t in B.XTREME_R.tasks}
    assert counts_r["udpos"] == 38 and counts_r["panx"] == 48 and counts_r["tatoeba"] == 41
    assert "en" not in B.XTREME.task("tatoeba").languages


def test_metrics_per_task():
    assert B.XTREME.task("xquad").metrics == ("exact_match", "f1")
    assert B.XTREME.task("panx").metrics == ("f1",)
    assert B.XTREME.task("bucc2018").metrics == ("f1",)
    assert B.XTREME_R.task("lareqa").metrics == ("map_at_20",)
    assert B.XTREME_R.task("xcopa").metrics == ("accuracy",)


def test_language_and_task_score():
    qa = B.XTREME.task("mlqa")
    assert B.language_score(qa, {"exact_match": 40.0, "f1": 60.0}) == 50.0
    assert B.language_score(qa, {"f1": 60.0}) is None
    assert B.task_score({"en": 80.0, "de": 70.0, "sw": 60.0}) == 70.0


def test_aggregate_categories_overall_and_missing():
    scores = {"xnli": 70.0, "pawsx": 80.0, "xquad": 60.0, "mlqa": 50.0, "tydiqa": 40.0, "foo": 1.0}
    agg = B.aggregate(B.XTREME, scores)
    assert agg.categories == {B.CLASSIFICATION: 75.0, B.QA: 50.0}
    assert agg.overall == 60.0  # mean of the five task scores, not of the two categories (62.5)
    assert not agg.complete
    assert agg.missing == ("udpos", "panx", "bucc2018", "tatoeba")
    assert "foo" not in agg.tasks


def test_get_benchmark():
    assert B.get_benchmark("XTREME_R") is B.XTREME_R
    with pytest.raises(UnknownNameError, match="did you mean 'xtreme'"):
        B.get_benchmark("xtrem")
    with pytest.raises(UnknownNameError, match="not part of xtreme-r"):
        B.XTREME_R.task("pawsx")
