"""Who writes a task's text: English (the original), or the toy "MT system" in another language.

The English intermediate-task emitters take a `Writer`. English writes the facts as they are. A
translating writer renders the *same facts* in a synthetic language (its word order, morphology
and lexicon), and adds machine-translation noise: each word (anchors and protected answer words
excepted) is dropped with probability `noise / 2` or replaced by a wrong word of its language with
probability `noise / 2`. Template text that is not a fact ("Why did Anna Berg buy the apple?") is
translated word by word through the lexicon, keeping English word order, as a weak MT system
would; template-only words ("why", "usually") get a fixed invented word per language.
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass
from functools import cache

from stiltx.toy.languages import LANGUAGES, LEXICONS, transliterate
from stiltx.toy.lexicon import (
    ADJECTIVES,
    CATEGORIES,
    FIRST_NAMES,
    LAST_NAMES,
    NOUNS,
    ORGS,
    PLACES,
    STATES,
    VERBS,
)
from stiltx.toy.render import Sentence, Tok, render, render_event

ANCHOR_KINDS = frozenset({"first", "last", "place", "org", "year", "num", "punct"})


@dataclass(frozen=True)
class Writer:
    language: str = "en"
    noise: float = 0.0

    @property
    def english(self) -> bool:
        return self.language == "en"

    def sentence(self, fact, wh: str | None = None, protect: frozenset[str] = frozenset()):
        """The fact (or a question about slot `wh`) as a `Sentence`; roles in `protect` keep
        every word (answer spans)."""
        sentence = render_event(self.language, fact, wh) if wh else render(self.language, fact)
        if self.english or not self.noise:
            return sentence
        rng = _noise_rng(self.language, sentence.text)
        toks = []
        for t in sentence.tokens:
            if t.kind in ANCHOR_KINDS or t.role in protect:
                toks.append(t)
                continue
            draw = rng.random()
            if draw < self.noise / 2:
                continue  # dropped
            if draw < self.noise:
                form = rng.choice(_content_words(self.language))
                t = Tok(form, form, t.upos, t.kind, t.role, t.ner, t.feats)
            toks.append(t)
        return Sentence(sentence.language, tuple(toks))

    def text(self, fact, wh: str | None = None) -> str:
        return self.sentence(fact, wh).text

    def phrase(self, english: str) -> str:
        """Template text, translated word by word (English word order), with MT noise."""
        if self.english:
            return english
        rng = _noise_rng(self.language, english)
        words = []
        for word, anchor in _english_words(english):
            forms = [word] if anchor else _translate_word(self.language, word)
            for form in forms:
                draw = rng.random() if not anchor else 1.0
                if draw < self.noise / 2:
                    continue
                if draw < self.noise:
                    form = rng.choice(_content_words(self.language))
                words.append(form)
        text = " ".join(words)
        return re.sub(r" ([.?,])", r"\1", text)


ENGLISH = Writer()


def _noise_rng(language: str, text: str) -> random.Random:
    return random.Random(zlib.crc32(f"toy-mt/{language}/{text}".encode()))


@cache
def _anchor_words() -> frozenset[str]:
    parts = [*FIRST_NAMES, *LAST_NAMES]
    for name in (*PLACES, *ORGS):
        parts.extend(name.split())
    return frozenset(parts)


def _english_words(text: str) -> list[tuple[str, bool]]:
    """(word, is_anchor) for the words and punctuation of an English template text."""
    out = []
    for word in re.findall(r"[A-Za-z]+|\d+|[.?,]", text):
        out.append((word, word in _anchor_words() or word.isdigit() or word in ".?,"))
    return out


@cache
def _english_forms() -> dict[str, tuple[str, str]]:
    """English word form -> (concept key, morphology: '', 'plural' or 'past')."""
    forms: dict[str, tuple[str, str]] = {}
    for key, (singular, plural) in NOUNS.items():
        forms[singular] = (key, "")
        forms.setdefault(plural, (key, "plural"))
    for key, (base, past, _) in VERBS.items():
        forms[base] = (key, "")
        forms.setdefault(past, (key, "past"))
    for key in (*ADJECTIVES, *STATES):
        forms[key] = (key, "")
    for cat in CATEGORIES:
        forms[cat.store] = (cat.store, "")
    for key in ("to", "from", "was", "not", "who", "what", "where", "when", "whom", "which"):
        forms[key] = (key, "")
    forms["in"] = ("in_place", "")
    forms["company"] = ("company", "")
    return forms


def _translate_word(language: str, word: str) -> list[str]:
    lang = LANGUAGES[language]
    lower = word.lower()
    if lower in ("the", "a", "did", "does"):
        stem = LEXICONS[language]["the"] if lower in ("the", "a") else ""
        return [transliterate(lang, stem)] if stem else []
    known = _english_forms().get(lower)
    if known is None:
        return [_invented(language, lower)]
    key, morph = known
    stem = LEXICONS[language][key]
    if not stem:
        return []
    if morph == "plural":
        stem = lang.plural[0] + stem + lang.plural[1]
    elif morph == "past":
        stem = lang.past[0] + stem + lang.past[1]
    return [transliterate(lang, stem)]


@cache
def _invented(language: str, english_word: str) -> str:
    """A fixed word of `language` for an English template word the lexicon has no concept for."""
    lang = LANGUAGES[language]
    rng = random.Random(f"toy-mt-word/{language}/{english_word}")
    used = set(LEXICONS[language].values())
    while True:
        word = "".join(
            rng.choice(lang.onsets) + rng.choice(lang.nuclei) + rng.choice(lang.codas)
            for _ in range(2)
        )
        if word not in used:
            return transliterate(lang, word)


@cache
def _content_words(language: str) -> tuple[str, ...]:
    """Words a noisy translation may put in the wrong place: the language's content words."""
    lang = LANGUAGES[language]
    keys = [*NOUNS, *VERBS, *ADJECTIVES, *STATES]
    return tuple(transliterate(lang, LEXICONS[language][k]) for k in keys if LEXICONS[language][k])
