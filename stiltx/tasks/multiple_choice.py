"""Multiple-choice tasks (context + N choices -> index of the right choice).

How the question is folded into the context follows the reference implementations (jiant /
XTREME-R): COPA and XCOPA append "What was the cause?" / "What happened as a result?" to the
premise; SocialIQA and Cosmos QA append the question to the context; HellaSwag pairs `ctx_a` with
`ctx_b + ending`; CommonsenseQA pairs the question with each answer.

Hub caveats: `allenai/cosmos_qa` and `allenai/social_i_qa` are script-based datasets that fail on
`datasets >= 4`; we load their automatic Parquet conversion (`revision="refs/convert/parquet"`).
English COPA (the training data of XCOPA) comes from `aps/super_glue` (a Parquet copy of SuperGLUE).
"""

from __future__ import annotations

from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec, TrainDefaults

PARQUET = "refs/convert/parquet"

HELLASWAG = TaskSpec(
    name="hellaswag",
    kind=TaskKind.MULTIPLE_CHOICE,
    role=Role.INTERMEDIATE,
    description="HellaSwag: pick the plausible continuation of an activity description (4 endings).",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="hellaswag_jsonl",
        local_paths={
            "train": ("hellaswag/hellaswag_train.jsonl",),
            "dev": ("hellaswag/hellaswag_val.jsonl",),
            "test": ("hellaswag/hellaswag_test.jsonl",),
        },
        hub_id="Rowan/hellaswag",
        hub_format="hellaswag",
        hub_splits={"train": "train", "dev": "validation", "test": "test"},
        note="test labels are hidden (empty label)",
    ),
    num_choices=4,
    metrics=("accuracy",),
    reference="Zellers et al. 2019, HellaSwag",
)

COSMOSQA = TaskSpec(
    name="cosmosqa",
    kind=TaskKind.MULTIPLE_CHOICE,
    role=Role.INTERMEDIATE,
    description="Cosmos QA: commonsense reading comprehension (context + question -> 4 answers).",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="cosmosqa",
        local_paths={
            "train": ("cosmosqa/train.csv", "cosmosqa/train.jsonl"),
            "dev": ("cosmosqa/valid.csv", "cosmosqa/valid.jsonl"),
            "test": ("cosmosqa/test.csv", "cosmosqa/test.jsonl"),
        },
        hub_id="allenai/cosmos_qa",
        hub_revision=PARQUET,
        hub_format="cosmosqa",
        hub_splits={"train": "train", "dev": "validation", "test": "test"},
        note="allenai/cosmos_qa is script-based (fails on datasets>=4): loaded from its Parquet conversion",
    ),
    num_choices=4,
    metrics=("accuracy",),
    reference="Huang et al. 2019, Cosmos QA",
)

COMMONSENSEQA = TaskSpec(
    name="commonsenseqa",
    kind=TaskKind.MULTIPLE_CHOICE,
    role=Role.INTERMEDIATE,
    description="CommonsenseQA: question -> one of 5 answers (original and Hugging Face layouts).",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="commonsenseqa_jsonl",
        local_paths={
            "train": (
                "commonsenseqa/train_rand_split.jsonl",
                "commonsenseqa/hf_layout/train_rand_split.jsonl",
            ),
            "dev": (
                "commonsenseqa/dev_rand_split.jsonl",
                "commonsenseqa/hf_layout/dev_rand_split.jsonl",
            ),
            "test": (
                "commonsenseqa/test_rand_split_no_answers.jsonl",
                "commonsenseqa/hf_layout/test_rand_split_no_answers.jsonl",
            ),
        },
        hub_id="tau/commonsense_qa",
        hub_format="commonsenseqa",
        hub_splits={"train": "train", "dev": "validation", "test": "test"},
        note="test answers are hidden",
    ),
    num_choices=5,
    metrics=("accuracy",),
    reference="Talmor et al. 2019, CommonsenseQA",
)

SOCIALIQA = TaskSpec(
    name="socialiqa",
    kind=TaskKind.MULTIPLE_CHOICE,
    role=Role.INTERMEDIATE,
    description="SocialIQA: social commonsense (context + question -> 3 answers).",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="socialiqa_jsonl",
        local_paths={
            "train": ("socialiqa/socialIQa_v1.4_trn.jsonl", "socialiqa/train.jsonl"),
            "dev": ("socialiqa/socialIQa_v1.4_dev.jsonl", "socialiqa/dev.jsonl"),
            "test": ("socialiqa/socialIQa_v1.4_tst.jsonl", "socialiqa/test.jsonl"),
        },
        hub_id="allenai/social_i_qa",
        hub_revision=PARQUET,
        hub_format="socialiqa",
        hub_splits={"train": "train", "dev": "validation"},
        note="allenai/social_i_qa is script-based (fails on datasets>=4): loaded from its Parquet conversion; "
        "local leaderboard files (<split>.jsonl + <split>-labels.lst) are read too",
    ),
    num_choices=3,
    metrics=("accuracy",),
    reference="Sap et al. 2019, SocialIQA",
)

COPA = TaskSpec(
    name="copa",
    kind=TaskKind.MULTIPLE_CHOICE,
    role=Role.TARGET_TRAIN,
    description="English COPA (XTREME-R layout): the training data of XCOPA.",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="copa_jsonl",
        local_paths={
            "train": ("copa_en/train-en.jsonl",),
            "dev": ("copa_en/val-en.jsonl",),
            "test": ("copa_en/test-en.jsonl",),
        },
        hub_id="aps/super_glue",
        hub_config="copa",
        hub_format="copa",
        hub_splits={"train": "train", "dev": "validation", "test": "test"},
        note="the Hub copy is SuperGLUE COPA (400 train / 100 validation); its test labels are hidden",
    ),
    num_choices=2,
    metrics=("accuracy",),
    head="copa",
    reference="Roemmele et al. 2011, COPA",
)

XCOPA = TaskSpec(
    name="xcopa",
    kind=TaskKind.MULTIPLE_CHOICE,
    role=Role.TARGET,
    description="XCOPA causal commonsense reasoning, trained on English COPA, evaluated zero-shot.",
    languages=("et", "ht", "id", "it", "qu", "sw", "ta", "th", "tr", "vi", "zh"),
    splits=("dev", "test"),
    source=DataSource(
        local_format="copa_jsonl",
        local_paths={
            "dev": ("xcopa/data/{language}/val.{language}.jsonl",),
            "test": ("xcopa/data/{language}/test.{language}.jsonl",),
        },
        hub_id="cambridgeltl/xcopa",
        hub_config="{language}",
        hub_format="copa",
        hub_splits={"dev": "validation", "test": "test"},
    ),
    num_choices=2,
    metrics=("accuracy",),
    train_task="copa",
    # XTREME-R trains SocialIQA, then COPA from that model (scripts/train_xcopa.sh:56-100, both
    # run_xcopa.py with AutoModelForMultipleChoice, the second from the first's save dir).
    train_before=("socialiqa",),
    head="copa",
    defaults=TrainDefaults(epochs=5.0),
    reference="Ponti et al. 2020, XCOPA",
)

TASKS = (HELLASWAG, COSMOSQA, COMMONSENSEQA, SOCIALIQA, COPA, XCOPA)
