"""`stiltx select` on missing or damaged runs: a truncated, non-UTF-8 or wrongly shaped
results.json, a run without its recipe, a missing sweep folder, a candidate's saved model
truncated or altered. Each is one line naming the file (exit code 2), before the toy world or a
model is loaded; never a traceback."""

from __future__ import annotations

import json
import shutil

import pytest
from typer.testing import CliRunner

from stiltx import saved_model
from stiltx.cli import app

TASKS = ("mnli", "qqp")
WEIGHTS = b"\x00" * 4000 + b"weights"


def write_run(sweep, task, seed, dev):
    """A finished `single/<task>` run: results.json with an English dev score for xnli, its
    resolved recipe, and a saved intermediate model with its integrity record."""
    run = sweep / f"single-{task}" / f"seed-{seed}"
    model = run / "intermediate" / "model"
    model.mkdir(parents=True)
    (model / "model.safetensors").write_bytes(WEIGHTS)
    done = {"steps": 1, "seconds": 1.0, "model_files": saved_model.record(model)}
    (run / "intermediate" / "done.json").write_text(json.dumps(done))
    (run / "recipe.resolved.yaml").write_text(
        f"name: single/{task}\nintermediate:\n  tasks: [{task}]\n"
    )
    score = {"task": "xnli", "language": "en", "split": "dev", "metric": "selection", "value": dev}
    results = {"recipe": f"single/{task}", "seed": seed, "scores": [score]}
    (run / "results.json").write_text(json.dumps(results))


@pytest.fixture
def sweep(tmp_path):
    sweep = tmp_path / "sweep"
    for i, task in enumerate(TASKS):
        write_run(sweep, task, 1, 70.0 + i)
    control = sweep / "direct" / "seed-1"  # the transfer view's control
    control.mkdir(parents=True)
    score = {"task": "xnli", "language": "en", "split": "test", "metric": "accuracy", "value": 60}
    (control / "results.json").write_text(json.dumps({"recipe": "direct", "scores": [score]}))
    return sweep


QQP = "single-qqp/seed-1"


def put(name, data):
    def damage(sweep):
        (sweep / QQP / name).write_bytes(data)

    return damage


def truncate_model(sweep):
    (sweep / QQP / "intermediate/model/model.safetensors").write_bytes(WEIGHTS[:100])


def alter_model(sweep):
    (sweep / QQP / "intermediate/model/model.safetensors").write_bytes(WEIGHTS[:-1] + b"X")


def remove(name):
    def damage(sweep):
        path = sweep / name if name else sweep
        shutil.rmtree(path) if path.is_dir() else path.unlink()

    return damage


EVALUATE = ["--evaluate", "{sweep}", "--estimator", "size"]
FROM = ["--from", "{sweep}", "--target", "xnli"]
CASES = {  # case: (damage, arguments, words of the one-line error)
    "truncated results.json": (put("results.json", b'{"recipe": "sin'), EVALUATE,
                               f"{QQP}/results.json: malformed JSON at line 1"),
    "results.json not UTF-8": (put("results.json", b'{"recipe": "\xff"}'), EVALUATE,
                               f"{QQP}/results.json: not UTF-8"),
    "results.json a list": (put("results.json", b"[1]"), EVALUATE,
                            f"{QQP}/results.json: expected a JSON object"),
    "score value a string": (put("results.json", b'{"scores": [{"task": "xnli", "language": '
                                 b'"en", "metric": "x", "value": "70"}]}'), EVALUATE,
                             "scores[0].value: got '70', expected a number"),
    "recipe missing": (remove(f"{QQP}/recipe.resolved.yaml"), FROM + ["--estimator", "size"],
                       f"{QQP}/recipe.resolved.yaml' not found"),
    "recipe not UTF-8": (put("recipe.resolved.yaml", b"\xff: ["), FROM + ["--estimator", "size"],
                         f"{QQP}/recipe.resolved.yaml: not UTF-8"),
    "sweep folder missing": (remove(""), EVALUATE, "sweep: no such file or directory"),
    "no candidate runs": (remove("single-qqp") , FROM + ["--estimator", "size",
                          "--candidates", "single/q*"], "has no finished runs of 'single/q*'"),
    "logme, model truncated": (truncate_model, FROM + ["--estimator", "logme"],
                               "select logme: a candidate's intermediate encoder is damaged: "
                               "single/qqp"),
    "proxy, model altered": (alter_model, FROM + ["--estimator", "proxy"],
                             "differ from the recorded sha256"),
    "--evaluate logme, model truncated": (truncate_model, EVALUATE[:-1] + ["logme"],
                                          "model.safetensors: 100 bytes, expected 4007"),
    "logme, model missing": (remove(f"{QQP}/intermediate/model"), FROM + ["--estimator", "logme"],
                             "missing for single/qqp"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_a_damaged_or_missing_run_is_one_line(sweep, case):
    damage, args, words = CASES[case]
    damage(sweep)
    argv = ["select", *[a.format(sweep=sweep) for a in args]]
    result = CliRunner().invoke(app, argv, env={"COLUMNS": None})  # piped: errors unwrapped
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.output
    assert "Traceback" not in result.output
