"""Classification tasks (single sentence or sentence pair -> one label).

ANLI, MNLI and XNLI share one head ("nli"): XNLI is evaluated zero-shot with the head trained on
MNLI, and the label order is the same everywhere (GLUE / facebook/anli / google/xtreme XNLI:
0 entailment, 1 neutral, 2 contradiction).
"""

from __future__ import annotations

from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec, TrainDefaults

NLI_LABELS = ("entailment", "neutral", "contradiction")

ANLI = TaskSpec(
    name="anli",
    kind=TaskKind.CLASSIFICATION,
    role=Role.INTERMEDIATE,
    description="Adversarial NLI, rounds R1-R3 concatenated (premise, hypothesis -> NLI label).",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="anli_jsonl",
        # Every round directory that exists is read, in order R1, R2, R3 (glob, sorted).
        local_paths={
            s: (f"anli/R*/{s}.jsonl", f"anli/anli_v1.0/R*/{s}.jsonl")
            for s in ("train", "dev", "test")
        },
        hub_id="facebook/anli",
        hub_format="anli",
        hub_splits={
            "train": "train_r1+train_r2+train_r3",
            "dev": "dev_r1+dev_r2+dev_r3",
            "test": "test_r1+test_r2+test_r3",
        },
        note="rounds R1-R3 concatenated; ANLI+ (adding SNLI+MNLI) = list anli and mnli together, they share the 'nli' head",
    ),
    labels=NLI_LABELS,
    metrics=("accuracy",),
    head="nli",
    reference="Nie et al. 2020, Adversarial NLI",
)

MNLI = TaskSpec(
    name="mnli",
    kind=TaskKind.CLASSIFICATION,
    role=Role.INTERMEDIATE,
    description="MultiNLI (GLUE): premise, hypothesis -> NLI label; also the training data of XNLI.",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="glue_mnli_tsv",
        local_paths={
            "train": ("mnli/train.tsv",),
            "dev": ("mnli/dev_matched.tsv",),
            "test": ("mnli/test_matched.tsv",),
        },
        hub_id="nyu-mll/glue",
        hub_config="mnli",
        hub_format="glue_mnli",
        hub_splits={"train": "train", "dev": "validation_matched", "test": "test_matched"},
        translated_release=(
            "xtreme_translated_tsv",
            ("en-{language}-translated.tsv", "multinli.train.{language}.tsv"),
        ),
    ),
    labels=NLI_LABELS,
    metrics=("accuracy",),
    head="nli",
    defaults=TrainDefaults(epochs=2.0),
    reference="Williams et al. 2018, MultiNLI",
)

QQP = TaskSpec(
    name="qqp",
    kind=TaskKind.CLASSIFICATION,
    role=Role.INTERMEDIATE,
    description="Quora Question Pairs (GLUE): question1, question2 -> duplicate or not.",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="glue_qqp_tsv",
        local_paths={s: (f"qqp/{s}.tsv",) for s in ("train", "dev", "test")},
        hub_id="nyu-mll/glue",
        hub_config="qqp",
        hub_format="glue_qqp",
        hub_splits={"train": "train", "dev": "validation", "test": "test"},
    ),
    labels=("not_duplicate", "duplicate"),
    metrics=("accuracy",),
    reference="Iyer et al. 2017, Quora Question Pairs (GLUE, Wang et al. 2019)",
)

XNLI = TaskSpec(
    name="xnli",
    kind=TaskKind.CLASSIFICATION,
    role=Role.TARGET,
    description="Cross-lingual NLI, trained on MNLI, evaluated zero-shot (XTREME per-language TSV).",
    languages=(
        "en",
        "fr",
        "es",
        "de",
        "el",
        "bg",
        "ru",
        "tr",
        "ar",
        "vi",
        "th",
        "zh",
        "hi",
        "sw",
        "ur",
    ),
    splits=("dev", "test"),
    source=DataSource(
        local_format="xnli_tsv",
        local_paths={s: (f"xnli/{s}-{{language}}.tsv",) for s in ("dev", "test")},
        hub_id="google/xtreme",
        hub_config="XNLI",
        hub_format="xtreme_xnli",
        hub_splits={"dev": "validation", "test": "test"},
        note="XTREME's test TSVs have no labels: score on the Hub XNLI test split or the original XNLI-1.0 files",
    ),
    labels=NLI_LABELS,
    metrics=("accuracy",),
    train_task="mnli",
    head="nli",
    defaults=TrainDefaults(epochs=2.0, lr=1e-5, batch_size=32, max_length=256),
    reference="Conneau et al. 2018, XNLI",
)

PAWSX = TaskSpec(
    name="pawsx",
    kind=TaskKind.CLASSIFICATION,
    role=Role.TARGET,
    description="PAWS-X paraphrase identification (sentence1, sentence2 -> paraphrase or not).",
    languages=("en", "de", "es", "fr", "ja", "ko", "zh"),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="pawsx_tsv",
        local_paths={s: (f"pawsx/{s}-{{language}}.tsv",) for s in ("train", "dev", "test")},
        hub_id="google/xtreme",
        hub_config="PAWS-X.{language}",
        hub_format="xtreme_pawsx",
        hub_splits={"train": "train", "dev": "validation", "test": "test"},
        note="XTREME's test TSVs have no labels; the Hub PAWS-X test split has them",
    ),
    labels=("not_paraphrase", "paraphrase"),
    metrics=("accuracy",),
    defaults=TrainDefaults(epochs=5.0),
    reference="Yang et al. 2019, PAWS-X",
)

TASKS = (ANLI, MNLI, QQP, XNLI, PAWSX)
