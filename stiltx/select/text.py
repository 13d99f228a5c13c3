"""The text of a task's data, sampled: what SEmb embeds and the vocabulary baseline counts.

Reads through the project's loaders (`data.members.load_member` for training splits, as the
training stage does; `data.load.load_split` for the evaluation languages' text, labels not
needed). Every error names the task, the split and what is missing.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from stiltx.data.labels import task_with_labels
from stiltx.data.load import load_split
from stiltx.data.members import load_member
from stiltx.errors import StiltxError
from stiltx.plan import TRAIN_LANGUAGE, Member, eval_split
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.examples import (
    ClassificationExample,
    MLMExample,
    MultipleChoiceExample,
    QAExample,
    TaggingExample,
)
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskSpec


def example_text(example) -> str:
    """All the text of one example, as one string (labels left out)."""
    if isinstance(example, ClassificationExample):
        return " ".join(t for t in (example.text_a, example.text_b) if t)
    if isinstance(example, MultipleChoiceExample):
        return " ".join((example.context, *example.choices))
    if isinstance(example, QAExample):
        return f"{example.question} {example.context}"
    if isinstance(example, TaggingExample):
        return " ".join(example.words)
    if isinstance(example, MLMExample):
        return example.text
    raise StiltxError(f"no text for a {type(example).__name__} (retrieval data is not sampled)")


def sample(items: Sequence, n: int, seed: int) -> list:
    """Up to `n` items drawn without replacement, the same ones for the same seed."""
    if len(items) <= n:
        return list(items)
    return random.Random(seed).sample(list(items), n)


def train_task(target: str) -> TaskSpec:
    """The English task whose training data the target trains on (xnli -> mnli); a target with no
    training data (retrieval) is refused with a message naming it."""
    spec = get_task(target)
    if not spec.trainable:
        raise StiltxError(
            f"select: target {target} has no English training data ({spec.kind.value}: scored "
            "from the encoder); choose a trained target"
        )
    return get_task(spec.train_task or spec.name)


def training_examples(task: str, data: DataConfig) -> list:
    """The labelled English training examples of `task`, read as the training stage reads them."""
    spec = task_with_labels(task, data)
    try:
        examples = load_member(Member(task), spec, spec.train_split, data)
    except StiltxError as error:
        raise StiltxError(f"select: no training data for {task} ({error})") from None
    if not examples:
        raise StiltxError(f"select: the training data of {task} is empty")
    return examples


def training_text(task: str, data: DataConfig, n: int, seed: int) -> list[str]:
    return [example_text(e) for e in sample(training_examples(task, data), n, seed)]


def evaluation_text(target: str, language: str, data: DataConfig, n: int, seed: int) -> list[str]:
    """Text of the target's evaluation split in `language` (what the model will be scored on)."""
    spec = get_task(target)
    if language == TRAIN_LANGUAGE or language not in spec.languages:
        raise StiltxError(
            f"select: {target} has no {language!r} evaluation text; expected one of "
            f"{', '.join(lang for lang in spec.languages if lang != TRAIN_LANGUAGE)}"
        )
    split = eval_split(spec, spec.test_split)
    try:
        examples = load_split(spec, language, split, data)
    except StiltxError as error:
        raise StiltxError(f"select: no {language} text for {target} ({error})") from None
    return [example_text(e) for e in sample(examples, n, seed)]
