"""SQuAD-format JSON (SQuAD v1.1/v2.0, XQuAD, MLQA, TyDiQA-GoldP, XQuAD-R) -> QAExample.

Quirks handled: key order and the type of `version` vary between sources (ignored); `title` is
absent in XTREME's TyDiQA files; SQuAD dev has up to three answers per question; SQuAD v2 marks
unanswerable questions with `is_impossible` and no answers. XTREME's TyDiQA dev files have every
answer blanked (`{"text": "", "answer_start": 0}`): such answers are dropped, so the question is
returned without answers (`load_split(require_labels=True)` then refuses it) and a warning says so.
An answer whose text is not at `answer_start` is realigned to the nearest occurrence of its text,
or dropped if its text is not in the context at all; both are counted and reported in a warning.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stiltx.data.files import field, read_json, warn
from stiltx.errors import DataError
from stiltx.tasks.examples import Answer, QAExample
from stiltx.tasks.spec import TaskSpec


@dataclass
class AnswerAudit:
    """Counts of answers that needed attention while reading one file."""

    blank: int = 0
    realigned: int = 0
    dropped: int = 0
    total: int = 0

    def report(self, source: str) -> None:
        if self.blank:
            warn(
                f"{source}: {self.blank} of {self.total} answers are blank (text '' at 0) — XTREME blanks the "
                "TyDiQA-GoldP dev answers; these questions are unlabelled and cannot be scored"
            )
        if self.realigned or self.dropped:
            warn(
                f"{source}: {self.realigned + self.dropped} of {self.total} answers do not match the context "
                f"at answer_start: {self.realigned} realigned to the nearest occurrence of their text, "
                f"{self.dropped} dropped (text not found in the context)"
            )


def check_answer(context: str, text: str, start: int, audit: AnswerAudit) -> Answer | None:
    """The answer if its text is at `start`; else realigned to the nearest occurrence, or None."""
    audit.total += 1
    if text == "" and start in (0, -1):
        audit.blank += 1
        return None
    if context[start : start + len(text)] == text:
        return Answer(text=text, start=start)
    starts = [i for i in _occurrences(context, text)]
    if not starts:
        audit.dropped += 1
        return None
    audit.realigned += 1
    return Answer(text=text, start=min(starts, key=lambda i: abs(i - start)))


def _occurrences(context: str, text: str):
    if not text:
        return
    i = context.find(text)
    while i != -1:
        yield i
        i = context.find(text, i + 1)


def parse_squad(document: Any, source: str, audit: AnswerAudit) -> list[QAExample]:
    """QAExamples from a parsed SQuAD-format document (`{"data": [{"paragraphs": [...]}]}`).
    Every value is type-checked: a wrong one names its place (data[a].paragraphs[p].qas[q])."""
    if not isinstance(document, dict) or not isinstance(document.get("data"), list):
        raise DataError(f"{source}: expected a SQuAD JSON object with a 'data' list")
    examples: list[QAExample] = []
    for a, article in enumerate(document["data"]):
        title = article.get("title", "") if isinstance(article, dict) else ""
        paragraphs = _typed(field(article, "paragraphs", f"{source}: data[{a}]"), list,
                            f"{source}: data[{a}].paragraphs", "a list")  # fmt: skip
        for p, paragraph in enumerate(paragraphs):
            where = f"{source}: data[{a}].paragraphs[{p}]"
            context = _typed(
                field(paragraph, "context", where), str, f"{where}.context", "a string"
            )
            qas = _typed(field(paragraph, "qas", where), list, f"{where}.qas", "a list")
            for q, qa in enumerate(qas):
                qwhere = f"{where}.qas[{q}]"
                _typed(qa, dict, qwhere, "an object with id, question and answers")
                answers = []
                raw_answers = _typed(qa.get("answers", []), list, f"{qwhere}.answers", "a list")
                for n, answer in enumerate(raw_answers):
                    awhere = f"{qwhere}.answers[{n}]"
                    text = _typed(field(answer, "text", awhere), str, f"{awhere}.text", "a string")
                    start = field(answer, "answer_start", awhere)
                    if not isinstance(start, int) or isinstance(start, bool):
                        raise DataError(f"{qwhere}: answer_start must be an integer, got {start!r}")
                    checked = check_answer(context, text, start, audit)
                    if checked is not None:
                        answers.append(checked)
                ident = str(field(qa, "id", qwhere))
                question = field(qa, "question", qwhere)
                examples.append(
                    QAExample(
                        id=ident,
                        question=_typed(question, str, f"{qwhere}.question", "a string"),
                        context=context,
                        answers=tuple(answers),
                        title=title if isinstance(title, str) else str(title),
                    )
                )
    return examples


def _typed(value: Any, kind: type, where: str, expected: str) -> Any:
    """`value` if it is a `kind`, else a DataError naming the place, the value and what was expected."""
    if not isinstance(value, kind):
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        raise DataError(f"{where}: got {shown}, expected {expected}")
    return value


def read_squad_json(path: Path, spec: TaskSpec, language: str) -> list[QAExample]:
    audit = AnswerAudit()
    examples = parse_squad(read_json(path), str(path), audit)
    audit.report(str(path))
    return keep_language(examples, spec, language)


def id_language(example_id: str) -> str:
    """ "finnish--7633...-0" and "finnish-8742...-0" -> "finnish" (the text before the first "-")."""
    return example_id.split("-", 1)[0]


def keep_language(examples: list[QAExample], spec: TaskSpec, language: str) -> list[QAExample]:
    """Only the questions of `language` when ids carry the language prefix the task declares
    (`DataSource.id_language_names`: TyDiQA's all-language files); else every question."""
    names = spec.source.id_language_names
    known = set(names.values())
    if not names or not examples or any(id_language(e.id) not in known for e in examples):
        return examples  # ids without the prefix: a single-language file, kept whole
    name = names.get(language, language)
    return [e for e in examples if id_language(e.id) == name]
