"""Render facts as sentences of a language: tokens with UPOS, NER and role, text with offsets.

One renderer serves every language; a `Language` decides constituent order, adposition side,
adjective side, question formation and morphology. English is the same code with hand-written
word forms and do-support. A rendered `Sentence` knows each token's character span, which is
what extractive QA answers, CoNLL-U, PAN-X and CCG files are made from.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from stiltx.toy.languages import LANGUAGES, LEXICONS, Language, transliterate
from stiltx.toy.lexicon import NOUNS, VERBS
from stiltx.toy.world import Event, Person, State

PUNCT = {".", "?", ","}


class Tok(NamedTuple):  # a NamedTuple: the generator makes millions, a dataclass is 3x slower
    form: str
    lemma: str
    upos: str
    kind: str  # fine type: first, last, place, org, year, num, noun, adj, det, adp, verb, ...
    role: str = ""  # constituent: S V O R F L T, or "" (punctuation, particles)
    ner: str = "O"
    feats: str = "_"


@dataclass(frozen=True)
class Sentence:
    language: str
    tokens: tuple[Tok, ...]

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(t.form for t in self.tokens)

    @property
    def spans(self) -> tuple[tuple[int, int], ...]:
        return _layout(self.words)[1]

    @property
    def text(self) -> str:
        return _layout(self.words)[0]

    def space_after(self, i: int) -> bool:
        return i + 1 < len(self.tokens) and self.tokens[i + 1].form not in PUNCT

    def span(self, role: str, kinds: tuple[str, ...] | None = None) -> tuple[int, int]:
        """Character span covering the tokens of `role` (restricted to `kinds` if given)."""
        idx = [
            i
            for i, t in enumerate(self.tokens)
            if t.role == role and (kinds is None or t.kind in kinds)
        ]
        if not idx:
            raise ValueError(f"no token with role {role!r} and kinds {kinds} in {self.text!r}")
        spans = self.spans
        return spans[idx[0]][0], spans[idx[-1]][1]


@cache
def _layout(words: tuple[str, ...]) -> tuple[str, tuple[tuple[int, int], ...]]:
    text, spans = "", []
    for i, word in enumerate(words):
        if i and word not in PUNCT:
            text += " "
        spans.append((len(text), len(text) + len(word)))
        text += word
    return text, tuple(spans)


# Answer spans in a context, per question slot: (role, token kinds).
ANSWER_KINDS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "S": ("S", None),
    "O": ("O", ("num", "adj", "noun", "clf")),
    "count": ("O", ("num",)),
    "R": ("R", ("first", "last")),
    "F": ("F", ("first", "last", "org")),
    "L": ("L", ("place",)),
    "T": ("T", ("year",)),
}


def _fw(lang: Language, key: str, role: str = "") -> list[Tok]:
    """A function word as tokens (English "how many" is two; empty words vanish)."""
    return list(_function_word(lang.code, key, role))


@cache
def _function_word(code: str, key: str, role: str) -> tuple[Tok, ...]:
    lang = LANGUAGES[code]
    upos = {
        "the": "DET",
        "to": "ADP",
        "from": "ADP",
        "in_place": "ADP",
        "in_time": "ADP",
        "was": "AUX",
        "did": "AUX",
        "not": "PART",
        "question": "PART",
        "past": "PART",
        "classifier": "NOUN",
        "company": "NOUN",
        "which": "DET",
    }.get(key, "PRON")
    kind = {"the": "det", "to": "adp", "from": "adp", "in_place": "adp", "in_time": "adp"}.get(
        key, key
    )
    words = LEXICONS[lang.code][key].split()
    if key == "how_many":  # English "how many" is two words; synthetic languages use one
        kinds = ["how", "num"][-len(words) :]
        return tuple(
            Tok(transliterate(lang, w), w, "ADV", k, role)
            for w, k in zip(words, kinds, strict=True)
        )
    return tuple(Tok(transliterate(lang, w), w, upos, kind, role) for w in words)


def _name(parts: list[str], kind: str, label: str, role: str) -> list[Tok]:
    return [
        Tok(p, p, "PROPN", kind, role, ("B-" if i == 0 else "I-") + label)
        for i, p in enumerate(parts)
    ]


def _person(person: Person, role: str) -> list[Tok]:
    return [
        Tok(person[0], person[0], "PROPN", "first", role, "B-PER"),
        Tok(person[1], person[1], "PROPN", "last", role, "I-PER"),
    ]


def _affix(lang: Language, stem: str, affix: tuple[str, str]) -> str:
    return affix[0] + stem + affix[1]


def _noun(lang: Language, key: str, plural: bool, case: bool) -> Tok:
    stem = LEXICONS[lang.code][key]
    if lang.synthetic:
        form = _affix(lang, stem, lang.plural) if plural else stem
        form = transliterate(lang, form + (lang.object_case if case else ""))
    else:
        form = NOUNS[key][1 if plural else 0]
    feats = "Number=Plur" if plural else "Number=Sing"
    return Tok(form, transliterate(lang, stem), "NOUN", "noun", "", "O", feats)


def _verb(lang: Language, key: str, past: bool) -> Tok:
    stem = LEXICONS[lang.code][key]
    if lang.synthetic:
        form = transliterate(lang, _affix(lang, stem, lang.past) if past else stem)
    else:
        form = VERBS[key][1 if past else 0]
    feats = "Tense=Past|VerbForm=Fin" if past else "VerbForm=Inf"
    return Tok(form, transliterate(lang, stem), "VERB", "verb", "V", "O", feats)


def _adj(lang: Language, key: str, role: str, attributive: bool = True) -> Tok:
    stem = LEXICONS[lang.code][key]
    form = transliterate(lang, stem + (lang.adj_suffix if attributive else ""))
    return Tok(form, transliterate(lang, stem), "ADJ", "adj" if attributive else "pred", role)


def _with_role(toks: list[Tok], role: str) -> list[Tok]:
    return [Tok(t.form, t.lemma, t.upos, t.kind, role, t.ner, t.feats) for t in toks]


def _np(lang: Language, event: Event, how_many: bool) -> list[Tok]:
    count = event.count
    plural = count != 1 or how_many
    noun = _noun(lang, event.obj, plural, case=True)
    adj = [_adj(lang, event.adj, "O")] if event.adj else []
    pre: list[Tok] = []
    if how_many:
        pre = _fw(lang, "how_many") + _fw(lang, "classifier")
    elif count >= 2:
        pre = [Tok(str(count), str(count), "NUM", "num")] + _fw(lang, "classifier")
    elif count == 1:
        pre = _fw(lang, "the")
    body = [noun, *adj] if lang.adj_after_noun else [*adj, noun]
    return _with_role(pre + body, "O")


def _pp(lang: Language, adposition: str, toks: list[Tok], role: str) -> list[Tok]:
    adp = _fw(lang, adposition)
    return _with_role(toks + adp if lang.postpositions else adp + toks, role)


def _source(event: Event) -> list[Tok]:
    if isinstance(event.source, tuple):
        return _person(event.source, "F")
    return _name(event.source.split(), "org", "ORG", "F")


def render_event(language: str, event: Event, wh: str | None = None) -> Sentence:
    """Render `event` as a statement, or as a question about slot `wh` (see ANSWER_KINDS)."""
    lang = LANGUAGES[language]
    do_support = not lang.synthetic and (event.negated or (wh not in (None, "S")))
    verb = [_verb(lang, event.verb, past=not do_support)]
    if event.negated:
        verb = _with_role(_fw(lang, "not"), "V") + verb
    verb += _with_role(_fw(lang, "past"), "V")
    if do_support and wh in (None, "S"):
        verb = _with_role(_fw(lang, "did"), "V") + verb
    parts: dict[str, list[Tok]] = {
        "S": _person(event.agent, "S"),
        "V": verb,
        "O": _np(lang, event, how_many=wh == "count"),
    }
    if event.recipient:
        parts["R"] = _pp(lang, "to", _person(event.recipient, "R"), "R")
    if event.source:
        parts["F"] = _pp(lang, "from", _source(event), "F")
    if event.place:
        parts["L"] = _pp(lang, "in_place", _name(event.place.split(), "place", "LOC", "L"), "L")
    if event.year is not None:
        year = [Tok(str(event.year), str(event.year), "NUM", "year", "T")]
        parts["T"] = _pp(lang, "in_time", year, "T")
    if wh is not None:
        parts.update(_wh_parts(lang, event, wh))
    order = [r for r in lang.order if r in parts]
    slot = "O" if wh == "count" else wh
    if wh is not None and lang.wh_front:
        order = [slot] + [r for r in order if r != slot]
    if event.front_time and "T" in parts and wh != "T":
        order = ["T"] + [r for r in order if r != "T"]
    toks = [t for r in order for t in parts[r]]
    if do_support and wh not in (None, "S"):
        at = len(parts[slot]) if lang.wh_front else 0
        # A fronted time phrase stands before the question word ("In 1999 where did ...");
        # when the time itself is asked, it *is* the question word ("When did ...").
        at += len(parts["T"]) if order[0] == "T" and slot != "T" else 0
        toks[at:at] = _with_role(_fw(lang, "did"), "V")
    if wh is not None and not lang.wh_front:
        toks += _fw(lang, "question")
    toks.append(Tok("?" if wh else ".", "?" if wh else ".", "PUNCT", "punct"))
    return Sentence(language, _capitalize(lang, toks))


def _wh_parts(lang: Language, event: Event, wh: str) -> dict[str, list[Tok]]:
    if wh == "S":
        return {"S": _with_role(_fw(lang, "who"), "S")}
    if wh == "O":
        return {"O": _with_role(_fw(lang, "what"), "O")}
    if wh == "count":
        return {}
    if wh == "R":
        return {"R": _pp(lang, "to", _fw(lang, "whom"), "R")}
    if wh == "F":
        inner = (
            _fw(lang, "whom")
            if isinstance(event.source, tuple)
            else _fw(lang, "which") + _fw(lang, "company")
        )
        return {"F": _pp(lang, "from", inner, "F")}
    if wh == "L":
        return {"L": _with_role(_fw(lang, "where"), "L")}
    if wh == "T":
        return {"T": _with_role(_fw(lang, "when"), "T")}
    raise ValueError(f"unknown question slot {wh!r}")


def render_state(language: str, state: State) -> Sentence:
    """`agent` was `state`: S COP ADJ, ordered like subject / verb / object of the language."""
    lang = LANGUAGES[language]
    parts = {
        "S": _person(state.agent, "S"),
        "V": _with_role(_fw(lang, "was"), "V"),
        "O": [_adj(lang, state.state, "O", attributive=False)],
    }
    toks = [t for r in lang.order if r in parts for t in parts[r]]
    toks.append(Tok(".", ".", "PUNCT", "punct"))
    return Sentence(language, _capitalize(lang, toks))


def render(language: str, fact: Event | State) -> Sentence:
    if isinstance(fact, State):
        return render_state(language, fact)
    return render_event(language, fact)


def _capitalize(lang: Language, toks: list[Tok]) -> tuple[Tok, ...]:
    if lang.synthetic or not toks or not toks[0].form[:1].islower():
        return tuple(toks)
    first = toks[0]
    return (Tok(first.form[:1].upper() + first.form[1:], *_rest(first)), *toks[1:])


def _rest(t: Tok) -> tuple:
    return (t.lemma, t.upos, t.kind, t.role, t.ner, t.feats)


def paragraph(sentences: list[Sentence]) -> tuple[str, list[int]]:
    """Join sentences with one space; return the text and each sentence's start offset."""
    text, starts = "", []
    for s in sentences:
        if text:
            text += " "
        starts.append(len(text))
        text += s.text
    return text, starts


