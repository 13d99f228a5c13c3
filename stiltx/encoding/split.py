"""encode_split: a task's examples -> model features (one `datasets.Dataset`), cached on disk.

The kind decides the encoder (one module per kind, same `encode` signature and a `FEATURES`
schema). Examples are encoded in chunks of CHUNK_SIZE with batched fast-tokenizer calls; splits of
more than PROGRESS_THRESHOLD examples show a rich progress bar on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

from datasets import Dataset, concatenate_datasets

from stiltx.encoding import (
    cache,
    classification,
    dual_encoder,
    extractive_qa,
    mlm,
    multiple_choice,
    retrieval,
    tagging,
)
from stiltx.errors import DataError, StiltxError
from stiltx.tasks import examples as ex
from stiltx.tasks.spec import TaskKind, TaskSpec

CHUNK_SIZE = 1000
PROGRESS_THRESHOLD = 5000

ENCODERS: dict[TaskKind, ModuleType] = {
    TaskKind.CLASSIFICATION: classification,
    TaskKind.MULTIPLE_CHOICE: multiple_choice,
    TaskKind.EXTRACTIVE_QA: extractive_qa,
    TaskKind.TAGGING: tagging,
    TaskKind.RETRIEVAL: retrieval,
    TaskKind.MLM: mlm,
    TaskKind.DUAL_ENCODER: dual_encoder,
}

EXAMPLE_TYPES: dict[TaskKind, tuple[type, ...]] = {
    TaskKind.CLASSIFICATION: (ex.ClassificationExample,),
    TaskKind.MULTIPLE_CHOICE: (ex.MultipleChoiceExample,),
    TaskKind.EXTRACTIVE_QA: (ex.QAExample,),
    TaskKind.TAGGING: (ex.TaggingExample,),
    TaskKind.RETRIEVAL: (ex.Text, ex.RetrievalCorpus),
    TaskKind.MLM: (ex.MLMExample,),
    TaskKind.DUAL_ENCODER: (ex.RetrievalPair,),
}


@dataclass(frozen=True)
class EncodedSplit:
    """The features of one split and the examples they came from.

    `features` rows are NOT padded (collate pads per batch); `example_index` points into
    `examples`. `labels` are the task's class / tag names (spec.labels: label id i is labels[i]);
    `fingerprint` is the cache key ("" when encoded without a cache_dir).
    """

    task: str
    kind: TaskKind
    features: Dataset
    examples: list
    num_examples: int
    labels: tuple[str, ...] = ()
    fingerprint: str = ""


def _check(spec: TaskSpec, examples: Sequence, tokenizer) -> None:
    expected = EXAMPLE_TYPES[spec.kind]
    for i, example in enumerate(examples):
        if not isinstance(example, expected):
            names = " or ".join(t.__name__ for t in expected)
            raise DataError(
                f"task {spec.name} ({spec.kind.value}): example {i} is a "
                f"{type(example).__name__}, expected {names}"
            )
    if not getattr(tokenizer, "is_fast", False):
        raise StiltxError(
            f"task {spec.name}: tokenizer {type(tokenizer).__name__} is not a fast tokenizer; "
            "encoding needs offsets and word ids (use the model's *TokenizerFast)"
        )


def _chunks(examples: list, description: str):
    """Yield (start, chunk); with a transient rich progress bar for large splits."""
    starts = range(0, len(examples), CHUNK_SIZE)
    if len(examples) <= PROGRESS_THRESHOLD:
        for start in starts:
            yield start, examples[start : start + CHUNK_SIZE]
        return
    # rich: start-up time, needed only for the progress bar
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        bar = progress.add_task(description, total=len(examples))
        for start in starts:
            chunk = examples[start : start + CHUNK_SIZE]
            yield start, chunk
            progress.advance(bar, len(chunk))


def encode_examples(
    spec: TaskSpec, examples: list, tokenizer, max_length: int, stride: int, training: bool
) -> Dataset:
    """Encode without caching: the kind's encoder over chunks, concatenated into one Dataset."""
    encoder = ENCODERS[spec.kind]
    parts = []
    for start, chunk in _chunks(examples, f"encoding {spec.name}"):
        columns = encoder.encode(spec, chunk, tokenizer, max_length, stride, training)
        columns["example_index"] = [start + i for i in columns["example_index"]]
        parts.append(Dataset.from_dict(columns, features=encoder.FEATURES))
    if not parts:
        return Dataset.from_dict({name: [] for name in encoder.FEATURES}, features=encoder.FEATURES)
    return parts[0] if len(parts) == 1 else concatenate_datasets(parts)


def encode_split(
    spec: TaskSpec,
    examples: Sequence,
    tokenizer,
    max_length: int,
    *,
    stride: int = 128,
    cache_dir: str | Path | None = None,
    training: bool = True,
) -> EncodedSplit:
    """Encode one split of `spec` with `tokenizer`; reuse `cache_dir`'s entry when it matches.

    `stride` is the QA doc stride (context tokens between window starts, as XTREME's
    `--doc_stride`; stiltx/encoding/qa_windows.py); `training` only changes MLM (packed blocks
    when training, one feature per line otherwise).
    """
    examples = list(examples)
    _check(spec, examples, tokenizer)
    key = ""
    if cache_dir is None:
        features = encode_examples(spec, examples, tokenizer, max_length, stride, training)
    else:
        key = cache.fingerprint(spec, examples, tokenizer, max_length, stride, training)
        path = cache.entry_path(cache_dir, spec.name, key)
        features = cache.load(path)
        if features is None:
            features = encode_examples(spec, examples, tokenizer, max_length, stride, training)
            meta = {
                "task": spec.name,
                "kind": spec.kind.value,
                "num_examples": len(examples),
                "num_features": len(features),
                "max_length": max_length,
                "stride": stride,
                "training": training,
                "tokenizer": type(tokenizer).__name__,
                "encoder_version": cache.ENCODER_VERSION,
            }
            features = cache.save(path, features, meta)
    return EncodedSplit(
        task=spec.name,
        kind=spec.kind,
        features=features,
        examples=examples,
        num_examples=len(examples),
        labels=tuple(spec.labels),
        fingerprint=key,
    )


def select_examples(encoded: EncodedSplit, indices: Sequence[int]) -> EncodedSplit:
    """The split restricted to the examples `indices` (in that order), renumbered 0..len-1, with
    all their features (every doc-stride window of a QA example). What one process of
    `accelerate launch` evaluates of a dev set (stiltx.train.stage.dev_eval_fn)."""
    position = {int(example): k for k, example in enumerate(indices)}
    example_index = encoded.features["example_index"]
    rows = [row for row, example in enumerate(example_index) if example in position]
    features = encoded.features.select(rows).remove_columns("example_index")
    features = features.add_column("example_index", [position[example_index[row]] for row in rows])
    return replace(
        encoded,
        features=features,
        examples=[encoded.examples[i] for i in indices],
        num_examples=len(indices),
        fingerprint="",
    )
