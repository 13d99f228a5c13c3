"""Tatoeba (LASER v1): `tatoeba.<xxx>-eng.<xxx>` and `tatoeba.<xxx>-eng.eng`, line-aligned.

Line i of the two files are translations: query `xx-i` (xx side) has gold candidate `en-i`. The
same layout under XTREME's renaming (`<ll>-en.<ll>` / `<ll>-en.en`) is read too.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import read_lines
from stiltx.errors import DataError
from stiltx.tasks.examples import RetrievalCorpus, Text
from stiltx.tasks.spec import TaskSpec


def english_sibling(path: Path) -> Path:
    """`tatoeba.deu-eng.deu` -> `tatoeba.deu-eng.eng` (the pair's second code is the English side)."""
    pair = path.name.rsplit(".", 2)[-2] if path.name.count(".") >= 2 else path.stem
    if "-" not in pair:
        raise DataError(f"{path}: expected a name like tatoeba.<xxx>-eng.<xxx> or <ll>-en.<ll>")
    return path.with_name(path.name[: -len(path.suffix)] + "." + pair.split("-")[-1])


def read_tatoeba(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[RetrievalCorpus]:
    english = english_sibling(path)
    if not english.is_file():
        raise DataError(f"Tatoeba English side not found: {english} (expected beside {path})")
    source, target = read_lines(path), read_lines(english)
    if len(source) != len(target):
        raise DataError(
            f"{path} has {len(source)} lines but {english} has {len(target)}: they must be line-aligned"
        )
    lang = language or path.suffix.lstrip(".")
    queries = tuple(Text(f"{lang}-{i}", line, lang) for i, line in enumerate(source))
    candidates = tuple(Text(f"en-{i}", line, "en") for i, line in enumerate(target))
    gold = {f"{lang}-{i}": (f"en-{i}",) for i in range(len(source))}
    return [RetrievalCorpus(f"tatoeba-{lang}", queries, candidates, gold)]
