"""The toy "MT system": every intermediate task's train and dev files in every other toy language.

    <data_dir>/translated/<task>/<lang>/<the task's own file names, native format>

e.g. `translated/mnli/de/train.tsv`, `translated/squad/sw/train-v1.1.json`. Each file is written
by the task's own English emitter with a translating `Writer`: the same seed, hence the same facts,
labels and answers, rendered in the toy language with MT noise (`toy.mt_noise`: the share of words
dropped or replaced by a wrong word; answer words and anchors are never touched). Test files are
not translated. This is what translate-train baselines read (recipes/baselines).
"""

from __future__ import annotations

from collections.abc import Callable

from stiltx.toy.sizes import ToySizes
from stiltx.toy.writer import Writer

INTERMEDIATE_TASKS = (
    "anli", "mnli", "qqp", "squad", "hellaswag", "cosmosqa", "commonsenseqa", "socialiqa", "ccg",
)  # fmt: skip
TEST_MARKERS = (
    "test",
    "tst",
)  # file names of test splits (e.g. test_matched.tsv, socialIQa_..._tst)


def is_test_file(path: str) -> bool:
    name = path.rsplit("/", 1)[-1]
    return any(marker in name for marker in TEST_MARKERS)


def emit_translated(
    seed: int,
    sizes: ToySizes,
    languages: tuple[str, ...],
    noise: float,
    on_task: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Relative path -> text of every translated train / dev file (`on_task(task)` after each
    task's files, for a progress display)."""
    from stiltx.toy.tasks_english import EMITTERS

    files: dict[str, str] = {}
    for task in INTERMEDIATE_TASKS:
        for lang in languages:
            if lang == "en":
                continue
            for path, text in EMITTERS[task](seed, sizes, Writer(lang, noise)).items():
                if not is_test_file(path):
                    files[f"translated/{task}/{lang}/{path.split('/', 1)[1]}"] = text
        if on_task is not None:
            on_task(task)
    return files
