"""Inputs that used to be accepted: a max_length beyond the model's positions, a gold file with a
repeated id. Each is one line naming the key or file, exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.model.build import build_model
from stiltx.recipe.schema import ModelConfig


@pytest.mark.parametrize("length,ok", [(512, True), (513, False), (2048, False)])
def test_max_length_beyond_the_model_positions(tiny_model_dir, length, ok):
    config = ModelConfig(name_or_path=str(tiny_model_dir), max_length=length)
    if ok:
        build_model(config, {})
        return
    with pytest.raises(StiltxError, match=rf"model.max_length: got {length}.*at most 512 tokens"):
        build_model(config, {})


def copa(idx: int) -> str:
    row = {"premise": "a", "choice1": "b", "choice2": "c", "question": "cause", "idx": idx,
           "label": 0}  # fmt: skip
    return json.dumps(row) + "\n"


def test_score_refuses_a_gold_file_with_a_repeated_id(tmp_path):
    gold = tmp_path / "test.sw.jsonl"
    gold.write_text(copa(0) + copa(1) + copa(0))
    predictions = tmp_path / "p.jsonl"
    predictions.write_text("".join(json.dumps({"prediction": 0}) + "\n" for _ in range(3)))
    argv = ["score", "xcopa", "--gold", str(gold), "--predictions", str(predictions)]
    result = CliRunner().invoke(app, [*argv, "--language", "sw"])
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "example #3 repeats the id" in text and "Traceback" not in text, text
