"""Build the toy world once and cache it: data files, tokenizer and MLM-pretrained tiny model.

    <cache>/toy/<version>-<seed>[-<hash of non-default sizes/model>]/
        data/       every task in its native layout (what `data.data_dir` points at), with
                    translated/<task>/<lang>/ (the toy MT system, stiltx.toy.translated)
        model/      tokenizer + tiny XLM-R (safetensors), pretrained with MLM on data/mlm/, or
                    for the default world a copy of the shipped encoder (stiltx.toy.ship)
        world.json  seed, version, sizes, languages, model config, build timings, and
                    "encoder": "shipped" (copied from the package) or "built" (pretrained here)

The cache root is the `cache_dir` argument, else `$STILTX_CACHE/toy`, else
`$XDG_CACHE_HOME/stiltx/toy`, else `~/.cache/stiltx/toy` (stiltx.cache).
Each part is built in a temporary folder and renamed into place (`stiltx.atomic.directory`), under
a file lock, so concurrent callers neither see half-built worlds nor build twice.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from stiltx import atomic
from stiltx.terminal import steps_progress
from stiltx.toy.languages import DEFAULT_LANGUAGES, LANGUAGES
from stiltx.toy.pretrain import ToyModelConfig
from stiltx.toy.ship import SHIPPED_DIR, copy_model, encoder_key, shipped_key
from stiltx.toy.sizes import ToySizes

TOY_VERSION = "v10"  # bump when the generator's output or the default encoder changes, so old
# caches are not reused (v10: the default encoder pretrains 4,000 steps and ships)


@dataclass(frozen=True)
class ToyWorld:
    data_dir: Path
    model_dir: Path
    seed: int
    languages: tuple[str, ...]
    root: Path
    encoder: str = ""  # "shipped" (copied from the package), "built" (pretrained), "" (no model)


def default_cache_root() -> Path:
    from stiltx.cache import cache_root  # $STILTX_CACHE, $XDG_CACHE_HOME/stiltx, ~/.cache/stiltx

    return cache_root() / "toy"


DEFAULT_MT_NOISE = 0.1  # recipe key toy.mt_noise


def world_key(
    seed: int,
    sizes: ToySizes,
    model: ToyModelConfig,
    languages: tuple[str, ...],
    mt_noise: float = DEFAULT_MT_NOISE,
) -> str:
    key = f"{TOY_VERSION}-{seed}"
    chosen = (sizes, model, languages, mt_noise)
    if chosen != (ToySizes(), ToyModelConfig(), DEFAULT_LANGUAGES, DEFAULT_MT_NOISE):
        blob = json.dumps([asdict(sizes), asdict(model), list(languages)], sort_keys=True)
        if mt_noise != DEFAULT_MT_NOISE:
            blob += f"/mt_noise={mt_noise!r}"
        key += "-" + hashlib.sha256(blob.encode()).hexdigest()[:10]
    return key


TRANSLATED = "translated"  # data/translated/: the toy MT system's files (stiltx.toy.translated)
# Target emitters added after TOY_VERSION's worlds were built (each writes one folder of its own):
# written into a world that lacks them; the world's other files and its encoder stay as they are.
LATE_PARTS = ("mewsli_x",)


def emit_all(
    seed: int,
    sizes: ToySizes,
    languages: tuple[str, ...],
    mt_noise: float = DEFAULT_MT_NOISE,
    *,
    translated: bool = True,
    on_part: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Every file of the world: relative path -> text. Pure: same arguments, same bytes.

    `translated=False` leaves out `translated/` (the toy MT system's files), which only
    translate-train recipes read and which take most of the generation time. `on_part(task)` is
    called after each task's files (a progress display counts them: `data_parts`)."""
    from stiltx.toy import tasks_english, tasks_target
    from stiltx.toy.translated import emit_translated

    done = on_part or (lambda task: None)
    files: dict[str, str] = {}
    for task, emit in tasks_english.EMITTERS.items():
        files.update(emit(seed, sizes))
        done(task)
    for task, emit in tasks_target.EMITTERS.items():
        files.update(emit(seed, sizes, languages))
        done(task)
    if translated:
        files.update(emit_translated(seed, sizes, languages, mt_noise, on_task=on_part))
    return files


