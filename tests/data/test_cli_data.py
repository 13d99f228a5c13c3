"""`stiltx tasks` and `stiltx data inspect` through the real Typer app."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.tasks.registry import all_tasks

runner = CliRunner()


def test_tasks_lists_every_task_and_filters():
    result = runner.invoke(app, ["tasks"], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.output
    for spec in all_tasks():
        assert spec.name in result.output
    tagging = runner.invoke(app, ["tasks", "--kind", "tagging"], env={"COLUMNS": "250"})
    assert "udpos" in tagging.output and "xnli" not in tagging.output
    xtreme = runner.invoke(app, ["tasks", "--benchmark", "xtreme"], env={"COLUMNS": "250"})
    assert "bucc2018" in xtreme.output and "xcopa" not in xtreme.output
    bad = runner.invoke(app, ["tasks", "--kind", "taging"])
    assert bad.exit_code == 2 and "did you mean 'tagging'" in bad.output


def test_inspect_json_is_one_object(shared_data):
    args = [
        "data",
        "inspect",
        "panx",
        "--language",
        "hi",
        "--split",
        "test",
        "--data-dir",
        str(shared_data),
        "--json",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"task", "language", "split", "num_examples", "examples"}
    assert report["num_examples"] == 200 and len(report["examples"]) == 3
    assert report["examples"][0]["tags"] is None


def test_inspect_file_and_retrieval_text(shared_data):
    path = shared_data / "tatoeba/v1/tatoeba.swh-eng.swh"
    result = runner.invoke(
        app, ["data", "inspect", "tatoeba", "--language", "sw", "--file", str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "390 examples" in result.output and "sw-0" in result.output


def test_inspect_errors_are_clean(tmp_path):
    result = runner.invoke(
        app, ["data", "inspect", "xnli", "--language", "xx", "--data-dir", str(tmp_path)]
    )
    assert (
        result.exit_code == 2
        and "its languages: en" in result.output
        and "Traceback" not in result.output
    )
    result = runner.invoke(
        app, ["data", "inspect", "xnli", "--language", "de", "--data-dir", str(tmp_path)]
    )
    assert result.exit_code == 2 and "dev-de.tsv" in result.output
