"""Paired bootstrap over per-example predictions: seeded, reproducible, used when n < 2."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from stiltx.report import uncertainty as U
from stiltx.report.results import example_scores, find_runs
from stiltx.report.tables import build_report


def write_predictions(run: Path, task: str, language: str, correct: list[bool]) -> None:
    folder = run / "predictions" / task
    folder.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps({"id": f"{language}-{i}", "prediction": "a", "reference": "a" if c else "b",
                    "correct": c})
        for i, c in enumerate(correct)
    ]  # fmt: skip
    (folder / f"{language}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def match_scores(run: Path, task: str, language: str) -> None:
    """Set results.json's accuracy for (task, language) to what the predictions file says."""
    lines = (run / "predictions" / task / f"{language}.jsonl").read_text().splitlines()
    accuracy = 100 * sum(json.loads(line)["correct"] for line in lines) / len(lines)
    results = json.loads((run / "results.json").read_text())
    for row in results["scores"]:
        if (row["task"], row["language"], row["metric"]) == (task, language, "accuracy"):
            row["value"] = accuracy
    (run / "results.json").write_text(json.dumps(results))


def test_predictions_that_disagree_with_the_scores_are_refused(tmp_path, make_run):
    from stiltx.errors import DataError

    base = make_run(tmp_path, "direct", 1, 0.0)
    mine = make_run(tmp_path, "multitask9", 1, 3.0)
    for run in (base, mine):
        write_predictions(run, "xnli", "de", [True, False] * 40)  # 50%, whatever results.json says
    found = find_runs([tmp_path])
    with pytest.raises(DataError, match=r"xnli/de.jsonl: the mean per-example score is 50.00"):
        build_report(found, baseline="direct", seed=3)


def test_example_scores_line_format(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text(
        '{"id": "1", "prediction": "x", "reference": "x", "scores": {"exact_match": 100, "f1": 50}}\n'
        '{"id": "2", "prediction": "y", "reference": "x", "scores": {"exact_match": 0, "f1": 20}}\n',
        encoding="utf-8",
    )
    assert example_scores(path, ("exact_match", "f1")) == {"1": 75.0, "2": 10.0}
    path.write_text('{"id": "1", "prediction": ["B-PER"], "reference": ["O"]}\n', encoding="utf-8")
    assert example_scores(path, ("f1",)) is None  # corpus-level metric: not bootstrappable


def test_paired_bootstrap_is_seeded_and_reproducible():
    rng = random.Random(1)
    recipe = {"de": {str(i): float(rng.random() < 0.7) * 100 for i in range(200)}}
    baseline = {"de": {str(i): float(rng.random() < 0.6) * 100 for i in range(200)}}
    first = U.paired_bootstrap(recipe, baseline, samples=500, seed=7)
    again = U.paired_bootstrap(recipe, baseline, samples=500, seed=7)
    other = U.paired_bootstrap(recipe, baseline, samples=500, seed=8)
    assert first == again
    assert (first.low, first.high) != (other.low, other.high)
    point = sum(recipe["de"][i] - baseline["de"][i] for i in recipe["de"]) / 200
    assert first.mean == pytest.approx(point)
    assert first.low < point < first.high and first.interval == U.BOOTSTRAP95
    assert U.paired_bootstrap({"de": {"1": 1.0}}, {"fr": {"1": 0.0}}) is None


def test_delta_uses_bootstrap_when_single_seed(tmp_path, make_run):
    base = make_run(tmp_path, "direct", 1, 0.0)
    mine = make_run(tmp_path, "multitask9", 1, 3.0)
    rng = random.Random(0)
    for lang in ("en", "de", "sw"):
        write_predictions(base, "xnli", lang, [rng.random() < 0.6 for _ in range(80)])
        write_predictions(mine, "xnli", lang, [rng.random() < 0.7 for _ in range(80)])
        match_scores(base, "xnli", lang)
        match_scores(mine, "xnli", lang)
    found = find_runs([tmp_path])
    first = build_report(found, baseline="direct", seed=3).table("delta")
    second = build_report(found, baseline="direct", seed=3).table("delta")
    xnli = first.rows[0].cells[first.columns.index("xnli")]
    assert xnli == second.rows[0].cells[second.columns.index("xnli")]
    assert xnli.interval == U.BOOTSTRAP95 and xnli.low < xnli.mean < xnli.high
    panx = first.rows[0].cells[first.columns.index("panx")]
    assert panx.interval == "" and panx.low is None  # no predictions, one seed: no interval
    assert any("paired bootstrap" in n for n in first.notes)
    assert any("no interval" in n for n in first.notes)
