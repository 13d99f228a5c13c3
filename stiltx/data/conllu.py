"""CoNLL-U treebanks (Universal Dependencies) -> TaggingExample with UPOS tags.

Sentences are separated by blank lines; `#` lines are comments. Multiword-token ranges (`3-4`)
and empty nodes (`8.1`) are skipped, as XTREME does: the words are the syntactic words with
integer ids. Every token line must have the 10 CoNLL-U columns (else a DataError names file:line).

Two steps of XTREME's `utils_preprocess.py` `udpos_preprocess` are applied, so the examples are
the sentences XTREME scores:
- sentences without text are dropped: those whose words are `_` (treebanks that ship no text:
  Arabic-NYUAD, English-ESL, French-FTB, Japanese-BCCWJ). The rule is XTREME's exactly
  (utils_preprocess.py:197-200): keep a sentence when none of its words is `_` or fewer than
  len(words) - 1 are;
- spaces and zero-width non-joiners (U+200C) inside a word are removed (utils_preprocess.py:221).
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import check_tag, read_lines
from stiltx.errors import DataError
from stiltx.tasks.examples import TaggingExample
from stiltx.tasks.spec import TaskSpec


def read_conllu(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[TaggingExample]:
    examples: list[TaggingExample] = []
    words: list[str] = []
    tags: list[str] = []
    labels, task = (spec.labels, spec.name) if spec is not None else ((), "")

    def flush() -> None:
        if words and has_text(words):
            examples.append(
                TaggingExample(id=str(len(examples)), words=tuple(words), tags=tuple(tags))
            )
        words.clear()
        tags.clear()

    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            flush()
            continue
        if line.startswith("#"):
            continue
        columns = line.split("\t")
        if len(columns) != 10:
            raise DataError(
                f"{path}:{number}: expected 10 tab-separated CoNLL-U columns, got {len(columns)}: {line[:80]!r}"
            )
        token_id = columns[0]
        if "-" in token_id or "." in token_id:  # multiword range or empty node
            continue
        if not token_id.isdigit():
            raise DataError(
                f"{path}:{number}: bad token ID {token_id!r} (expected an integer, 'a-b' or 'a.b')"
            )
        words.append(clean_word(columns[1]))
        tags.append(check_tag(columns[3], labels, f"{path}:{number}", task))
    flush()
    return examples


def has_text(words: list[str]) -> bool:
    """XTREME's test (utils_preprocess.py:197-200): no `_` word, or fewer than len - 1 of them."""
    empty = sum(word == "_" for word in words)
    return empty == 0 or empty < len(words) - 1


def clean_word(word: str) -> str:
    """Spaces and U+200C removed inside a word, as utils_preprocess.py:221 does."""
    return "".join(word.replace("\u200c", "").split(" "))