def data_parts(translated: bool) -> int:
    """How many times `emit_all` calls `on_part` (the length of the data's progress bar)."""
    from stiltx.toy import tasks_english, tasks_target
    from stiltx.toy.translated import INTERMEDIATE_TASKS

    parts = len(tasks_english.EMITTERS) + len(tasks_target.EMITTERS)
    return parts + (len(INTERMEDIATE_TASKS) if translated else 0)


def _write_files(out_dir: Path, files: dict[str, str]) -> int:
    for rel, text in sorted(files.items()):
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return len(files)


def write_data(
    out_dir: Path,
    seed: int,
    sizes: ToySizes,
    languages: tuple[str, ...],
    mt_noise: float = DEFAULT_MT_NOISE,
    *,
    translated: bool = True,
    on_part: Callable[[str], None] | None = None,
) -> int:
    """Write every file under `out_dir` (which must be empty or new); return the file count."""
    files = emit_all(seed, sizes, languages, mt_noise, translated=translated, on_part=on_part)
    return _write_files(out_dir, files)


def _write_translated(
    out_dir: Path,
    seed: int,
    sizes: ToySizes,
    languages: tuple[str, ...],
    mt_noise: float,
    on_task: Callable[[str], None] | None = None,
) -> int:
    """The files `emit_all` puts under translated/, written under `out_dir` (that folder)."""
    from stiltx.toy.translated import emit_translated

    prefix = TRANSLATED + "/"
    files = emit_translated(seed, sizes, languages, mt_noise, on_task=on_task)
    return _write_files(out_dir, {rel.removeprefix(prefix): text for rel, text in files.items()})


def _write_late_part(
    data_dir: Path, part: str, seed: int, sizes: ToySizes, languages: tuple[str, ...]
) -> None:
    from stiltx.toy import tasks_target

    prefix = part + "/"
    files = tasks_target.EMITTERS[part](seed, sizes, languages)
    with atomic.directory(data_dir / part) as tmp:
        _write_files(tmp, {rel.removeprefix(prefix): text for rel, text in files.items()})


def _check_languages(languages: tuple[str, ...]) -> None:
    unknown = [code for code in languages if code not in LANGUAGES]
    if unknown or "en" not in languages:
        raise ValueError(
            f"toy languages {list(languages)}: expected 'en' plus codes from {sorted(LANGUAGES)}"
            + (f"; unknown: {unknown}" if unknown else "")
        )


def mlm_corpus(data_dir: Path, languages: tuple[str, ...]) -> list[str]:
    """The raw text the encoder is pretrained on: mlm/<lang>.txt, line by line, in `languages`
    order (the order is part of what makes one world's encoder the same on every machine)."""
    return [
        line
        for code in languages
        for line in (data_dir / "mlm" / f"{code}.txt").read_text("utf-8").splitlines()
    ]


