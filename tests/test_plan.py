"""stiltx.plan: the planning queries are torch-free and import nothing from the pipeline."""

from __future__ import annotations

import subprocess
import sys


def test_plan_and_prepare_import_neither_torch_nor_the_pipeline():
    code = (
        "import sys, stiltx.plan, stiltx.layout, stiltx.data.prepare\n"
        "bad = [m for m in ('torch', 'transformers', 'stiltx.pipeline') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
