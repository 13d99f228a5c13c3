"""Run folders saved before saved models had an integrity record (no `model_files` in done.json),
their model truncated or its header damaged: everything that loads the model again (`stiltx
select` logme / proxy, `intermediate.from`, `stiltx evaluate`, a merge's input) names the file
in one line (exit code 2), never a SafetensorError traceback; `--resume` trains the stage again.
The run is a real one (tiny model, smoke world, a few steps), its record removed."""

from __future__ import annotations

import json
import os
import shutil
import struct
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stiltx import run_files, saved_model
from stiltx.cli import app
from stiltx.model.merged import saved_encoder
from stiltx.model.methods import read_safetensors

SETS = [
    "toy.size=smoke",
    "intermediate.train.max_steps=2",
    "intermediate.train.batch_size=4",
    "target.tasks=[pawsx]",
    "target.train.max_steps=2",
    "target.train.batch_size=4",
    "target.parallel=1",
    "retrieval.tasks=[]",
    "eval.languages=[en, de]",
]
RUN = "single-mnli/seed-1"  # as a sweep of single/* names it
WEIGHTS = "intermediate/model/model.safetensors"
TARGET_WEIGHTS = "target/pawsx/model/model.safetensors"


def sets(toy_cache, *extra):
    return [x for s in [*SETS, f"toy.cache_dir={toy_cache}", *extra] for x in ("--set", s)]


@pytest.fixture(scope="module")
def finished(tmp_path_factory, toy_cache):
    """A sweep folder holding one finished single/mnli run, as a run of today writes it."""
    sweep = tmp_path_factory.mktemp("old") / "sweep"
    argv = ["train", "-r", "single/mnli", "-p", "tiny", "--out", str(sweep / RUN)]
    result = CliRunner().invoke(app, [*argv, *sets(toy_cache)])
    assert result.exit_code == 0, result.output
    return sweep


def without_records(sweep):
    """The run as a stiltx of before the integrity record left it."""
    for done in (sweep / RUN).rglob("done.json"):
        info = json.loads(done.read_text())
        if info.pop("model_files", None) is not None:
            done.write_text(json.dumps(info))


@pytest.fixture
def old(finished, tmp_path):
    sweep = tmp_path / "sweep"
    shutil.copytree(finished, sweep, symlinks=True)
    without_records(sweep)
    return sweep


