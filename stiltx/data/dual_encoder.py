"""Dual-encoder training pairs and texts as XTREME-R makes them for LAReQA and Mewsli-X.

LAReQA (third_party/processors/lareqa.py:242-310): every SQuAD v1.1 question with its first
answer; the query is the question, the candidate the sentence holding the answer start (sb_sed
breaks, `stiltx.data.sentence_breaks`) followed directly by the whole paragraph, newlines removed
(lareqa.py:46-51). Questions whose answer start is in no sentence, or whose answer text is not in
the whitespace tokens it spans, are skipped (lareqa.py:281-300).

Mewsli-X (third_party/utils_mewslix.py:562-617): the query is the mention's sentence with the
mention in `{ }` (pre-existing `{...}` escaped to `(...)`), the mention text prepended as
`mention: `; the candidate is the entity description's sentences joined by spaces. Newlines and
double spaces are normalised away in both.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from stiltx.data.files import field, iter_jsonl
from stiltx.data.sentence_breaks import sentence_breaks
from stiltx.data.squad_json import read_squad_json
from stiltx.errors import DataError
from stiltx.tasks.examples import QAExample, RetrievalPair
from stiltx.tasks.spec import TaskSpec

_MARKED = re.compile(r"\{(.*?)\}")  # utils_mewslix.py:20-24


def squad_pairs(examples: list[QAExample]) -> list[RetrievalPair]:
    """LAReQA's training pairs from SQuAD examples (the module docstring)."""
    pairs = []
    breaks: dict[str, list[tuple[int, int]]] = {}
    for example in examples:
        if not example.answers:
            continue
        answer = example.answers[0]  # "If a question has multiple answers, we only use the first"
        context = example.context
        spans = breaks.setdefault(context, list(sentence_breaks(context)))
        sentence = next((context[s:e] for s, e in spans if s <= answer.start < e), "")
        if not sentence or not _recoverable(context, answer.start, answer.text):
            continue
        candidate = (sentence + context).replace("\n", "")
        pairs.append(RetrievalPair(example.id, example.question, candidate))
    return pairs


def _recoverable(context: str, start: int, text: str) -> bool:
    """lareqa.py:251-297: the whitespace tokens spanning the answer contain its cleaned text."""
    words, word_of = [], []
    previous_space = True
    for char in context:
        if char in " \t\r\n" or ord(char) == 0x202F:
            previous_space = True
        else:
            if previous_space:
                words.append(char)
            else:
                words[-1] += char
            previous_space = False
        word_of.append(len(words) - 1)
    end = start + len(text) - 1
    if not text or end >= len(context):
        return False
    actual = " ".join(words[word_of[start] : word_of[end] + 1])
    return actual.find(" ".join(text.split())) != -1


def read_squad_pairs(path: Path, spec: TaskSpec, language: str) -> list[RetrievalPair]:
    return squad_pairs(read_squad_json(path, spec, language))


def _normalised(text: str) -> str:
    return " ".join(text.splitlines()).replace("  ", " ").strip()


def mention_text(context: str, sentence_spans: list[dict], start: int, end: int) -> str:
    """utils_mewslix.py:562-610 `preprocess_mention` on one mention of `context`."""
    focus = next(
        (
            s
            for s in sentence_spans
            if s["start"] <= start < s["end"] and s["start"] < end <= s["end"]
        ),
        None,
    )
    if focus is None:
        raise DataError(f"mention [{start}, {end}) is in no single sentence of its context")
    sentence = context[focus["start"] : focus["end"]]
    start, end = start - focus["start"], end - focus["start"]
    left = _MARKED.sub(r"(\1)", sentence[:start])
    right = _MARKED.sub(r"(\1)", sentence[end:])
    mention = sentence[start:end]
    return _normalised(f"{mention}: {left} {{ {mention} }} {right}")


def entity_text(entity: dict[str, Any], where: str) -> str:
    """utils_mewslix.py:613-617 `preprocess_entity_description`."""
    description = field(entity, "description", where)
    spans = field(entity, "sentence_spans", where)
    return _normalised(" ".join(description[s["start"] : s["end"]] for s in spans))


def read_mewsli_pairs(path: Path, spec: TaskSpec, language: str) -> list[RetrievalPair]:
    """Mewsli-X's English Wikipedia mention-entity pairs (`wikipedia_pairs-{train,dev}.jsonl`,
    one MentionEntityPair a line, utils_mewslix.py:484-512)."""
    pairs = []
    for number, row in iter_jsonl(path):
        where = f"{path}:{number}"
        contextual = field(row, "contextual_mention", where)
        context = field(contextual, "context", where)
        mention = field(contextual, "mention", where)
        span = field(mention, "mention_span", where)
        text = field(context, "text", where)
        if text[span["start"] : span["end"]] != span.get("text", ""):
            raise DataError(f"{where}: mention_span.text is not at its offsets in context.text")
        try:
            query = mention_text(
                text, context.get("sentence_spans", []), span["start"], span["end"]
            )
        except DataError as error:
            raise DataError(f"{where}: {error}") from None
        candidate = entity_text(field(row, "entity", where), where)
        pairs.append(RetrievalPair(str(mention.get("example_id", number)), query, candidate))
    return pairs
