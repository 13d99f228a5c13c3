"""Where stiltx caches things: $STILTX_CACHE, else $XDG_CACHE_HOME/stiltx, else ~/.cache/stiltx."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """The cache root (the toy world and encoded features live in folders below it)."""
    explicit = os.environ.get("STILTX_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec: a relative XDG_CACHE_HOME is invalid and must be ignored.
    base = Path(xdg).expanduser() if xdg and Path(xdg).expanduser().is_absolute() else None
    return (base or Path.home() / ".cache") / "stiltx"
