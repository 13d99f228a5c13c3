"""`stiltx push`: share a run's intermediate (or target) model on the Hugging Face Hub, with a card.

The uploaded folder is exactly what `--dry-run` writes:

    <model files>   the stage's saved model, as `Method.save` wrote it: full fine-tuning =
                    `save_pretrained` (config.json, model.safetensors; the heads inside);
                    adapter tuning = adapter/ (AdapterHub format) + heads/<name>/
    tokenizer files the base model's (a local folder, the toy world's model, or a Hub id's files)
    stiltx/         recipe.resolved.yaml, mixture.json, results.json, env.json of the run
    README.md       the model card: recipe, mixture, training data, results, version, how to load

So a Hub snapshot of it is a model directory that `intermediate.from: <repo id>` reads as is
(stiltx/recipe/intermediate_from.py). Torch-free; `huggingface_hub` only for the upload.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from stiltx import __version__, atomic, run_files
from stiltx.data.offline import require_hub
from stiltx.errors import StiltxError
from stiltx.layout import (
    DONE_FILE,
    ENV_FILE,
    INTERMEDIATE_DIR,
    MIXTURE_FILE,
    MODEL_DIR,
    RESOLVED_RECIPE,
    RESULTS_FILE,
    TARGET_DIR,
)
from stiltx.recipe.convert import convert
from stiltx.recipe.schema import ToyConfig
from stiltx.share.model_card import card_text
from stiltx.tasks.registry import get_task
from stiltx.toy.resolve import toy_model_dir

METADATA_DIR = "stiltx"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
                   "sentencepiece.bpe.model", "vocab.json", "merges.txt")  # fmt: skip


@dataclass(frozen=True)
class PushPlan:
    run_dir: Path
    what: str  # "intermediate" or "target:<train task>"
    model_dir: Path
    recipe: dict[str, Any]


# The Hub's rule for repo ids: [namespace/]name of [A-Za-z0-9._-], no '--' or '..', at most 96.
_REPO_ID = re.compile(r"^(?:[A-Za-z0-9][A-Za-z0-9._-]*/)?[A-Za-z0-9][A-Za-z0-9._-]*$")


def check_repo_id(repo_id: str) -> str:
    """`repo_id` as the Hub accepts it, else a StiltxError saying what is expected."""
    if not _REPO_ID.match(repo_id) or ".." in repo_id or "--" in repo_id or len(repo_id) > 96:
        raise StiltxError(
            f"--repo-id {repo_id!r}: expected 'namespace/name' of letters, digits, '.', '_', '-' "
            "(no '..' or '--', at most 96 characters), e.g. me/xlmr-stilts-mt9"
        )
    return repo_id


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        tree = yaml.safe_load(run_files.read_text(path))
    except (OSError, yaml.YAMLError) as error:
        raise StiltxError(f"{path}: cannot read the run's recipe ({error})") from None
    if not isinstance(tree, dict):
        raise StiltxError(f"{path}: expected a YAML mapping")
    return tree


def plan_push(run_dir: str | Path, what: str = "intermediate") -> PushPlan:
    """Which saved model of `run_dir` to share; a clean error when there is none."""
    run = Path(run_dir)
    if not (run / RESOLVED_RECIPE).is_file():
        raise StiltxError(f"{run}: not a stiltx run directory (no {RESOLVED_RECIPE})")
    if what == "intermediate":
        stage = run / INTERMEDIATE_DIR
    elif what.startswith("target:") and what[len("target:") :]:
        name = run_files.component(what[len("target:") :], "--what target:")
        stage = run / TARGET_DIR / name
        if not stage.is_dir():
            trained_on = get_task(name).train_task  # xnli -> mnli, xquad -> squad
            if trained_on and (run / TARGET_DIR / trained_on).is_dir():
                name, stage = trained_on, run / TARGET_DIR / trained_on
        what = f"target:{name}"
    else:
        raise StiltxError(f"--what '{what}': expected 'intermediate' or 'target:<task>'")
    model_dir = run_files.inside(stage / MODEL_DIR, run, "--what: the saved model")
    if not model_dir.is_dir() or not any(model_dir.iterdir()):
        found = sorted(p.name for p in (run / TARGET_DIR).glob("*")) if (run / TARGET_DIR).is_dir() else []  # fmt: skip
        hint = f"; target stages in this run: {', '.join(found)}" if found else ""
        raise StiltxError(f"{run}: no saved model at {model_dir} (did that stage finish?){hint}")
    if not (stage / DONE_FILE).is_file():
        raise StiltxError(f"{stage}: the stage did not finish (no {DONE_FILE}); nothing to push")
    return PushPlan(run, what, model_dir, _read_yaml(run / RESOLVED_RECIPE))


def build_folder(plan: PushPlan, repo_id: str, out: str | Path) -> Path:
    """Write the exact folder that would be uploaded (atomically: all or nothing)."""
    out = Path(out)
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise StiltxError(f"--out {out}: is a file or a link, expected a new or empty folder")
    if out.exists() and any(out.iterdir()):
        raise StiltxError(f"{out} exists and is not empty; choose another --out")
    with atomic.directory(out) as tmp:
        run_files.copy_tree(plan.model_dir, tmp)
        source = tokenizer_dir(plan)
        for name in TOKENIZER_FILES:
            if (source / name).is_file() and not (tmp / name).exists():
                shutil.copy2(source / name, tmp / name)
        meta = tmp / METADATA_DIR
        meta.mkdir()
        for name in (RESOLVED_RECIPE, MIXTURE_FILE, RESULTS_FILE, ENV_FILE):
            if (plan.run_dir / name).is_file() or (plan.run_dir / name).is_symlink():
                run_files.copy_file(plan.run_dir / name, meta / name)

        (tmp / "README.md").write_text(card_text(plan, repo_id, tmp), encoding="utf-8")
    return out


def tokenizer_dir(plan: PushPlan) -> Path:
    """The folder holding the run's tokenizer files: the base model's folder; the toy world's
    model folder (`toy`); or, for a Hub id, its tokenizer files from the Hub (or its cache)."""
    base = str(plan.recipe.get("model", {}).get("name_or_path", ""))
    if base == "toy":
        problems: list[str] = []
        toy = convert(ToyConfig, plan.recipe.get("toy") or {}, "toy", problems)
        if problems:
            raise StiltxError(f"{plan.run_dir / RESOLVED_RECIPE}: {'; '.join(problems)}")
        found = toy_model_dir(toy)
        if not (found / "tokenizer.json").is_file():
            raise StiltxError(
                f"{plan.run_dir}: the toy world's tokenizer is not at {found} (built on another "
                "machine?); `stiltx train` with the run's recipe builds it again"
            )
        return found
    if Path(base).is_dir():
        return Path(base)
    require_hub(f"the tokenizer of {base}")
    try:
        from huggingface_hub import snapshot_download  # heavy: only for a Hub base model

        return Path(snapshot_download(base, allow_patterns=list(TOKENIZER_FILES)))
    except Exception as error:  # no cache offline, unknown repo: one clean line
        raise StiltxError(
            f"cannot get the tokenizer of {base} to ship with the model ({type(error).__name__}: "
            f"{error}); with HF_HUB_OFFLINE=1 it must be in the Hub cache"
        ) from None


def upload(folder: Path, repo_id: str, private: bool) -> str:
    """Create the repo (if needed) and upload `folder`; the commit URL."""
    try:
        # huggingface_hub: heavy, needed only to upload
        from huggingface_hub import HfApi

        api = HfApi()
        api.create_repo(repo_id, private=private, exist_ok=True, repo_type="model")
        info = api.upload_folder(
            folder_path=str(folder),
            repo_id=repo_id,
            repo_type="model",
            commit_message=f"stiltx {__version__}: upload model and card",
        )
    except Exception as error:  # no network, no token, no rights: one clean message
        raise StiltxError(
            f"upload to {repo_id} failed ({type(error).__name__}: {error}); log in with "
            "`huggingface-cli login` or set HF_TOKEN; --dry-run writes the folder without uploading"
        ) from None
    return str(getattr(info, "commit_url", info))
