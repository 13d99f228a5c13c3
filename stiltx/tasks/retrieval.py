"""Retrieval tasks: scored from sentence embeddings of the phase-(ii) encoder, or, for LAReQA and
Mewsli-X as targets, of the dual encoder their target stage trains (their training tasks below).

Each (task, language, split) loads as ONE `RetrievalCorpus` (queries, candidates, gold).

BUCC 2018 caveat: the Hub configs `google/xtreme` `bucc18.<xx>` hold only the gold pairs, not the
full corpora with distractors, so "mining" on them is trivial and its F1 is NOT comparable to
published BUCC numbers; loading them warns. Real mining needs the raw BUCC 2018 files
(`<xx>-en.{dev,test}.{xx,en,gold}`, also named `.sample` / `.training` in the original release).
"""

from __future__ import annotations

from stiltx.tasks.spec import DataSource, RetrievalScoring, Role, TaskKind, TaskSpec, TrainDefaults

RETRIEVAL_DEFAULTS = TrainDefaults(epochs=0.0, batch_size=32, max_length=512)

BUCC2018 = TaskSpec(
    name="bucc2018",
    kind=TaskKind.RETRIEVAL,
    role=Role.TARGET,
    description="BUCC 2018 bitext mining (xx-en): find the translation pairs hidden in two corpora.",
    languages=("de", "fr", "ru", "zh"),
    splits=("dev", "test"),
    source=DataSource(
        local_format="bucc",
        # The `.gold` file names the pair; the reader opens the `.{language}` and `.en` siblings.
        local_paths={
            "dev": ("bucc2018/{language}-en.dev.gold", "bucc2018/{language}-en.sample.gold"),
            "test": ("bucc2018/{language}-en.test.gold", "bucc2018/{language}-en.training.gold"),
        },
        hub_id="google/xtreme",
        hub_config="bucc18.{language}",
        hub_format="xtreme_bucc",
        hub_splits={"dev": "validation", "test": "test"},
        note="Hub bucc18 configs hold only gold pairs: mining F1 on them is not comparable to BUCC results",
    ),
    metrics=("bucc_f1",),
    retrieval_scoring=RetrievalScoring.MINING,
    defaults=RETRIEVAL_DEFAULTS,
    reference="Zweigenbaum et al. 2018, BUCC shared task",
)

TATOEBA = TaskSpec(
    name="tatoeba",
    kind=TaskKind.RETRIEVAL,
    role=Role.TARGET,
    description="Tatoeba (LASER v1): for each English sentence, find its xx translation (top-1 "
    "accuracy, en -> xx as XTREME scores it).",
    languages=tuple(
        "af ar bg bn de el es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr nl pt ru sw ta te th tl tr ur vi zh"  # XTREME's 36 + XTREME-R's additions:
        " az lt pl uk ro".split()
    ),
    splits=("test",),
    source=DataSource(
        local_format="tatoeba",
        # The `.{lang3}` file names the pair; the reader opens the `.eng` sibling.
        local_paths={
            "test": ("tatoeba/v1/tatoeba.{lang3}-eng.{lang3}", "tatoeba/{language}-en.{language}")
        },
        hub_id="google/xtreme",
        hub_config="tatoeba.{lang3}",
        # google/xtreme has tatoeba.<xxx> for XTREME's 36 languages only (xtreme.py _TATOEBA_LANG).
        hub_missing=("az", "lt", "pl", "uk", "ro"),
        hub_format="xtreme_tatoeba",
        hub_splits={"test": "validation"},
    ),
    metrics=("tatoeba_accuracy",),
    retrieval_scoring=RetrievalScoring.BITEXT,
    defaults=RETRIEVAL_DEFAULTS,
    reference="Artetxe & Schwenk 2019, LASER Tatoeba test sets (XTREME's 36 languages)",
)

# LAReQA and Mewsli-X are targets as XTREME-R runs them: a dual encoder fine-tuned on English
# pairs (SQuAD v1.1 question -> answer sentence + paragraph, scripts/train_lareqa.sh:49-56; English
# Wikipedia mention -> entity, scripts/train_mewslix.sh:58-66), then scored by mAP@20 from its own
# embeddings (normalised pooled first token, third_party/bert.py:19-21,48-50). Listed under
# `retrieval.tasks` instead, they are scored zero-shot from the mean-pooled encoder like Tatoeba:
# a variant, recorded as `map_at_20_zero_shot` and kept out of the XTREME-R averages.
ZERO_SHOT_VARIANT = (
    "under retrieval.tasks: the zero-shot-embedding variant (map_at_20_zero_shot), kept out of "
    "the XTREME-R averages; under target.tasks: XTREME-R's dual encoder"
)

DUAL_ENCODER_DEFAULTS = TrainDefaults(epochs=3.0, lr=2e-5, batch_size=4, max_length=256)