# Word kinds a code-switched sentence may borrow from another language.
SWITCHABLE = frozenset({"noun", "verb", "adj", "pred", "adp", "det", "not", "was"})


def code_switch(base: Sentence, donor: Sentence, rng, rate: float) -> Sentence:
    """`base` with some words replaced by the `donor` words (the same fact in another language)
    that play the same part (same role and kind): code-switched text, as on the real web."""
    parts: dict[tuple[str, str], Tok] = {}
    for t in donor.tokens:
        parts.setdefault((t.role, t.kind), t)
    toks = tuple(
        parts[(t.role, t.kind)]
        if t.kind in SWITCHABLE and (t.role, t.kind) in parts and rng.random() < rate
        else t
        for t in base.tokens
    )
    return Sentence(base.language, toks)


# ----- dependencies (for CoNLL-U) and CCG-like supertags (English) -----

_INNER_DEPREL = {
    "det": "det",
    "num": "nummod",
    "adj": "amod",
    "adp": "case",
    "classifier": "clf",
    "last": "flat",
    "place": "flat",
    "org": "flat",
    "how": "advmod",
    "which": "det",
}
_ROLE_DEPREL = {"S": "nsubj", "O": "obj", "R": "obl", "F": "obl", "L": "obl", "T": "obl"}
_HEAD_KINDS = (
    "first",
    "place",
    "org",
    "year",
    "noun",
    "who",
    "what",
    "whom",
    "where",
    "when",
    "company",
)


