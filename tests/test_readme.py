"""The README is the user's door: its commands must stay true.

The set-up commands pin torch before installing (an unpinned torch pulls a CUDA build), CI runs
the README's own test command, and every `stiltx train` example parses and dry-runs offline.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stiltx.cli import app

README = Path(__file__).resolve().parents[1] / "README.md"
TEXT = README.read_text(encoding="utf-8")
BLOCKS = re.findall(r"```bash\n(.*?)```", TEXT, flags=re.S)
COMMANDS = [line.split("#")[0].strip() for block in BLOCKS for line in block.splitlines()]
TRAIN = [c for c in COMMANDS if c.startswith("stiltx train")]


def test_setup_commands_pin_torch_first_and_ci_runs_the_readme_test_command():
    setup, tests = BLOCKS[0].strip(), BLOCKS[1].strip()
    for command in (setup, tests):
        assert re.search(r"pip install (--[\w-]+ )*torch==2\.13\.0 ", command), command
        assert command.index("torch==2.13.0") < command.index("-e ")
    assert "stiltx train --recipe multitask9 --preset tiny" in setup
    assert tests.endswith("pytest -q")
    ci = (README.parent / ".ci" / "run").read_text()
    assert "ci:test" in ci and "<!-- ci:test -->" in TEXT


@pytest.mark.parametrize("command", TRAIN)
def test_every_train_example_dry_runs(command, tmp_path, monkeypatch):
    monkeypatch.setenv("STILTX_CACHE", str(tmp_path))
    args = shlex.split(command)[1:]
    if "--recipe" not in args:
        pytest.fail(f"README example without --recipe: {command}")
    result = CliRunner().invoke(app, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "intermediate" in result.output


SWEEP = [c for c in COMMANDS if c.startswith("stiltx sweep")]


@pytest.mark.parametrize("command", SWEEP)
def test_every_sweep_example_dry_runs(command, tmp_path, monkeypatch):
    monkeypatch.setenv("STILTX_CACHE", str(tmp_path))
    args = shlex.split(command)[1:]
    out = args.index("--out")
    args[out + 1] = str(tmp_path / "sweep")
    result = CliRunner().invoke(app, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "jobs" in result.output
