"""Fail fast without a network: one probe of the Hub before the first download.

`huggingface_hub` retries a refused connection five times with back-off (~80 s of `Retrying in
8s` lines) before `datasets` gives up; a researcher on an offline machine wants one line saying
what was wanted and what to do instead. The probe is a TCP connect to HF_ENDPOINT's host with a
short timeout, once per process; with HF_HUB_OFFLINE=1 nothing is probed (the local cache serves).
"""

from __future__ import annotations

import functools
import os
import socket
from urllib.parse import urlparse

from stiltx.errors import DataError

PROBE_TIMEOUT_S = 3.0
FIX = (
    "no network. Use local files in stiltx's layout (`stiltx tasks` lists each task's paths): "
    "--data-dir DIR, or --set data.source=local --set data.data_dir=DIR; or HF_HUB_OFFLINE=1 "
    "when the Hub cache already holds it"
)


@functools.cache
def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S):
            return True
    except OSError:
        return False


def require_hub(what: str) -> None:
    """Raise one clean DataError naming `what` (a dataset or model id) when the Hub is out of
    reach; return at once when it is reachable or HF_HUB_OFFLINE is set."""
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        return
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = url.port or (443 if url.scheme == "https" else 80)
    if not _reachable(url.hostname or "huggingface.co", port):
        raise DataError(f"cannot load {what} from the Hub ({url.geturl()}): {FIX}")
