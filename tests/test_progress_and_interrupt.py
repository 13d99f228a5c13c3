"""Long work shows progress and can be stopped: zero-shot evaluation draws a bar in a terminal;
Ctrl-C in `stiltx train` exits 130 with one line saying how to resume the run."""

from __future__ import annotations

import io
import os
import shlex
import signal
import subprocess
import sys
import time

import pytest
from rich.console import Console

from stiltx.pipeline import run
from stiltx.recipe.load import load_recipe
from stiltx.reevaluate import evaluate_run

SMOKE = ["toy.size=smoke", "target.tasks=[pawsx]", "target.train.batch_size=4"]


@pytest.fixture(scope="module")
def direct_run(tmp_path_factory, toy_cache):
    overrides = [*SMOKE, "target.train.max_steps=3", f"toy.cache_dir={toy_cache}"]
    recipe = load_recipe("direct", preset="tiny", overrides=overrides)
    [run_dir] = run(recipe, out_dir=tmp_path_factory.mktemp("runs") / "direct")
    return run_dir


def test_evaluation_draws_a_bar_in_a_terminal(direct_run):
    out = io.StringIO()
    console = Console(file=out, width=80, force_terminal=True, color_system=None)
    results = evaluate_run(direct_run, console=console)
    languages = {s["language"] for s in results["scores"] if s["task"] == "pawsx"}
    frames = out.getvalue()
    assert "evaluate" in frames and f"/{len(languages)}" in frames  # done / total languages
    assert any(f"pawsx {language}" in frames for language in languages)
    retrieved = {(s["task"], s["language"]) for s in results["scores"] if s["task"] == "tatoeba"}
    assert retrieved and "retrieval" in frames  # retrieval has a bar of its own
    assert any(f"tatoeba {language}" in frames for _, language in retrieved)
    piped = io.StringIO()
    evaluate_run(direct_run, console=Console(file=piped, width=80, force_terminal=False))
    assert "evaluate" not in piped.getvalue()  # logs and pipes get no bar frames
    assert "retrieval" not in piped.getvalue()


def test_ctrl_c_in_train_exits_130_with_the_resume_command(tmp_path, toy_cache, direct_run):
    out = tmp_path / "run"
    sets = [*SMOKE, "target.train.max_steps=100000", "retrieval.tasks=[]"]
    argv = ["train", "--recipe", "direct", "--preset", "tiny"]
    argv += [w for item in [*sets, f"toy.cache_dir={toy_cache}"] for w in ("--set", item)]
    argv += ["--out", str(out)]
    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"}
    process = subprocess.Popen(
        [sys.executable, "-m", "stiltx", *argv],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        # as in a terminal: a background shell job starts with SIGINT ignored, Python keeps that
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    started = out / "target" / "pawsx"  # the training loop's folder: training is under way
    deadline = time.monotonic() + 600  # a loaded shared machine starts torch slowly
    while not started.is_dir() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    if not started.is_dir():
        process.kill()
        pytest.fail(f"training did not start: {process.communicate()}")
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-2000:]
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr[-2000:]
    expected = shlex.join(["stiltx", *argv, "--resume"])  # 'target.tasks=[pawsx]' quoted
    assert lines[0] == f"interrupted; resume with: {expected}"


def test_ctrl_c_in_a_sweep_says_how_to_resume_it(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from stiltx.cli import app
    from stiltx.sweep import driver

    def interrupt(options, console):
        raise KeyboardInterrupt

    monkeypatch.setattr(driver, "sweep_command", interrupt)
    argv = ["sweep", "--recipes", "direct,single/*", "--seeds", "1-2", "--preset", "tiny",
            "--set", "toy.size=smoke", "--out", str(tmp_path / "s"), "--gpus", "0,1"]  # fmt: skip
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "80", "TTY_COMPATIBLE": "0"})
    assert result.exit_code == 130
    command = (
        "stiltx sweep --recipes 'direct,single/*' --seeds 1-2 --preset tiny --set toy.size=smoke "
        f"--out {tmp_path / 's'} --gpus 0,1 --resume"
    )
    assert result.stderr.strip() == f"interrupted; resume with: {command}"  # piped: one line
    # in a terminal: wrapped between arguments with ` \` continuations, so a copy still runs
    terminal = {"COLUMNS": "80", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}
    lines = CliRunner().invoke(app, argv, env=terminal).stderr.splitlines()
    assert lines[0] == "interrupted; resume with:" and all(len(line) <= 80 for line in lines)
    assert all(line.endswith(" \\") for line in lines[1:-1])
    assert " ".join(line.removesuffix(" \\").strip() for line in lines[1:]) == command
