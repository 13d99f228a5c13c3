"""Build the toy world once and cache it: data files, tokenizer and MLM-pretrained tiny model.

    <cache>/toy/<version>-<seed>[-<hash of non-default sizes/model>]/
        data/       every task in its native layout (what `data.data_dir` points at), with
                    translated/<task>/<lang>/ (the toy MT system, stiltx.toy.translated)
        model/      tokenizer + tiny XLM-R (safetensors), pretrained with MLM on data/mlm/
        world.json  seed, version, sizes, languages, model config, build timings

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
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from stiltx import atomic
from stiltx.toy.languages import DEFAULT_LANGUAGES, LANGUAGES
from stiltx.toy.pretrain import ToyModelConfig
from stiltx.toy.sizes import ToySizes

TOY_VERSION = "v9"  # bump when the generator's output changes, so old caches are not reused


@dataclass(frozen=True)
class ToyWorld:
    data_dir: Path
    model_dir: Path
    seed: int
    languages: tuple[str, ...]
    root: Path


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


def emit_all(
    seed: int,
    sizes: ToySizes,
    languages: tuple[str, ...],
    mt_noise: float = DEFAULT_MT_NOISE,
    *,
    translated: bool = True,
) -> dict[str, str]:
    """Every file of the world: relative path -> text. Pure: same arguments, same bytes.

    `translated=False` leaves out `translated/` (the toy MT system's files), which only
    translate-train recipes read and which take most of the generation time."""
    from stiltx.toy import tasks_english, tasks_target
    from stiltx.toy.translated import emit_translated

    files: dict[str, str] = {}
    for emit in tasks_english.EMITTERS.values():
        files.update(emit(seed, sizes))
    for emit in tasks_target.EMITTERS.values():
        files.update(emit(seed, sizes, languages))
    if translated:
        files.update(emit_translated(seed, sizes, languages, mt_noise))
    return files


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
) -> int:
    """Write every file under `out_dir` (which must be empty or new); return the file count."""
    return _write_files(out_dir, emit_all(seed, sizes, languages, mt_noise, translated=translated))


def _write_translated(
    out_dir: Path, seed: int, sizes: ToySizes, languages: tuple[str, ...], mt_noise: float
) -> int:
    """The files `emit_all` puts under translated/, written under `out_dir` (that folder)."""
    from stiltx.toy.translated import emit_translated

    prefix = TRANSLATED + "/"
    files = emit_translated(seed, sizes, languages, mt_noise)
    return _write_files(out_dir, {rel.removeprefix(prefix): text for rel, text in files.items()})


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
) -> ToyWorld:
    """Return the cached toy world for `seed`, building whatever part is missing.

    `model=None` takes the model that goes with `sizes` when they are a named size (smoke runs
    get a smaller, faster model), else the default. `with_model=False` builds only the data.
    `mt_noise` is the toy MT system's noise (recipe key `toy.mt_noise`, stiltx.toy.translated).
    `translated=False` skips data/translated/ until a call asks for it (only translate-train
    recipes read it; it is most of the data's generation time). The files are the same either way.
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
    data_dir, model_dir = root / "data", root / "model"
    with _locked(root):
        timings = {}
        if not (data_dir / "mlm" / "en.txt").is_file():
            started = time.perf_counter()
            with atomic.directory(data_dir) as tmp:
                write_data(tmp, seed, sizes, languages, mt_noise, translated=False)
            timings["data_seconds"] = round(time.perf_counter() - started, 2)
        if translated and not (data_dir / TRANSLATED).is_dir():
            started = time.perf_counter()
            with atomic.directory(data_dir / TRANSLATED) as tmp:
                _write_translated(tmp, seed, sizes, languages, mt_noise)
            timings["translated_seconds"] = round(time.perf_counter() - started, 2)
        if with_model and not (model_dir / "model.safetensors").is_file():
            from stiltx.toy.pretrain import pretrain

            corpus = mlm_corpus(data_dir, languages)
            with atomic.directory(model_dir) as tmp:
                summary = pretrain(corpus, tmp, model, seed=seed, progress=progress)
            timings["model_seconds"] = summary["seconds"]
        if timings:
            meta_path = root / "world.json"
            meta = json.loads(meta_path.read_text()) if meta_path.is_file() else {}
            meta.update(
                {
                    "version": TOY_VERSION,
                    "seed": seed,
                    "languages": list(languages),
                    "mt_noise": mt_noise,
                    "sizes": asdict(sizes),
                    "model": asdict(model),
                    **timings,
                }
            )
            atomic.write_json(meta_path, meta)
    return ToyWorld(data_dir, model_dir, seed, languages, root)
