"""Multiple choice -> one feature per example holding N (context, choice) pairs.

Each choice is tokenized as a pair with the context (longest-first truncation), so `input_ids` and
`attention_mask` are lists of N token lists; the model's multiple-choice head scores the N packed
sequences and a softmax over them picks the answer. All examples of a task must have the task's
`num_choices` choices (the head's shape).
"""

from __future__ import annotations

from collections.abc import Sequence

from datasets import Features, List, Value

from stiltx.encoding.labels import class_id
from stiltx.errors import DataError
from stiltx.tasks.examples import MultipleChoiceExample
from stiltx.tasks.spec import TaskSpec

FEATURES = Features(
    {
        "input_ids": List(List(Value("int32"))),
        "attention_mask": List(List(Value("int8"))),
        "length": Value("int32"),
        "example_index": Value("int64"),
        "labels": Value("int64"),
    }
)


def _check(spec: TaskSpec, ex: MultipleChoiceExample, num_choices: int) -> int:
    if len(ex.choices) != num_choices:
        raise DataError(
            f"task {spec.name}: example {ex.id!r} has {len(ex.choices)} choices, expected "
            f"{num_choices} (the task's num_choices)"
        )
    return class_id(spec, ex.id, ex.label, num_choices)


def encode(
    spec: TaskSpec,
    examples: Sequence[MultipleChoiceExample],
    tokenizer,
    max_length: int,
    stride: int,
    training: bool,
) -> dict[str, list]:
    """Tokenize every (context, choice) pair of the batch in one call, then regroup by example."""
    del stride, training
    num_choices = spec.num_choices or (len(examples[0].choices) if examples else 0)
    labels = [_check(spec, ex, num_choices) for ex in examples]
    contexts = [ex.context for ex in examples for _ in ex.choices]
    choices = [choice for ex in examples for choice in ex.choices]
    enc = tokenizer(
        contexts,
        choices,
        truncation=True,
        max_length=max_length,
        return_token_type_ids=False,
        return_attention_mask=True,
    )
    ids, mask = enc["input_ids"], enc["attention_mask"]
    grouped_ids = [ids[i : i + num_choices] for i in range(0, len(ids), num_choices)]
    grouped_mask = [mask[i : i + num_choices] for i in range(0, len(mask), num_choices)]
    return {
        "input_ids": grouped_ids,
        "attention_mask": grouped_mask,
        "length": [max(len(c) for c in group) for group in grouped_ids],
        "example_index": list(range(len(examples))),
        "labels": labels,
    }
