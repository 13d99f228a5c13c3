"""Loading from the Hugging Face Hub through `datasets.load_dataset`, and row converters.

`CONVERTERS[DataSource.hub_format](dataset, spec, language) -> list[Example]` turns rows of the
documented Hub schema into the same Examples the local reader gives for the same data (ids are the
same where the Hub keeps them, else row positions like the local readers use):

- facebook/anli: uid, premise, hypothesis, label (0 e / 1 n / 2 c, -1 hidden); rounds joined by split "a+b+c".
- nyu-mll/glue mnli: premise, hypothesis, label, idx; qqp: question1, question2, label, idx (-1 on test).
- google/xtreme XNLI: sentence1, sentence2, language, gold_label (a label *name*; all languages in
  one config, filtered by `language`); PAWS-X.<ll>: sentence1, sentence2, label ("0"/"1" strings or ints);
  PAN-X.<ll>: tokens, ner_tags (ClassLabel), langs; udpos.<Name>: tokens, pos_tags (ClassLabel);
  XQuAD.<ll> / MLQA.<c>.<q> / tydiqa: id, title, context, question, answers{text[], answer_start[]}
  (tydiqa holds every language; filtered by the id prefix "english--"..., `id_language_names`);
  tatoeba.<xxx> / bucc18.<ll>: source_sentence, target_sentence, source_lang, target_lang.
- rajpurkar/squad(_v2): as XQuAD. Rowan/hellaswag: ind, ctx_a, ctx_b, ctx, endings, label ("" on test).
- tau/commonsense_qa: id, question, question_concept, choices{label[], text[]}, answerKey.
- cambridgeltl/xcopa <ll> and aps/super_glue copa: premise, choice1, choice2, question, idx, label.
- allenai/cosmos_qa (Parquet conversion): id, context, question, answer0..3, label.
- allenai/social_i_qa (Parquet conversion): context, question, answerA..C, label ("1"/"2"/"3").

Uncertain details (no Hub access while writing): the exact dtype of PAWS-X `label` and XNLI
`gold_label` in google/xtreme (both handled as names, digit strings or ints), and whether
bucc18/tatoeba put the English side in `target_*` (detected from `source_lang`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stiltx.data.corpus import stream_wikipedia
from stiltx.data.cosmosqa import cosmos_example
from stiltx.data.dual_encoder import squad_pairs
from stiltx.data.files import label_index, warn
from stiltx.data.jsonl_tasks import (
    commonsenseqa_example,
    copa_example,
    hellaswag_example,
    socialiqa_example,
)
from stiltx.data.offline import require_hub
from stiltx.data.paths import placeholders
from stiltx.data.squad_json import AnswerAudit, check_answer, keep_language
from stiltx.errors import DataError
from stiltx.recipe.schema import MLMConfig
from stiltx.tasks.examples import (
    ClassificationExample,
    Example,
    MLMExample,
    QAExample,
    RetrievalCorpus,
    TaggingExample,
    Text,
)
from stiltx.tasks.spec import TaskKind, TaskSpec

Converter = Callable[[Any, TaskSpec, str], list[Example]]


def _label(value: Any, labels: tuple[str, ...], where: str) -> int | None:
    if value is None or value == "" or value == -1 or value == "-1":
        return None
    return label_index(value, labels, where)


def _pairs(a: str, b: str, label: str, ident: str | None = None) -> Converter:
    def convert(dataset: Any, spec: TaskSpec, language: str) -> list[Example]:
        return [
            ClassificationExample(
                str(row[ident]) if ident else str(i),
                row[a],
                row[b],
                _label(row.get(label), spec.labels, f"row {i}"),
            )
            for i, row in enumerate(dataset)
        ]

    return convert


def convert_xnli(dataset: Any, spec: TaskSpec, language: str) -> list[Example]:
    rows = [row for row in dataset if row.get("language", language) == language]
    return [
        ClassificationExample(
            str(i),
            r["sentence1"],
            r["sentence2"],
            _label(r.get("gold_label"), spec.labels, f"row {i}"),
        )
        for i, r in enumerate(rows)
    ]


def convert_squad(dataset: Any, spec: TaskSpec, language: str) -> list[Example]:
    audit = AnswerAudit()
    examples = []
    for row in dataset:
        answers = row.get("answers") or {"text": [], "answer_start": []}
        checked = (
            check_answer(row["context"], t, s, audit)
            for t, s in zip(answers["text"], answers["answer_start"], strict=True)
        )
        examples.append(
            QAExample(
                str(row["id"]),
                row["question"],
                row["context"],
                tuple(a for a in checked if a),
                row.get("title") or "",
            )
        )
    audit.report(f"Hub {spec.source.hub_id} ({spec.name}, {language})")
    return keep_language(examples, spec, language)


def _tags(column: str) -> Converter:
    def convert(dataset: Any, spec: TaskSpec, language: str) -> list[Example]:
        feature = (
            getattr(dataset, "features", {}).get(column) if hasattr(dataset, "features") else None
        )
        names = getattr(getattr(feature, "feature", None), "names", None) or list(spec.labels)
        return [
            TaggingExample(
                str(i),
                tuple(row["tokens"]),
                tuple(t if isinstance(t, str) else names[t] for t in row[column]),
            )
            for i, row in enumerate(dataset)
        ]

    return convert


def _bitext(
    dataset: Any, language: str
) -> tuple[tuple[Text, ...], tuple[Text, ...], dict[str, tuple[str, ...]]]:
    queries, candidates, gold = [], [], {}
    for i, row in enumerate(dataset):
        xx, en = row["source_sentence"], row["target_sentence"]
        if str(row.get("source_lang", "")).lower() in ("en", "eng"):
            xx, en = en, xx
        queries.append(Text(f"{language}-{i}", xx.rstrip("\n"), language))
        candidates.append(Text(f"en-{i}", en.rstrip("\n"), "en"))
        gold[f"{language}-{i}"] = (f"en-{i}",)
    return tuple(queries), tuple(candidates), gold


def convert_tatoeba(dataset: Any, spec: TaskSpec, language: str) -> list[Example]:
    return [RetrievalCorpus(f"tatoeba-{language}", *_bitext(dataset, language))]


def convert_bucc(dataset: Any, spec: TaskSpec, language: str) -> list[Example]:
    warn(
        f"Hub google/xtreme bucc18.{language} holds only the gold pairs (no distractor sentences): mining "
        "F1 on it is NOT comparable to BUCC 2018 results; use the raw BUCC files with data.source=local"
    )
    return [RetrievalCorpus(f"bucc2018-{language}-hub", *_bitext(dataset, language))]


CONVERTERS: dict[str, Converter] = {
    "anli": _pairs("premise", "hypothesis", "label", ident="uid"),
    "glue_mnli": _pairs("premise", "hypothesis", "label", ident="idx"),
    "glue_qqp": _pairs("question1", "question2", "label", ident="idx"),
    "xtreme_xnli": convert_xnli,
    "xtreme_pawsx": _pairs("sentence1", "sentence2", "label"),
    "hellaswag": lambda ds, spec, lang: [
        hellaswag_example(r, str(r.get("ind", i)), f"row {i}") for i, r in enumerate(ds)
    ],
    "cosmosqa": lambda ds, spec, lang: [cosmos_example(r, f"row {i}") for i, r in enumerate(ds)],
    "commonsenseqa": lambda ds, spec, lang: [
        commonsenseqa_example(r, f"row {i}") for i, r in enumerate(ds)
    ],
    "socialiqa": lambda ds, spec, lang: [
        socialiqa_example(
            r, str(i), _label(r.get("label"), ("1", "2", "3"), f"row {i}"), f"row {i}"
        )
        for i, r in enumerate(ds)
    ],
    "copa": lambda ds, spec, lang: [copa_example(r, f"row {i}") for i, r in enumerate(ds)],
    "squad": convert_squad,
    "squad_pairs": lambda dataset, spec, language: squad_pairs(
        convert_squad(dataset, spec, language)
    ),
    "xtreme_tydiqa": convert_squad,
    "xtreme_udpos": _tags("pos_tags"),
    "xtreme_panx": _tags("ner_tags"),
    "xtreme_tatoeba": convert_tatoeba,
    "xtreme_bucc": convert_bucc,
    "text": lambda ds, spec, lang: [
        MLMExample(str(i), r["text"].strip()) for i, r in enumerate(ds) if r["text"].strip()
    ],
}


def hub_request(spec: TaskSpec, language: str, split: str) -> tuple[str, str | None, str]:
    """(Hub id, config, Hub split) for one (task, language, split); DataError when there is none.

    Per-language coverage is checked first (`DataSource.hub_missing`, `hub_alternatives`,
    `hub_language_splits`), so a language or split the Hub lacks is one clear message naming the
    local files to supply, not a download error.
    """
    source = spec.source
    if not source.hub_id or not source.hub_format:
        raise DataError(
            f"task '{spec.name}' has no Hub source; use data.source=local with data.data_dir"
        )
    if split not in source.hub_splits:
        raise DataError(
            f"task '{spec.name}' has no Hub split for '{split}' (Hub splits: {source.hub_splits})"
        )
    hub_id, config = source.hub_id, source.hub_config
    if language in source.hub_alternatives:
        hub_id, config = source.hub_alternatives[language]
    elif language in source.hub_missing:
        raise DataError(
            f"task '{spec.name}' language '{language}' is not on the Hub ({hub_id} has no "
            f"{_config(config, language)} config): local files only: put "
            f"{_local_files(spec, language, split)} under data.data_dir and set data.source=local"
        )
    available = source.hub_language_splits.get(language)
    if available is not None and split not in available:
        raise DataError(
            f"task '{spec.name}' language '{language}': the Hub copy ({hub_id} "
            f"{_config(config, language)}) has no '{split}' split, only {', '.join(available)}; "
            f"for '{split}' put {_local_files(spec, language, split)} under data.data_dir and "
            "set data.source=local"
        )
    return hub_id, _config(config, language) if config else None, source.hub_splits[split]


def _config(config: str | None, language: str) -> str:
    return config.format(**placeholders(language)) if config else "(default)"


def _local_files(spec: TaskSpec, language: str, split: str) -> str:
    templates = spec.source.local_paths.get(split, ())
    paths = [t.format(**placeholders(language, split)) for t in templates]
    return " or ".join(paths) if paths else f"the {split} files"


def load_hub(spec: TaskSpec, language: str, split: str) -> list[Example]:
    """Examples of one (task, language, split) read with `datasets.load_dataset` and converted."""
    # datasets: heavy, needed only for Hub loading
    import datasets

    hub_id, config, hub_split = hub_request(spec, language, split)
    require_hub(f"dataset {hub_id} (config {config}, split {hub_split})")
    if spec.kind is TaskKind.MLM:  # never download a whole Wikipedia: stream a token budget
        return stream_wikipedia(language, MLMConfig().tokens_per_language)
    try:
        dataset = datasets.load_dataset(
            hub_id, config, split=hub_split, revision=spec.source.hub_revision
        )
    except Exception as error:  # network, missing config, offline mode: one clean message
        raise DataError(
            f"cannot load Hub dataset {hub_id} (config {config}, split {hub_split}, revision "
            f"{spec.source.hub_revision}): {type(error).__name__}: {error}"
        ) from None
    return CONVERTERS[spec.source.hub_format](dataset, spec, language)
