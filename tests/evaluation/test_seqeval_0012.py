"""UD-POS is scored with seqeval 0.0.12's chunking, as XTREME's published numbers were."""

from __future__ import annotations

from pathlib import Path

import pytest

from stiltx.evaluation.metrics import compute
from stiltx.tasks.benchmarks import XTREME
from stiltx.tasks.registry import get_task

MOCK = Path(__file__).parent / "data" / "xtreme_mock"


def read_tag(path: Path) -> list[list[str]]:
    """XTREME evaluate.py `read_tag`: one tag per line, sentences separated by blank lines."""
    sentences, sentence = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            sentence.append(line.strip())
        else:
            sentences.append(sentence)
            sentence = []
    if sentence:
        sentences.append(sentence)
    return sentences


def mock_average(task: str, metric: str) -> float:
    values = []
    for lang in XTREME.task(task).languages:
        gold = read_tag(MOCK / "labels" / task / f"test-{lang}.tsv")
        pred = read_tag(MOCK / "predictions" / task / f"test-{lang}.tsv")
        values.append(compute(metric, pred, gold)["f1"])
    return sum(values) / len(values)


def test_udpos_reproduces_xtreme_evaluate_test_exactly():
    # google-research/xtreme evaluate_test.py:37 expects avg_f1 70.21746048354693 (seqeval 0.0.12).
    assert get_task("udpos").metrics == ("f1_seqeval_0012",)
    assert mock_average("udpos", "f1_seqeval_0012") == pytest.approx(70.21746048354693, abs=1e-9)
    assert mock_average("udpos", "f1_seqeval") == pytest.approx(70.398, abs=1e-3)  # seqeval 1.x


def test_panx_is_the_same_under_both_versions():
    # evaluate_test.py:35 expects avg_f1 57.50793650793652 on the mock PAN-X data.
    for metric in ("f1_seqeval", "f1_seqeval_0012"):
        assert mock_average("panx", metric) == pytest.approx(57.50793650793652, abs=1e-9)


@pytest.mark.parametrize(
    ("gold", "pred", "v0012", "v1"),
    [
        # 0.0.12 types are whole tags: CCONJ != SCONJ; seqeval 1.x reads both as type "CONJ".
        ([["CCONJ"]], [["SCONJ"]], 0.0, 100.0),
        # 0.0.12: X is its own type; seqeval 1.x gives X the type of the sentence-joining "O".
        ([["PROPN", "ADP"]], [["PROPN", "X"]], 50.0, 200 / 3),
    ],
)
def test_cases_where_the_two_versions_differ(gold, pred, v0012, v1):
    assert compute("f1_seqeval_0012", pred, gold)["f1"] == pytest.approx(v0012)
    assert compute("f1_seqeval", pred, gold)["f1"] == pytest.approx(v1)
