"""Reading text files with errors that name the file and the line or position.

All readers go through these helpers so that bad input always becomes a `DataError` (never a bare
traceback) and CRLF line endings are handled in one place.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from stiltx.errors import DataError


class DataWarning(UserWarning):
    """A data problem that does not stop loading (repaired or skipped items, comparability caveats)."""


def warn(message: str) -> None:
    warnings.warn(message, DataWarning, stacklevel=3)


def read_text(path: Path) -> str:
    """The file's text, UTF-8 (a BOM is dropped), with CRLF / CR turned into LF."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 (byte {error.start}: {error.reason})") from None
    if "\x00" in text:  # a binary or damaged file: NUL never belongs in these text formats
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DataError(
            f"{path}:{line}: NUL byte in a text file (binary or damaged); expected text"
        )
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_lines(path: Path) -> list[str]:
    """Lines without their line ending; a final newline does not produce an empty last line."""
    text = read_text(path)
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n") if text else []


def read_json(path: Path) -> Any:
    """Parse a JSON file; malformed JSON names the file, line, column and character position."""
    text = read_text(path)
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(
            f"{path}:{error.lineno}:{error.colno}: malformed JSON at character {error.pos}: {error.msg}"
        ) from None
    except RecursionError:
        raise DataError(
            f"{path}: JSON nested too deeply to read (hostile or broken file)"
        ) from None


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSON-lines file."""
    for number, line in enumerate(read_lines(path), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(
                f"{path}:{number}:{error.colno}: malformed JSON line (character {error.pos}): {error.msg}"
            ) from None
        except RecursionError:
            raise DataError(f"{path}:{number}: JSON nested too deeply to read") from None
        if not isinstance(value, dict):
            raise DataError(f"{path}:{number}: expected a JSON object, got {type(value).__name__}")
        yield number, value


def field(record: dict[str, Any], key: str, where: str) -> Any:
    """record[key], or a DataError naming the place and the keys that are there."""
    try:
        return record[key]
    except (KeyError, TypeError):
        keys = sorted(record) if isinstance(record, dict) else type(record).__name__
        raise DataError(f"{where}: missing key '{key}' (found: {keys})") from None


def split_columns(line: str, path: Path, number: int, allowed: tuple[int, ...]) -> list[str]:
    """Tab-separated columns of one line; a wrong column count names file:line and what was expected."""
    columns = line.split("\t")
    if len(columns) not in allowed:
        expected = " or ".join(str(n) for n in allowed)
        raise DataError(
            f"{path}:{number}: expected {expected} tab-separated columns, got {len(columns)}: {line[:80]!r}"
        )
    return columns


def label_index(
    value: Any, labels: tuple[str, ...], where: str, aliases: dict[str, str] | None = None
) -> int:
    """Index of a label given as its name, an alias, or an integer / digit string index."""
    text = str(value).strip()
    if aliases and text in aliases:
        text = aliases[text]
    if text in labels:
        return labels.index(text)
    if text.lstrip("-").isdigit() and 0 <= int(text) < len(labels):
        return int(text)
    raise DataError(
        f"{where}: unknown label {value!r} (expected one of {list(labels)} or 0..{len(labels) - 1})"
    )


def check_tag(tag: str, labels: tuple[str, ...], where: str, task: str) -> str:
    """`tag` if it is in the task's tag set, else a DataError naming file:line and the set."""
    if labels and tag not in labels:
        raise DataError(f"{where}: tag {tag!r} is not in the {task} tag set ({', '.join(labels)})")
    return tag
