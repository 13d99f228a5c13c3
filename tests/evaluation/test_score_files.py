"""`stiltx score`: external predictions against real gold files, numbers checked by hand."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.evaluation.score_files import infer_language, score_files
from stiltx.tasks.registry import get_task

runner = CliRunner()
NLI = ("entailment", "neutral", "contradiction")


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def panx_gold(path: Path) -> list[list[str]]:
    """Tag sequences of a PAN-X file, parsed here independently of stiltx's reader."""
    sentences, current = [], []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if current:
                sentences.append(current)
            current = []
        else:
            current.append(line.split("\t")[1])
    if current:
        sentences.append(current)
    return sentences


def score_cli(*args: str):
    return runner.invoke(app, ["score", *args], env={"COLUMNS": "200"})


# ---- QA -------------------------------------------------------------------------------------------


def test_xquad_em_f1_by_hand(shared_data, tmp_path):
    gold = shared_data / "xquad" / "xquad.de.json"
    raw = json.loads(gold.read_text(encoding="utf-8"))
    total = sum(len(p["qas"]) for a in raw["data"] for p in a["paragraphs"])
    predictions = {
        "56beb4343aeaaa14008c925b": "308",  # exact                         EM 1, F1 1
        "56beb4343aeaaa14008c925f": "Kawann Short.",  # exact after normalization  EM 1, F1 1
        "56beb4343aeaaa14008c925e": "vier Bälle",  # gold "vier": P 1/2, R 1 -> F1 2/3
        "56beb4343aeaaa14008c925c": "Jared Allen",  # gold "136": EM 0, F1 0
    }  # every other question is missing: unanswered, scored 0
    path = tmp_path / "pred.json"
    path.write_text(json.dumps(predictions, ensure_ascii=False), encoding="utf-8")
    result = score_files("xquad", gold, path)
    assert result.language == "de"
    assert result.num_examples == total == 1190 and result.num_predictions == 4
    assert result.metrics["exact_match"] == pytest.approx(100 * 2 / total)
    assert result.metrics["f1"] == pytest.approx(100 * (2 + 2 / 3) / total)

    out = score_cli("xquad", "--gold", str(gold), "--predictions", str(path), "--json")
    assert out.exit_code == 0, out.output
    printed = json.loads(out.output)
    assert set(printed) == {"task", "language", "metrics"}
    assert printed["task"] == "xquad" and printed["language"] == "de"
    assert printed["metrics"]["f1"] == pytest.approx(100 * (2 + 2 / 3) / total)


def test_qa_unknown_id_names_it_and_its_line(shared_data, tmp_path):
    gold = shared_data / "xquad" / "xquad.de.json"
    path = tmp_path / "pred.json"
    path.write_text('{\n  "56beb4343aeaaa14008c925b": "308",\n  "no-such-id": "x"\n}\n', "utf-8")
    out = score_cli("xquad", "--gold", str(gold), "--predictions", str(path))
    assert out.exit_code == 2
    assert f"{path}:3" in out.output and "'no-such-id'" in out.output
    assert "Traceback" not in out.output


def test_mlqa_language_from_context_part_or_required(shared_data, tmp_path):
    spec = get_task("mlqa")
    source = shared_data / "mlqa" / "MLQA_V1" / "dev" / "dev-context-de-question-en.json"
    assert infer_language(spec, source) == "de"  # the answers are in the context language
    copy = tmp_path / "gold.json"
    shutil.copy(source, copy)
    empty = tmp_path / "pred.json"
    empty.write_text("{}", encoding="utf-8")
    out = score_cli("mlqa", "--gold", str(copy), "--predictions", str(empty))
    assert out.exit_code == 2 and "--language" in out.output
    ok = score_cli("mlqa", "--gold", str(copy), "--predictions", str(empty), "--language", "de")
    assert ok.exit_code == 0, ok.output
    assert "exact_match" in ok.output and "0.00" in ok.output


@pytest.mark.parametrize(
    ("task", "name", "expected"),
    [
        ("xnli", "dev-de.tsv", "de"),
        ("panx", "test-zh.tsv", "zh"),
        ("udpos", "hi_pud-ud-test.conllu", "hi"),
        ("tydiqa", "tydiqa.goldp.sw.dev.json", "sw"),
        ("xnli", "gold.tsv", None),
        ("squad", "dev-v1.1.json", "en"),  # one-language task
    ],
)
def test_infer_language(task, name, expected):
    assert infer_language(get_task(task), Path(name)) == expected


# ---- tagging --------------------------------------------------------------------------------------