@contextmanager
def _locked(root: Path):
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f".{root.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_toy_world(
    seed: int = 0,
    sizes: ToySizes | None = None,
    cache_dir: str | os.PathLike | None = None,
    *,
    model: ToyModelConfig | None = None,
    languages: tuple[str, ...] = DEFAULT_LANGUAGES,
    with_model: bool = True,
    progress: bool = True,
    mt_noise: float = DEFAULT_MT_NOISE,
    translated: bool = True,
    use_shipped: bool = True,
) -> ToyWorld:
    """Return the cached toy world for `seed`, building whatever part is missing.

    `model=None` takes the model that goes with `sizes` when they are a named size (smoke runs
    get a smaller, faster model), else the default. `with_model=False` builds only the data.
    `mt_noise` is the toy MT system's noise (recipe key `toy.mt_noise`, stiltx.toy.translated).
    `translated=False` skips data/translated/ until a call asks for it (only translate-train
    recipes read it; it is most of the data's generation time). The files are the same either way.
    The encoder is a copy of the shipped one when the world's key equals the shipped key
    (stiltx.toy.ship), else pretrained here; `use_shipped=False` always pretrains (and replaces
    a shipped copy in the cache): how `stiltx toy build --ship` makes the shipped files.
    `progress` shows a progress bar (with time left) on each step that builds something.
    """
    from stiltx.toy.pretrain import model_for

    sizes = sizes or ToySizes()
    model = model or model_for(sizes)
    languages = tuple(languages)
    _check_languages(languages)
    if not 0 <= mt_noise <= 1:
        raise ValueError(f"toy.mt_noise: got {mt_noise!r}, expected a number in [0, 1]")
    root = Path(cache_dir) if cache_dir else default_cache_root()
    root = root / world_key(seed, sizes, model, languages, mt_noise)
    data_dir, model_dir, meta_path = root / "data", root / "model", root / "world.json"
    with _locked(root):
        meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
        updates = {}
        if not (data_dir / "mlm" / "en.txt").is_file():
            started = time.perf_counter()
            with (
                atomic.directory(data_dir) as tmp,
                steps_progress("toy world: data", data_parts(False), progress) as advance,
            ):
                write_data(tmp, seed, sizes, languages, mt_noise, translated=False, on_part=advance)
            updates["data_seconds"] = round(time.perf_counter() - started, 2)
        for part in LATE_PARTS:
            if not (data_dir / part).is_dir():
                _write_late_part(data_dir, part, seed, sizes, languages)
        if translated and not (data_dir / TRANSLATED).is_dir():
            started = time.perf_counter()
            with (
                atomic.directory(data_dir / TRANSLATED) as tmp,
                steps_progress(
                    "toy world: translated data", data_parts(True) - data_parts(False), progress
                ) as advance,
            ):
                _write_translated(tmp, seed, sizes, languages, mt_noise, on_task=advance)
            updates["translated_seconds"] = round(time.perf_counter() - started, 2)
        if with_model and not _model_ready(model_dir, meta, use_shipped):
            corpus = mlm_corpus(data_dir, languages)
            key = encoder_key(TOY_VERSION, seed, languages, sizes, model, corpus)
            shipped = use_shipped and key == shipped_key()
            updates.update(_make_encoder(model_dir, corpus, model, seed, shipped, progress))
        if updates:
            meta.update(
                {
                    "version": TOY_VERSION,
                    "seed": seed,
                    "languages": list(languages),
                    "mt_noise": mt_noise,
                    "sizes": asdict(sizes),
                    "model": asdict(model),
                    **updates,
                }
            )
            atomic.write_json(meta_path, meta)
    has_model = (model_dir / "model.safetensors").is_file()
    encoder = meta.get("encoder", "built") if has_model else ""
    return ToyWorld(data_dir, model_dir, seed, languages, root, encoder)


def _model_ready(model_dir: Path, meta: dict, use_shipped: bool) -> bool:
    """A model is cached (a shipped copy counts only where the shipped encoder may be used)."""
    has_model = (model_dir / "model.safetensors").is_file()
    return has_model and (use_shipped or meta.get("encoder") != "shipped")


def _make_encoder(
    model_dir: Path,
    corpus: list[str],
    model: ToyModelConfig,
    seed: int,
    shipped: bool,
    progress: bool,
) -> dict:
    """Fill `model_dir`: a copy of the shipped encoder, or MLM pretraining on `corpus` (minutes).
    Returns world.json's new entries."""
    from stiltx.toy.pretrain import pretrain  # looked up on call: tests replace it

    with atomic.directory(model_dir) as tmp:
        if shipped:
            copy_model(SHIPPED_DIR, tmp)
        else:
            summary = pretrain(corpus, tmp, model, seed=seed, progress=progress)
    if shipped:
        return {"encoder": "shipped"}
    return {"encoder": "built", "model_seconds": summary["seconds"]}
