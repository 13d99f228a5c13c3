"""The toy world's languages: English plus four synthetic languages under real XTREME codes.

A synthetic language shares every concept with English but has its own generated lexicon
(different word forms), its own constituent order (SVO / SOV / VSO), adjective placement,
adpositions (pre- or postpositions), question formation (wh-fronting or wh-in-situ with a
particle) and morphology (plural / past / object-case affixes, or particles and classifiers).
One of them is written in a Cyrillic-like script. Names, places, organisations and digits are
shared anchors. The lexicons depend only on the language, not on the world seed: the seed varies
the facts, the languages stay the same.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from functools import cache

from stiltx.toy.lexicon import FUNCTION_WORDS, NOUNS, VERBS, concept_words

ENGLISH = "en"


@dataclass(frozen=True)
class Language:
    code: str  # real XTREME code this synthetic language stands in for
    name: str  # English name, as UD folder names use it
    lang3: str  # ISO 639-3, as Tatoeba file names use it
    order: tuple[str, ...]  # constituents: S V O R(ecipient) F(rom) L(ocation) T(ime)
    adj_after_noun: bool = False
    postpositions: bool = False
    wh_front: bool = True
    plural: tuple[str, str] = ("", "")  # (prefix, suffix) on plural nouns
    past: tuple[str, str] = ("", "")  # (prefix, suffix) on past verbs
    object_case: str = ""  # suffix on the object's head noun
    adj_suffix: str = ""  # agreement suffix on attributive adjectives
    article: bool = False  # definite article before singular definite nouns
    onsets: tuple[str, ...] = ()
    nuclei: tuple[str, ...] = ()
    codas: tuple[str, ...] = ("",)
    script: dict[str, str] = field(default_factory=dict)  # letter -> letter transliteration

    @property
    def synthetic(self) -> bool:
        return self.code != ENGLISH


_CYRILLIC = dict(zip("abvgdezijklmnoprstufhcy", "абвгдезийклмнопрстуфхцы", strict=True))

LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", "eng", ("S", "V", "O", "R", "F", "L", "T"), article=True),
    # SOV, postpositions, suffixing, wh-in-situ.
    "de": Language(
        "de", "German", "deu", ("S", "T", "L", "F", "R", "O", "V"),
        postpositions=True, wh_front=False, plural=("", "en"), past=("", "te"),
        adj_suffix="e", article=True,
        onsets=("b", "d", "g", "k", "r", "sch", "st", "w", "f", "h", "l", "m"),
        nuclei=("a", "e", "i", "o", "u", "au", "ei"), codas=("", "n", "r", "t", "ch", "s"),
    ),
    # SVO, Cyrillic script, object case and plural suffixes, adjective agreement.
    "ru": Language(
        "ru", "Russian", "rus", ("S", "V", "O", "R", "F", "L", "T"),
        plural=("", "y"), past=("", "il"), object_case="u", adj_suffix="oj",
        onsets=("b", "v", "d", "z", "k", "l", "m", "n", "p", "r", "s", "t", "h"),
        nuclei=("a", "o", "e", "i", "u"), codas=("", "", "k", "v", "t", "l"),
        script=_CYRILLIC,
    ),
    # VSO, prefixing, adjectives after nouns.
    "sw": Language(
        "sw", "Swahili", "swh", ("V", "S", "O", "R", "F", "L", "T"),
        adj_after_noun=True, plural=("ma", ""), past=("li", ""),
        onsets=("k", "m", "n", "t", "w", "z", "j", "ch", "mb", "nd"),
        nuclei=("a", "e", "i", "o", "u"),
    ),
    # Isolating: no inflection, past particle, numeral classifier, time and place before the verb.
    "zh": Language(
        "zh", "Chinese", "cmn", ("S", "T", "L", "F", "V", "O", "R"),
        wh_front=False,
        onsets=("b", "p", "m", "f", "d", "t", "l", "g", "k", "h", "x", "zh", "sh", "q"),
        nuclei=("a", "ai", "ao", "e", "ei", "i", "ou", "u", "uo", "ia"), codas=("", "n", "ng"),
    ),
}  # fmt: skip

DEFAULT_LANGUAGES = tuple(LANGUAGES)


def _word(rng: random.Random, lang: Language, syllables: int) -> str:
    return "".join(
        rng.choice(lang.onsets) + rng.choice(lang.nuclei) + rng.choice(lang.codas)
        for _ in range(syllables)
    )


def transliterate(lang: Language, word: str) -> str:
    return _transliterate(lang.code, word) if lang.script else word


@cache
def _transliterate(code: str, word: str) -> str:
    script = LANGUAGES[code].script
    return "".join(script.get(ch, ch) for ch in word)


def build_lexicon(lang: Language) -> dict[str, str]:
    """Concept key -> stem (latin letters, before morphology and transliteration)."""
    if not lang.synthetic:
        lex = {k: v[0] for k, v in NOUNS.items()}
        lex.update({k: v[0] for k, v in VERBS.items()})
        lex.update({k: k for k in concept_words() if k not in lex})
        lex.update(FUNCTION_WORDS)
        return lex
    rng = random.Random(f"stiltx-toy-lexicon-{lang.code}")
    used: set[str] = set()
    lex: dict[str, str] = {}
    for key in concept_words():
        if key in ("past", "classifier") and lang.code != "zh":
            lex[key] = ""
            continue
        if key == "the" and not lang.article:
            lex[key] = ""
            continue
        syllables = 1 if key in FUNCTION_WORDS else rng.choice((2, 2, 3))
        word = _word(rng, lang, syllables)
        while word in used or len(word) < 2:
            word = _word(rng, lang, syllables + (len(used) % 2))
        used.add(word)
        lex[key] = word
    return lex


LEXICONS: dict[str, dict[str, str]] = {
    code: build_lexicon(lang) for code, lang in LANGUAGES.items()
}
