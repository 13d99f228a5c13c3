"""`<split>.examples.jsonl`: Examples as JSON lines, one per line with its `kind`.

What `stiltx translate` writes (stiltx/translate/run.py) into the translated root
(stiltx/data/translated.py), read back here as the reader `stiltx_examples`.
"""

from __future__ import annotations

import json
from pathlib import Path

from stiltx.data.files import read_lines
from stiltx.errors import DataError
from stiltx.tasks.examples import Answer, ClassificationExample, MultipleChoiceExample, QAExample
from stiltx.tasks.spec import TaskSpec


def read_stiltx_examples(path: Path, spec: TaskSpec, language: str = "") -> list:
    """`stiltx translate`'s output: one Example per line as JSON, with its `kind`."""
    examples = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            examples.append(_example(row))
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
            raise DataError(f"{path}:{number}: not a translated example ({error})") from None
    return examples


def _example(row: dict):
    kind = row.pop("kind")
    if kind == "classification":
        return ClassificationExample(**row)
    if kind == "multiple_choice":
        return MultipleChoiceExample(**{**row, "choices": tuple(row["choices"])})
    if kind == "extractive_qa":
        answers = tuple(Answer(a["text"], int(a["start"])) for a in row["answers"])
        return QAExample(**{**row, "answers": answers})
    raise ValueError(f"kind {kind!r} is not translated")
