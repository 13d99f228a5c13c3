"""GLUE TSV files with a header row: MNLI and QQP.

Columns are looked up by header name, so the train / dev / test variants (QQP test has only
`id question1 question2`; MNLI test has no `gold_label`) all read the same way. No quoting
(GLUE files are written with QUOTE_NONE). Ids are row positions ("0", "1", ...), like the Hub's `idx`.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import label_index, read_lines, split_columns
from stiltx.errors import DataError
from stiltx.tasks.examples import ClassificationExample
from stiltx.tasks.spec import TaskSpec


def _read_glue(
    path: Path, text_a: str, text_b: str, label: str, labels: tuple[str, ...]
) -> list[ClassificationExample]:
    lines = read_lines(path)
    if not lines:
        return []
    header = lines[0].split("\t")
    for name in (text_a, text_b):
        if name not in header:
            raise DataError(f"{path}:1: header has no column '{name}' (found: {header})")
    ia, ib = header.index(text_a), header.index(text_b)
    il = header.index(label) if label in header else None
    examples = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        columns = split_columns(line, path, number, (len(header),))
        value = None if il is None else label_index(columns[il], labels, f"{path}:{number}")
        examples.append(ClassificationExample(str(len(examples)), columns[ia], columns[ib], value))
    return examples


def read_glue_mnli_tsv(
    path: Path, spec: TaskSpec, language: str = ""
) -> list[ClassificationExample]:
    return _read_glue(path, "sentence1", "sentence2", "gold_label", spec.labels)


def read_glue_qqp_tsv(
    path: Path, spec: TaskSpec, language: str = ""
) -> list[ClassificationExample]:
    return _read_glue(path, "question1", "question2", "is_duplicate", spec.labels)