def dependencies(sentence: Sentence) -> list[tuple[int, str]]:
    """(head, deprel) per token, 1-based heads as in CoNLL-U; a plausible UD-style tree."""
    toks = sentence.tokens
    root = next((i for i, t in enumerate(toks) if t.kind in ("verb", "pred")), 0)
    heads: dict[str, int] = {}
    for role in _ROLE_DEPREL:
        idx = [i for i, t in enumerate(toks) if t.role == role]
        if idx:
            heads[role] = next((i for i in idx if toks[i].kind in _HEAD_KINDS), idx[-1])
    out = []
    for i, t in enumerate(toks):
        if i == root:
            out.append((0, "root"))
        elif t.role in heads and heads[t.role] == i:
            out.append((root + 1, _ROLE_DEPREL[t.role]))
        elif t.role in heads:
            out.append((heads[t.role] + 1, _INNER_DEPREL.get(t.kind, "dep")))
        elif t.kind == "punct":
            out.append((root + 1, "punct"))
        elif t.kind in ("did", "was", "past"):
            out.append((root + 1, "cop" if t.kind == "was" else "aux"))
        elif t.kind == "not":
            out.append((root + 1, "advmod"))
        else:
            out.append((root + 1, "discourse"))
    return out


def ccg_tags(sentence: Sentence) -> list[str]:
    """CCGbank-style lexical categories for an English sentence (statements and states)."""
    toks = sentence.tokens
    has_to = any(t.role == "R" for t in toks)
    tags = []
    for i, t in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if (
            t.kind in ("first", "place", "org", "last")
            and nxt is not None
            and nxt.kind in ("last", "place", "org")
            and nxt.role == t.role
        ):
            tags.append("N/N")
        elif t.kind in ("first", "last", "place", "org", "year"):
            tags.append("N")
        elif t.kind == "verb":
            base = "S[b]" if t.feats.startswith("VerbForm=Inf") else "S[dcl]"
            tags.append(f"(({base}\\NP)/PP)/NP" if has_to else f"({base}\\NP)/NP")
        elif t.kind in ("num", "adj"):
            tags.append("N/N")
        elif t.kind == "noun":
            tags.append("N")
        elif t.kind == "det":
            tags.append("NP[nb]/N")
        elif t.kind == "adp":
            tags.append("PP/NP" if t.role == "R" else "((S\\NP)\\(S\\NP))/NP")
        elif t.kind == "did":
            tags.append("(S[dcl]\\NP)/(S[b]\\NP)")
        elif t.kind == "not":
            tags.append("(S\\NP)\\(S\\NP)")
        elif t.kind == "was":
            tags.append("(S[dcl]\\NP)/(S[adj]\\NP)")
        elif t.kind == "pred":
            tags.append("S[adj]\\NP")
        elif t.kind == "punct":
            tags.append(t.form)
        else:
            tags.append("N")
    return tags