def test_panx_seqeval_against_independent_count(shared_data, tmp_path):
    from seqeval.metrics import f1_score
    from seqeval.metrics.sequence_labeling import get_entities

    gold_path = shared_data / "panx" / "dev-de.tsv"
    gold = panx_gold(gold_path)
    predicted = [list(tags) for tags in gold]
    assert predicted[0] == ["B-PER", "I-PER", "I-PER", "I-PER", "O"]
    predicted[0] = ["O"] * 5  # one PER entity missed
    assert predicted[1][3:5] == ["B-ORG", "I-ORG"]
    predicted[1][3:5] = ["B-LOC", "I-LOC"]  # one entity with the wrong type
    rows = [{"id": str(i), "prediction": tags} for i, tags in enumerate(predicted)]
    path = write_jsonl(tmp_path / "pred.jsonl", rows)

    result = score_files("panx", gold_path, path)
    entities = len(get_entities(gold))
    precision, recall = (entities - 2) / (entities - 1), (entities - 2) / entities
    assert result.metrics["f1"] == pytest.approx(
        100 * 2 * precision * recall / (precision + recall)
    )
    assert result.metrics["f1"] == pytest.approx(100 * f1_score(gold, predicted))
    assert result.metrics["precision"] == pytest.approx(100 * precision)


def test_tagging_wrong_tag_count_names_the_line(shared_data, tmp_path):
    gold_path = shared_data / "panx" / "dev-de.tsv"
    predicted = [list(tags) for tags in panx_gold(gold_path)]
    predicted[2] = predicted[2][:-1]
    path = write_jsonl(tmp_path / "pred.jsonl", [{"prediction": t} for t in predicted])
    out = score_cli("panx", "--gold", str(gold_path), "--predictions", str(path))
    assert out.exit_code == 2
    assert f"{path}:3" in out.output and "one tag per word" in out.output


# ---- classification -------------------------------------------------------------------------------


def xnli_labels(path: Path) -> list[str]:
    return [line.split("\t")[2] for line in path.read_text(encoding="utf-8").splitlines()]


def test_xnli_accuracy_with_names_and_indices(shared_data, tmp_path):
    gold_path = shared_data / "xnli" / "dev-de.tsv"
    gold = xnli_labels(gold_path)
    rows = []
    for i, label in enumerate(gold):
        if i % 4 == 0:  # every fourth is wrong
            label = NLI[(NLI.index(label) + 1) % 3]
        rows.append({"id": i, "prediction": NLI.index(label) if i % 2 else label})
    path = write_jsonl(tmp_path / "pred.jsonl", rows)
    out = score_cli("xnli", "--gold", str(gold_path), "--predictions", str(path), "--json")
    assert out.exit_code == 0, out.output
    assert json.loads(out.output) == {
        "task": "xnli",
        "language": "de",
        "metrics": {"accuracy": pytest.approx(100 * (len(gold) - len(gold) // 4) / len(gold))},
    }
    table = score_cli("xnli", "--gold", str(gold_path), "--predictions", str(path))
    assert table.exit_code == 0 and "accuracy" in table.output and "75.00" in table.output


@pytest.mark.parametrize(
    ("edit", "line", "words"),
    [
        ("short", 999, "999 predictions"),
        ("long", 1001, "more predictions than gold"),
        ("id", 5, "does not match"),
        ("label", 7, "unknown label 'maybe'"),
    ],
)
def test_classification_errors_name_file_and_line(shared_data, tmp_path, edit, line, words):
    gold_path = shared_data / "xnli" / "dev-de.tsv"
    rows = [{"id": str(i), "prediction": label} for i, label in enumerate(xnli_labels(gold_path))]
    if edit == "short":
        rows = rows[:-1]
    elif edit == "long":
        rows.append({"prediction": "neutral"})
    elif edit == "id":
        rows[4]["id"] = "7"
    else:
        rows[6]["prediction"] = "maybe"
    path = write_jsonl(tmp_path / "pred.jsonl", rows)
    out = score_cli("xnli", "--gold", str(gold_path), "--predictions", str(path))
    assert out.exit_code == 2, out.output
    assert f"{path}:{line}" in out.output and words in out.output


def test_unscorable_and_unlabelled_gold_are_clean_errors(shared_data, tmp_path):
    with pytest.raises(StiltxError, match="not scored from a predictions file"):
        score_files("tatoeba", shared_data / "tatoeba" / "v1" / "tatoeba.deu-eng.deu", tmp_path)
    stripped = tmp_path / "test-de.tsv"
    stripped.write_text("ein Satz .\tnoch einer .\n", encoding="utf-8")
    with pytest.raises(StiltxError, match="no labels"):
        score_files("xnli", stripped, tmp_path / "pred.jsonl")
