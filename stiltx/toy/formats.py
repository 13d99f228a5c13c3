"""Serialise rows in the native file formats of the real datasets (see shared/data/SOURCES.md).

Pure functions from rows to file text, so the emitters stay free of I/O and the bytes are a
function of the rows alone (the determinism tests compare them).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from stiltx.toy.render import Sentence, dependencies


def squad_json(
    data: list[dict], version: Any, *, indent: int | None = None, version_first: bool = False
) -> str:
    """SQuAD v1.1-style JSON: `{"data": [...], "version": ...}` with `\\uXXXX` escapes."""
    obj = (
        {"version": version, "data": data} if version_first else {"data": data, "version": version}
    )
    return json.dumps(obj, indent=indent, ensure_ascii=True) + ("\n" if indent else "")


def jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


def tsv(rows: list[tuple], header: tuple[str, ...] | None = None) -> str:
    """Tab-separated, no quoting (XTREME / GLUE style); cells must not contain tabs or newlines."""
    lines = ["\t".join(header)] if header else []
    for row in rows:
        cells = [str(c) for c in row]
        assert not any("\t" in c or "\n" in c for c in cells), row
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def csv_crlf(header: tuple[str, ...], rows: list[tuple]) -> str:
    """RFC-4180 CSV with CRLF line endings, as Cosmos QA ships."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def conllu(sentences: list[Sentence], prefix: str) -> str:
    """CoNLL-U: `# sent_id`, `# text`, 10 tab-separated columns, a blank line after each sentence."""
    blocks = []
    for n, sentence in enumerate(sentences, 1):
        lines = [f"# sent_id = {prefix}-{n}", f"# text = {sentence.text}"]
        for i, (tok, (head, deprel)) in enumerate(
            zip(sentence.tokens, dependencies(sentence), strict=True)
        ):
            misc = (
                "_" if sentence.space_after(i) or i + 1 == len(sentence.tokens) else "SpaceAfter=No"
            )
            cols = (
                str(i + 1),
                tok.form,
                tok.lemma,
                tok.upos,
                "_",
                tok.feats,
                str(head),
                deprel,
                "_",
                misc,
            )
            lines.append("\t".join(cols))
        blocks.append("\n".join(lines) + "\n")
    return "\n".join(blocks) + "\n"


def iob_tsv(sentences: list[Sentence]) -> str:
    """PAN-X (XTREME): `token<TAB>tag` lines, blank line between sentences, one final newline."""
    blocks = ["\n".join(f"{t.form}\t{t.ner}" for t in s.tokens) for s in sentences]
    return "\n\n".join(blocks) + "\n"
