"""Keeping a QA answer span through translation: mark it before, find it after.

The answer span is wrapped in markers inside the context before translating
(`mark_answer`); most MT systems carry the markers along, and `unmark` reads the translated
answer between them. When the markers are lost or duplicated, the separately translated answer
text is looked up in the translated context (`locate`: exact, then ignoring case and spacing).
An answer found neither way is dropped by the caller and counted in the report. Pure functions.
"""

from __future__ import annotations

import re

from stiltx.tasks.examples import Answer

OPEN, CLOSE = "«", "»"
NO_SPACE_BEFORE = ".,;:!?)]}\"'、。，"  # punctuation that follows a word without a space


def mark_answer(context: str, answer: Answer) -> str:
    """`context` with the answer span wrapped in markers (spaced so the MT keeps words whole)."""
    end = answer.start + len(answer.text)
    return f"{context[: answer.start]}{OPEN} {context[answer.start : end]} {CLOSE}{context[end:]}"


def strip_markers(text: str) -> str:
    """The text without markers (and without the spaces the markers added)."""
    text = text.replace(f"{OPEN} ", "").replace(f" {CLOSE}", "")
    return re.sub(r"\s+", " ", text.replace(OPEN, "").replace(CLOSE, "")).strip()


def unmark(marked: str) -> tuple[str, Answer] | None:
    """(context, answer) from a translated marked context; None unless exactly one pair of
    markers surrounds a non-empty answer."""
    if marked.count(OPEN) != 1 or marked.count(CLOSE) != 1:
        return None
    before, _, rest = marked.partition(OPEN)
    inside, _, after = rest.partition(CLOSE)
    inside = inside.strip()
    if not inside:
        return None
    before = before.rstrip()
    after = after.lstrip()
    glue_before = " " if before else ""
    glue_after = " " if after and after[0] not in NO_SPACE_BEFORE else ""
    context = f"{before}{glue_before}{inside}{glue_after}{after}"
    return context, Answer(inside, len(before) + len(glue_before))


def locate(context: str, answer: str) -> Answer | None:
    """The first occurrence of `answer` in `context`: exact, else ignoring case and spacing."""
    answer = answer.strip()
    if not answer:
        return None
    start = context.find(answer)
    if start >= 0:
        return Answer(answer, start)
    words = [re.escape(w) for w in answer.split()]
    match = re.search(r"\s*".join(words), context, flags=re.IGNORECASE)
    if match:
        return Answer(context[match.start() : match.end()], match.start())
    return None


def relocate(marked_translation: str, answer_translation: str) -> tuple[str, Answer] | None:
    """(translated context, answer in it) from the translated marked context and the translated
    answer; None when the answer cannot be found (the example is dropped)."""
    found = unmark(marked_translation)
    if found is not None:
        return found
    context = strip_markers(marked_translation)
    answer = locate(context, answer_translation)
    return None if answer is None else (context, answer)
