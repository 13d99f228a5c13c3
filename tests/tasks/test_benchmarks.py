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
    # xtreme evaluate.py:126-132: retrieval is tatoeba + mewslix, lareqa is in no group
    assert B.XTREME_R.tasks_in(B.RETRIEVAL) == ("tatoeba", "mewsli_x")
    assert B.XTREME_R.tasks_in(B.CLASSIFICATION) == ("xnli", "xcopa")
    assert B.XTREME_R.tasks_in(B.MULTIPLE_CHOICE) == ("xcopa",)
    grouped = {t for c in B.XTREME_R.categories for t in B.XTREME_R.tasks_in(c)}
    assert set(B.XTREME_R.task_names) - grouped == {"lareqa"}


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


def _rows(task, values, metric="accuracy", split="test"):
    return [
        {"task": task, "language": lang, "split": split, "metric": metric, "value": v}
        for lang, v in values.items()
    ]


def test_a_missing_language_makes_task_category_and_overall_incomplete():
    # XTREME's evaluate.py:274-280 requires every listed language; here the gap is recorded.
    pawsx = dict.fromkeys(B.XTREME.task("pawsx").languages, 80.0)
    del pawsx["ko"]
    agg = B.aggregate_scores(_rows("pawsx", pawsx), "xtreme")
    assert agg["missing_languages"] == {"pawsx": ["ko"]}
    assert agg["incomplete_tasks"] == ["pawsx"]
    assert agg["incomplete_categories"] == [B.CLASSIFICATION]
    assert agg["complete"] is False
    assert agg["tasks"]["pawsx"] == 80.0


def test_an_extra_language_is_never_averaged_in():
    xnli = dict.fromkeys(B.XTREME.task("xnli").languages, 70.0)
    xnli["ja"] = 0.0  # not an XNLI language in XTREME
    agg = B.aggregate_scores(_rows("xnli", xnli), "xtreme")
    assert agg["tasks"]["xnli"] == 70.0
    assert agg["extra_languages"] == {"xnli": ["ja"]}
    assert "ja" not in agg["languages"]["xnli"]
    assert agg["missing_languages"] == {"xnli": []}
    assert agg["incomplete_tasks"] == []
    assert agg["incomplete_categories"] == [B.CLASSIFICATION]  # pawsx is missing
    assert agg["complete"] is False  # the other eight tasks are missing
    assert set(agg["missing_tasks"]) == set(B.XTREME.task_names) - {"xnli"}


def _full(benchmark):
    rows = []
    for task in benchmark.tasks:
        for metric in task.metrics:
            rows += _rows(task.name, dict.fromkeys(task.languages, 50.0), metric)
    return rows


def test_every_task_on_every_listed_language_is_complete():
    agg = B.aggregate_scores(_full(B.XTREME), "xtreme")
    assert agg["complete"] is True and agg["overall"] == 50.0
    assert agg["incomplete_categories"] == [] and agg["missing_tasks"] == []


def test_xtreme_r_keeps_the_zero_shot_embedding_variants_out_of_the_averages():
    rows = [
        {**r, "value": 0.0, "metric": B.MAP_AT_20_ZERO_SHOT}
        if r["task"] in ("lareqa", "mewsli_x")
        else r
        for r in _full(B.XTREME_R)
    ]
    agg = B.aggregate_scores(rows, "xtreme-r")
    assert set(agg["excluded_tasks"]) == {"lareqa", "mewsli_x"}
    assert agg["tasks"]["lareqa"] == 0.0  # scored and shown ...
    assert agg["overall"] == 50.0  # ... but not averaged in
    assert agg["categories"][B.RETRIEVAL] == 50.0  # tatoeba alone; mewsli_x is excluded
    assert agg["incomplete_categories"] == [B.RETRIEVAL] and agg["complete"] is False
    assert B.XTREME_R.task("xquad").languages[-1] == "ro"  # evaluate.py:173


def test_dual_encoder_scores_complete_the_xtreme_r_score():
    """LAReQA and Mewsli-X trained as XTREME-R does (metric map_at_20) count like any task."""
    rows = [
        {**r, "value": 20.0} if r["task"] in ("lareqa", "mewsli_x") else r
        for r in _full(B.XTREME_R)
    ]
    agg = B.aggregate_scores(rows, "xtreme-r")
    assert agg["excluded_tasks"] == {} and agg["complete"] is True
    assert agg["overall"] == pytest.approx((8 * 50.0 + 2 * 20.0) / 10)  # evaluate.py:311-313
    assert agg["categories"][B.RETRIEVAL] == pytest.approx((50.0 + 20.0) / 2)  # tatoeba, mewsli_x
    # one zero-shot task among them: that one stays out
    mixed = [{**r, "metric": B.MAP_AT_20_ZERO_SHOT} if r["task"] == "lareqa" else r for r in rows]
    agg = B.aggregate_scores(mixed, "xtreme-r")
    assert set(agg["excluded_tasks"]) == {"lareqa"} and agg["complete"] is False
    assert agg["overall"] == pytest.approx((8 * 50.0 + 20.0) / 9)


