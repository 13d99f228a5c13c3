"""Language-neutral task items built from facts: NLI pairs, paraphrase pairs, QA articles, COPA.

An item is sampled once and rendered in every language, so evaluation files are parallel across
languages (line i / question id x is the same item everywhere), as XNLI, PAWS-X, XQuAD and XCOPA
are.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from stiltx.toy.lexicon import (
    ACQUIRE_VERBS,
    ADJECTIVES,
    CATEGORIES,
    CATEGORY_OF,
    COUNTS,
    PLACES,
    TRANSFER_VERBS,
    YEARS,
)
from stiltx.toy.world import (
    Event,
    Fact,
    State,
    drop_optional,
    other_value,
    sample_event,
    sample_object,
    sample_person,
    sample_story,
    use_event,
)

NLI_LABELS = ("entailment", "neutral", "contradiction")


@dataclass(frozen=True)
class NLIItem:
    premise: tuple[Event, ...]
    hypothesis: Event
    label: str


def nli_item(rng: random.Random, premise_events: int = 1) -> NLIItem:
    """Entailment drops details, contradiction changes one, neutral adds one the premise lacks."""
    story = list(sample_story(rng, premise_events))
    k = rng.randrange(len(story))
    event = story[k]
    missing = [f for f in ("adj", "place", "year") if getattr(event, f) is None]
    if not missing:
        gone = rng.choice(("adj", "place", "year"))
        event = replace(event, **{gone: None})
        missing = [gone]
    story[k] = event
    label = rng.choice(NLI_LABELS)
    hyp = drop_optional(rng, event, keep_one=False)
    if label == "contradiction":
        hyp = _contradict(rng, hyp)
    elif label == "neutral":
        field = rng.choice(missing)
        value = {"adj": ADJECTIVES, "place": PLACES, "year": YEARS}[field]
        hyp = replace(hyp, **{field: rng.choice(value)})
    return NLIItem(tuple(story), hyp, label)


def _contradict(rng: random.Random, event: Event) -> Event:
    options = ["obj", "negated"]
    options += [f for f in ("place", "year", "adj") if getattr(event, f) is not None]
    if event.count >= 2:
        options.append("count")
    change = rng.choice(options)
    if change == "obj":
        return replace(event, obj=other_value(rng, CATEGORY_OF[event.obj].objects, event.obj))
    if change == "negated":
        return replace(event, negated=True)
    values = {"place": PLACES, "year": YEARS, "adj": ADJECTIVES, "count": COUNTS}[change]
    return replace(event, **{change: other_value(rng, values, getattr(event, change))})


@dataclass(frozen=True)
class PairItem:
    first: Event
    second: Event
    label: int  # 1 = paraphrase


def paws_item(rng: random.Random) -> PairItem:
    """PAWS-style word scrambling: both sentences move the time phrase; a non-paraphrase also
    swaps giver and receiver.

    The surface change is the same under both labels, so the two sentences of a pair always hold
    the same words and only their order tells the labels apart, as in PAWS. (Toy worlds before
    v7 moved the time phrase only in paraphrases: a shortcut worth 75% that the tiny model
    learned instead of the swap; see benchmarks/toy/NOTES.md.)
    """
    event = replace(sample_event(rng, verb=rng.choice(TRANSFER_VERBS)), year=rng.choice(YEARS))
    label = rng.randrange(2)
    second = replace(event, front_time=not event.front_time)
    if not label:
        second = replace(second, agent=event.recipient, recipient=event.agent)
    return PairItem(event, second, label)


def question_slots(event: Event) -> list[str]:
    slots = ["S", "O"]
    if event.count >= 2:
        slots.append("count")
    slots += [s for s, v in (("R", event.recipient), ("F", event.source), ("L", event.place)) if v]
    if event.year is not None:
        slots.append("T")
    return slots


@dataclass(frozen=True)
class QAItem:
    story: tuple[Event, ...]
    questions: tuple[tuple[int, str, str], ...]  # (event index, slot, id)


def qa_item(rng: random.Random, n_questions: int, id_fn) -> QAItem:
    """A 3-5 sentence story and questions about distinct events (the verb names the event)."""
    story = sample_story(rng, rng.randint(max(3, n_questions), 5))
    picks = rng.sample(range(len(story)), n_questions)
    return QAItem(
        story, tuple((k, rng.choice(question_slots(story[k])), id_fn(rng)) for k in picks)
    )


@dataclass(frozen=True)
class CopaItem:
    premise: Fact
    choice1: Fact
    choice2: Fact
    question: str  # "cause" | "effect"
    label: int  # 0 -> choice1


def copa_item(rng: random.Random) -> CopaItem:
    """Cause and effect follow the world's commonsense: need -> acquire -> use."""
    agent = sample_person(rng)
    cat = rng.choice(CATEGORIES)
    other = rng.choice([c for c in CATEGORIES if c is not cat])
    obj, other_obj = sample_object(rng, cat.name), sample_object(rng, other.name)
    verb = rng.choice(ACQUIRE_VERBS)
    count = rng.choice((1, 0))

    def acquire(o: str) -> Event:
        return Event(agent=agent, verb=verb, obj=o, count=count)

    kind = rng.randrange(4)
    if kind == 0:  # acquired it -> used it
        premise, good, bad, question = (
            acquire(obj),
            use_event(agent, obj, count),
            use_event(agent, other_obj, count),
            "effect",
        )
    elif kind == 1:  # needed it -> acquired it
        premise, good, bad, question = (
            State(agent, cat.need),
            acquire(obj),
            acquire(other_obj),
            "effect",
        )
    elif kind == 2:  # used it <- acquired it
        premise, good, bad, question = (
            use_event(agent, obj, count),
            acquire(obj),
            acquire(other_obj),
            "cause",
        )
    else:  # acquired it <- needed it
        premise, good, bad, question = (
            acquire(obj),
            State(agent, cat.need),
            State(agent, other.need),
            "cause",
        )
    label = rng.randrange(2)
    choice1, choice2 = (good, bad) if label == 0 else (bad, good)
    return CopaItem(premise, choice1, choice2, question, label)


def hex_id(rng: random.Random, digits: int = 24) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"
