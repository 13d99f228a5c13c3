"""SQuAD sentence breaks as XTREME-R's LAReQA training finds them: a port of
google-research/xtreme third_party/processors/sb_sed.py (the sed-style breaker its
processors/lareqa.py:249 runs on every SQuAD paragraph). Rules and order are the reference's,
line for line (sb_sed.py:41-148); pure regular expressions, no dependencies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# (pattern, replacement) in the reference's order (sb_sed.py:70-148)
_RULES: tuple[tuple[str, str], ...] = (
    # the main split: [.?!], optional closers, whitespace, optional openers, upper case or digit
    (r"""([.?!][)'" \u201D]*)\s(\s*[\['"(\u201C]?[A-Z0-9])""", r"\1\n\2"),
    (r"""([.?!]['"]?)((\[[a-zA-Z0-9 ?]+\])+)\s(\s*['"(]?[A-Z0-9])""", r"\1\2\n\4"),
    (r"(\[\.\.\.\]\s*)\s(\[?[A-Z])", r"\1\n\2"),
    # rejoin titles, literary, month and geographical abbreviations
    (r"\b(Mrs?|Ms|Dr|Prof|Fr|Rev|Msgr|Sta?)\.\n", r"\1. "),
    (r"\b(Lt|Gen|Col|Maj|Adm|Capt|Sgt|Rep|Gov|Sen|Pres)\.\n", r"\1. "),
    (r"\b(e\.g|i\.?e|vs?|pp?|cf|a\.k\.a|approx|app|es[pt]|tr)\.\n", r"\1. "),
    (r"\b(Jan|Aug|Oct|Nov|Dec)\.\n", r"\1. "),
    (r"\b(Mt|Ft)\.\n", r"\1. "),
    (r"\b([ap]\.m)\.\n(Eastern|EST)\b", r"\1. \2"),
    # rejoin personal names with 3, 2 or 1 initials
    (r'\b([A-Z]\.)[ \n]([A-Z]\.)[ \n]([A-Z]\.)[ \n]("?[A-Z][a-z])', r"\1 \2 \3 \4"),
    (r'\b([A-Z]\.)[ \n]([A-Z]\.)[ \n]("?[A-Z][a-z])', r"\1 \2 \3"),
    (r'\b([A-Z]\.[A-Z]\.)\n("?[A-Z][a-z])', r"\1 \2"),
    (r'\b([A-Z]\.)\n("?[A-Z][a-z])', r"\1 \2"),
    # resplit common sentence starts
    (r"""([.!?]['")]*) (The|This|That|These|It) """, r"\1\n\2 "),
    (r"(\.) (Meanwhile|However)", r"\1\n\2"),
    (r"(\.) (In|On|By|During|After|Under|Although|Yet|As |Several|According to) ", r"\1\n\2 "),
    # rejoin numbered parts, born / died / circa, et al (2005), H.R. 2000
    (r"\b([Aa]rt|[Nn]o|Opp?|ch|Sec|cl|Rec|Ecl|Cor|Lk|Jn|Vol)\.\n([0-9IVX]+)\b", r"\1. \2"),
    (r"\b([bdrc]|ca|fl)\.\n([A-Z0-9])", r"\1. \2"),
    (r"\b(et al)\.\n(\(?[0-9]{4}\b)", r"\1. \2"),
    (r"\b(H\.R\.)\n([0-9])", r"\1 \2"),
    # SQuAD-specific joins
    (r"(I Am\.\.\.)\n(Sasha Fierce|World Tour)", r"\1 \2"),
    (r"(Warner Bros\.)\n(Records|Entertainment)", r"\1 \2"),
    (r"(U\.S\.)\n(\(?\d\d+)", r"\1 \2"),
    (r"\b(Rs\.)\n(\d)", r"\1 \2"),
    # SQuAD-specific splits
    (r"\b(Jay Z\.) ([A-Z])", r"\1\n\2"),
    (r"\b(Washington, D\.C\.) ([A-Z])", r"\1\n\2"),
    (r"\b(for 4\.\)) ([A-Z])", r"\1\n\2"),
    (r"\b(Wii U\.) ([A-Z])", r"\1\n\2"),
    (r"\. (iPod|iTunes)", r".\n\1"),
    (r" (\[\.\.\.\]\n)", r"\n\1"),
    (r"(\.Sc\.)\n", r"\1 "),
    (r" (\u2022 [A-Z])", r"\n\1"),
)
_COMPILED = tuple((re.compile(pattern), replacement) for pattern, replacement in _RULES)


def sentence_breaks(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) character offsets of each sentence of `text` (sb_sed.py:26-49)."""
    broken = re.sub(r"\n", " ", text)
    for pattern, replacement in _COMPILED:
        broken = pattern.sub(replacement, broken)
    starts = [m.end() for m in re.finditer(r"^\s*", broken, re.M)]
    sentences = [s.strip() for s in broken.split("\n")]
    for start, sentence in zip(starts, sentences, strict=True):
        yield start, start + len(sentence)