def test_toy_benchmark_is_xtreme_on_the_toy_languages():
    from stiltx.toy.languages import DEFAULT_LANGUAGES

    assert set(B.TOY_LANGUAGES) == set(DEFAULT_LANGUAGES)
    assert B.TOY.task_names == B.XTREME.task_names
    assert B.TOY.task("pawsx").languages == ("de", "en", "zh")
    assert set(B.TOY.task("tatoeba").languages) == {"de", "ru", "sw", "zh"}
    agg = B.aggregate_scores(_full(B.TOY), "toy")
    assert agg["complete"] is True
    restricted = [r for r in _full(B.TOY) if r["language"] != "sw"]  # eval.languages without sw
    agg = B.aggregate_scores(restricted, "toy")
    assert agg["complete"] is False
    assert agg["missing_languages"]["xnli"] == ["sw"]


# google-research/xtreme evaluate.py:126-132 (XTREME_R_GROUP2TASK), its task names
_REFERENCE_XTREME_R_GROUPS = {
    "classification": ["xnli", "xcopa"],
    "tagging": ["udpos", "panx"],
    "qa": ["xquad", "mlqa", "tydiqa"],
    "retrieval": ["tatoeba", "mewslix"],
    "multi_choice": ["xcopa"],
}
_REFERENCE_TASKS = ["xnli", "panx", "udpos", "tatoeba", "xcopa", "lareqa", "mewslix", "xquad",
                    "mlqa", "tydiqa"]  # evaluate.py:160-176 XTREME_R_TASK2LANGS keys  # fmt: skip
_OURS = {"mewslix": "mewsli_x"}
_GROUP_NAMES = {
    "classification": B.CLASSIFICATION, "tagging": B.STRUCTURED, "qa": B.QA,
    "retrieval": B.RETRIEVAL, "multi_choice": B.MULTIPLE_CHOICE,
}  # fmt: skip


def _reference_overall_scores(avg_metric: dict[str, float]) -> dict[str, float]:
    """evaluate.py:305-319 re-implemented: `all_task` over every task, each group's mean."""
    overall = {}
    if set(_REFERENCE_TASKS) == set(avg_metric):
        overall["all_task"] = sum(avg_metric[t] for t in _REFERENCE_TASKS) / len(_REFERENCE_TASKS)
    for group, tasks in _REFERENCE_XTREME_R_GROUPS.items():
        if not set(tasks) - set(avg_metric):
            overall[group] = sum(avg_metric[t] for t in tasks) / len(tasks)
    return overall


def test_xtreme_r_groups_and_overall_equal_the_reference_aggregation():
    avg_metric = {
        "xnli": 79.25, "panx": 64.5, "udpos": 76.0, "tatoeba": 58.75, "xcopa": 66.0,
        "lareqa": 38.5, "mewslix": 43.25, "xquad": 71.0, "mlqa": 61.5, "tydiqa": 55.0,
    }  # fmt: skip
    expected = _reference_overall_scores(avg_metric)
    ours = {_OURS.get(t, t): v for t, v in avg_metric.items()}
    agg = B.aggregate(B.XTREME_R, ours)  # LAReQA / Mewsli-X as XTREME-R trains them count
    assert agg.overall == pytest.approx(expected["all_task"], abs=1e-12)
    assert agg.categories == pytest.approx(
        {_GROUP_NAMES[g]: expected[g] for g in _REFERENCE_XTREME_R_GROUPS}, abs=1e-12
    )
    assert agg.categories[B.RETRIEVAL] == pytest.approx((58.75 + 43.25) / 2)
    assert agg.categories[B.MULTIPLE_CHOICE] == 66.0
    assert agg.overall == pytest.approx(61.375)  # by hand: 613.75 / 10


def test_xtreme_aggregation_is_unchanged_by_the_xtreme_r_groups():
    avg_metric = {"xnli": 70.0, "pawsx": 80.0, "udpos": 60.0, "panx": 50.0, "xquad": 40.0,
                  "mlqa": 30.0, "tydiqa": 20.0, "bucc2018": 10.0, "tatoeba": 90.0}  # fmt: skip
    agg = B.aggregate(B.XTREME, avg_metric)
    assert agg.categories == {
        B.CLASSIFICATION: 75.0, B.STRUCTURED: 55.0, B.QA: 30.0, B.RETRIEVAL: 50.0,
    }  # fmt: skip
    assert agg.overall == pytest.approx(450.0 / 9)
