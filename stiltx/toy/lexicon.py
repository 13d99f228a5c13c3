"""The concepts of the toy world and their English words.

Every language renders the same concepts; only English has hand-written word forms (with its
irregular plurals and past tenses). Names, places, organisations and numerals are *anchors*:
spelled the same in every language, as proper names and digits are across real languages.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    """A kind of object, and the commonsense that goes with it (used by COPA, HellaSwag, ...)."""

    name: str
    objects: tuple[str, ...]  # object concept keys
    use: str  # the verb of using such an object
    need: str  # the state that makes a person want one
    store: str  # where one usually gets one


CATEGORIES: tuple[Category, ...] = (
    Category("food", ("apple", "cake", "fish", "orange", "melon"), "eat", "hungry", "market"),
    Category(
        "reading", ("book", "letter", "newspaper", "map", "poem"), "read", "curious", "bookshop"
    ),
    Category("vehicle", ("car", "bicycle", "boat", "truck", "wagon"), "drive", "late", "garage"),
    Category("clothing", ("coat", "hat", "shirt", "scarf", "boot"), "wear", "cold", "tailor"),
    Category("music", ("guitar", "drum", "flute", "piano", "violin"), "play", "bored", "studio"),
)
CATEGORY_OF = {obj: cat for cat in CATEGORIES for obj in cat.objects}

# English noun forms: singular, plural.
NOUNS: dict[str, tuple[str, str]] = {
    **{o: (o, o + "s") for cat in CATEGORIES for o in cat.objects},
    "fish": ("fish", "fish"),
    "market": ("market", "markets"),
    "bookshop": ("bookshop", "bookshops"),
    "garage": ("garage", "garages"),
    "tailor": ("tailor", "tailors"),
    "studio": ("studio", "studios"),
}

# Verb concept -> (English base, English past, frame). Frames: "plain" (S V O), "from" (S V O
# from ORG, optional), "to" (S V O to PERSON: transfer), "steal" (S V O from PERSON), "use".
VERBS: dict[str, tuple[str, str, str]] = {
    "buy": ("buy", "bought", "from"),
    "order": ("order", "ordered", "from"),
    "borrow": ("borrow", "borrowed", "from"),
    "find": ("find", "found", "plain"),
    "give": ("give", "gave", "to"),
    "send": ("send", "sent", "to"),
    "sell": ("sell", "sold", "to"),
    "show": ("show", "showed", "to"),
    "lend": ("lend", "lent", "to"),
    "steal": ("steal", "stole", "steal"),
    "carry": ("carry", "carried", "plain"),
    "clean": ("clean", "cleaned", "plain"),
    "paint": ("paint", "painted", "plain"),
    "repair": ("repair", "repaired", "plain"),
    "lose": ("lose", "lost", "plain"),
    "eat": ("eat", "ate", "use"),
    "read": ("read", "read", "use"),
    "drive": ("drive", "drove", "use"),
    "wear": ("wear", "wore", "use"),
    "play": ("play", "played", "use"),
}
ACQUIRE_VERBS = ("buy", "order", "borrow", "find")
TRANSFER_VERBS = ("give", "send", "sell", "show", "lend")

ADJECTIVES = ("red", "blue", "green", "old", "new", "big", "small", "heavy", "cheap", "yellow")
NEEDS = tuple(cat.need for cat in CATEGORIES)
EMOTIONS = ("happy", "grateful", "angry", "sad", "tired")
STATES = NEEDS + EMOTIONS

# Function words: key -> English form. Synthetic languages get a generated word for each.
FUNCTION_WORDS: dict[str, str] = {
    "the": "the",
    "to": "to",
    "from": "from",
    "in_place": "in",
    "in_time": "in",
    "was": "was",
    "did": "did",
    "not": "not",
    "who": "who",
    "what": "what",
    "where": "where",
    "when": "when",
    "how_many": "how many",
    "whom": "whom",
    "which": "which",
    "company": "company",
    "question": "",  # question particle (English has none)
    "past": "",  # past-tense particle (only isolating languages)
    "classifier": "",  # numeral classifier (only isolating languages)
}

FIRST_NAMES = (
    "Anna", "Omar", "Lena", "Kofi", "Mira", "Ivan", "Sara", "Tomas", "Yuki", "Ravi",
    "Nina", "Pablo", "Amara", "Felix", "Leila", "Jonas", "Hana", "Diego", "Zara", "Emil",
)  # fmt: skip
LAST_NAMES = (
    "Berg", "Okafor", "Novak", "Silva", "Tanaka", "Haddad", "Kumar", "Larsen",
    "Moreau", "Petrov", "Costa", "Mendes", "Ito", "Weber", "Adeyemi", "Rossi",
)  # fmt: skip
PLACES = (
    "Tarvo", "Mellin", "Ostara", "Kelby", "Dunmor", "Varesa", "Holmgard", "Sirena",
    "Palvik", "Ardeen", "Lunzig", "Corvata", "Port Elva", "New Kalden", "San Orvio",
)  # fmt: skip
ORGS = (
    "Vantek Group", "Orbis Labs", "Kestrel Bank", "Nordel Foods", "Zephyr Motors",
    "Lumen Books", "Atlas Trading", "Helix Works", "Corvid Media", "Sable Partners",
)  # fmt: skip
YEARS = tuple(range(1950, 2021))
COUNTS = tuple(range(2, 13))


def concept_words() -> list[str]:
    """Every content and function concept key a language must have a word for."""
    objects = [o for cat in CATEGORIES for o in cat.objects]
    stores = [cat.store for cat in CATEGORIES]
    return [*objects, *stores, *VERBS, *ADJECTIVES, *STATES, *FUNCTION_WORDS]
