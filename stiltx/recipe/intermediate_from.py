"""`intermediate.from`: start the target stages from an existing intermediate model. Torch-free.

The value is one of
- a stiltx run directory whose intermediate stage finished (`<run>/intermediate/model` is used);
- a saved model directory (what `Method.save` writes: safetensors, or an adapter folder);
- a Hugging Face Hub id (`owner/name`), downloaded when the run starts.
A local path wins over a Hub id of the same spelling.
"""

from __future__ import annotations

import re
from pathlib import Path

from stiltx import run_files, saved_model
from stiltx.errors import StiltxError
from stiltx.layout import DONE_FILE, INTERMEDIATE_DIR, MODEL_DIR, RESOLVED_RECIPE

MODEL_SUBDIR = Path(INTERMEDIATE_DIR) / MODEL_DIR
HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*(/[\w.-]+)?$")


def _run_method(run_dir: Path) -> str | None:
    import yaml

    try:
        tree = yaml.safe_load((run_dir / RESOLVED_RECIPE).read_text(encoding="utf-8"))
        return str(tree["method"]["kind"])
    except (OSError, yaml.YAMLError, KeyError, TypeError):
        return None


def problems(value: str, method_kind: str) -> list[str]:
    """What is wrong with `intermediate.from: value` for a recipe trained with `method_kind`."""
    where = f"intermediate.from: '{value}'"
    path = Path(value).expanduser()
    if path.is_dir():
        if (path / RESOLVED_RECIPE).is_file():  # a run directory
            outside = _contained(path)
            if outside:
                return [f"{where}: {outside}"]
            if (
                not (path / MODEL_SUBDIR).is_dir()
                or not (path / INTERMEDIATE_DIR / DONE_FILE).is_file()
            ):
                return [
                    f"{where} is a run whose intermediate stage did not finish "
                    f"(no {MODEL_SUBDIR} with {DONE_FILE}); finish it or point at another run"
                ]
            damaged = _damaged(path, digests=False)
            if damaged:
                return [f"{where}: {damaged}; train that run's intermediate stage again"]
            theirs = _run_method(path)
            if theirs is not None and theirs != method_kind:
                return [
                    f"{where} was trained with method.kind={theirs}, this recipe uses "
                    f"method.kind={method_kind}; use the same method"
                ]
            return []
        if not any(path.iterdir()):
            return [f"{where} is an empty directory; expected a run dir or a saved model"]
        return _model_shape(path, where, method_kind)
    if value.startswith((".", "/", "~")) or not HUB_ID.match(value):
        return [
            f"{where}: no such directory, and not a Hub id (owner/name); expected a stiltx run "
            "directory, a saved model directory or a Hub id"
        ]
    return []  # a Hub id: checked when the run downloads it


def _model_shape(path: Path, where: str, method_kind: str) -> list[str]:
    """A saved model folder holds what `Method.save` writes for this recipe's method."""
    if method_kind == "adapter" and not (path / "adapter").is_dir():
        return [f"{where} has no adapter/ folder; expected a saved adapter model or a run dir"]
    if method_kind != "adapter" and not any(path.glob("*.safetensors")):
        return [f"{where} has no *.safetensors weights; expected a saved model or a run dir"]
    return []


def _contained(run_dir: Path) -> str:
    """A link in the run that leads out of it (the model would be read from elsewhere)."""
    try:
        run_files.check_tree(run_dir)
    except StiltxError as error:
        return str(error)
    return ""


def _damaged(run_dir: Path, *, digests: bool) -> str:
    """What is wrong with a run's saved intermediate model, checked against its done.json."""
    import json

    done = run_dir / INTERMEDIATE_DIR / DONE_FILE
    try:
        files = json.loads(run_files.read_text(done)).get("model_files", {})
        saved_model.verify(run_dir / MODEL_SUBDIR, files, where=str(done), digests=digests)
    except (OSError, ValueError, AttributeError, StiltxError) as error:
        return str(error) if isinstance(error, StiltxError) else f"{done}: damaged ({error})"
    return ""


def identity(value: str) -> str:
    """What a `from` entry stands for when two recipes are compared (`--resume` after a sweep
    folder moved): a run's saved intermediate model as its done.json records it (each file's
    size and sha256, which `resolve` checks before use); anything else, the value as given."""
    import json

    path = Path(value).expanduser()
    done = path / INTERMEDIATE_DIR / DONE_FILE
    if not ((path / RESOLVED_RECIPE).is_file() and done.is_file()):
        return value
    try:
        files = json.loads(run_files.read_text(done)).get("model_files")
    except (OSError, ValueError, AttributeError, StiltxError):
        return value
    return json.dumps(files, sort_keys=True) if isinstance(files, dict) and files else value


def resolve(value: str) -> Path:
    """The local model directory for `value` (a Hub id is downloaded, then cached); a run's
    model is checked against its record first (sizes and sha256)."""
    path = Path(value).expanduser()
    if path.is_dir() and (path / RESOLVED_RECIPE).is_file():
        damaged = _contained(path) or _damaged(path, digests=True)
        if damaged:
            raise StiltxError(f"intermediate.from: '{value}': {damaged}")
        return path / MODEL_SUBDIR
    if path.is_dir():
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(value))
    except Exception as error:  # offline, unknown repo, no access: one clean message
        raise StiltxError(
            f"intermediate.from: '{value}' is not a local directory and could not be fetched "
            f"from the Hub ({type(error).__name__}: {error})"
        ) from None
