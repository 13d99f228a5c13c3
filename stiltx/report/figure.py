"""What every report figure shares: pyplot on the Agg backend, PNG bytes written atomically,
file-safe names. matplotlib is imported on use, so importing a figure module stays instant."""

from __future__ import annotations

import io
from pathlib import Path

from stiltx.atomic import write_bytes


def pyplot():
    """matplotlib.pyplot on the Agg backend."""
    # matplotlib: heavy, imported only when a figure is drawn
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def save_png(fig, path: Path) -> Path:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=120, bbox_inches="tight")
    return write_bytes(path, buffer.getvalue())


def safe_name(name: str) -> str:
    """`name` with every character but letters, digits, '-' and '_' replaced by '_'."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in name)
