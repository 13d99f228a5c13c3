"""Licensed data (CCGbank): `stiltx validate` warns with the fix when its files are absent."""

from __future__ import annotations

from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.tasks.tagging import CCG_FILES

runner = CliRunner()


def test_validate_warns_when_ccgbank_files_are_absent(tmp_path):
    result = runner.invoke(app, ["validate", "--recipe", "multitask9"])
    assert result.exit_code == 0, result.output
    warning = next(line for line in result.output.splitlines() if line.startswith("warning:"))
    assert warning.startswith("warning: ccg: its files are absent (data.data_dir is not set)")
    assert "licensed (LDC2005T13)" in warning and "ccg/ccg.train.tsv" in warning
    assert "--set data.data_dir=DIR" in warning
    assert (
        "intermediate.tasks=[anli,mnli,qqp,squad,hellaswag,cosmosqa,commonsenseqa,socialiqa]"
        in warning
    )
    assert result.output.rstrip().endswith("recipe is valid (1 warning above)")


def test_validate_is_quiet_once_the_files_are_there(tmp_path):
    args = ["validate", "--recipe", "multitask9", "--set", f"data.data_dir={tmp_path}"]
    (tmp_path / "ccg").mkdir()
    (tmp_path / CCG_FILES[0]).write_text("x\tN\n")
    half = runner.invoke(app, args)  # dev and tags.txt still missing: named under the folder
    assert f"warning: ccg: its files are absent under {tmp_path}" in half.output
    for name in CCG_FILES:
        (tmp_path / name).write_text("x\tN\n")
    result = runner.invoke(app, args)
    assert result.exit_code == 0
    assert "warning" not in result.output and "recipe is valid" in result.output


def test_the_toy_world_needs_no_ccgbank():
    result = runner.invoke(app, ["validate", "--recipe", "multitask9", "--preset", "tiny"])
    assert result.exit_code == 0 and "warning" not in result.output


def test_the_warning_wraps_on_words_at_80_columns():
    terminal = {"COLUMNS": "80", "TTY_COMPATIBLE": "1", "NO_COLOR": "1"}  # rich: a terminal
    piped = {"COLUMNS": "", "TTY_COMPATIBLE": "0"}
    shown = runner.invoke(app, ["validate", "--recipe", "multitask9"], env=terminal).output
    raw = runner.invoke(app, ["validate", "--recipe", "multitask9"], env=piped).output
    assert max(len(line) for line in shown.splitlines()) <= 80
    words = {w for w in raw.split() if len(w) <= 70}  # a longer word (the --set) must fold
    assert words <= set(shown.split()), sorted(words - set(shown.split()))
