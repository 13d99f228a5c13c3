"""The shipped toy encoder: the default world's tokenizer and MLM-pretrained encoder, built once
by the project (`stiltx toy build --ship`) and installed as package data in stiltx/toy/shipped/,
so that a fresh machine never pretrains and every machine starts from the same bytes.

shipped/world.json records the world key the encoder belongs to (version, seed, languages, sizes,
model config and the sha256 of the pretraining corpus) and how it was built. `ensure_toy_world`
copies the shipped files only when the requested world's key equals it; any other world (another
seed, `toy.size=smoke`) pretrains on demand. tests/toy/test_shipped.py recomputes the key from
the code, so a changed generator or model config fails until the encoder is rebuilt.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import shutil
from dataclasses import asdict
from pathlib import Path

from stiltx import atomic
from stiltx.toy.pretrain import ToyModelConfig
from stiltx.toy.sizes import ToySizes

SHIPPED_DIR = Path(__file__).parent / "shipped"
WORLD_FILE = "world.json"
REBUILD = "stiltx toy build --ship"
# What a model folder holds (pretrain's save_pretrained + its summary); nothing else ships.
MODEL_FILES = (
    "config.json",
    "model.safetensors",
    "pretraining.json",
    "special_tokens_map.json",
    "tokenizer.json",
    "tokenizer_config.json",
)


def corpus_sha256(corpus: list[str]) -> str:
    """The pretraining text's fingerprint: its lines joined by newlines, UTF-8, sha256."""
    return hashlib.sha256("\n".join(corpus).encode("utf-8")).hexdigest()


def encoder_key(
    version: str,
    seed: int,
    languages: tuple[str, ...],
    sizes: ToySizes,
    model: ToyModelConfig,
    corpus: list[str],
) -> dict:
    """Everything the encoder's bytes follow from, as JSON reads it back (tuples as lists)."""
    key = {
        "version": version,
        "seed": seed,
        "languages": list(languages),
        "sizes": asdict(sizes),
        "model": asdict(model),
        "corpus_sha256": corpus_sha256(corpus),
    }
    return json.loads(json.dumps(key))


def shipped_world(shipped_dir: Path = SHIPPED_DIR) -> dict | None:
    """The shipped world.json (key and build record), or None when nothing is shipped."""
    path = shipped_dir / WORLD_FILE
    if not (path.is_file() and (shipped_dir / "model.safetensors").is_file()):
        return None
    return json.loads(path.read_text("utf-8"))


def shipped_key(shipped_dir: Path = SHIPPED_DIR) -> dict | None:
    world = shipped_world(shipped_dir)
    return world["key"] if world else None


def copy_model(src: Path, dest: Path) -> None:
    """Copy a model folder's files (MODEL_FILES) from `src` into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in MODEL_FILES:
        shutil.copyfile(src / name, dest / name)


def processor() -> str:
    """The CPU's model name (/proc/cpuinfo), else what the platform module knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def build_record(command: str, model_dir: Path, pretrained_here: bool) -> dict:
    """How the encoder in `model_dir` was made: the command, its pretraining summary, the machine."""
    import torch  # heavy: only a build records its version

    summary = json.loads((model_dir / "pretraining.json").read_text("utf-8"))
    return {
        "command": command,
        "steps": summary["config"]["steps"],
        "pretraining_seconds": summary["seconds"],
        "pretrained": "in this command" if pretrained_here else f"earlier, reused from {model_dir}",
        "processor": processor(),
        "cpu_cores": os.cpu_count(),
        "torch": torch.__version__,
        "date": dt.date.today().isoformat(),
    }


def write_shipped(model_dir: Path, key: dict, build: dict, dest: Path = SHIPPED_DIR) -> Path:
    """Replace `dest` with the model files of `model_dir` and a world.json of `key` + `build`."""
    with atomic.directory(dest) as tmp:
        copy_model(model_dir, tmp)
        atomic.write_json(tmp / WORLD_FILE, {"key": key, "build": build})
    return dest
