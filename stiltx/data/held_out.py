"""A dev split held out of another split (TaskSpec.held_out): a fixed, seeded slice chosen by id.

TyDiQA-GoldP is the one XTREME task whose test set is its dev set, so its model-selection data is
carved out of the English train split instead (issue #13 item 3). The slice is a pure function of
the number of examples and the seed: positions 0..n-1 shuffled by `random.Random(seed)`, the first
round(fraction * n) (at least one) held out. Positions, not ids: XTREME's translated TyDiQA train
files repeat ids ("0", "1", ...). The same file therefore always gives the same slice, and the
source split never contains a held-out example.
"""

from __future__ import annotations

import random

from stiltx.errors import DataError
from stiltx.tasks.spec import TaskSpec


def held_out_positions(n: int, fraction: float, seed: int) -> set[int]:
    """The positions held out: a seeded `fraction` of range(n) (at least one when n > 0)."""
    if n <= 0:
        return set()
    order = list(range(n))
    random.Random(seed).shuffle(order)
    return set(order[: max(1, round(fraction * n))])


def partition(spec: TaskSpec, language: str, split: str, examples: list) -> list:
    """`examples` as read for `split`: the held-out slice, the source split without it, or as is.

    Only the languages in `held.languages` (English: model selection is English-only) are split;
    other languages keep their whole source split and have no held-out split.
    """
    held = spec.held_out
    if held is None or split not in (held.split, held.source):
        return examples
    if language not in held.languages:
        if split == held.split:
            raise DataError(
                f"task '{spec.name}' {language}/{split}: '{split}' is held out of the "
                f"{'/'.join(held.languages)} {held.source} split only; {language} has no split "
                f"apart from the test data ({spec.test_split})"
            )
        return examples
    chosen = held_out_positions(len(examples), held.fraction, held.seed)
    keep = split == held.split
    return [e for i, e in enumerate(examples) if (i in chosen) == keep]
