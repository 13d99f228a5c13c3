"""CCG supertagging in jiant's format — user-supplied (CCGbank is licensed; never faked).

`ccg.<split>.tsv`: one sentence per line, `text<TAB>space-separated tags`, one tag per
whitespace-separated word. `tags.txt` beside it: the tag set, one tag per line (read by
`load.load_labels`, as the task's `labels_file`).
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import read_lines, split_columns
from stiltx.errors import DataError
from stiltx.tasks.examples import TaggingExample
from stiltx.tasks.spec import TaskSpec


def read_ccg_tsv(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[TaggingExample]:
    examples = []
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        text, tag_text = split_columns(line, path, number, (2,))
        words, tags = text.split(), tag_text.split()
        if len(words) != len(tags):
            raise DataError(
                f"{path}:{number}: {len(words)} words but {len(tags)} tags (expected one tag per word)"
            )
        examples.append(TaggingExample(str(len(examples)), tuple(words), tuple(tags)))
    return examples
