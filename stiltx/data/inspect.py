"""`stiltx data inspect`: read one split and summarise it as plain JSON-able data."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from stiltx.data.load import check_language, check_split, load_split, read_file
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.examples import RetrievalCorpus
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskKind

SHOWN = 3


def default_split(splits: tuple[str, ...]) -> str:
    return "dev" if "dev" in splits else splits[0]


def as_json(example: Any, labels: tuple[str, ...] = ()) -> dict[str, Any]:
    """An example as a JSON-able dict; a retrieval corpus is summarised (sizes + first queries).

    A classification label (an index into the task's `labels`) also gets its name.
    """
    if isinstance(example, RetrievalCorpus):
        return {
            "id": example.id,
            "num_queries": len(example.queries),
            "num_candidates": len(example.candidates),
            "num_gold": len(example.gold),
            "queries": [dataclasses.asdict(q) for q in example.queries[:SHOWN]],
            "candidates": [dataclasses.asdict(c) for c in example.candidates[:SHOWN]],
            "gold": {q.id: list(example.gold.get(q.id, ())) for q in example.queries[:SHOWN]},
        }
    out = dataclasses.asdict(example)
    label = out.get("label")
    if labels and isinstance(label, int) and 0 <= label < len(labels):
        out["label_name"] = labels[label]
    return out


def inspect_split(
    task: str,
    language: str | None,
    split: str | None,
    *,
    data_dir: str | None = None,
    file: str | None = None,
    data: DataConfig | None = None,
) -> dict[str, Any]:
    """{"task", "language", "split", "num_examples", "examples": first three} for one split.

    With `file`, that one native file is read with the task's reader; with `data_dir`, the local
    layout; with `data` (a recipe's resolved data config), wherever the recipe reads; otherwise
    the Hub. For retrieval, `num_examples` counts queries.
    """
    spec = get_task(task)
    language = language or spec.languages[0]
    split = split or default_split(spec.splits)
    check_language(spec, language)
    labels = spec.labels if spec.kind is TaskKind.CLASSIFICATION else ()
    if file is not None:
        examples = read_file(spec, Path(file), language)
    else:
        check_split(spec, split)
        config = data or (
            DataConfig(source="local", data_dir=data_dir) if data_dir else DataConfig(source="hub")
        )
        examples = load_split(spec, language, split, config)
    count = (
        len(examples[0].queries)
        if examples and isinstance(examples[0], RetrievalCorpus)
        else len(examples)
    )
    return {
        "task": spec.name,
        "language": language,
        "split": split,
        "num_examples": count,
        "examples": [as_json(e, labels) for e in examples[:SHOWN]],
    }
