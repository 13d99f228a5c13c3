"""The command line: clean errors with exit code 2, fast start-up, recipe commands."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from stiltx.cli import app

runner = CliRunner()


def test_help_imports_neither_torch_nor_transformers():
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from stiltx.cli import app\n"
        "result = CliRunner().invoke(app, ['--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "heavy = [m for m in ('torch', 'transformers', 'datasets', 'adapters') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


@pytest.mark.parametrize(
    "args", [["validate", "--recipe", "multitask9"], ["validate", "-r", "direct", "-p", "tiny"]]
)
def test_validate_accepts_bundled_recipes(args):
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "recipe is valid" in result.output


def test_validate_reports_every_problem_with_exit_code_2():
    result = runner.invoke(
        app,
        [
            "validate",
            "-r",
            "multitask9",
            "--set",
            "target.train.lr=-1",
            "--set",
            "intermediate.tasks=[mnli, xnlii]",
        ],
    )
    assert result.exit_code == 2
    assert "target.train.lr: got -1.0, expected a positive number" in result.output
    assert "intermediate.tasks[1]: unknown task 'xnlii' (did you mean 'xnli'?)" in result.output
    assert "Traceback" not in result.output


def test_recipes_lists_every_bundled_recipe():
    result = runner.invoke(app, ["recipes"])
    assert result.exit_code == 0, result.output
    for name in ("multitask9", "direct", "single/mnli", "single/ccg", "presets/tiny"):
        assert name in result.output


def test_recipes_show_and_copy(tmp_path):
    shown = runner.invoke(app, ["recipes", "show", "direct"])
    assert shown.exit_code == 0 and "extends: multitask9" in shown.output
    copied = runner.invoke(app, ["recipes", "copy", "single/mnli", str(tmp_path)])
    assert copied.exit_code == 0, copied.output
    tree = yaml.safe_load((tmp_path / "mnli.yaml").read_text())
    assert "extends" not in tree and tree["intermediate"]["tasks"] == ["mnli"]
    # the copy stands alone and validates
    assert runner.invoke(app, ["validate", "-r", str(tmp_path / "mnli.yaml")]).exit_code == 0
    again = runner.invoke(app, ["recipes", "copy", "single/mnli", str(tmp_path)])
    assert again.exit_code == 2 and "not overwriting" in again.output


def test_unknown_recipe_is_a_clean_error():
    result = runner.invoke(app, ["validate", "-r", "multitsk9"])
    assert result.exit_code == 2
    assert "did you mean 'multitask9'" in result.output
