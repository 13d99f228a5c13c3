"""Facts of the toy world: who did what to how many of which things, where and when.

Facts are language-neutral frozen dataclasses; `render.py` turns them into sentences of a
language. Every sampler takes an explicit `random.Random` (never the global RNG), so a world is a
pure function of its seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from stiltx.toy.lexicon import (
    ADJECTIVES,
    CATEGORIES,
    CATEGORY_OF,
    COUNTS,
    FIRST_NAMES,
    LAST_NAMES,
    ORGS,
    PLACES,
    VERBS,
    YEARS,
)

Person = tuple[str, str]  # (first, last)


@dataclass(frozen=True)
class Event:
    """`count`: 1 = one definite thing ("the apple"), 0 = some ("apples"), n >= 2 = "n apples".

    `source` is an organisation ("from Vantek Group") or, for "steal", the victim.
    """

    agent: Person
    verb: str
    obj: str
    count: int = 1
    adj: str | None = None
    recipient: Person | None = None
    source: Person | str | None = None
    place: str | None = None
    year: int | None = None
    negated: bool = False
    front_time: bool = False  # "In 1998 Anna ..." (a paraphrase of the unfronted sentence)

    @property
    def frame(self) -> str:
        return VERBS[self.verb][2]


@dataclass(frozen=True)
class State:
    """`agent` was `state` (hungry, grateful, ...)."""

    agent: Person
    state: str


Fact = Event | State


def sample_person(rng: random.Random, avoid: tuple[Person, ...] = ()) -> Person:
    while True:
        person = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if person not in avoid:
            return person


def sample_object(rng: random.Random, category: str | None = None) -> str:
    if category is None:
        return rng.choice(rng.choice(CATEGORIES).objects)
    return rng.choice(next(c for c in CATEGORIES if c.name == category).objects)


def sample_event(
    rng: random.Random,
    verb: str | None = None,
    obj: str | None = None,
    agent: Person | None = None,
    avoid: tuple[Person, ...] = (),
) -> Event:
    """A random event; verbs of using ("eat") get an object of the matching category."""
    verb = verb or rng.choice(tuple(VERBS))
    frame = VERBS[verb][2]
    if obj is None:
        use_cat = next((c.name for c in CATEGORIES if c.use == verb), None)
        obj = sample_object(rng, use_cat)
    agent = agent or sample_person(rng, avoid)
    taken = (*avoid, agent)
    recipient = sample_person(rng, taken) if frame == "to" else None
    source: Person | str | None = None
    if frame == "steal":
        source = sample_person(rng, taken)
    elif frame == "from" and rng.random() < 0.6:
        source = rng.choice(ORGS)
    return Event(
        agent=agent,
        verb=verb,
        obj=obj,
        count=rng.choice((1, 1, 0, *COUNTS)),
        adj=rng.choice(ADJECTIVES) if rng.random() < 0.5 else None,
        recipient=recipient,
        source=source,
        place=rng.choice(PLACES) if rng.random() < 0.6 else None,
        year=rng.choice(YEARS) if rng.random() < 0.5 else None,
    )


def sample_story(rng: random.Random, n: int) -> tuple[Event, ...]:
    """`n` events with distinct agents and distinct verbs, so a question can name its event."""
    verbs = rng.sample(tuple(VERBS), n)
    agents: list[Person] = []
    events = []
    for verb in verbs:
        event = sample_event(rng, verb=verb, avoid=tuple(agents))
        agents.extend(people_in([event]))
        events.append(event)
    return tuple(events)


def people_in(facts) -> tuple[Person, ...]:
    """Every person a fact names: agents, recipients, victims, the subjects of states."""
    people: list[Person] = []
    for fact in facts:
        roles = (
            (fact.agent, fact.recipient, fact.source) if isinstance(fact, Event) else (fact.agent,)
        )
        people.extend(p for p in roles if isinstance(p, tuple) and p not in people)
    return tuple(people)


def use_event(agent: Person, obj: str, count: int = 1) -> Event:
    """`agent` uses `obj` the way its category is used (eats the apple, reads the book)."""
    return Event(agent=agent, verb=CATEGORY_OF[obj].use, obj=obj, count=count)


def other_value(rng: random.Random, values: tuple, current) -> object:
    return rng.choice(tuple(v for v in values if v != current))


def drop_optional(rng: random.Random, event: Event, keep_one: bool = True) -> Event:
    """An entailed, less specific version: drop some of adjective / place / year / source / number."""
    fields = [f for f in ("adj", "place", "year") if getattr(event, f) is not None]
    if isinstance(event.source, str):
        fields.append("source")
    drop = [f for f in fields if rng.random() < 0.5]
    if keep_one and not drop and fields:
        drop = [rng.choice(fields)]
    changes = {f: None for f in drop}
    if event.count >= 2 and rng.random() < 0.3:
        changes["count"] = 0
    return replace(event, **changes)
