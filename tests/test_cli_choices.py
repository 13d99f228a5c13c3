"""Typed choices on the command line: a bad value is one clean line, exit code 2; every command's
help renders."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stiltx.cli import app

runner = CliRunner()


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["report", ".", "--format", "docx"], "--format 'docx': expected one of table, md, csv"),
        (["report", ".", "--view", "x"], "--view 'x': expected one of all, transfer"),
        (["report", ".", "--group-by", "x"], "--group-by 'x': expected one of task, language"),
        (
            ["report", ".", "--latex-layout", "x"],
            "--latex-layout 'x': expected one of column, wide",
        ),
        (["sweep", "--recipes", "direct", "--executor", "pbs"], "expected one of local, slurm"),
    ],
)
def test_a_bad_choice_is_one_clean_line(args, line):
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and line in lines[0], result.output


@pytest.mark.parametrize(
    "command",
    ["validate", "train", "translate", "evaluate", "recipes", "recipes show", "recipes copy",
     "report", "sweep", "push", "tasks", "score", "data", "data inspect", "data prepare",
     "toy", "toy build"],
)  # fmt: skip
def test_every_command_has_help(command):
    result = runner.invoke(app, [*command.split(), "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
