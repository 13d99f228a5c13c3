"""Which fields of an Example are translated, and the Example rebuilt from their translations.

Classification: text_a (and text_b); multiple choice: the context and every choice, field by
field; extractive QA: the question, the context with its (first) answer marked, and the answer
text (for relocation when the markers are lost, see `spans.py`). Labels and ids are kept. Pure.
"""

from __future__ import annotations

from dataclasses import replace

from stiltx.tasks.examples import (
    ClassificationExample,
    Example,
    MultipleChoiceExample,
    QAExample,
)
from stiltx.translate.spans import mark_answer, relocate


def source_texts(example: Example) -> list[str]:
    """The English texts to translate for one example, in a fixed order."""
    if isinstance(example, ClassificationExample):
        return [example.text_a] + ([example.text_b] if example.text_b is not None else [])
    if isinstance(example, MultipleChoiceExample):
        return [example.context, *example.choices]
    if isinstance(example, QAExample):
        answer = example.answers[0]
        return [example.question, mark_answer(example.context, answer), answer.text]
    raise TypeError(f"{type(example).__name__}: this kind cannot be translated field by field")


def rebuild(example: Example, translated: list[str]) -> Example | None:
    """The translated example; None for a QA example whose answer cannot be found again."""
    if isinstance(example, ClassificationExample):
        text_b = translated[1] if example.text_b is not None else None
        return replace(example, text_a=translated[0], text_b=text_b)
    if isinstance(example, MultipleChoiceExample):
        return replace(example, context=translated[0], choices=tuple(translated[1:]))
    if isinstance(example, QAExample):
        found = relocate(translated[1], translated[2])
        if found is None:
            return None
        context, answer = found
        return replace(example, question=translated[0], context=context, answers=(answer,))
    raise TypeError(f"{type(example).__name__}: this kind cannot be translated field by field")
