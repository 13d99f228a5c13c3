"""Names that become paths: a recipe or preset given as a path to a non-recipe file, a bundled
name with '..', an unknown --tasks name. Each is one line, exit code 2, nothing printed from
outside."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.recipe.load import load_recipe
from stiltx.run_dir import write_resolved_recipe

SECRET = "root:x:0:0:secret"


@pytest.fixture
def secret(tmp_path, monkeypatch):
    (tmp_path / "passwd").write_text(SECRET + "\n")
    (tmp_path / "cwd" / "a" / "b").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "cwd" / "a" / "b")
    return tmp_path / "passwd"


CASES = {  # case: (argv after the secret's relative path is filled in, words of the error)
    "recipes show a relative path": (["recipes", "show", "{rel}"], "not a recipe"),
    "recipes show an absolute path": (["recipes", "show", "{abs}"], "not a recipe"),
    "recipes copy a path": (["recipes", "copy", "{abs}", "out.yaml"], "not a recipe"),
    "bundled name with ..": (["recipes", "show", "../../../../../../etc/passwd"], "not"),
    "validate --recipe a path": (["validate", "--recipe", "{abs}"], "not a recipe"),
    "validate --preset a path": (["validate", "-r", "direct", "--preset", "{abs}"], "not a recipe"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_a_file_that_is_not_a_recipe_is_not_printed(secret, case):
    argv, words = CASES[case]
    argv = [a.format(rel="../../../passwd", abs=secret) for a in argv]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert SECRET not in result.output and "Traceback" not in result.output
    assert words in result.output, result.output


def test_evaluate_an_unknown_task_is_an_error(tmp_path):
    recipe = load_recipe("single/mnli", preset="tiny", overrides=["target.tasks=[pawsx]"])
    write_resolved_recipe(tmp_path, recipe)
    for task in ("../../x", "pawsy"):
        result = CliRunner().invoke(app, ["evaluate", "--run", str(tmp_path), "--tasks", task])
        assert result.exit_code == 2, result.output
        text = " ".join(result.output.split())
        assert f"--tasks '{task}': not a task of the run" in text, text
    assert "did you mean 'pawsx'" in text.lower(), text
