"""`load_split`: one (task, language, split) as a list of Examples, from local files or the Hub.

This is the single entry point the pipeline, the encoders and `stiltx data inspect` use. It checks
the language and split against the task, reads with the task's reader (`readers.READERS`) or Hub
converter (`hub.CONVERTERS`), caps at `data.max_examples`, and with `require_labels=True` refuses
splits whose labels are missing (XTREME's stripped test files, TyDiQA's blanked dev answers).
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import read_lines
from stiltx.data.held_out import partition
from stiltx.data.hub import load_hub
from stiltx.data.paths import LANG3, resolve_local
from stiltx.data.readers import READERS
from stiltx.errors import DataError, UnknownNameError, did_you_mean
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.examples import Example, RetrievalCorpus, is_labelled
from stiltx.tasks.spec import TaskKind, TaskSpec


def check_language(spec: TaskSpec, language: str) -> None:
    """UnknownNameError listing the task's languages (MLM accepts any language with a file)."""
    if spec.kind is TaskKind.MLM or language in spec.languages:
        return
    iso1 = {v: k for k, v in LANG3.items()}.get(language)
    hint = (
        f" (did you mean '{iso1}'?)"
        if iso1 in spec.languages
        else did_you_mean(language, spec.languages)
    )
    raise UnknownNameError(
        f"task '{spec.name}' has no language '{language}'{hint}; "
        f"its languages: {', '.join(spec.languages)}"
    )


def check_split(spec: TaskSpec, split: str) -> None:
    if split not in spec.splits:
        raise UnknownNameError(
            f"task '{spec.name}' has no split '{split}'{did_you_mean(split, spec.splits)}; its splits: {', '.join(spec.splits)}"
        )


def read_file(spec: TaskSpec, path: Path, language: str) -> list[Example]:
    """Read one native file with the task's local reader (used by `data inspect --file`)."""
    if not path.is_file():
        raise DataError(f"file not found: {path}")
    return READERS[spec.source.local_format](path, spec, language)


def load_split(
    spec: TaskSpec,
    language: str,
    split: str,
    data: DataConfig,
    *,
    require_labels: bool = False,
) -> list[Example]:
    """The examples of one (task, language, split); retrieval tasks give one RetrievalCorpus.

    `require_labels=True` (for scoring or training) raises a DataError when any example is
    unlabelled instead of returning examples that cannot be scored.
    """
    check_language(spec, language)
    check_split(spec, split)
    # Tasks with no Hub copy (CCG, raw BUCC, Mewsli-X, ...) read local files under any source.
    if data.source == "local" or (data.source == "hub" and spec.source.hub_id is None):
        how = spec.source.how_to_get  # licensed data (CCG): how the user gets the files
        if not data.data_dir:
            why = "data.source is 'local'" if data.source == "local" else "it has no Hub source"
            raise DataError(
                f"task {spec.name}: {why}, so it reads files under data.data_dir, which is not set"
                + (f". {how}" if how else "")
            )
        data_dir = Path(data.data_dir).expanduser()
        examples: list[Example] = []
        for path in resolve_local(spec, language, split, data_dir, how):
            read = read_file(spec, path, language)
            if spec.kind is TaskKind.EXTRACTIVE_QA and _gold_split(spec, split):
                check_unique_ids(read, path)
            examples.extend(read)
    elif data.source == "hub":
        examples = load_hub(spec, language, split)
    else:
        raise DataError(f"data.source must be 'local' or 'hub', got {data.source!r}")
    examples = partition(spec, language, split, examples)  # TyDiQA: train_dev held out of train
    if require_labels:
        check_labelled(spec, language, split, examples)
    return cap(examples, data.max_examples)


def _gold_split(spec: TaskSpec, split: str) -> bool:
    """An evaluation split read from its own files (not train, nor a slice held out of train)."""
    held_out = getattr(spec, "held_out", None)
    return split != spec.train_split and not (held_out is not None and split == held_out.split)


def check_unique_ids(examples: list[Example], path: Path) -> None:
    """Gold answers are matched to predictions by question id: an evaluation file must not
    repeat one (XTREME's TyDiQA *train* files do, harmlessly, so only evaluation splits are checked)."""
    first: dict[str, int] = {}
    for number, example in enumerate(examples, start=1):
        ident = getattr(example, "id", None)
        if ident is None:
            continue
        if ident in first:
            raise DataError(
                f"{path}: question #{number} repeats the id {ident!r} of question #{first[ident]}; "
                "expected unique ids in an evaluation file (gold answers are matched by id)"
            )
        first[ident] = number


def cap(examples: list[Example], max_examples: int | None) -> list[Example]:
    """The first `max_examples` examples; for a retrieval corpus, its first queries (all candidates kept)."""
    if max_examples is None:
        return examples
    if examples and isinstance(examples[0], RetrievalCorpus):
        corpus = examples[0]
        queries = corpus.queries[:max_examples]
        gold = {q.id: corpus.gold[q.id] for q in queries if q.id in corpus.gold}
        return [RetrievalCorpus(corpus.id, queries, corpus.candidates, gold)]
    return examples[:max_examples]


def check_labelled(spec: TaskSpec, language: str, split: str, examples: list[Example]) -> None:
    missing = sum(not is_labelled(spec, e) for e in examples)
    if not missing:
        return
    why = spec.unlabelled_hint or (
        "XTREME strips labels from its local test files; use data.source=hub or the original release"
    )
    raise DataError(
        f"task '{spec.name}' {language}/{split}: {missing} of {len(examples)} examples have no labels, "
        f"so this split cannot be used for training or scoring. {why}"
    )


def load_labels(spec: TaskSpec, data: DataConfig) -> tuple[str, ...]:
    """The task's label / tag set; read from `spec.labels_file` under data.data_dir where the set
    lives with the data (CCG's user-supplied `ccg/tags.txt`)."""
    if spec.labels_file is None:
        return spec.labels
    if not data.data_dir:
        raise DataError(
            f"task '{spec.name}' needs data.source=local with data.data_dir. {spec.source.how_to_get}"
        )
    path = Path(data.data_dir).expanduser() / spec.labels_file
    if not path.is_file():
        raise DataError(
            f"task '{spec.name}': label list not found: {path}. {spec.source.how_to_get}"
        )
    return tuple(line.strip() for line in read_lines(path) if line.strip())
