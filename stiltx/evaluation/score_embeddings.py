"""`stiltx score tatoeba --embeddings XX.npy --english-embeddings EN.npy`: score another encoder's
sentence embeddings (LaBSE, LASER, ...) with the same retrieval code a run uses.

Row i of the two arrays are translations of each other (the line-aligned Tatoeba test files).
Tatoeba's `accuracy` is XTREME's en -> xx direction (`retrieval.tatoeba_accuracy`); the
embeddings are L2-normalised here, so raw vectors are fine. Files are NumPy `.npy` (2-D float
arrays, read without pickle).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from stiltx.errors import DataError, StiltxError
from stiltx.evaluation.retrieval import tatoeba_accuracy
from stiltx.evaluation.score_files import FileScore
from stiltx.tasks.registry import all_tasks, get_task
from stiltx.tasks.spec import RetrievalScoring


def load_embeddings(path: str | Path) -> np.ndarray:
    """A 2-D finite float array from a `.npy` file; DataError naming the file otherwise."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"embeddings file not found: {path}")
    try:
        array = np.load(path, allow_pickle=False)
    except (ValueError, OSError) as error:
        raise DataError(
            f"{path}: not a NumPy .npy array of floats ({error}); save with numpy.save(path, array)"
        ) from None
    if array.ndim != 2 or not np.issubdtype(array.dtype, np.number) or not len(array):
        raise DataError(
            f"{path}: expected a 2-D numeric array (sentences x dimensions), got shape "
            f"{array.shape} of {array.dtype}"
        )
    if not np.isfinite(array).all():
        raise DataError(f"{path}: contains NaN or infinite values")
    return array.astype(np.float32)


def score_embeddings(
    task: str, language: str | None, embeddings: str | Path, english_embeddings: str | Path
) -> FileScore:
    """Tatoeba accuracy (en -> xx, as XTREME) of precomputed, line-aligned embeddings."""
    spec = get_task(task)
    if spec.retrieval_scoring is not RetrievalScoring.BITEXT:
        bitext = [s.name for s in all_tasks() if s.retrieval_scoring is RetrievalScoring.BITEXT]
        raise StiltxError(
            f"--embeddings scores {', '.join(bitext)} only, not '{spec.name}'; "
            "for other tasks use --gold and --predictions"
        )
    if language is None or language not in spec.languages:
        raise StiltxError(
            f"--language: expected one of {spec.name}'s languages ({', '.join(spec.languages)}), "
            f"got {language!r}"
        )
    xx, en = load_embeddings(embeddings), load_embeddings(english_embeddings)
    if xx.shape != en.shape:
        raise DataError(
            f"{embeddings} has shape {xx.shape} but {english_embeddings} has {en.shape}: row i "
            "of the two must be translations (same number of rows and dimensions)"
        )
    return FileScore(spec.name, language, len(xx), len(en), tatoeba_accuracy(xx, en))