LAREQA_SQUAD = TaskSpec(
    name="lareqa_squad",
    kind=TaskKind.DUAL_ENCODER,
    role=Role.TARGET_TRAIN,
    description="SQuAD v1.1 as question -> answer sentence + paragraph pairs: LAReQA's training data.",
    languages=("en",),
    splits=("train", "dev"),
    source=DataSource(
        local_format="squad_pairs",
        local_paths={"train": ("squad/train-v1.1.json",), "dev": ("squad/dev-v1.1.json",)},
        hub_id="rajpurkar/squad",
        hub_format="squad_pairs",
        hub_splits={"train": "train", "dev": "validation"},
    ),
    select="last",  # the final weights; XTREME-R's paper picked a checkpoint (run_eval_lareqa.sh:24-26)
    query_max_length=96,  # train_lareqa.sh:28
    defaults=DUAL_ENCODER_DEFAULTS,  # train_lareqa.sh:27-34
    reference="Rajpurkar et al. 2016, SQuAD; pairs as XTREME-R processors/lareqa.py",
)

MEWSLI_X_WIKIPEDIA = TaskSpec(
    name="mewsli_x_wikipedia",
    kind=TaskKind.DUAL_ENCODER,
    role=Role.TARGET_TRAIN,
    description="English Wikipedia mention -> entity pairs: Mewsli-X's training data.",
    languages=("en",),
    splits=("train", "dev"),
    source=DataSource(
        local_format="mewsli_pairs",
        local_paths={
            "train": ("mewsli_x/wikipedia_pairs-train.jsonl",),
            "dev": ("mewsli_x/wikipedia_pairs-dev.jsonl",),
        },
        how_to_get="Mewsli-X's wikipedia_pairs-{train,dev}.jsonl have no Hub copy: run "
        "google-research/google-research dense_representations_for_entity_retrieval/mel/"
        "get-mewsli-x.sh (XTREME's scripts/download_data.sh does) and put them under "
        "<data.data_dir>/mewsli_x/",
    ),
    select="last",  # run_eval_mewslix.sh evaluates the final model dir (train_mewslix.sh:85)
    defaults=TrainDefaults(epochs=2.0, lr=1e-5, batch_size=8, max_length=64),  # :27-46
    reference="Ruder et al. 2021, XTREME-R (Mewsli-X from Botha et al. 2020)",
)

LAREQA = TaskSpec(
    name="lareqa",
    kind=TaskKind.RETRIEVAL,
    role=Role.TARGET,
    description="LAReQA on XQuAD-R: retrieve answer sentences from a pool of every sentence in every language.",
    languages=("ar", "de", "el", "en", "es", "hi", "ru", "th", "tr", "vi", "zh"),
    splits=("test",),
    source=DataSource(
        local_format="lareqa",
        # The pool is built from every `*.json` beside the language's file.
        local_paths={"test": ("lareqa/xquad-r/{language}.json",)},
        note=ZERO_SHOT_VARIANT,
    ),
    metrics=("map_at_20",),
    train_task="lareqa_squad",
    query_max_length=96,  # run_eval_lareqa.sh:31-33: the training lengths
    retrieval_scoring=RetrievalScoring.RANKING,
    defaults=RETRIEVAL_DEFAULTS,
    reference="Roy et al. 2020, LAReQA",
)

MEWSLI_X = TaskSpec(
    name="mewsli_x",
    kind=TaskKind.RETRIEVAL,
    role=Role.TARGET,
    description="Mewsli-X entity linking: retrieve the WikiData entity of a WikiNews mention.",
    languages=("ar", "de", "en", "es", "fa", "ja", "pl", "ro", "ta", "tr", "uk"),
    splits=("dev", "test"),
    source=DataSource(
        local_format="mewsli_x",
        # Mentions of every language are in one file (filtered by context.language); the candidate
        # entities are read from `candidate_set_entities.jsonl` beside it.
        local_paths={
            "dev": (
                "mewsli_x/wikinews_mentions-dev.jsonl",
                "mewsli_x/wikinews_mentions-dev.{language}.jsonl",
            ),
            "test": (
                "mewsli_x/wikinews_mentions-test.jsonl",
                "mewsli_x/wikinews_mentions-test.{language}.jsonl",
            ),
        },
        note="the released mentions have no article text (*_no_text*): restore it from WikiNews "
        "dumps first. " + ZERO_SHOT_VARIANT,
    ),
    metrics=("map_at_20",),
    train_task="mewsli_x_wikipedia",
    retrieval_scoring=RetrievalScoring.RANKING,
    defaults=RETRIEVAL_DEFAULTS,
    reference="Ruder et al. 2021, XTREME-R (Mewsli-X from Botha et al. 2020)",
)

TASKS = (BUCC2018, TATOEBA, LAREQA, MEWSLI_X, LAREQA_SQUAD, MEWSLI_X_WIKIPEDIA)
