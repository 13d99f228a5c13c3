"""JSON-lines files of the English intermediate tasks and (X)COPA -> Classification / MC examples.

Quirks handled:
- ANLI: `{"uid", "context", "hypothesis", "label": "e"|"n"|"c"}` (original release); `premise`
  is accepted for `context` and full label names for the letters.
- HellaSwag: `label` is an int or a digit string, missing or "" on test (-> unlabelled);
  context = `ctx_a`, choice i = `ctx_b + " " + endings[i]` (jiant / the HellaSwag paper).
- CommonsenseQA: both nestings — the original `{"question": {"stem", "choices": [{label,text}]}}`
  and the Hugging Face export `{"question": str, "choices": {"label": [...], "text": [...]}}`;
  `answerKey` missing or "" on test.
- SocialIQA: label inline as `correct: "A"|"B"|"C"` (v1.4) or in a `<stem>-labels.lst` file beside
  the jsonl (leaderboard release, 1/2/3 per line); context = context + " " + question.
- COPA / XCOPA: `label` is the index of the right choice; key order varies; context = premise +
  " What was the cause?" / " What happened as a result?".
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import field, iter_jsonl, label_index, read_lines
from stiltx.errors import DataError
from stiltx.tasks.examples import ClassificationExample, MultipleChoiceExample
from stiltx.tasks.spec import TaskSpec

ANLI_LETTERS = {"e": "entailment", "n": "neutral", "c": "contradiction"}


def read_anli_jsonl(path: Path, spec: TaskSpec, language: str = "") -> list[ClassificationExample]:
    examples = []
    for number, row in iter_jsonl(path):
        where = f"{path}:{number}"
        premise = row["context"] if "context" in row else field(row, "premise", where)
        label = row.get("label")
        index = (
            None
            if label in (None, "", -1)
            else label_index(label, spec.labels, where, ANLI_LETTERS)
        )
        examples.append(
            ClassificationExample(
                str(row.get("uid", number)), premise, field(row, "hypothesis", where), index
            )
        )
    return examples


def hellaswag_example(row: dict, ident: str, where: str) -> MultipleChoiceExample:
    endings = tuple(field(row, "endings", where))
    ctx_b = row.get("ctx_b", "")
    context = row["ctx_a"] if "ctx_a" in row else field(row, "ctx", where)
    label = row.get("label")
    index = (
        None
        if label is None or str(label).strip() == ""
        else label_index(label, tuple(map(str, range(len(endings)))), where)
    )
    choices = tuple(f"{ctx_b} {ending}".strip() for ending in endings)
    return MultipleChoiceExample(ident, context, choices, index)


def read_hellaswag_jsonl(
    path: Path, spec: TaskSpec, language: str = ""
) -> list[MultipleChoiceExample]:
    return [
        hellaswag_example(row, str(row.get("ind", n - 1)), f"{path}:{n}")
        for n, row in iter_jsonl(path)
    ]


def commonsenseqa_example(row: dict, where: str) -> MultipleChoiceExample:
    question = field(row, "question", where)
    if isinstance(question, dict):  # original release
        stem = field(question, "stem", where)
        choices = field(question, "choices", where)
        keys = [field(c, "label", where) for c in choices]
        texts = [field(c, "text", where) for c in choices]
    else:  # Hugging Face export
        stem = question
        choices = field(row, "choices", where)
        keys, texts = list(field(choices, "label", where)), list(field(choices, "text", where))
    answer = row.get("answerKey") or ""
    if answer and answer not in keys:
        raise DataError(f"{where}: answerKey {answer!r} is not one of the choice labels {keys}")
    return MultipleChoiceExample(
        str(field(row, "id", where)), stem, tuple(texts), keys.index(answer) if answer else None
    )


def read_commonsenseqa_jsonl(
    path: Path, spec: TaskSpec, language: str = ""
) -> list[MultipleChoiceExample]:
    return [commonsenseqa_example(row, f"{path}:{n}") for n, row in iter_jsonl(path)]


SIQA_LETTERS = ("A", "B", "C")


def socialiqa_example(
    row: dict, ident: str, label: int | None, where: str
) -> MultipleChoiceExample:
    context = f"{field(row, 'context', where)} {field(row, 'question', where)}"
    choices = tuple(field(row, f"answer{letter}", where) for letter in SIQA_LETTERS)
    return MultipleChoiceExample(ident, context, choices, label)


def read_socialiqa_jsonl(
    path: Path, spec: TaskSpec, language: str = ""
) -> list[MultipleChoiceExample]:
    rows = list(iter_jsonl(path))
    labels_file = path.with_name(f"{path.stem}-labels.lst")
    file_labels: list[str] | None = None
    if labels_file.is_file() and not any("correct" in row for _, row in rows):
        file_labels = [line.strip() for line in read_lines(labels_file) if line.strip()]
        if len(file_labels) != len(rows):
            raise DataError(
                f"{labels_file}: {len(file_labels)} labels for {len(rows)} questions in {path}"
            )
    examples = []
    for i, (number, row) in enumerate(rows):
        where = f"{path}:{number}"
        if "correct" in row:
            label = label_index(row["correct"], SIQA_LETTERS, where)
        elif file_labels is not None:
            label = label_index(
                int(file_labels[i]) - 1 if file_labels[i].isdigit() else file_labels[i],
                SIQA_LETTERS,
                f"{labels_file}:{i + 1}",
            )
        else:
            label = None
        examples.append(socialiqa_example(row, str(i), label, where))
    return examples


COPA_QUESTIONS = {"cause": "What was the cause?", "effect": "What happened as a result?"}


def copa_example(row: dict, where: str) -> MultipleChoiceExample:
    question = field(row, "question", where)
    if not isinstance(question, str) or question not in COPA_QUESTIONS:
        raise DataError(f"{where}: question {question!r} (expected 'cause' or 'effect')")
    context = f"{field(row, 'premise', where)} {COPA_QUESTIONS[question]}"
    label = row.get("label")
    index = None if label in (None, "", -1) else label_index(label, ("0", "1"), where)
    choices = (field(row, "choice1", where), field(row, "choice2", where))
    return MultipleChoiceExample(str(field(row, "idx", where)), context, choices, index)


def read_copa_jsonl(path: Path, spec: TaskSpec, language: str = "") -> list[MultipleChoiceExample]:
    return [copa_example(row, f"{path}:{n}") for n, row in iter_jsonl(path)]
