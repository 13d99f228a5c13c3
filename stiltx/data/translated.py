"""Translated intermediate data: where it lives and how it is read (members `task@language`).

    <translated root>/<task>/<language>/   the task's files, same names and native format as
                                           <data_dir>/<task>/ (what `stiltx translate` and the
                                           toy world's MT system write), e.g. mnli/de/train.tsv

`stiltx translate` writes `<split>.examples.jsonl` there (one Example per line, any kind; read by
`data/examples_jsonl.py`).
The root is `<data.data_dir>/translated`, or `$STILTX_CACHE/translated` (default
`~/.cache/stiltx/translated`) when the recipe has no data directory (Hub data).

XTREME's released translate-train files (`DataSource.translated_release`) are read too, when placed
in the same folder (readers in `data/xtreme_tsv.py` and `data/squad_json.py`):
- MNLI (XNLI's translate-train): `en-<lang>-translated.tsv`, or XNLI-MT-1.0's
  `multinli.train.<lang>.tsv`. The README of google-research/xtreme (section "Translations") says
  five columns (2 original, 2 translated, label) but its loader
  (third_party/processors/xnli.py:62-76, `get_translate_train_examples`) reads three
  (premise, hypothesis, label); both are accepted, by column count. XNLI-MT's header row is
  skipped and its label "contradictory" becomes "contradiction" (as both loaders do).
- SQuAD v1.1: `squad.translate.train.en-<lang>.json` (SQuAD JSON).
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from stiltx.data.load import load_split
from stiltx.data.paths import candidate_paths, resolve_local
from stiltx.errors import DataError
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.spec import TaskSpec

TRANSLATED_DIR = "translated"
HOW_TO_TRANSLATE = (
    "write them with `stiltx translate --recipe R`, or put files there in the task's native format"
)


def translated_root(data: DataConfig) -> Path:
    """Where translated files are read from and where `stiltx translate` writes them."""
    if data.data_dir:
        return Path(data.data_dir).expanduser() / TRANSLATED_DIR
    root = os.environ.get("STILTX_CACHE")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "stiltx"
    return base / TRANSLATED_DIR


def translated_specs(spec: TaskSpec, language: str) -> list[TaskSpec]:
    """Specs that read `spec`'s translation into `language` from the translated root: the native
    layout first, then XTREME's released layout (if any). Paths are relative to the root."""
    native = {
        split: tuple(_inside(spec.name, language, t) for t in templates)
        for split, templates in spec.source.local_paths.items()
    }
    variants = [_local(spec, language, spec.source.local_format, native)]
    ours = {split: (f"{spec.name}/{language}/{split}.examples.jsonl",) for split in spec.splits}
    variants.append(_local(spec, language, "stiltx_examples", ours))
    if spec.source.translated_release is not None:
        reader, templates = spec.source.translated_release
        paths = {spec.train_split: tuple(f"{spec.name}/{language}/{t}" for t in templates)}
        variants.append(_local(spec, language, reader, paths))
    return variants


def _inside(task: str, language: str, template: str) -> str:
    """`mnli/train.tsv` -> `mnli/de/train.tsv` (the task's own folder, one level deeper)."""
    head, _, rest = template.partition("/")
    return f"{task}/{language}/{rest or head}"


def _local(spec: TaskSpec, language: str, reader: str, paths: dict) -> TaskSpec:
    source = replace(spec.source, local_format=reader, local_paths=paths, hub_id=None)
    return replace(spec, languages=(language,), source=source)


def find_translated(spec: TaskSpec, language: str, split: str, data: DataConfig) -> TaskSpec:
    """The spec variant (layout) whose files exist for this split; else a DataError naming every
    expected path and how to produce them."""
    root = translated_root(data)
    tried: list[Path] = []
    for variant in translated_specs(spec, language):
        tried += candidate_paths(variant, language, split, root)
        try:
            resolve_local(variant, language, split, root)
        except DataError:
            continue
        return variant
    others = f" (or {', '.join(p.name for p in tried[1:])} there)" if tried[1:] else ""
    raise DataError(
        f"no translated data for {spec.name}@{language} ({split}): expected {tried[0]}{others}"
    )


def load_translated(spec: TaskSpec, language: str, split: str, data: DataConfig) -> list:
    """The labelled translated examples of one split (the first layout with files wins)."""
    try:
        variant = find_translated(spec, language, split, data)
    except DataError as error:
        raise DataError(f"{error}; {HOW_TO_TRANSLATE}") from None
    local = replace(data, source="local", data_dir=str(translated_root(data)))
    return load_split(variant, language, split, local, require_labels=True)
