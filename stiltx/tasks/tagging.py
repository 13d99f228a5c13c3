"""Tagging tasks (one tag per word): UD POS, PAN-X NER and CCG supertagging.

CCG: CCGbank is licensed and has no public download, so stiltx never fabricates it. The user
supplies jiant-format files under `<data_dir>/ccg/`: `ccg.{train,dev,test}.tsv` with one sentence
per line (`text<TAB>space-separated tags`, as many tags as words) and `tags.txt` (one tag per
line). The tag set is therefore read from `tags.txt` at load time (`stiltx.data.load.load_labels`),
not declared here.
"""

from __future__ import annotations

from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec, TrainDefaults

UPOS = (
    "ADJ", "ADP", "ADV", "AUX", "CCONJ", "DET", "INTJ", "NOUN", "NUM",
    "PART", "PRON", "PROPN", "PUNCT", "SCONJ", "SYM", "VERB", "X",
)  # fmt: skip
PANX_TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")
TAGGING_DEFAULTS = TrainDefaults(epochs=10.0, lr=1e-5, batch_size=32, max_length=256)

CCG_FILES = ("ccg/ccg.train.tsv", "ccg/ccg.dev.tsv", "ccg/ccg.test.tsv", "ccg/tags.txt")

CCG = TaskSpec(
    name="ccg",
    kind=TaskKind.TAGGING,
    role=Role.INTERMEDIATE,
    description="CCG supertagging on CCGbank — user-supplied files (licensed data, never faked).",
    languages=("en",),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="ccg_tsv",
        local_paths={s: (f"ccg/ccg.{s}.tsv",) for s in ("train", "dev", "test")},
        note="CCGbank is licensed (LDC2005T13): supply ccg/ccg.{train,dev,test}.tsv and ccg/tags.txt yourself",
        how_to_get="CCGbank is licensed (LDC2005T13) and stiltx cannot download or generate it: "
        "convert it to jiant's format and place these files under your data directory: "
        + ", ".join(CCG_FILES),
    ),
    metrics=("token_accuracy",),  # per word, as jiant scores CCG
    reference="Hockenmaier & Steedman 2007, CCGbank",
    labels_file="ccg/tags.txt",
)

UDPOS = TaskSpec(
    name="udpos",
    kind=TaskKind.TAGGING,
    role=Role.TARGET,
    description="Universal Dependencies part-of-speech tagging (17 UPOS tags), all treebanks per language.",
    languages=tuple(
        "af ar bg de el en es et eu fa fi fr he hi hu id it ja kk ko mr nl pt ru ta te th tl tr ur vi yo zh"  # XTREME's 33 + XTREME-R's additions:
        " lt pl ro uk wo".split()
    ),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="conllu",
        # Every treebank of the language is read (glob), e.g. UD_English-EWT and UD_English-GUM.
        local_paths={
            s: (f"ud/UD_{{lang_name}}-*/*-ud-{s}.conllu",) for s in ("train", "dev", "test")
        },
        hub_id="google/xtreme",
        hub_config="udpos.{lang_name}",
        hub_format="xtreme_udpos",
        hub_splits={"train": "train", "dev": "validation", "test": "test"},
        # google/xtreme (datasets/xtreme/xtreme.py _UD_POS_LANG, UdposParser.split_generators):
        # UD v2.5's 33 XTREME languages only; Kazakh has no validation split, Tagalog, Thai and
        # Yoruba have test only. XTREME-R's UD v2.7 additions are local files only.
        hub_missing=("lt", "pl", "ro", "uk", "wo"),
        hub_language_splits={
            "kk": ("train", "test"),
            "tl": ("test",),
            "th": ("test",),
            "yo": ("test",),
        },
    ),
    labels=UPOS,
    metrics=("f1_seqeval_0012",),  # XTREME's seqeval 0.0.12 chunking of UPOS tags
    defaults=TAGGING_DEFAULTS,
    reference="Nivre et al. 2020, Universal Dependencies v2.5 (XTREME selection)",
)

PANX = TaskSpec(
    name="panx",
    kind=TaskKind.TAGGING,
    role=Role.TARGET,
    description="PAN-X / WikiANN named entities (IOB2 PER, ORG, LOC), XTREME splits.",
    languages=tuple(
        "en af ar bg bn de el es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt ru sw ta te th tl tr ur vi yo zh"  # XTREME's 40 + XTREME-R's additions:
        " qu pl uk az lt pa gu ro".split()
    ),
    splits=("train", "dev", "test"),
    source=DataSource(
        local_format="panx_tsv",
        local_paths={s: (f"panx/{s}-{{language}}.tsv",) for s in ("train", "dev", "test")},
        hub_id="google/xtreme",
        hub_config="PAN-X.{language}",
        hub_format="xtreme_panx",
        hub_splits={"train": "train", "dev": "validation", "test": "test"},
        # google/xtreme has PAN-X.<ll> for XTREME's 40 languages only (xtreme.py _PAN_X_LANG);
        # XTREME-R's eight additions come from unimelb-nlp/wikiann (same splits and tag order).
        hub_alternatives={
            lang: ("unimelb-nlp/wikiann", lang)
            for lang in ("qu", "pl", "uk", "az", "lt", "pa", "gu", "ro")
        },
        note="XTREME's local test TSVs have no tags; the Hub PAN-X test split has them",
    ),
    labels=PANX_TAGS,
    metrics=("f1_seqeval",),
    defaults=TAGGING_DEFAULTS,
    reference="Pan et al. 2017 (WikiANN), Rahimi et al. 2019 splits",
)

TASKS = (CCG, UDPOS, PANX)
