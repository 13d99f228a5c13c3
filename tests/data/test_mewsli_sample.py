"""The shipped Mewsli-X sample has no candidate file: its mentions still read (for inspection),
with a warning, and every mention's query marks the mention span."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.data.files import DataWarning


def test_mentions_read_without_candidates(shared_data):
    path = shared_data / "mewsli_x" / "wikinews_mentions-sample.en.jsonl"
    expected = sum(
        len(json.loads(line)["mentions"]) for line in path.read_text().splitlines() if line
    )
    with pytest.warns(DataWarning, match="candidate entities not found"):
        result = CliRunner().invoke(
            app, ["data", "inspect", "mewsli_x", "--file", str(path), "--language", "en", "--json"]
        )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout[result.stdout.index("{") :])
    corpus = shown["examples"][0]
    assert len(corpus["queries"]) == expected and corpus["candidates"] == []
    for query in corpus["queries"]:
        assert "[" in query["text"] and "]" in query["text"]
