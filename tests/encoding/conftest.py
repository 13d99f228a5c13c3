"""Fixtures for encoding tests: hand-made TaskSpecs and real QA / tagging samples from shared data.

The readers are written in parallel, so the samples are parsed here straight from the native
files (SQuAD JSON, XTREME PAN-X TSV) into Examples.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stiltx.tasks.examples import Answer, QAExample, TaggingExample
from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec

PANX_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


def _spec(kind: TaskKind, name: str = "toy", labels=(), num_choices: int = 0) -> TaskSpec:
    return TaskSpec(
        name=name,
        kind=kind,
        role=Role.TARGET,
        description="test task",
        languages=("en",),
        splits=("train", "dev"),
        source=DataSource(local_format="none", local_paths={}),
        labels=tuple(labels),
        num_choices=num_choices,
    )


@pytest.fixture(scope="session")
def make_spec():
    """make_spec(kind, name="toy", labels=(), num_choices=0) -> a minimal TaskSpec."""
    return _spec


def read_squad(path: Path, limit: int | None = None) -> list[QAExample]:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    examples = [
        QAExample(
            id=qa["id"],
            question=qa["question"],
            context=paragraph["context"],
            answers=tuple(Answer(a["text"], a["answer_start"]) for a in qa["answers"]),
        )
        for article in data
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]
    return examples[:limit]


def read_panx(path: Path, limit: int) -> list[TaggingExample]:
    sentences, words, tags = [], [], []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        if not line.strip():
            if words:
                sentences.append(TaggingExample(str(len(sentences)), tuple(words), tuple(tags)))
                words, tags = [], []
            continue
        word, tag = line.split("\t")
        words.append(word)
        tags.append(tag)
    return sentences[:limit]


@pytest.fixture(scope="session")
def qa_samples(shared_data) -> dict[str, list[QAExample]]:
    """Real questions with answers: XQuAD en/de/zh/hi, MLQA dev de/hi, TyDiQA-GoldP sw/ko train."""
    tydi = shared_data / "tydiqa" / "tydiqa-goldp-v1.1-train"
    mlqa = shared_data / "mlqa" / "MLQA_V1" / "dev"
    return {
        "xquad.en": read_squad(shared_data / "xquad" / "xquad.en.json", 60),
        "xquad.de": read_squad(shared_data / "xquad" / "xquad.de.json", 60),
        "xquad.zh": read_squad(shared_data / "xquad" / "xquad.zh.json", 40),
        "xquad.hi": read_squad(shared_data / "xquad" / "xquad.hi.json", 40),
        "tydiqa.sw": read_squad(tydi / "tydiqa.goldp.sw.train.json", 40),
        "tydiqa.ko": read_squad(tydi / "tydiqa.goldp.ko.train.json", 40),
        "mlqa.de": read_squad(mlqa / "dev-context-de-question-de.json", 30),
        "mlqa.hi": read_squad(mlqa / "dev-context-hi-question-hi.json", 20),
    }


@pytest.fixture(scope="session")
def panx_samples(shared_data) -> dict[str, list[TaggingExample]]:
    return {
        lang: read_panx(shared_data / "panx" / f"dev-{lang}.tsv", 80)
        for lang in ("en", "de", "zh", "hi")
    }
