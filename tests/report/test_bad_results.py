"""`stiltx report` on bad run files: exit code 2, one message naming the file (and line or key),
no traceback, and no file changed. NaN, out-of-range and duplicated scores are refused, not averaged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stiltx.cli import app

runner = CliRunner()


def edit_results(run: Path, change) -> None:
    results = json.loads((run / "results.json").read_text())
    change(results)
    (run / "results.json").write_text(json.dumps(results))  # json.dumps writes NaN / Infinity


def set_score(value):
    return lambda results: results["scores"][0].update(value=value)


def predictions(run: Path, text: bytes) -> None:
    folder = run / "predictions" / "xnli"
    folder.mkdir(parents=True)
    (folder / "de.jsonl").write_bytes(text)


GOOD_LINE = b'{"id": "1", "prediction": "a", "reference": "a", "correct": true}\n'

# case -> (damage(mine_run), file named in the message, message fragment)
CASES = {
    "timings not numeric": (
        lambda run: edit_results(run, lambda r: r["timings"]["intermediate"].update(seconds="x")),
        "results.json",
        "timings.intermediate.seconds: got 'x', expected a number",
    ),
    "mixture not numeric": (
        lambda run: (run / "mixture.json").write_text('{"tasks": {"mnli": {"intended_steps": "a"}}}'),
        "mixture.json",
        "tasks.mnli.intended_steps: got 'a', expected a number",
    ),
    "results not UTF-8": (
        lambda run: (run / "results.json").write_bytes(b'{"recipe": "caf\xe9"}'),
        "results.json",
        "not UTF-8 (byte 15",
    ),
    "NaN score": (lambda run: edit_results(run, set_score(float("nan"))), "results.json",
                  "scores[0].value: got nan, expected a finite number"),
    "Infinity score": (lambda run: edit_results(run, set_score(float("inf"))), "results.json",
                       "scores[0].value: got inf, expected a finite number"),
    "score above 100": (lambda run: edit_results(run, set_score(150.0)), "results.json",
                        "scores[0].value: got 150.0, expected a number in [0, 100]"),
    "duplicated score row": (
        lambda run: edit_results(run, lambda r: r["scores"].append(dict(r["scores"][1]))),
        "results.json",
        "repeats scores[1] (xnli/de/test/accuracy)",
    ),
    "prediction correct = 'yes'": (
        lambda run: predictions(run, GOOD_LINE + b'{"id": "2", "correct": "yes"}\n'),
        "predictions/xnli/de.jsonl",
        ":2: correct = 'yes', expected true, false, 1 or 0",
    ),
    "prediction bare integer": (
        lambda run: predictions(run, GOOD_LINE + b"7\n"),
        "predictions/xnli/de.jsonl",
        ":2: got '7', expected a JSON object",
    ),
    "prediction not UTF-8": (
        lambda run: predictions(run, GOOD_LINE + b'{"id": "\xff"}\n'),
        "predictions/xnli/de.jsonl",
        "not UTF-8",
    ),
}  # fmt: skip


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_results_are_clean_errors(tmp_path, make_run, case):
    damage, named, message = CASES[case]
    root = tmp_path / "runs"
    make_run(root, "direct", 1, 0.0)
    mine = make_run(root, "multitask9", 1, 3.0)
    damage(mine)
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["report", str(root), "--baseline", "direct"])
    assert result.exit_code == 2, result.output
    assert str(mine / named) in result.output and message in result.output
    assert "Traceback" not in result.output
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("where", ["file", "under a file"])
def test_report_out_that_cannot_be_written_is_a_clean_error(tmp_path, make_run, where):
    root = tmp_path / "runs"
    make_run(root, "direct", 1, 0.0)
    blocker = tmp_path / "blocker"
    blocker.write_text("keep me")
    out = blocker if where == "file" else blocker / "report"
    result = runner.invoke(app, ["report", str(root), "--format", "md", "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"--out {out}" in result.output and "Traceback" not in result.output
    assert blocker.read_text() == "keep me"


def test_json_export_of_good_results_is_strict_json(tmp_path, make_run):
    root = tmp_path / "runs"
    make_run(root, "direct", 1, 0.0)
    make_run(root, "multitask9", 1, 3.0)
    result = runner.invoke(app, ["report", str(root), "--format", "json"])
    assert result.exit_code == 0, result.output

    def refuse(constant):
        raise AssertionError(f"bare {constant} in JSON output")

    json.loads(result.stdout, parse_constant=refuse)
