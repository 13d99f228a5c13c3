"""One Example type per task kind (never per task). Readers produce these; encoders consume them.

Labels are stored as the *index* into the task's `labels` (classification) or choice index
(multiple choice); tags as strings (mapped to ids at encoding time). `None` means unlabelled
(e.g. XTREME test files with stripped labels).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stiltx.tasks.spec import TaskSpec


@dataclass(frozen=True)
class ClassificationExample:
    id: str
    text_a: str
    text_b: str | None = None  # None for single-sentence tasks
    label: int | None = None


@dataclass(frozen=True)
class MultipleChoiceExample:
    """`context` is paired with each choice: (context, choice_i), i = 0..N-1.

    Readers fold the question into `context` (or into each choice) as the task's reference
    implementation does; e.g. COPA: context = premise + " What was the cause?".
    """

    id: str
    context: str
    choices: tuple[str, ...]
    label: int | None = None


@dataclass(frozen=True)
class Answer:
    text: str
    start: int  # character offset into the context (Unicode code points)


@dataclass(frozen=True)
class QAExample:
    id: str
    question: str
    context: str
    answers: tuple[Answer, ...] = ()  # empty: unanswerable (squad_v2) or unknown (blanked test)
    title: str = ""


@dataclass(frozen=True)
class TaggingExample:
    id: str
    words: tuple[str, ...]
    tags: tuple[str, ...] | None = None  # one tag per word; None when unlabelled


@dataclass(frozen=True)
class Text:
    id: str
    text: str
    language: str = ""
    # The text XTREME-R's dual encoder reads where it differs from `text` (LAReQA: sentence +
    # paragraph, evaluate_retrieval.py:572-574; Mewsli-X: utils_mewslix.py:562-617 markup).
    dual_text: str | None = None


@dataclass(frozen=True)
class RetrievalPair:
    """A query and the candidate it should retrieve: one dual-encoder training example."""

    id: str
    query: str
    candidate: str


@dataclass(frozen=True)
class RetrievalCorpus:
    """A whole retrieval evaluation set for one (task, language, split).

    Tatoeba: queries = xx sentences, candidates = English sentences, gold = aligned lines.
    BUCC: queries = xx corpus, candidates = en corpus, gold = the hidden translation pairs.
    LAReQA: queries = questions in one language, candidates = every sentence of every language,
    gold = the sentences that contain the answer (in every language).
    Mewsli-X: queries = mentions in context, candidates = entity descriptions, gold = the entity.
    """

    id: str
    queries: tuple[Text, ...]
    candidates: tuple[Text, ...]
    gold: dict[str, tuple[str, ...]] = field(default_factory=dict)  # query id -> candidate ids


@dataclass(frozen=True)
class MLMExample:
    id: str
    text: str


Example = (
    ClassificationExample
    | MultipleChoiceExample
    | QAExample
    | TaggingExample
    | RetrievalCorpus
    | RetrievalPair
    | MLMExample
)


def is_labelled(spec: TaskSpec, example: Example) -> bool:
    """Whether `example` carries its gold: a label, tags, an answer (or, where the task allows
    unanswerable questions, none: SQuAD v2), gold candidates. Training and scoring read only
    labelled examples (`load_split(require_labels=True)`, `zero_shot.evaluate_language`)."""
    if isinstance(example, ClassificationExample | MultipleChoiceExample):
        return example.label is not None
    if isinstance(example, TaggingExample):
        return example.tags is not None
    if isinstance(example, QAExample):
        return bool(example.answers) or spec.answerless_allowed
    if isinstance(example, RetrievalCorpus):
        return bool(example.gold)
    return True