def truncate(file):
    file.write_bytes(file.read_bytes()[: file.stat().st_size // 2])


def header_damaged(file):
    data = bytearray(file.read_bytes())
    data[10] = 0xFF  # inside the JSON header: not UTF-8 any more
    file.write_bytes(bytes(data))


def appended(file):
    file.write_bytes(file.read_bytes() + b"\x00" * 16)


def header_too_long(file):
    data = file.read_bytes()
    file.write_bytes(struct.pack("<Q", len(data)) + data[8:])


DAMAGES = {  # case: (damage, words of the error after the file's name)
    "truncated": (truncate, "(truncated?)"),
    "header not UTF-8": (header_damaged, "unreadable safetensors header"),
    "bytes appended": (appended, "its tensors need"),
    "header length past the end": (header_too_long, "its header claims"),
}  # fmt: skip


def select(estimator):
    return lambda sweep, toy_cache: [
        "select", "--from", str(sweep), "--target", "pawsx", "--estimator", estimator,
        "--preset", "tiny", *sets(toy_cache)]  # fmt: skip


def from_run(command):
    def argv(sweep, toy_cache):
        out = ["--out", str(sweep.parent / "new")] if command == "train" else []
        return [command, "-r", "single/mnli", "-p", "tiny", *out,
                *sets(toy_cache, f"intermediate.from={sweep / RUN}")]  # fmt: skip

    return argv


COMMANDS = {  # command: (argv, the damaged model file)
    "select logme": (select("logme"), WEIGHTS),
    "select proxy": (select("proxy"), WEIGHTS),
    "select logme,proxy": (select("logme,proxy"), WEIGHTS),
    "intermediate.from (validate)": (from_run("validate"), WEIGHTS),
    "intermediate.from (train)": (from_run("train"), WEIGHTS),
    "evaluate --run": (lambda sweep, _: ["evaluate", "--run", str(sweep / RUN)], TARGET_WEIGHTS),
}  # fmt: skip


@pytest.mark.parametrize("damage", list(DAMAGES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_damaged_model_without_a_record_is_one_line(old, toy_cache, command, damage):
    argv, name = COMMANDS[command]
    hurt, words = DAMAGES[damage]
    hurt(old / RUN / name)
    result = CliRunner().invoke(app, argv(old, toy_cache), env={"COLUMNS": None})
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    text = result.output.strip()  # evaluate says where the toy world is first
    lines = text[text.index("error: ") :].splitlines()
    if command.startswith("intermediate.from"):  # a recipe's problems, listed under its name
        assert lines[0].startswith("error: recipe ") and lines[1].startswith("  - "), lines
        lines = lines[1:]
    assert len(lines) == 1, result.output
    assert f"{old / RUN / name}: " in lines[0] and words in lines[0], lines[0]
    assert not (old.parent / "new").exists()  # train refused before writing anything


def test_a_sound_model_without_a_record_is_used(old):
    assert saved_model.check_readable(old / RUN / "intermediate" / "model") is None
    model = old / RUN / "intermediate" / "model"
    state = saved_encoder(None, model, "single/mnli")  # a merge input: the encoder's weights
    assert state and not any(k.startswith("heads.") for k in state)


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_the_loaders_name_the_file_too(old, damage):
    """What `Method.load` and a merge read (also for folders that never had a record)."""
    hurt, words = DAMAGES[damage]
    model = old / RUN / "intermediate" / "model"
    hurt(model / "model.safetensors")
    with pytest.raises(saved_model.DamagedModelError, match="model.safetensors: ") as error:
        read_safetensors(model, [model / "model.safetensors"])
    assert words in str(error.value)
    with pytest.raises(Exception, match=r"^merge: single/mnli: .*model.safetensors: ") as error:
        saved_encoder(None, model, "single/mnli")
    assert words in str(error.value) and "\n" not in str(error.value)


def test_resume_trains_a_damaged_stage_again(old, finished, toy_cache):
    truncate(old / RUN / WEIGHTS)
    argv = ["train", "-r", "single/mnli", "-p", "tiny", "--out", str(old / RUN), "--resume"]
    result = CliRunner().invoke(app, [*argv, *sets(toy_cache)])
    assert result.exit_code == 0, result.output
    scores = [json.loads((s / RUN / "results.json").read_text())["scores"] for s in (old, finished)]
    assert scores[0] == scores[1]
    saved_model.check_readable(old / RUN / "intermediate" / "model")


def test_a_folder_of_links_like_the_hub_cache_loads(old, tmp_path):
    """intermediate.from a Hub id: its snapshot is links into blobs/, read through; inside a
    folder a command holds, the same links lead out of it and are refused."""
    model = old / RUN / "intermediate" / "model"
    hub = tmp_path / "hub"
    blobs, snapshot = hub / "blobs", hub / "snapshots" / "abc"
    blobs.mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for file in model.iterdir():
        shutil.copy(file, blobs / file.name)
        os.symlink(Path("../../blobs") / file.name, snapshot / file.name)
    weights = [snapshot / "model.safetensors"]
    direct = read_safetensors(model, [model / "model.safetensors"])
    assert read_safetensors(snapshot, weights).keys() == direct.keys()
    with run_files.guarded(hub / "snapshots"):
        with pytest.raises(run_files.OutsideLinkError, match=rf"^{snapshot}/\S+: is a symbolic"):
            read_safetensors(snapshot, weights)
    truncate(blobs / "model.safetensors")
    with pytest.raises(saved_model.DamagedModelError, match=rf"^{weights[0]}: .*\(truncated\?\)"):
        read_safetensors(snapshot, weights)
