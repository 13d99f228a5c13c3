"""Fail fast without a network: one probe of the Hub before the first download.

`huggingface_hub` retries a refused connection five times with back-off (~80 s of `Retrying in
8s` lines) before `datasets` or `from_pretrained` gives up; a researcher on an offline machine
wants one line saying what was wanted and what to do instead. The probe is a TCP connect to
HF_ENDPOINT's host with a short timeout, once per process; with HF_HUB_OFFLINE=1 nothing is
probed (the local cache serves).
"""

from __future__ import annotations

import functools
import os
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from stiltx.errors import DataError

PROBE_TIMEOUT_S = 3.0
FIX = (
    "no network. Use local files in stiltx's layout (`stiltx tasks` lists each task's paths): "
    "--data-dir DIR, or --set data.source=local --set data.data_dir=DIR; or HF_HUB_OFFLINE=1 "
    "when the Hub cache already holds it"
)
MODEL_FIX = (
    "no network. Set HF_HUB_OFFLINE=1 when the Hub cache already holds it, or give a local "
    "folder (config.json, weights and tokenizer files) as {key}=DIR"
)


@functools.cache
def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def _offline_mode() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def _unreachable_hub() -> str | None:
    """HF_ENDPOINT's URL when a probe cannot reach it; None when it can."""
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = url.port or (443 if url.scheme == "https" else 80)
    return None if _reachable(url.hostname or "huggingface.co", port) else url.geturl()


def require_hub(what: str) -> None:
    """Raise one clean DataError naming `what` (a dataset or model id) when the Hub is out of
    reach; return at once when it is reachable or HF_HUB_OFFLINE is set."""
    if _offline_mode():
        return
    url = _unreachable_hub()
    if url is not None:
        raise DataError(f"cannot load {what} from the Hub ({url}): {FIX}")


def model_kwargs(name_or_path: str, what: str = "model", key: str = "model.name_or_path") -> dict:
    """`from_pretrained` keyword arguments for a model or tokenizer: none for a local folder,
    under HF_HUB_OFFLINE or with the Hub in reach; `local_files_only` when the Hub is out of
    reach but its cache holds the model (no retries); else one DataError naming the model and
    the fix (`key`: the setting that takes a local folder instead)."""
    if _offline_mode() or Path(name_or_path).expanduser().exists():
        return {}
    url = _unreachable_hub()
    if url is None:
        return {}
    if _cached(name_or_path):
        return {"local_files_only": True}
    fix = MODEL_FIX.format(key=key)
    raise DataError(f"cannot load {what} {name_or_path} from the Hub ({url}): {fix}")


def _cached(repo_id: str) -> bool:
    from huggingface_hub import try_to_load_from_cache  # heavy-ish: only when offline

    try:
        found: Any = try_to_load_from_cache(repo_id, "config.json")
    except Exception:  # not a valid repo id: from_pretrained says what is wrong with it
        return True
    return isinstance(found, str)
