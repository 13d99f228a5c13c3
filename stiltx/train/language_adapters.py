"""The MAD-X language adapters of a run: one per language, trained by MLM on that language's text
(`madx` recipe section), or copied from the cache when the same one was trained before.

An adapter is reused when everything that makes it is the same: the model (a Hub id, or a local
folder's files by name, size and modification time), the language and its text (the local
corpus file likewise; the Hub's Wikipedia dump and token budget), the adapter config, the
training settings, masking and seed. Each run keeps its own copy under
`language_adapters/<language>/` (hard links where the file system allows), so a run folder
stands alone, and `stiltx evaluate` finds them there.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from rich.console import Console

from stiltx import atomic, run_files
from stiltx.cache import cache_root
from stiltx.data.corpus import WIKIPEDIA_ID, wikipedia_config
from stiltx.data.labels import member_specs
from stiltx.data.members import check_language_text
from stiltx.data.paths import candidate_paths
from stiltx.layout import CACHE_FILE, DONE_FILE, MODEL_DIR, RunLayout
from stiltx.plan import LanguageAdapterStage, language_adapter_stages
from stiltx.recipe.schema import MadxConfig, Recipe
from stiltx.tasks.registry import get_task
from stiltx.toy.resolve import Resolved
from stiltx.train.stage import is_done, read_done, run_stage

CACHE_DIR = "language-adapters"  # under the stiltx cache root, unless madx.cache_dir is set
CACHE_FORMAT = 1  # bump when what a cached adapter holds changes
ADAPTER_DIR = "adapter"  # inside model/: adapters' save_adapter output
COPIED = (DONE_FILE, MODEL_DIR, "train_log.jsonl")  # what a cache entry holds of a stage
# Train settings that change neither the weights nor the data an adapter sees.
NOT_IN_KEY = ("eval_every", "eval_examples", "save_every", "keep_checkpoints", "log_every",
              "log_with")  # fmt: skip


def train_language_adapters(
    recipe: Recipe, where: Resolved, run_dir: Path, *, resume: bool, console: Console
) -> Recipe:
    """Train or reuse every language adapter of the recipe; return the recipe whose method stacks
    task adapters on them (`method.language_adapters`: language -> the run's adapter folder)."""
    madx = recipe.madx
    assert madx is not None
    check_language_text(recipe, where.data)  # every language named at once, before any training
    cache = Path(madx.cache_dir).expanduser() if madx.cache_dir else cache_root() / CACHE_DIR
    done = []
    for stage in language_adapter_stages(recipe):
        stage_dir = RunLayout(run_dir).language_adapter(stage.language)
        if not (resume and is_done(stage_dir)):
            key = cache_key(stage, madx, where)
            if is_done(cache / key) and _intact(cache / key):
                _copy_stage(cache / key, stage_dir)
                atomic.write_json(stage_dir / CACHE_FILE, {"key": key, "reused": True})
            else:
                _train(recipe, madx, stage, where, stage_dir, resume=resume)
                atomic.write_json(stage_dir / CACHE_FILE, {"key": key, "reused": False})
                _copy_stage(stage_dir, cache / key)
        row = stage_budget(stage_dir)
        how = "cached" if row["reused"] else f"{row['steps']} steps"
        done.append(f"{stage.language} ({how})")
    console.print(f"language adapters: {', '.join(done)}")
    return with_language_adapters(recipe, run_dir)


def with_language_adapters(recipe: Recipe, run_dir: Path) -> Recipe:
    """`recipe` with `method.language_adapters` pointing at the run's trained adapters (those
    the recipe names itself are kept). Unchanged without a `madx` section."""
    stages = language_adapter_stages(recipe)
    if not stages:
        return recipe
    paths = {
        s.language: str(RunLayout(run_dir).language_adapter(s.language) / MODEL_DIR / ADAPTER_DIR)
        for s in stages
    }
    method = replace(recipe.method, language_adapters={**paths, **recipe.method.language_adapters})
    return replace(recipe, method=method)


def stage_budget(stage_dir: Path) -> dict[str, Any]:
    """What one language adapter cost: its training steps and examples (whether trained in this
    run or reused from the cache, where it was trained once for every run that uses it)."""
    info = json.loads(run_files.read_text(stage_dir / DONE_FILE))
    cached = stage_dir / CACHE_FILE
    reused = json.loads(run_files.read_text(cached)).get("reused") if cached.is_file() else False
    return {
        "stage": "language_adapter",
        "language": stage_dir.name,
        "steps": info.get("steps"),
        "examples": info.get("examples"),
        "reused": bool(reused),
    }


# ---- training ---------------------------------------------------------------------------------


def _train(
    recipe: Recipe,
    madx: MadxConfig,
    stage: LanguageAdapterStage,
    where: Resolved,
    stage_dir: Path,
    *,
    resume: bool,
) -> None:
    # heavy (torch, adapters): only when an adapter trains
    from accelerate.utils import set_seed

    from stiltx.model.build import build_model, head_specs
    from stiltx.model.language_adapters import LanguageAdapterTraining

    specs = member_specs(stage.members, where.data)
    set_seed(madx.seed)
    model, tokenizer = build_model(where.model, head_specs(specs.values()))
    method = LanguageAdapterTraining(stage.language, madx.adapter, dict(madx.adapter_options))
    run_stage(
        stage,
        specs,
        model,
        method,
        tokenizer,
        stage_dir=stage_dir,
        data=where.data,
        seed=madx.seed,
        resume=resume,
        eval_batch_size=recipe.eval.batch_size,
    )


# ---- the cache --------------------------------------------------------------------------------


def cache_key(stage: LanguageAdapterStage, madx: MadxConfig, where: Resolved) -> str:
    """Everything that makes the adapter, hashed: model, language and text, config, budget."""
    train = {k: v for k, v in asdict(stage.train).items() if k not in NOT_IN_KEY}
    identity = {
        "format": CACHE_FORMAT,
        "model": {**asdict(where.model), "name_or_path": _files_identity(where.model.name_or_path)},
        "language": stage.language,
        "text": _text_identity(stage.language, where),
        "max_examples": where.data.max_examples,
        "adapter": madx.adapter,
        "options": madx.adapter_options,
        "train": train,
        "mlm": asdict(stage.mlm),
        "max_length": stage.max_length,
        "seed": madx.seed,
    }
    text = json.dumps(identity, sort_keys=True, default=str)
    return f"{stage.language}-{hashlib.sha256(text.encode()).hexdigest()[:20]}"


def _files_identity(name_or_path: str) -> Any:
    """A Hub id as written; a local folder as its path and each file's name, size, mtime."""
    path = Path(name_or_path).expanduser()
    if not path.is_dir():
        return name_or_path
    files = sorted(p for p in path.iterdir() if p.is_file())
    return [str(path.resolve()), [(p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files]]


def _text_identity(language: str, where: Resolved) -> Any:
    data = where.data
    if data.source == "hub":
        return f"{WIKIPEDIA_ID} {wikipedia_config(language)}"
    spec = get_task("mlm")
    root = Path(data.data_dir or ".").expanduser()
    for path in candidate_paths(spec, language, spec.train_split, root):
        if path.is_file():
            return [str(path.resolve()), path.stat().st_size, path.stat().st_mtime_ns]
    return None  # check_language_text has named it already


def _intact(entry: Path) -> bool:
    """A cache entry whose saved adapter still matches its record (else it is trained again)."""
    try:
        read_done(entry)
    except Exception:  # DamagedStageError and anything a damaged entry raises: retrain
        return False
    return True


def _copy_stage(source: Path, target: Path) -> None:
    """done.json, model/ and the training log of a finished stage, hard-linked where possible,
    into `target` as a whole (atomic: a reader never sees half an entry)."""
    with atomic.directory(target) as tmp:
        for name in COPIED:
            item = source / name
            if item.is_dir():
                shutil.copytree(item, tmp / name, copy_function=_link_or_copy)
            elif item.is_file():
                _link_or_copy(item, tmp / name)


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, target)
