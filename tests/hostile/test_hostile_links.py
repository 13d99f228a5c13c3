"""Run and sweep folders whose sub-folders or files are links leading outside them: stiltx would
read or write (atomic writes included) wherever they point. Every command that reads or writes
there refuses first, in one line naming the link, and nothing outside is read or changed; a link
that stays inside the folder is left alone."""

from __future__ import annotations

import os

import pytest
from typer.testing import CliRunner

from stiltx import run_files
from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.sweep import jobs as J

RECIPE = "name: toy-run\nmethod: {kind: full}\n"
SWEEP_JOB = J.Job(id="single-mnli/seed-1", recipe="single-mnli", ref="single/mnli", seed=1,
                  role="candidate", preset=None, overrides=(), stages="")  # fmt: skip


@pytest.fixture
def away(tmp_path):
    """A folder outside the run, with a file that must stay as it is."""
    folder = tmp_path / "away"
    folder.mkdir()
    (folder / "keep.txt").write_text("keep")
    return folder


def run_folder(root):
    """A run folder as a finished run leaves it (the files stiltx reads), no links yet."""
    run = root / "run"
    for folder in ("intermediate/model", "target/pawsx/model", "predictions/pawsx"):
        (run / folder).mkdir(parents=True)
    (run / "recipe.resolved.yaml").write_text(RECIPE)
    (run / "intermediate" / "done.json").write_text('{"steps": 1, "seconds": 1.0}')
    (run / "intermediate" / "model" / "model.safetensors").write_bytes(b"weights")
    (run / "results.json").write_text('{"scores": []}')
    return run


def link(run, name, to):
    """Replace `run/name` (a folder or file, or nothing) by a link to `to`."""
    path = run / name
    if path.is_dir():
        for child in sorted(path.rglob("*"), reverse=True):
            child.rmdir() if child.is_dir() else child.unlink()
        path.rmdir()
    else:
        path.unlink(missing_ok=True)
        path.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(to, path)


LINKS = {  # case: (what in the run folder becomes a link, where to inside `away`)
    "predictions/": ("predictions", "."),
    "target/": ("target", "."),
    "a stage folder": ("target/pawsx", "."),
    "a checkpoint folder": ("target/pawsx/checkpoint-1", "."),
    "a dangling checkpoint link": ("target/pawsx/checkpoint-2", "nowhere"),
    "intermediate/": ("intermediate", "."),
    "the saved model": ("intermediate/model", "."),
    "results.json": ("results.json", "keep.txt"),
    "train_log.jsonl": ("target/pawsx/train_log.jsonl", "keep.txt"),
}  # fmt: skip


def refused(result, path, away):
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "Traceback" not in text and f"{path}: is a symbolic link leading outside" in text, text
    assert sorted(p.name for p in away.iterdir()) == ["keep.txt"]
    assert (away / "keep.txt").read_text() == "keep"


def train_resume(run, toy_cache):
    sets = ["toy.size=smoke", f"toy.cache_dir={toy_cache}", "target.tasks=[pawsx]"]
    argv = ["train", "-r", "single/mnli", "-p", "tiny", "--out", str(run), "--resume"]
    return CliRunner().invoke(app, [*argv, *[x for s in sets for x in ("--set", s)]])


def evaluate(run, toy_cache):
    return CliRunner().invoke(app, ["evaluate", "--run", str(run)])


def validate_from(run, toy_cache):
    sets = ["--set", f"intermediate.from={run}", "--set", "method.kind=full"]
    return CliRunner().invoke(app, ["validate", "-r", "multitask9", *sets])


COMMANDS = {"train --resume": train_resume, "evaluate --run": evaluate,
            "intermediate.from (validate)": validate_from}  # fmt: skip


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("case", list(LINKS))
def test_a_link_leading_out_of_the_run_is_refused(tmp_path, away, toy_cache, case, command):
    run = run_folder(tmp_path)
    name, to = LINKS[case]
    link(run, name, away / to)
    result = COMMANDS[command](run, toy_cache)
    refused(result, run / name, away)


def test_intermediate_from_a_linked_run_is_refused_by_train_too(tmp_path, away, toy_cache):
    run = run_folder(tmp_path)
    link(run, "intermediate/model", away)
    out = tmp_path / "new"
    sets = ["--set", f"intermediate.from={run}", "--set", f"toy.cache_dir={toy_cache}"]
    result = CliRunner().invoke(app, ["train", "-r", "multitask9", "-p", "tiny", *sets,
                                      "--out", str(out)])  # fmt: skip
    refused(result, run / "intermediate/model", away)
    assert not out.exists()


def sweep_folder(root):
    sweep = root / "sweep"
    J.write_manifest(sweep, J.SweepSpec(recipes=("single/mnli",), seeds=(1,)), [SWEEP_JOB])
    run_folder(sweep / "single-mnli")
    (sweep / "single-mnli" / "run").rename(sweep / "single-mnli" / "seed-1")
    return sweep


SWEEP_LINKS = {  # case: (what in the sweep folder becomes a link)
    "the state folder": ".sweep",
    "a job's run folder": "single-mnli/seed-1",
    "a recipe's folder": "single-mnli",
    "a job's log": ".sweep/logs/single-mnli-seed-1.log",
}  # fmt: skip


def sweep_status(sweep):
    return CliRunner().invoke(app, ["sweep", "--status", str(sweep)])


def sweep_resume(sweep):
    argv = ["sweep", "--recipes", "single/mnli", "--seeds", "1", "--out", str(sweep), "--resume"]
    return CliRunner().invoke(app, argv)


def select_from(sweep):
    argv = ["select", "--from", str(sweep), "--estimator", "size", "--target", "xnli"]
    return CliRunner().invoke(app, argv)


SWEEP_COMMANDS = {"sweep --status": sweep_status, "sweep --resume": sweep_resume,
                  "select --from": select_from}  # fmt: skip


@pytest.mark.parametrize("command", list(SWEEP_COMMANDS))
@pytest.mark.parametrize("case", list(SWEEP_LINKS))
def test_a_link_leading_out_of_the_sweep_is_refused(tmp_path, away, case, command):
    sweep = sweep_folder(tmp_path)
    name = SWEEP_LINKS[case]
    if (sweep / name).is_dir():
        os.rename(sweep / name, away / "moved")
        os.symlink(away / "moved", sweep / name)
    else:
        link(sweep, name, away / "keep.txt")
    before = sorted(str(p.relative_to(away)) for p in away.rglob("*"))
    result = SWEEP_COMMANDS[command](sweep)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert f"{sweep / name}: is a symbolic link leading outside the sweep folder" in text, text
    assert sorted(str(p.relative_to(away)) for p in away.rglob("*")) == before
    assert (away / "keep.txt").read_text() == "keep"


def test_links_that_stay_inside_are_left_alone(tmp_path, away):
    run = run_folder(tmp_path)
    os.symlink(run / "intermediate" / "model", run / "target" / "pawsx" / "warm-start")
    os.symlink("../results.json", run / "predictions" / "results.json")
    assert run_files.check_tree(run) == run
    os.symlink(run, tmp_path / "alias")  # the run folder itself may be a link
    assert run_files.check_tree(tmp_path / "alias") == tmp_path / "alias"
    os.symlink("../../away", run / "predictions" / "out")  # relative, leading out
    with pytest.raises(StiltxError, match=r"predictions/out: is a symbolic link leading outside"):
        run_files.check_tree(tmp_path / "alias")
