"""Mewsli-X in the toy world: English Wikipedia-style mention -> entity training pairs, and
WikiNews-style mentions in every language with one English candidate set, in Mewsli-X's layout.

An entity is a person; its description is two English sentences about them. A mention is the
person's name in a two-sentence story in some language (names are shared anchors across the toy
languages, so a dual encoder can learn to link them). Training entities and evaluation entities
are drawn apart. Added after TOY_VERSION v10: `stiltx.toy.build` writes these files into a world
built before them, and nothing else in the world changes.
"""

from __future__ import annotations

import random
from dataclasses import replace

from stiltx.toy import formats
from stiltx.toy.render import paragraph, render_event
from stiltx.toy.sizes import ToySizes
from stiltx.toy.world import FIRST_NAMES, LAST_NAMES, Person, sample_event, sample_person

EN = "en"
NAMES = len(FIRST_NAMES) * len(LAST_NAMES)  # distinct people the world can name
FOLDER = "mewsli_x"


def _rng(seed: int, *parts: str) -> random.Random:
    return random.Random("/".join([str(seed), FOLDER, *parts]))


def _spans(starts: list[int], text: str) -> list[dict]:
    ends = [*(s - 1 for s in starts[1:]), len(text)]
    return [{"start": s, "end": e} for s, e in zip(starts, ends, strict=True)]


def _entities(rng: random.Random, n: int, prefix: str, avoid=()) -> list[tuple[Person, dict]]:
    if n + len(avoid) > NAMES:  # sample_person would draw forever
        raise ValueError(f"toy mewsli_x: {n} + {len(avoid)} people, only {NAMES} names")
    people: list[Person] = []
    while len(people) < n:
        people.append(sample_person(rng, avoid=(*avoid, *people)))
    out = []
    for i, person in enumerate(people):
        events = [replace(sample_event(rng), agent=person) for _ in range(2)]
        text, starts = paragraph([render_event(EN, e) for e in events])
        name = " ".join(person)
        entity = {
            "entity_id": f"{prefix}{i}", "title": name, "description": text,
            "description_language": EN, "description_url": f"https://en.wikipedia.org/wiki/{i}",
            "sentence_spans": _spans(starts, text),
        }  # fmt: skip
        out.append((person, entity))
    return out


def _contextual_mention(rng, person: Person, entity: dict, lang: str, ident: str) -> dict:
    other = sample_person(rng, avoid=(person,))
    events = [replace(sample_event(rng), agent=p) for p in (other, person)]
    if rng.random() < 0.5:
        events.reverse()
    text, starts = paragraph([render_event(lang, e) for e in events])
    name = " ".join(person)
    sentence = events.index(next(e for e in events if e.agent == person))
    start = text.index(name, starts[sentence])
    context = {
        "document_title": f"toy news {ident}", "document_url": "", "document_id": ident,
        "language": lang, "text": text, "sentence_spans": _spans(starts, text),
    }  # fmt: skip
    mention = {
        "example_id": ident,
        "mention_span": {"start": start, "end": start + len(name), "text": name},
        "entity_id": entity["entity_id"],
    }
    return {"context": context, "mention": mention}


def emit_mewsli_x(seed: int, sizes: ToySizes, languages: tuple[str, ...]) -> dict[str, str]:
    rng = _rng(seed, "entities")
    n = max(4, min(sizes.eval, NAMES // 4))  # candidates and training people are disjoint
    candidates = _entities(rng, n, "Q")
    training = _entities(rng, n, "W", avoid=tuple(p for p, _ in candidates))
    files = {f"{FOLDER}/candidate_set_entities.jsonl": formats.jsonl([e for _, e in candidates])}
    for split, n in (("train", sizes.train), ("dev", sizes.eval)):
        rng = _rng(seed, "wikipedia", split)
        rows = []
        for i in range(n):
            person, entity = rng.choice(training)
            pair = _contextual_mention(rng, person, entity, EN, f"wp-{split}-{i}")
            rows.append({"contextual_mention": pair, "entity": entity})
        files[f"{FOLDER}/wikipedia_pairs-{split}.jsonl"] = formats.jsonl(rows)
    for split in ("dev", "test"):
        rng = _rng(seed, "wikinews", split)
        rows = []
        for lang in languages:
            for i in range(sizes.eval):
                person, entity = rng.choice(candidates)
                one = _contextual_mention(rng, person, entity, lang, f"wn-{split}-{lang}-{i}")
                rows.append({"context": one["context"], "mentions": [one["mention"]]})
        files[f"{FOLDER}/wikinews_mentions-{split}.jsonl"] = formats.jsonl(rows)
    return files
