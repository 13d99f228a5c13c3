"""Saved models carry an integrity record (sizes and sha256 in done.json) like checkpoints: a
damaged one is named in one line wherever it is used again; `intermediate.from` a plain folder
that is not a saved model is refused at validate, and by train before it writes anything."""

from __future__ import annotations

import json
import os

import pytest
from typer.testing import CliRunner

from stiltx import saved_model
from stiltx.cli import app
from stiltx.recipe import intermediate_from
from stiltx.train.stage import DamagedStageError, read_done

WEIGHTS = b"\x00" * 4000 + b"weights"


def fake_run(root):
    """A run folder whose intermediate stage finished, with its model's record."""
    model = root / "intermediate" / "model"
    model.mkdir(parents=True)
    (root / "recipe.resolved.yaml").write_text("method: {kind: full}\n")
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(WEIGHTS)
    done = {"steps": 2, "seconds": 1.0, "model_files": saved_model.record(model)}
    (root / "intermediate" / "done.json").write_text(json.dumps(done))
    return root, model / "model.safetensors"


def truncate(file):
    file.write_bytes(WEIGHTS[:100])


def flip(file):
    file.write_bytes(WEIGHTS[:-1] + b"X")  # same size, other bytes


def remove(file):
    file.unlink()


def link(file):
    file.unlink()
    os.symlink(file.parent / "config.json", file)


DAMAGES = {  # case: (damage, words, seen by the size-only check of `validate`)
    "truncated": (truncate, "100 bytes, expected 4007", True),
    "altered": (flip, "differ from the recorded sha256", False),
    "missing": (remove, "missing, expected 4007", True),
    "a link": (link, "missing, expected 4007", True),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DAMAGES))
def test_a_damaged_model_is_named(tmp_path, case):
    damage, words, by_size = DAMAGES[case]
    run, weights = fake_run(tmp_path / "run")
    damage(weights)
    with pytest.raises(DamagedStageError, match=words):
        read_done(run / "intermediate")
    with pytest.raises(Exception, match=words) as error:
        intermediate_from.resolve(str(run))
    assert "intermediate.from" in str(error.value)
    found = intermediate_from.problems(str(run), "full")
    assert (len(found) == 1 and words in found[0]) if by_size else found == []


def test_a_sound_model_resolves(tmp_path):
    run, _ = fake_run(tmp_path / "run")
    assert intermediate_from.resolve(str(run)) == run / "intermediate" / "model"
    assert intermediate_from.problems(str(run), "full") == []
    assert read_done(run / "intermediate").steps == 2


def test_an_older_record_of_sizes_only_still_checks_sizes(tmp_path):
    run, weights = fake_run(tmp_path / "run")
    done = run / "intermediate" / "done.json"
    info = json.loads(done.read_text())
    info["model_files"] = {k: v["bytes"] for k, v in info["model_files"].items()}
    done.write_text(json.dumps(info))
    read_done(run / "intermediate")
    truncate(weights)
    with pytest.raises(DamagedStageError, match="100 bytes"):
        read_done(run / "intermediate")


PLAIN = {  # case: (files in the folder, method, words)
    "notes only": ({"notes.txt": "hi"}, "full", "no *.safetensors weights"),
    "full model for adapters": ({"model.safetensors": "x"}, "adapter", "no adapter/ folder"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(PLAIN))
def test_validate_refuses_a_plain_folder_that_is_no_model(tmp_path, case):
    files, method, words = PLAIN[case]
    folder = tmp_path / "folder"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text)
    sets = ["--set", f"intermediate.from={folder}", "--set", f"method.kind={method}"]
    result = CliRunner().invoke(app, ["validate", "-r", "multitask9", *sets])
    assert result.exit_code == 2 and words in result.output, result.output
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["train", "-r", "multitask9", *sets, "--out", str(out)])
    assert result.exit_code == 2 and words in result.output, result.output
    assert not out.exists()
