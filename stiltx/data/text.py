"""Plain text for MLM: one document or sentence per line; blank lines are skipped."""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import read_lines
from stiltx.tasks.examples import MLMExample
from stiltx.tasks.spec import TaskSpec


def read_text_lines(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[MLMExample]:
    lines = [line.strip() for line in read_lines(path)]
    return [MLMExample(str(i), line) for i, line in enumerate(line for line in lines if line)]
