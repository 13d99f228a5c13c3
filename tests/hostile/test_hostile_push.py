"""Hostile run folders given to `stiltx push --dry-run`: links are refused (never followed into the
upload), bad --what / --repo-id / --out refused in one line, damaged JSON named in the card."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from stiltx.cli import app

RECIPE = "name: toy-run\nmodel: {name_or_path: toy}\nmethod: {kind: full}\nseed: 1\n"


@pytest.fixture
def run(tmp_path):
    run = tmp_path / "run"
    (run / "intermediate" / "model").mkdir(parents=True)
    (run / "intermediate" / "model" / "config.json").write_text("{}")
    (run / "intermediate" / "done.json").write_text("{}")
    (run / "target" / "pawsx" / "model").mkdir(parents=True)
    (run / "target" / "pawsx" / "model" / "config.json").write_text("{}")
    (run / "target" / "pawsx" / "done.json").write_text("{}")
    (run / "recipe.resolved.yaml").write_text(RECIPE)
    (run / "mixture.json").write_text('{"policy": "capped", "tasks": {}}')
    (run / "results.json").write_text('{"scores": []}')
    (tmp_path / "secret.txt").write_text("ssh key")
    return run


def push(run, *args, out=None):
    out = out or run.parent / "upload"
    argv = ["push", str(run), "--dry-run", "--out", str(out)]
    return CliRunner().invoke(app, [*argv, "--repo-id", "me/model", *args]), out


def link_in_model(run):
    os.symlink(run.parent / "secret.txt", run / "intermediate" / "model" / "weights.bin")


def link_model_folder(run):
    (run / "intermediate" / "model" / "config.json").unlink()
    (run / "intermediate" / "model").rmdir()
    os.symlink(run.parent, run / "intermediate" / "model")


def link_results(run):
    (run / "results.json").unlink()
    os.symlink(run.parent / "secret.txt", run / "results.json")


REFUSED = {  # case: (damage, extra args, words of the one-line error)
    "link inside the model": (link_in_model, [], ["weights.bin", "symbolic link"]),
    "model folder is a link": (link_model_folder, [], ["leads outside"]),
    "results.json is a link": (link_results, [], ["results.json", "symbolic link"]),
    "--what escapes": (None, ["--what", "target:../intermediate"], ["--what target:", "'..'"]),
    "--what nested": (None, ["--what", "target:pawsx/../../x"], ["--what target:"]),
    "--repo-id odd": (None, ["--repo-id", "bad id!!/.."], ["--repo-id", "namespace/name"]),
    "--repo-id dots": (None, ["--repo-id", "me/../x"], ["--repo-id"]),
}  # fmt: skip


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused(run, case):
    damage, args, words = REFUSED[case]
    if damage:
        damage(run)
    result, out = push(run, *args)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "Traceback" not in text and all(w in text for w in words), text
    assert not out.exists()
    assert not any("ssh key" in p.read_text() for p in run.parent.rglob("*.bin") if p.is_file()
                   and not p.is_symlink())  # fmt: skip


def test_out_is_an_existing_file(run, tmp_path):
    (tmp_path / "taken").write_text("keep")
    result, _ = push(run, out=tmp_path / "taken")
    assert result.exit_code == 2 and "is a file" in result.output, result.output
    assert (tmp_path / "taken").read_text() == "keep"


DAMAGED = {
    "results.json not UTF-8": ("results.json", b"\xff\xfe{}", "results.json is damaged"),
    "results.json a list": ("results.json", b"[1]", "results.json is damaged"),
    "results.json odd scores": ("results.json", b'{"aggregates": {"tasks": {"x": "?"}}}',
                                "results.json is damaged"),
    "mixture.json truncated": ("mixture.json", b'{"policy": "cap', "mixture.json is damaged"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_json_is_said_in_the_card(run, case):
    name, data, words = DAMAGED[case]
    (run / name).write_bytes(data)
    result, out = push(run)
    assert result.exit_code == 0, result.output
    assert words in (out / "README.md").read_text()


def test_target_push_copies_regular_files(run):
    result, out = push(run, "--what", "target:pawsx")
    assert result.exit_code == 0, result.output
    assert (out / "config.json").is_file() and (out / "stiltx" / "results.json").is_file()
