"""Cosmos QA: the CSV release (`id,context,question,answer0..answer3,label`, RFC-4180 quoting,
CRLF line endings) and the jsonl release (same keys; test without `label`).
context = context + " " + question, choices = answer0..answer3.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from stiltx.data.files import field, iter_jsonl, label_index, read_text
from stiltx.errors import DataError
from stiltx.tasks.examples import MultipleChoiceExample
from stiltx.tasks.spec import TaskSpec

COLUMNS = ("id", "context", "question", "answer0", "answer1", "answer2", "answer3")
CHOICES = ("0", "1", "2", "3")


def cosmos_example(row: dict, where: str) -> MultipleChoiceExample:
    label = row.get("label")
    index = None if label in (None, "", -1, "-1") else label_index(label, CHOICES, where)
    context = f"{field(row, 'context', where)} {field(row, 'question', where)}"
    choices = tuple(field(row, f"answer{i}", where) for i in range(4))
    return MultipleChoiceExample(str(field(row, "id", where)), context, choices, index)


def read_cosmosqa(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[MultipleChoiceExample]:
    if path.suffix == ".jsonl":
        return [cosmos_example(row, f"{path}:{n}") for n, row in iter_jsonl(path)]
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    header = next(reader, None)
    if header is None:
        return []
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise DataError(f"{path}:1: CSV header lacks {missing} (found: {header})")
    examples = []
    for row in reader:
        if not row:
            continue
        where = f"{path}:{reader.line_num}"
        if len(row) != len(header):
            raise DataError(f"{where}: expected {len(header)} CSV fields, got {len(row)}")
        examples.append(cosmos_example(dict(zip(header, row, strict=True)), where))
    return examples
