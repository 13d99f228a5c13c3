"""Terminal presentation: whole text at 80 columns, raw text when piped, small CLI conveniences."""

from __future__ import annotations

import json
import re

import yaml
from typer.testing import CliRunner

from stiltx import __version__
from stiltx.cli import app
from stiltx.tasks.registry import all_tasks

runner = CliRunner()
TERMINAL_80 = {"COLUMNS": "80", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}  # rich: a terminal
PIPED = {"COLUMNS": "", "TTY_COMPATIBLE": "0"}
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    return ANSI.sub("", text)


def test_recipes_show_piped_is_valid_yaml_that_validates(tmp_path):
    result = runner.invoke(app, ["recipes", "show", "multitask9"], env=PIPED)
    assert result.exit_code == 0, result.output
    path = tmp_path / "x.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    yaml.safe_load(path.read_text(encoding="utf-8"))
    assert runner.invoke(app, ["validate", "--recipe", str(path)]).exit_code == 0
    # Not hard-wrapped: some recipe lines are longer than 80 characters.
    assert max(len(line) for line in result.stdout.splitlines()) > 80


def test_recipes_show_with_columns_80_piped_is_still_raw(tmp_path):
    result = runner.invoke(app, ["recipes", "show", "multitask9"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    path = tmp_path / "x.yaml"
    path.write_text(result.stdout, encoding="utf-8")
    assert runner.invoke(app, ["validate", "--recipe", str(path)]).exit_code == 0


def test_train_dry_run_never_cuts_lines():
    args = ["train", "-r", "multitask9", "--set", "data.data_dir=/very/long/" + "x" * 90 + "_2024"]
    for env in (PIPED, TERMINAL_80):
        result = runner.invoke(app, [*args, "--dry-run"], env=env)
        assert result.exit_code == 0, result.output
        text = plain(result.stdout)
        joined = "".join(line.strip() for line in text.splitlines())
        assert "x" * 90 + "_2024" in joined, text[:2000]
        assert "…" not in text


def test_tasks_at_80_columns_shows_every_name_whole_and_fits():
    result = runner.invoke(app, ["tasks"], env=TERMINAL_80)
    assert result.exit_code == 0, result.output
    text = plain(result.stdout)
    assert "…" not in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 80
    first_cells = {line.split()[0] for line in text.splitlines() if line.strip()}
    for spec in all_tasks():
        assert spec.name in first_cells, spec.name
    assert "google/xtreme [PAWS-X.{language}]" in text  # sources whole (and not read as markup)


def test_tasks_json_lists_tasks_with_languages():
    result = runner.invoke(app, ["tasks", "--json", "--kind", "tagging"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    names = [r["name"] for r in records]
    assert "udpos" in names and "xnli" not in names
    panx = next(r for r in records if r["name"] == "panx")
    assert "sw" in panx["languages"] and panx["kind"] == "tagging"


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"stiltx {__version__}"


def test_help_shows_flags_without_a_value_type():
    result = runner.invoke(app, ["train", "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    line = next(line for line in result.stdout.splitlines() if "--dry-run" in line)
    assert "<bool>" not in line
    assert "--recipe" in result.stdout and "<str>" in result.stdout  # value options keep types


def test_cache_root_honours_xdg_cache_home(tmp_path, monkeypatch):
    from stiltx.cache import cache_root
    from stiltx.data.prepare import feature_cache_dir
    from stiltx.recipe.schema import DataConfig
    from stiltx.toy.build import default_cache_root

    monkeypatch.delenv("STILTX_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "stiltx"
    assert default_cache_root() == tmp_path / "xdg" / "stiltx" / "toy"
    assert feature_cache_dir(DataConfig()) == tmp_path / "xdg" / "stiltx" / "features"
    monkeypatch.setenv("STILTX_CACHE", str(tmp_path / "explicit"))  # STILTX_CACHE wins
    assert default_cache_root() == tmp_path / "explicit" / "toy"
    monkeypatch.delenv("STILTX_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # invalid per the XDG spec: ignored
    assert cache_root().is_absolute()


def test_data_inspect_reads_a_recipes_toy_data_with_label_names(tmp_path):
    env = {"XDG_CACHE_HOME": str(tmp_path), "STILTX_CACHE": ""}
    args = ["data", "inspect", "xnli", "--recipe", "multitask9", "--preset", "tiny",
            "--set", "toy.size=smoke", "--language", "de", "--json"]  # fmt: skip
    result = runner.invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["language"] == "de" and report["num_examples"] > 0
    example = report["examples"][0]
    assert example["label_name"] in ("entailment", "neutral", "contradiction")
    assert any((tmp_path / "stiltx" / "toy").iterdir())  # built under $XDG_CACHE_HOME
    bad = runner.invoke(app, ["data", "inspect", "xnli", "--preset", "tiny"])
    assert bad.exit_code == 2 and "--recipe" in bad.output


def test_finished_line_names_the_run_folder_and_the_time():
    from stiltx.terminal import finished_line

    assert finished_line(["runs/mt9-1200"], 185.2) == "done in 3m 05s: runs/mt9-1200"
    two = finished_line(["runs/x/seed-1", "runs/x/seed-2"], 7260)
    assert two == "done in 2h 01m: runs/x (2 seeds)"


def _words_whole(piped: str, terminal: str) -> None:
    """Every word of the raw (piped) text shows whole at 80 columns, and no line is longer."""
    lines = plain(terminal).splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    shown = set(plain(terminal).split())
    short = {w for w in plain(piped).split() if len(w) <= 70}  # a longer word must fold
    assert short <= shown, sorted(short - shown)[:10]


def test_plain_text_wraps_on_word_boundaries_at_80_columns():
    cases = [
        ["validate", "-r", "multitask9", "--set", "target.overrides.xnli.lrr=1",
         "--set", "seed=-1", "--set", "model.max_length=0"],
        ["recipes", "show", "multitask9"],
        ["sweep", "--recipes", "direct,multitask9", "--preset", "tiny", "--seeds", "1,2",
         "--set", "toy.size=smoke", "--dry-run"],
    ]  # fmt: skip
    for args in cases:
        piped = runner.invoke(app, args, env=PIPED)
        terminal = runner.invoke(app, args, env=TERMINAL_80)
        assert piped.exit_code == terminal.exit_code, terminal.output
        _words_whole(piped.output.replace(" \\\n", " "), terminal.output)


def test_sweep_dry_run_commands_wrap_between_arguments():
    from stiltx.terminal import command_lines

    argv = ["python", "-m", "stiltx", "train", "--recipe", "multitask9", "--preset", "tiny",
            "--set", "toy.size=smoke", "--out", "sweeps/x/multitask9/seed-1"]  # fmt: skip
    lines = command_lines(argv, 40)
    assert all(len(line) <= 40 for line in lines)
    assert all(line.endswith(" \\") for line in lines[:-1])
    assert " ".join(line.removesuffix(" \\").strip() for line in lines).split() == argv


def test_recipes_lists_one_line_per_recipe_at_80_columns():
    from stiltx.recipe.find import list_recipes

    result = runner.invoke(app, ["recipes"], env=TERMINAL_80)
    assert result.exit_code == 0, result.output
    lines = [line for line in plain(result.stdout).splitlines() if line.strip()]
    names = [r.name for r in list_recipes(include_presets=True)]
    assert [line.split()[0] for line in lines[: len(names)]] == names
    assert len(lines) == len(names) + 1  # and one line on `recipes show`
    assert max(len(line.rstrip()) for line in lines) <= 80
