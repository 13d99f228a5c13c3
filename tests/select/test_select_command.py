"""`stiltx select` from the command line, on the smoke toy world: rankings, `--evaluate` against
the hand-written sweep (numbers that follow from its results.json files), and bad input as one
line with exit code 2."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from stiltx.cli import app

runner = CliRunner()


def select(toy_cache, *args: str, columns: str | None = "80"):
    """`stiltx select` as at an 80-column terminal, or piped (`columns=None`: errors unwrapped)."""
    smoke = ["--preset", "tiny", "--set", "toy.size=smoke", "--set", f"toy.cache_dir={toy_cache}"]
    return runner.invoke(app, ["select", *smoke, *args], env={"COLUMNS": columns})


def one_line_error(result, text: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and text in lines[0], result.output


def test_rank_with_the_baselines(toy_cache):
    result = select(toy_cache, "--target", "xnli", "--estimator", "size,vocab", "-f", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    vocab = [r for r in rows if r["column"] == "vocab"]
    assert len(vocab) == 9 and [r["rank"] for r in vocab] == list(range(1, 10))
    assert vocab[0]["candidate"] == "single-mnli"  # xnli trains on mnli: the same words
    table = select(toy_cache, "--target", "xnli", "--estimator", "vocab")
    assert table.exit_code == 0 and "select xnli" in table.output
    assert max(len(line) for line in table.output.splitlines()) <= 80


def test_evaluate_follows_from_the_sweep(toy_cache, sweep):
    args = ["--evaluate", str(sweep), "--estimator", "size", "--top-k", "2", "-f", "json"]
    result = select(toy_cache, *args, "--languages", "low-resource")
    assert result.exit_code == 0, result.output
    dev, test = json.loads(result.stdout)
    # size ties (every smoke training set is as big): alphabetical, mnli, qqp, squad
    assert (dev["truth"], dev["chosen"], dev["best"]) == (
        "English dev",
        "single/mnli",
        "single/mnli",
    )
    log3 = math.log2(3)
    assert dev["ndcg"] == pytest.approx((81 + 71 / log3) / (81 + 75 / log3))
    assert dev["regret_points"] == 0.0 and dev["tau"] is None  # constant scores: no tau
    assert dev["grid_seconds"] == 3 * (10.0 + 20.0)
    # sw test: qqp 55 is best; the top 2 (mnli 50, qqp 55) hold it
    assert test["truth"] == "test low-resource (sw)" and test["best"] == "single/qqp"
    assert test["regret_points"] == 0.0
    assert test["ndcg"] == pytest.approx((50 + 55 / log3) / (55 + 50 / log3))
    top1 = select(toy_cache, "--evaluate", str(sweep), "--estimator", "size", "--top-k", "1",
                  "--languages", "sw", "-f", "csv")  # fmt: skip
    lines = top1.stdout.strip().splitlines()
    assert lines[0].startswith("target,estimator,column,k,ndcg,regret_points")
    assert lines[-1].split(",")[5] == "5.0"  # sw: mnli (50) chosen, qqp (55) best
    # a group without a scored language leaves the target out (here: every target)
    nothing = select(toy_cache, "--evaluate", str(sweep), "--estimator", "size", "-f", "json",
                     "--languages", "zh")  # fmt: skip
    assert [r["truth"] for r in json.loads(nothing.stdout)] == ["English dev"]
    shown = select(toy_cache, "--evaluate", str(sweep), "--estimator", "size,vocab")
    assert "rankings vs English dev" in shown.output and "90.0 s" in shown.output


def piped(toy_cache, *args: str):
    return select(toy_cache, *args, columns=None)


def test_bad_input_is_one_line(toy_cache, tmp_path, sweep, write_run):
    one_line_error(piped(toy_cache, "--candidates", "nothing/*"), "no bundled single-task")
    one_line_error(piped(toy_cache, "--target", "tatoeba"), "tatoeba has no English training")
    one_line_error(piped(toy_cache, "--estimator", "logme", "--target", "xnli"), "--from SWEEP_DIR")
    write_run(tmp_path / "only-direct", "direct", 1, None, 1.0)
    one_line_error(
        piped(toy_cache, "--estimator", "logme", "--from", str(tmp_path / "only-direct")),
        "no finished runs of 'single/*'",
    )
    one_line_error(piped(toy_cache, "--evaluate", str(sweep), "--target", "panx"), "for panx")
    one_line_error(piped(toy_cache, "--estimator", "magic"), "unknown estimator 'magic'")
