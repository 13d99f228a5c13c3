"""The task registry: every task declared once, consistent, with XTREME's language lists."""

from __future__ import annotations

import dataclasses

import pytest

from stiltx.data.hub import CONVERTERS
from stiltx.data.readers import READERS
from stiltx.errors import UnknownNameError
from stiltx.tasks.benchmarks import BENCHMARKS
from stiltx.tasks.registry import all_tasks, check_tasks, get_task, paper_name, tasks_of
from stiltx.tasks.spec import Role, TaskKind

INTERMEDIATE = (
    "anli",
    "mnli",
    "qqp",
    "squad",
    "hellaswag",
    "cosmosqa",
    "commonsenseqa",
    "socialiqa",
    "ccg",
)
XTREME = ("xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba")
XTREME_R_EXTRA = ("xcopa", "lareqa", "mewsli_x")

# XTREME's own language counts (XTREME-R additions are extra languages on top, checked below).
XTREME_LANGUAGE_COUNTS = {
    "xnli": 15, "pawsx": 7, "udpos": 33, "panx": 40, "xquad": 11, "mlqa": 7, "tydiqa": 9,
    "bucc2018": 4, "tatoeba": 36, "xcopa": 11, "lareqa": 11, "mewsli_x": 11,
}  # fmt: skip


def test_every_protocol_task_is_registered_once():
    names = [t.name for t in all_tasks()]
    assert len(names) == len(set(names))
    for name in (*INTERMEDIATE, *XTREME, *XTREME_R_EXTRA, "squad_v2", "copa", "mlm"):
        assert name in names
    assert {t.name for t in tasks_of(role=Role.INTERMEDIATE)} >= set(INTERMEDIATE)


@pytest.mark.parametrize("spec", all_tasks(), ids=lambda s: s.name)
def test_spec_is_complete(spec):
    assert spec.source.local_format in READERS
    assert spec.source.hub_format is None or spec.source.hub_format in CONVERTERS
    assert set(spec.splits) <= set(spec.source.local_paths)
    assert spec.source.hub_id is None or set(spec.source.hub_splits) <= set(spec.splits)
    assert spec.languages and len(set(spec.languages)) == len(spec.languages)
    if spec.kind is TaskKind.MULTIPLE_CHOICE:
        assert spec.num_choices >= 2
    if spec.kind is TaskKind.CLASSIFICATION or spec.name in ("udpos", "panx"):
        assert spec.labels
    if spec.role is Role.TARGET and spec.kind is not TaskKind.RETRIEVAL:
        trained_on = get_task(spec.train_task) if spec.train_task else spec
        assert "train" in trained_on.splits


@pytest.mark.parametrize("name,count", XTREME_LANGUAGE_COUNTS.items())
def test_language_lists(name, count):
    spec = get_task(name)
    assert len(spec.languages) >= count
    for benchmark in BENCHMARKS.values():
        if name in benchmark.task_names:
            assert set(benchmark.task(name).languages) <= set(spec.languages)


def test_protocol_facts():
    assert get_task("xnli").train_task == "mnli"
    assert {get_task(n).head_name for n in ("anli", "mnli", "xnli")} == {"nli"}
    assert get_task("xquad").train_task == get_task("mlqa").train_task == "squad"
    assert get_task("xquad").head_name == get_task("squad").head_name
    assert get_task("xcopa").train_task == "copa" and get_task("copa").role is Role.TARGET_TRAIN
    assert get_task("ccg").languages == ("en",)
    assert get_task("cosmosqa").source.hub_revision == "refs/convert/parquet"
    assert get_task("bucc2018").languages == ("de", "fr", "ru", "zh")
    assert len(get_task("udpos").labels) == 17
    assert get_task("xnli").labels == ("entailment", "neutral", "contradiction")


def test_unknown_task_suggests():
    with pytest.raises(UnknownNameError, match=r"did you mean 'xnli'.*known tasks: anli"):
        get_task("xnlii")


def test_tasks_of_kind():
    assert {t.name for t in tasks_of(kind="retrieval")} == {
        "bucc2018",
        "tatoeba",
        "lareqa",
        "mewsli_x",
    }
    assert all(t.kind is TaskKind.TAGGING for t in tasks_of(TaskKind.TAGGING))


def test_check_tasks_finds_problems():
    mnli, xnli = get_task("mnli"), get_task("xnli")
    bad = (mnli, mnli, dataclasses.replace(xnli, train_task="nope", labels=("a", "b")))
    problems = check_tasks(bad)
    assert any("declared twice" in p for p in problems)
    assert any("train_task 'nope'" in p for p in problems)
    assert any("share head 'nli'" in p for p in problems)


def test_every_task_has_its_paper_name():
    names = {t.name: paper_name(t.name) for t in all_tasks()}
    assert names["pawsx"] == "PAWS-X" and names["tydiqa"] == "TyDiQA-GoldP"
    assert names["udpos"] == "UD-POS" and names["bucc2018"] == "BUCC"
    assert all(name != task for task, name in names.items())  # each has its own entry
    assert paper_name("xtreme-r") == "XTREME-R" and paper_name("single/mnli") == "single/mnli"
    unnamed = dataclasses.replace(get_task("mnli"), name="newtask")
    assert any("no entry in PAPER_NAMES" in p for p in check_tasks((unnamed,)))
