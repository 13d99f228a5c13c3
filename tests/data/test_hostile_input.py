"""Hostile or broken data files: `stiltx data inspect` exits 2 with one message naming the file
(and line or JSON path), never a traceback, and changes no file."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from stiltx.cli import app

runner = CliRunner()


def squad(qa=None, paragraph=None, article=None) -> str:
    qa = qa if qa is not None else {"id": "q1", "question": "Who?", "answers": []}
    paragraph = paragraph if paragraph is not None else {"context": "Ann ran.", "qas": [qa]}
    article = article if article is not None else {"title": "t", "paragraphs": [paragraph]}
    return json.dumps({"version": "1.1", "data": [article]})


def conllu(tag: str) -> str:
    return f"1\tHaus\tHaus\t{tag}\t_\t_\t0\troot\t_\t_\n\n"


XQUAD = ("xquad", "de", "test", "xquad/xquad.de.json")
CASES = {
    "answers null": (*XQUAD, squad({"id": "q", "question": "?", "answers": None}),
                     "data[0].paragraphs[0].qas[0].answers: got None, expected a list"),
    "qas item is a string": (*XQUAD, squad("what?"),
                             "data[0].paragraphs[0].qas[0]: got 'what?', expected an object"),
    "integer answer text": (
        *XQUAD, squad({"id": "q", "question": "?", "answers": [{"text": 7, "answer_start": 0}]}),
        "qas[0].answers[0].text: got 7, expected a string"),
    "context null": (*XQUAD, squad(paragraph={"context": None, "qas": []}),
                     "data[0].paragraphs[0].context: got None, expected a string"),
    "paragraphs null": (*XQUAD, squad(article={"paragraphs": None}),
                        "data[0].paragraphs: got None, expected a list"),
    "duplicate gold ids": (
        *XQUAD,
        squad(paragraph={"context": "Ann ran.", "qas": [
            {"id": "q1", "question": "Who?", "answers": [{"text": "Ann", "answer_start": 0}]},
            {"id": "q1", "question": "Did?", "answers": [{"text": "ran", "answer_start": 4}]},
        ]}),
        "question #2 repeats the id 'q1' of question #1"),
    "deeply nested JSON": (*XQUAD, "[" * 100_000 + "]" * 100_000, "JSON nested too deeply"),
    "COPA question list": (
        "xcopa", "sw", "test", "xcopa/data/sw/test.sw.jsonl",
        json.dumps({"premise": "a", "choice1": "b", "choice2": "c", "question": ["cause"],
                    "idx": 0, "label": 0}) + "\n",
        ":1: question ['cause'] (expected 'cause' or 'effect')"),
    "UPOS tag outside the set": (
        "udpos", "de", "test", "ud/UD_German-GSD/de_gsd-ud-test.conllu", conllu("NOUNN"),
        ":1: tag 'NOUNN' is not in the udpos tag set"),
    "PAN-X tag outside the set": (
        "panx", "de", "test", "panx/test-de.tsv", "Anton\tB-PER\nWilhelm\tI-PERSON\n",
        ":2: tag 'I-PERSON' is not in the panx tag set"),
    "NUL byte in a text file": (
        "panx", "de", "test", "panx/test-de.tsv", "Anton\tB-PER\nWil\x00helm\tI-PER\n",
        ":2: NUL byte in a text file"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_data_is_a_clean_error(tmp_path, case):
    task, language, split, relative, content, message = CASES[case]
    path = tmp_path / relative
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    before = sorted(p for p in tmp_path.rglob("*"))
    args = ["data", "inspect", task, "--language", language, "--split", split]
    result = runner.invoke(app, [*args, "--data-dir", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert str(path) in result.output and message in result.output
    assert "Traceback" not in result.output
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert path.read_text(encoding="utf-8") == content
