"""seqeval 0.0.12's chunk F1, the version XTREME's published UD-POS numbers were computed with.

XTREME's `evaluate.py` scores UD-POS with `seqeval.metrics.f1_score(labels, predictions)`; its
environment pinned seqeval 0.0.12 (`evaluate_test.py:37-38` expects avg_f1 70.21746048354693 on
the mock UD-POS data). seqeval 0.0.12 splits a tag into prefix = its FIRST CHARACTER and type = the
text after its LAST "-" (the whole tag when there is no "-"): `get_entities`,
seqeval/metrics/sequence_labeling.py:15-53 at tag v0.0.12. seqeval >= 1.0 takes the type as the
text after the first character instead ("NOUN" -> "OUN"). The chunk boundaries differ because
the type compared between neighbours differs: in 0.0.12 "SCONJ" and "CCONJ" keep distinct types
(in 1.x both are "CONJ"), and "X" has type "X" (in 1.x "_", the type of the "O" that joins
sentences). For BIO tags (PAN-X) both versions agree.

This module reimplements 0.0.12's `get_entities`, `end_of_chunk`, `start_of_chunk`
(sequence_labeling.py:56-113) and micro P/R/F1 (:140-149, :210-216, :244-250) line by line in pure
Python, so stiltx does not pin an old seqeval.
"""

from __future__ import annotations

from collections.abc import Sequence

Chunk = tuple[str, int, int]


def _end_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if prev_tag in ("E", "S"):
        return True
    if prev_tag in ("B", "I") and tag in ("B", "S", "O"):
        return True
    return prev_tag not in ("O", ".") and prev_type != type_


def _start_of_chunk(prev_tag: str, tag: str, prev_type: str, type_: str) -> bool:
    if tag in ("B", "S"):
        return True
    if prev_tag in ("E", "S", "O") and tag in ("E", "I"):
        return True
    return tag not in ("O", ".") and prev_type != type_


def get_entities(sentences: Sequence[Sequence[str]]) -> list[Chunk]:
    """Chunks (type, first, last) over the sentences joined with an "O" after each (0.0.12)."""
    seq = [tag for sentence in sentences for tag in (*sentence, "O")]
    prev_tag, prev_type, begin = "O", "", 0
    chunks: list[Chunk] = []
    for i, chunk in enumerate([*seq, "O"]):
        tag, type_ = chunk[0], chunk.split("-")[-1]
        if _end_of_chunk(prev_tag, tag, prev_type, type_):
            chunks.append((prev_type, begin, i - 1))
        if _start_of_chunk(prev_tag, tag, prev_type, type_):
            begin = i
        prev_tag, prev_type = tag, type_
    return chunks


def precision_recall_f1(
    references: Sequence[Sequence[str]], predictions: Sequence[Sequence[str]]
) -> tuple[float, float, float]:
    """Micro precision, recall and F1 over chunk sets, as fractions (0.0.12 `*_score`)."""
    true, pred = set(get_entities(references)), set(get_entities(predictions))
    correct = len(true & pred)
    p = correct / len(pred) if pred else 0.0
    r = correct / len(true) if true else 0.0
    f1 = 2 * p * r / (p + r) if p + r > 0 else 0.0
    return p, r, f1
