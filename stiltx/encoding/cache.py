"""On-disk cache of encoded splits, keyed by a fingerprint of everything the encoding depends on.

Layout: `<cache_dir>/<task>/<fingerprint>/{features/ (datasets.save_to_disk), meta.json}`, written
atomically (a temporary sibling folder renamed into place), so a crash or a concurrent writer never
leaves a half-written entry. The fingerprint covers the tokenizer (class, full serialized fast
tokenizer or vocabulary, special tokens, truncation side), max_length, stride, the training flag,
the task spec, a hash of the examples and ENCODER_VERSION: a changed tokenizer or changed data
never reuses a stale entry. Bump ENCODER_VERSION whenever an encoder's output changes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from datasets import Dataset, load_from_disk

from stiltx import atomic
from stiltx.tasks.spec import TaskSpec

ENCODER_VERSION = 2  # 2: QA windows step by doc_stride, + token_is_max_context


def tokenizer_fingerprint(tokenizer) -> str:
    """Hash of what decides the token ids: class, vocabulary/model, special tokens, truncation."""
    h = hashlib.sha256(type(tokenizer).__name__.encode())
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:  # normalizer, pre-tokenizer, model (vocab + scores), post-processor
        state = json.loads(backend.to_str())
        # Truncation / padding are per-call settings the wrapper mutates on every call.
        state.pop("truncation", None)
        state.pop("padding", None)
        h.update(json.dumps(state, sort_keys=True, ensure_ascii=False).encode())
    h.update(json.dumps(sorted(tokenizer.get_vocab().items()), ensure_ascii=False).encode())
    special = {
        "map": tokenizer.special_tokens_map,
        "ids": tokenizer.all_special_ids,
        "truncation_side": getattr(tokenizer, "truncation_side", "right"),
    }
    h.update(json.dumps(special, sort_keys=True, default=str).encode())
    return h.hexdigest()


def examples_fingerprint(examples: Sequence) -> str:
    """Hash of the examples' contents (dataclass reprs are deterministic)."""
    h = hashlib.sha256()
    for ex in examples:
        h.update(repr(ex).encode())
        h.update(b"\0")
    return h.hexdigest()


def fingerprint(
    spec: TaskSpec,
    examples: Sequence,
    tokenizer,
    max_length: int,
    stride: int,
    training: bool,
) -> str:
    """A short hex key for one encoded split."""
    key = {
        "encoder_version": ENCODER_VERSION,
        "tokenizer": tokenizer_fingerprint(tokenizer),
        "max_length": max_length,
        "stride": stride,
        "training": training,
        "spec": dataclasses.asdict(spec),
        "examples": examples_fingerprint(examples),
        "num_examples": len(examples),
    }
    blob = json.dumps(key, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def entry_path(cache_dir: str | Path, task: str, key: str) -> Path:
    return Path(cache_dir) / task / key


def load(path: Path) -> Dataset | None:
    """The cached features at `path`, or None when there is no complete entry."""
    if not (path / "meta.json").is_file():
        return None
    return load_from_disk(str(path / "features"))


@contextmanager
def _quiet_datasets() -> Iterator[None]:
    # datasets: heavy, needed only when caching
    import datasets

    was_enabled = datasets.is_progress_bar_enabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_enabled:
            datasets.enable_progress_bars()


def save(path: Path, features: Dataset, meta: dict) -> Dataset:
    """Write `features` + `meta` atomically at `path` and return the memory-mapped copy.

    When another process (e.g. another DDP rank) completed the same entry first, the rename may
    fail; its entry is identical by construction, so it is used instead.
    """
    try:
        with atomic.directory(path) as tmp, _quiet_datasets():
            features.save_to_disk(str(tmp / "features"))
            atomic.write_json(tmp / "meta.json", meta)
    except OSError:
        if load(path) is None:
            raise
    return load_from_disk(str(path / "features"))
