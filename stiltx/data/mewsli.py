"""Mewsli-X entity linking: mention jsonl (one WikiNews article per line with its mentions) plus
`candidate_set_entities.jsonl` (`entity_id, title, description, ...`) in the same directory.

A query is the sentence containing the mention with the mention in square brackets (so two
mentions in one sentence differ); a candidate is `title: description`; gold is the mention's
`entity_id`. The released `*_no_text*` files have `context.text == ""`: the text must be restored
from WikiNews dumps first (a DataError says so). Files with several languages are filtered by
`context.language`.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.dual_encoder import entity_text, mention_text
from stiltx.data.files import field, iter_jsonl, warn
from stiltx.errors import DataError
from stiltx.tasks.examples import RetrievalCorpus, Text
from stiltx.tasks.spec import TaskSpec

CANDIDATES = "candidate_set_entities.jsonl"


def read_candidates(path: Path) -> tuple[Text, ...]:
    if not path.is_file():
        raise DataError(
            f"Mewsli-X candidate entities not found: {path} (expected beside the mentions file)"
        )
    return tuple(
        Text(
            str(field(row, "entity_id", f"{path}:{n}")),
            f"{row.get('title', '')}: {row.get('description', '')}",
            row.get("description_language", ""),
            dual_text=entity_text(row, f"{path}:{n}") if "sentence_spans" in row else None,
        )
        for n, row in iter_jsonl(path)
    )


def _query_text(text: str, spans: list[dict], start: int, end: int) -> str:
    sentence = next(
        ((s["start"], s["end"]) for s in spans if s["start"] <= start < s["end"]), (0, len(text))
    )
    s0, s1 = sentence[0], max(sentence[1], end)
    return f"{text[s0:start]}[{text[start:end]}]{text[end:s1]}"


def read_mewsli(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[RetrievalCorpus]:
    queries: list[Text] = []
    gold: dict[str, tuple[str, ...]] = {}
    for number, article in iter_jsonl(path):
        where = f"{path}:{number}"
        context = field(article, "context", where)
        lang = context.get("language", "")
        if language and lang and lang != language:
            continue
        text = field(context, "text", where)
        if not text:
            raise DataError(
                f"{where}: context.text is empty (a *_no_text* release file): restore the article text from WikiNews dumps first"
            )
        for mention in field(article, "mentions", where):
            span = field(mention, "mention_span", where)
            start, end = span["start"], span["end"]
            if text[start:end] != span.get("text", text[start:end]):
                raise DataError(
                    f"{where}: mention {span.get('text')!r} is not at [{start}, {end}) of the article text"
                )
            ident = str(field(mention, "example_id", where))
            spans = context.get("sentence_spans", [])
            try:  # XTREME-R's dual-encoder query (utils_mewslix.py:562-610)
                dual = mention_text(text, spans, start, end)
            except DataError:
                dual = None
            queries.append(Text(ident, _query_text(text, spans, start, end), lang, dual_text=dual))
            gold[ident] = (str(field(mention, "entity_id", where)),)
    # The mentions read fine on their own (`stiltx data inspect`); scoring needs the candidate
    # pool and refuses an empty one with the same message (stiltx.evaluation.retrieval).
    candidates_path = path.with_name(CANDIDATES)
    if candidates_path.is_file():
        candidates = read_candidates(candidates_path)
    else:
        warn(
            f"Mewsli-X candidate entities not found: {candidates_path}; mentions only (no scoring)"
        )
        candidates = ()
    return [RetrievalCorpus(f"mewsli_x-{language}", tuple(queries), candidates, gold)]
