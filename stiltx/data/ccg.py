"""CCG supertagging in jiant's format — user-supplied (CCGbank is licensed; never faked).

`ccg.<split>.tsv`: one sentence per line, `text<TAB>space-separated tags`, one tag per
whitespace-separated word. `tags.txt` beside it: the tag set, one tag per line.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import read_lines, split_columns
from stiltx.errors import DataError
from stiltx.tasks.examples import TaggingExample
from stiltx.tasks.spec import TaskSpec

EXPECTED = ("ccg/ccg.train.tsv", "ccg/ccg.dev.tsv", "ccg/ccg.test.tsv", "ccg/tags.txt")
HOW = (
    "CCGbank is licensed (LDC2005T13) and stiltx cannot download or generate it: convert it to jiant's "
    "format and place these files under your data directory: " + ", ".join(EXPECTED)
)


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


def read_ccg_tags(data_dir: Path) -> tuple[str, ...]:
    path = data_dir / "ccg" / "tags.txt"
    if not path.is_file():
        raise DataError(f"CCG tag list not found: {path}. {HOW}")
    return tuple(line.strip() for line in read_lines(path) if line.strip())
