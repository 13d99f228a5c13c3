"""The table a finished run prints: English, then the zero-shot mean and the transfer gap."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from stiltx.report.run_summary import run_table, transfer_split

LANGUAGES = {"xnli": {"en": 80.0, "de": 60.0, "sw": 50.0}, "pawsx": {"en": 90.0, "de": 70.0},
             "tatoeba": {"de": 40.0, "sw": 30.0}}  # fmt: skip


def _text(table) -> str:
    console = Console(width=80, file=io.StringIO(), color_system=None)
    console.print(table)
    return console.file.getvalue()


def test_zero_shot_and_gap_equal_hand_computed_values():
    zero_shot, gap = transfer_split(LANGUAGES)
    assert zero_shot == {"xnli": 55.0, "pawsx": 70.0, "tatoeba": 35.0}
    assert gap == {"xnli": 25.0, "pawsx": 20.0}  # tatoeba: no English score, no gap
    assert transfer_split({"tatoeba": {"de": 40.0}}) == ({}, {})


@pytest.mark.parametrize("as_columns", [8, 1])
def test_run_table_shows_them_next_to_english(as_columns):
    results = {"recipe": "direct", "seed": 1, "aggregates": {"benchmark": "xtreme",
               "languages": LANGUAGES, "tasks": {"xnli": 63.3, "pawsx": 80.0, "tatoeba": 35.0}}}  # fmt: skip
    text = _text(run_table(results, max_languages_as_columns=as_columns))
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines) and "…" not in text

    def cells(word: str, bar: str = "│") -> list[str]:
        line = next(line for line in lines if f"{bar} {word} " in line)
        return [c.strip() for c in line.split(bar)[1:-1]]

    if as_columns == 8:  # task x language: en | zero-shot | gap | de | sw | avg
        assert cells("task", "┃") == ["task", "en", "zero-shot", "gap", "de", "sw", "avg"]
        assert cells("xnli") == ["xnli", "80.0", "55.0", "25.0", "60.0", "50.0", "63.3"]
        assert cells("tatoeba") == ["tatoeba", "–", "35.0", "–", "40.0", "30.0", "35.0"]
    else:  # language x task: zero-shot and gap rows under avg
        assert cells("zero-shot") == ["zero-shot", "55.0", "70.0", "35.0"]
        assert cells("gap") == ["gap", "25.0", "20.0", "–"]
