"""BUCC 2018 bitext mining: `<xx>-en.<split>.<xx>`, `<xx>-en.<split>.en` (`id<TAB>sentence` per line)
and `<xx>-en.<split>.gold` (`xx-id<TAB>en-id` per line: the translation pairs hidden in the corpora).

The split part of the name is XTREME's `dev` / `test` or the original release's `sample` /
`training`. The reader accepts the path of any of the three files; a missing gold file (test)
gives a corpus without gold.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import read_lines, split_columns
from stiltx.errors import DataError
from stiltx.tasks.examples import RetrievalCorpus, Text
from stiltx.tasks.spec import TaskSpec


def _sentences(path: Path, language: str) -> tuple[Text, ...]:
    if not path.is_file():
        raise DataError(f"BUCC sentence file not found: {path}")
    texts = []
    for number, line in enumerate(read_lines(path), start=1):
        if line.strip():
            ident, sentence = split_columns(line, path, number, (2,))
            texts.append(Text(ident, sentence, language))
    return tuple(texts)


def read_bucc(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[RetrievalCorpus]:
    base = path.name.rsplit(".", 1)[0]  # e.g. "zh-en.dev"
    xx = base.split("-", 1)[0]
    queries = _sentences(path.with_name(f"{base}.{xx}"), xx)
    candidates = _sentences(path.with_name(f"{base}.en"), "en")
    gold: dict[str, list[str]] = {}
    gold_path = path.with_name(f"{base}.gold")
    if gold_path.is_file():
        known_q, known_c = {t.id for t in queries}, {t.id for t in candidates}
        for number, line in enumerate(read_lines(gold_path), start=1):
            if not line.strip():
                continue
            q, c = split_columns(line, gold_path, number, (2,))
            if q not in known_q or c not in known_c:
                raise DataError(
                    f"{gold_path}:{number}: gold pair {q} / {c} names a sentence missing from the corpora"
                )
            gold.setdefault(q, []).append(c)
    return [
        RetrievalCorpus(
            f"bucc2018-{xx}-{base.rsplit('.', 1)[-1]}",
            queries,
            candidates,
            {k: tuple(v) for k, v in gold.items()},
        )
    ]
