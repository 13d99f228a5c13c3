"""XTREME's processed per-language TSV files: XNLI, PAWS-X (pairs) and PAN-X (token per line).

XNLI `premise<TAB>hypothesis<TAB>label` and PAWS-X `sentence1<TAB>sentence2<TAB>label` have no
header, no id and no quoting; XTREME's test files drop the label column, so those examples come
back unlabelled (label None). PAN-X is `token<TAB>tag` with blank lines between sentences and no
tag column in test; a raw-WikiANN `xx:` token prefix is stripped. Ids are positions ("0", "1", ...)
so that Hub rows convert to identical examples. XTREME's translate-train pairs (XNLI-MT) are read
here too (`read_xtreme_translated_tsv`; where they live: stiltx/data/translated.py).
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import check_tag, label_index, read_lines, split_columns
from stiltx.tasks.examples import ClassificationExample, TaggingExample
from stiltx.tasks.spec import TaskSpec

CONTRADICTORY = {"contradictory": "contradiction"}  # XNLI-MT's label name


def _read_pairs(path: Path, labels: tuple[str, ...]) -> list[ClassificationExample]:
    examples = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        columns = split_columns(line, path, number, (2, 3))
        label = label_index(columns[2], labels, f"{path}:{number}") if len(columns) == 3 else None
        examples.append(ClassificationExample(str(len(examples)), columns[0], columns[1], label))
    return examples


def read_xnli_tsv(path: Path, spec: TaskSpec, language: str = "") -> list[ClassificationExample]:
    return _read_pairs(path, spec.labels)


def read_pawsx_tsv(path: Path, spec: TaskSpec, language: str = "") -> list[ClassificationExample]:
    return _read_pairs(path, spec.labels)


def read_panx_tsv(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[TaggingExample]:
    examples: list[TaggingExample] = []
    words: list[str] = []
    tags: list[str] = []
    columns_seen: int | None = None
    labels, task = (spec.labels, spec.name) if spec is not None else ((), "")

    def flush() -> None:
        if words:
            labelled = tuple(tags) if columns_seen == 2 else None
            examples.append(TaggingExample(str(len(examples)), tuple(words), labelled))
        words.clear()
        tags.clear()

    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            flush()
            continue
        allowed = (columns_seen,) if columns_seen else (1, 2)
        columns = split_columns(line, path, number, allowed)
        columns_seen = len(columns)
        word = columns[0]
        if language and word.startswith(f"{language}:") and len(word) > len(language) + 1:
            word = word[len(language) + 1 :]
        words.append(word)
        if len(columns) == 2:
            tags.append(check_tag(columns[1], labels, f"{path}:{number}", task))
    flush()
    return examples


def read_xtreme_translated_tsv(
    path: Path, spec: TaskSpec, language: str = ""
) -> list[ClassificationExample]:
    """XTREME / XNLI-MT translate-train pairs: 3 columns (text, text, label) or 5 (original pair,
    translated pair, label); a header row (`... label`) is skipped."""
    examples = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        columns = split_columns(line, path, number, (3, 5))
        if number == 1 and columns[-1].strip().lower() in ("label", "gold_label"):
            continue
        first, second = (columns[0], columns[1]) if len(columns) == 3 else (columns[2], columns[3])
        label = label_index(columns[-1], spec.labels, f"{path}:{number}", CONTRADICTORY)
        examples.append(ClassificationExample(str(len(examples)), first, second, label))
    return examples
