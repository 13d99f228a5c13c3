"""Translations on disk, keyed by (model, task, language, text hash); resumable after a kill.

One append-only JSON-lines file per (model, task, language): `{"h": <sha1 of the text>,
"t": <translation>}` per line. Each batch is appended, flushed and fsynced as soon as it is
translated, so a killed `stiltx translate` loses at most the batch in flight; a line cut short by
the kill is ignored when the file is read back.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from stiltx.errors import DataError


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def cache_file(root: Path, model: str, task: str, language: str) -> Path:
    slug = re.sub(r"[^A-Za-z0-9._-]+", "--", model)
    return Path(root) / slug / task / f"{language}.jsonl"


class TranslationCache:
    """The translations of one (model, task, language)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._items: dict[str, str] = {}
        if self.path.is_file():
            self._items = _read(self.path)

    def __len__(self) -> int:
        return len(self._items)

    def get(self, text: str) -> str | None:
        return self._items.get(text_key(text))

    def missing(self, texts: Iterable[str]) -> list[str]:
        """The distinct texts with no translation yet, in first-seen order."""
        return [t for t in dict.fromkeys(texts) if text_key(t) not in self._items]

    def add(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Store (text, translation) pairs durably (appended, flushed, fsynced)."""
        lines = []
        for text, translation in pairs:
            key = text_key(text)
            self._items[key] = translation
            lines.append(json.dumps({"h": key, "t": translation}, ensure_ascii=False) + "\n")
        if not lines:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("".join(lines))
            handle.flush()
            os.fsync(handle.fileno())


def _read(path: Path) -> dict[str, str]:
    items: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            items[str(row["h"])] = str(row["t"])
        except (json.JSONDecodeError, KeyError, TypeError):
            if number >= len(lines) - 1:  # the last line, cut short by a kill: translate again
                continue
            raise DataError(
                f"{path}:{number}: not a translation cache line: {line[:80]!r}"
            ) from None
    return items
