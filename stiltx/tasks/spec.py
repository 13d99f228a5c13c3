"""What a task is: its kind, languages, splits, data sources, labels and metrics.

Every task is declared once, as a frozen `TaskSpec`, in the module of its kind
(`classification.py`, `multiple_choice.py`, ...); `registry.py` collects them. Nothing here imports
torch or transformers, so listing and validating tasks is instant.

Readers are referred to by *name* (`DataSource.local_format`, `DataSource.hub_format`); the
functions live in `stiltx.data` (see `stiltx/data/readers.py` and `stiltx/data/hub.py`). That keeps
`tasks` free of I/O and lets a newcomer find a reader from the name in the spec.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

# How a training stage picks its model: "best" English-dev evaluation (early stopping with
# patience), or "last": the final weights, no dev evaluation (XTREME's scripts/train_qa.sh).
Selection = Literal["best", "last"]


class TaskKind(str, Enum):
    """The kind decides the head, the encoding, the prediction and the default metric."""

    CLASSIFICATION = "classification"  # single sentence or sentence pair -> one label
    MULTIPLE_CHOICE = "multiple_choice"  # context + N choices -> index of the right choice
    EXTRACTIVE_QA = "extractive_qa"  # question + context -> answer span
    TAGGING = "tagging"  # words -> one tag per word
    RETRIEVAL = "retrieval"  # no training; scored from sentence embeddings
    # (query, relevant candidate) pairs -> one encoder for both, in-batch sampled softmax: the
    # training data of LAReQA and Mewsli-X in XTREME-R (scripts/train_lareqa.sh, train_mewslix.sh)
    DUAL_ENCODER = "dual_encoder"
    MLM = "mlm"  # masked language modelling on raw text


class RetrievalScoring(str, Enum):
    """How a retrieval task is scored from sentence embeddings (stiltx/evaluation/retrieval.py)."""

    MINING = "mining"  # BUCC: ratio-margin bitext mining, F1 at a threshold chosen on dev
    BITEXT = "bitext"  # Tatoeba: top-1 accuracy over line-aligned translations
    RANKING = "ranking"  # LAReQA, Mewsli-X: mAP@20 over one shared candidate pool


class Role(str, Enum):
    """Where a task is used in the three-phase protocol."""

    INTERMEDIATE = "intermediate"  # English task of phase (ii)
    TARGET = "target"  # evaluated zero-shot on every language in phase (iii)
    TARGET_TRAIN = (
        "target_train"  # only the English training data of a target (e.g. copa for xcopa)
    )
    PRETRAIN = "pretrain"  # mlm


@dataclass(frozen=True)
class DataSource:
    """Where a task's data comes from.

    `local_paths` maps a split name to path templates relative to the recipe's `data.data_dir`;
    templates may use `{language}` (the task's language code), `{lang3}` (ISO 639-3),
    `{lang_name}` (English name, as UD uses) and `{split}`. The first template that exists wins;
    globs (`*`) are allowed and every match is read (UD: all treebanks of one language).
    `hub_config` may contain `{language}` / `{lang_name}` / `{lang3}` the same way.
    """

    local_format: str  # reader name in stiltx.data.readers.READERS
    local_paths: dict[str, tuple[str, ...]]
    hub_id: str | None = None
    hub_config: str | None = None
    hub_revision: str | None = None  # e.g. "refs/convert/parquet" for script-based datasets
    hub_format: str | None = None  # converter name in stiltx.data.hub.CONVERTERS
    hub_splits: dict[str, str] = field(default_factory=dict)  # our split name -> Hub split name
    note: str = ""  # caveat shown by `stiltx tasks` / logged on load (e.g. comparability warnings)
    # Per-language Hub coverage (checked by stiltx.data.hub.hub_request before any download):
    # language -> (Hub id, config) where another dataset holds that language (PAN-X qu -> wikiann);
    hub_alternatives: dict[str, tuple[str, str]] = field(default_factory=dict)
    # languages the Hub has no copy of at all: local files only;
    hub_missing: tuple[str, ...] = ()
    # language -> the only splits (our names) the Hub has for it (udpos kk: train, test).
    hub_language_splits: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # How to obtain files no download provides (licensed data); appended to missing-file errors.
    how_to_get: str = ""
    # One file / Hub config holding every language, told apart by an id prefix: language -> the
    # name ids start with (TyDiQA: "finnish-..."); only the asked language's examples are kept.
    id_language_names: dict[str, str] = field(default_factory=dict)
    # A regex whose group 1 is the language a file name names, where several appear (MLQA's
    # `...-context-<xx>-question-<yy>`: the context language, the one the answers are in).
    file_language: str | None = None
    # XTREME's released translate-train files of this task: (reader, file templates inside
    # <translated root>/<task>/<language>/), read after stiltx's own layouts (data/translated.py).
    translated_release: tuple[str, tuple[str, ...]] | None = None


@dataclass(frozen=True)
class HeldOut:
    """A dev split carved out of another split: a fixed, seeded `fraction` of its examples.

    TyDiQA-GoldP's only labelled evaluation data is its dev set, which XTREME uses as *test*; model
    selection must not see it, so its dev split is held out of the English train split instead.
    Examples are chosen by position in the file (shuffled with `seed`), before `data.max_examples`
    applies; the source split then no longer contains them.
    """

    split: str  # name of the held-out split, e.g. "train_dev"
    source: str = "train"
    fraction: float = 0.1
    seed: int = 0
    languages: tuple[str, ...] = ("en",)  # model selection is English-only


@dataclass(frozen=True)
class TrainDefaults:
    """Reference hyper-parameters (jiant / XTREME) used when a recipe does not override them."""

    epochs: float = 3.0
    lr: float = 1e-5
    batch_size: int = 32
    max_length: int = 256


@dataclass(frozen=True)
class TaskSpec:
    name: str
    kind: TaskKind
    role: Role
    description: str
    languages: tuple[str, ...]  # ISO 639-1 codes where they exist (see languages.py)
    splits: tuple[str, ...]  # e.g. ("train", "dev", "test")
    source: DataSource
    labels: tuple[str, ...] = ()  # class / tag names; empty for QA, retrieval, mlm
    num_choices: int = 0  # multiple choice only
    metrics: tuple[str, ...] = ()  # names in stiltx.evaluation.metrics.METRICS
    train_task: str | None = None  # English task whose training data serves this target
    # English tasks the target stage trains first, in order, on the same model and head kind,
    # before `train_task` (XCOPA: SocialIQA, then COPA; XTREME-R scripts/train_xcopa.sh:56-100).
    train_before: tuple[str, ...] = ()
    head: str | None = None  # head name; tasks sharing a head share weights (anli, mnli -> "nli")
    train_split: str = "train"
    dev_split: str = "dev"  # model selection (English only)
    test_split: str = "test"
    held_out: HeldOut | None = None  # a dev split carved out of the train split (TyDiQA)
    # The stage's default model selection; "last" trains on the whole train split (no held-out
    # slice) and keeps the final weights. A recipe's `train.select` overrides it.
    select: Selection = "best"
    defaults: TrainDefaults = TrainDefaults()
    reference: str = ""  # citation of the dataset
    # The label set lives with the data: this file under data.data_dir, one label a line (CCG).
    labels_file: str | None = None
    answerless_allowed: bool = False  # a question without answers is labelled (SQuAD v2)
    unlabelled_hint: str = ""  # what to do about a split without labels (default: XTREME's)
    language_aware_answers: bool = False  # answers are normalised by language (MLQA's metric)
    retrieval_scoring: RetrievalScoring | None = None  # retrieval tasks only
    # Dual encoders: the query's token limit (LAReQA 96: train_lareqa.sh:28); None: max_length,
    # which limits the candidate (LAReQA 256: :29; Mewsli-X 64 for both: train_mewslix.sh:27).
    query_max_length: int | None = None

    @property
    def head_name(self) -> str:
        return self.head or self.name

    @property
    def trainable(self) -> bool:
        return self.kind is not TaskKind.RETRIEVAL

    @property
    def fine_tuned(self) -> bool:
        """A target trained in phase (iii): trainable, or a retrieval task with a training task
        (LAReQA and Mewsli-X through a dual encoder, as XTREME-R does)."""
        return self.trainable or self.train_task is not None
