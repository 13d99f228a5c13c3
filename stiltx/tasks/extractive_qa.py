"""Extractive QA tasks (question + context -> answer span), all read from SQuAD-format JSON.

XQuAD and MLQA are trained on SQuAD v1.1 and share its head; TyDiQA-GoldP is trained on its own
English train split. TyDiQA's dev set is XTREME's test set, so by default its stage trains on the
whole English train split and keeps the last checkpoint, as XTREME does (scripts/train_qa.sh:50,55-76:
the full tydiqa.en.train.json, save_steps -1); `train.select: best` instead selects on `train_dev`,
a fixed 10% of the English train questions (seed 0) held out of `train` (`HeldOut`,
stiltx/data/held_out.py). XTREME's copy of the TyDiQA-GoldP *dev* files (XTREME's test set)
has every answer blanked (`{"text": "", "answer_start": 0}`); the reader detects that, returns the
questions without answers and `load_split(..., require_labels=True)` refuses to score on them.
"""

from __future__ import annotations

from stiltx.tasks.spec import DataSource, HeldOut, Role, TaskKind, TaskSpec, TrainDefaults

QA_DEFAULTS = TrainDefaults(epochs=2.0, lr=1e-5, batch_size=32, max_length=384)
QA_METRICS = ("squad_em_f1",)
TYDIQA_NAMES = {
    "en": "english", "ar": "arabic", "bn": "bengali", "fi": "finnish", "id": "indonesian",
    "ko": "korean", "ru": "russian", "sw": "swahili", "te": "telugu",
}  # fmt: skip

SQUAD = TaskSpec(
    name="squad",
    kind=TaskKind.EXTRACTIVE_QA,
    role=Role.INTERMEDIATE,
    description="SQuAD v1.1 extractive QA; also the training data of XQuAD and MLQA.",
    languages=("en",),
    splits=("train", "dev"),
    source=DataSource(
        local_format="squad_json",
        local_paths={"train": ("squad/train-v1.1.json",), "dev": ("squad/dev-v1.1.json",)},
        hub_id="rajpurkar/squad",
        hub_format="squad",
        hub_splits={"train": "train", "dev": "validation"},
        translated_release=("squad_json", ("squad.translate.train.en-{language}.json",)),
    ),
    metrics=QA_METRICS,
    head="squad",
    defaults=QA_DEFAULTS,
    reference="Rajpurkar et al. 2016, SQuAD",
)

SQUAD_V2 = TaskSpec(
    name="squad_v2",
    kind=TaskKind.EXTRACTIVE_QA,
    role=Role.INTERMEDIATE,
    description="SQuAD v2.0: SQuAD plus unanswerable questions (empty answers).",
    languages=("en",),
    splits=("train", "dev"),
    source=DataSource(
        local_format="squad_json",
        local_paths={"train": ("squad/train-v2.0.json",), "dev": ("squad/dev-v2.0.json",)},
        hub_id="rajpurkar/squad_v2",
        hub_format="squad",
        hub_splits={"train": "train", "dev": "validation"},
    ),
    metrics=QA_METRICS,
    defaults=QA_DEFAULTS,
    reference="Rajpurkar et al. 2018, SQuAD 2.0",
    answerless_allowed=True,
)

XQUAD = TaskSpec(
    name="xquad",
    kind=TaskKind.EXTRACTIVE_QA,
    role=Role.TARGET,
    description="XQuAD: SQuAD v1.1 dev translated into 11 languages (test only; ro: XTREME-R).",
    languages=("en", "es", "de", "el", "ru", "tr", "ar", "vi", "th", "zh", "hi", "ro"),
    splits=("test",),
    source=DataSource(
        local_format="squad_json",
        local_paths={"test": ("xquad/xquad.{language}.json",)},
        hub_id="google/xtreme",
        hub_config="XQuAD.{language}",
        hub_format="squad",
        hub_splits={"test": "validation"},
        # google/xtreme has no XQuAD.ro (xtreme.py _XQUAD_LANG); google/xquad has xquad.ro.
        hub_alternatives={"ro": ("google/xquad", "xquad.ro")},
    ),
    metrics=QA_METRICS,
    train_task="squad",
    head="squad",
    defaults=QA_DEFAULTS,
    reference="Artetxe et al. 2020, XQuAD",
)

MLQA = TaskSpec(
    name="mlqa",
    kind=TaskKind.EXTRACTIVE_QA,
    role=Role.TARGET,
    description="MLQA v1 (context and question in the same language), trained on SQuAD v1.1.",
    languages=("en", "es", "de", "ar", "hi", "vi", "zh"),
    splits=("dev", "test"),
    source=DataSource(
        local_format="squad_json",
        local_paths={
            s: (f"mlqa/MLQA_V1/{s}/{s}-context-{{language}}-question-{{language}}.json",)
            for s in ("dev", "test")
        },
        hub_id="google/xtreme",
        hub_config="MLQA.{language}.{language}",
        hub_format="squad",
        hub_splits={"dev": "validation", "test": "test"},
        file_language=r"context-([a-z]{2,3})\b",
    ),
    metrics=("mlqa_em_f1",),
    train_task="squad",
    head="squad",
    defaults=QA_DEFAULTS,
    reference="Lewis et al. 2020, MLQA",
    language_aware_answers=True,
)

TYDIQA = TaskSpec(
    name="tydiqa",
    kind=TaskKind.EXTRACTIVE_QA,
    role=Role.TARGET,
    description="TyDiQA-GoldP (XTREME split): all English train, last checkpoint kept (select: "
    "best holds 10% out as train_dev for model selection); dev is XTREME's test set.",
    languages=("en", "ar", "bn", "fi", "id", "ko", "ru", "sw", "te"),
    splits=("train", "train_dev", "dev"),
    source=DataSource(
        local_format="squad_json",
        local_paths={
            split: (
                "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.{language}.train.json",
                "tydiqa/tydiqa-goldp-v1.1-train.json",
            )
            for split in ("train", "train_dev")
        }
        | {"dev": ("tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.{language}.dev.json",)},
        hub_id="google/xtreme",
        hub_config="tydiqa",
        hub_format="xtreme_tydiqa",
        hub_splits={"train": "train", "train_dev": "train", "dev": "validation"},
        note="XTREME's TyDiQA dev files have blanked answers: scoring needs the original TyDiQA-GoldP dev "
        "(tydiqa-goldp-v1.1-dev.json) or the Hub google/xtreme 'tydiqa' validation split",
        # Ids are "<language name>-<signed 64-bit hash>-<n>" ("finnish--7633...-0" before a
        # negative hash); the all-language train file and the Hub config are filtered by it.
        id_language_names=TYDIQA_NAMES,
    ),
    metrics=QA_METRICS,
    dev_split="train_dev",
    test_split="dev",
    held_out=HeldOut("train_dev", source="train", fraction=0.1, seed=0),  # only with select: best
    select="last",  # XTREME scripts/train_qa.sh:50,68 (all of English train, save_steps -1)
    defaults=QA_DEFAULTS,
    reference="Clark et al. 2020, TyDi QA",
    unlabelled_hint="XTREME's copy of TyDiQA-GoldP dev has blanked answers; use the original "
    "tydiqa-goldp-v1.1-dev.json split per language, or data.source=hub (google/xtreme 'tydiqa')",
)

TASKS = (SQUAD, SQUAD_V2, XQUAD, MLQA, TYDIQA)
