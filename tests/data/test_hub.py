"""Hub converters: rows in the documented Hub schema (built with `Dataset.from_dict`) give the same
Examples as the local reader on the same data. No network: nothing is downloaded."""

from __future__ import annotations

import csv
import json
from dataclasses import replace

import pytest
from datasets import ClassLabel, Dataset, Features, Sequence, Value

from stiltx.data.files import DataWarning
from stiltx.data.hub import CONVERTERS, hub_request, load_hub
from stiltx.data.load import load_split
from stiltx.errors import DataError
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.registry import get_task

N = 40  # rows per converted sample: enough to compare, small enough to be fast


def local(task, language, split, root):
    # Reader level: TyDiQA's held-out train_dev slice is cut by load_split for both sources alike.
    spec = replace(get_task(task), held_out=None)
    return load_split(spec, language, split, DataConfig(source="local", data_dir=str(root)))


def convert(task, language, columns, features=None):
    spec = get_task(task)
    dataset = Dataset.from_dict(columns, features=features)
    return CONVERTERS[spec.source.hub_format](dataset, spec, language)


def tsv(path, n=N):
    return [line.split("\t") for line in path.read_text(encoding="utf-8").split("\n")[:n]]


def jsonl(path, n=N):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n")[:n]]


def test_xnli_filters_language_of_the_single_config(shared_data):
    de, en = tsv(shared_data / "xnli/dev-de.tsv"), tsv(shared_data / "xnli/dev-en.tsv")
    rows = [(r, "de") for r in de] + [(r, "en") for r in en]
    columns = {
        "sentence1": [r[0] for r, _ in rows],
        "sentence2": [r[1] for r, _ in rows],
        "language": [lang for _, lang in rows],
        "gold_label": [r[2] for r, _ in rows],
    }
    assert convert("xnli", "de", columns) == local("xnli", "de", "dev", shared_data)[:N]


def test_pawsx(shared_data):
    rows = tsv(shared_data / "pawsx/dev-zh.tsv")
    columns = {
        "sentence1": [r[0] for r in rows],
        "sentence2": [r[1] for r in rows],
        "label": [r[2] for r in rows],
    }
    assert convert("pawsx", "zh", columns) == local("pawsx", "zh", "dev", shared_data)[:N]


@pytest.mark.parametrize(
    "task,language,column", [("panx", "sw", "ner_tags"), ("udpos", "de", "pos_tags")]
)
def test_tagging_with_classlabels(shared_data, task, language, column):
    split = "dev" if task == "panx" else "test"
    expected = local(task, language, split, shared_data)[:N]
    names = list(get_task(task).labels)
    features = Features(
        {"tokens": Sequence(Value("string")), column: Sequence(ClassLabel(names=names))}
    )
    columns = {
        "tokens": [list(e.words) for e in expected],
        column: [[names.index(t) for t in e.tags] for e in expected],
    }
    assert convert(task, language, columns, features) == expected


@pytest.mark.parametrize(
    "task,language,split,relative",
    [
        ("xquad", "de", "test", "xquad/xquad.de.json"),
        ("mlqa", "hi", "dev", "mlqa/MLQA_V1/dev/dev-context-hi-question-hi.json"),
        ("tydiqa", "sw", "train", "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.sw.train.json"),
    ],
)
def test_squad_schema(shared_data, task, language, split, relative):
    document = json.loads((shared_data / relative).read_text(encoding="utf-8"))
    columns = {"id": [], "title": [], "context": [], "question": [], "answers": []}
    for article in document["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                columns["id"].append(qa["id"])
                columns["title"].append(article.get("title", ""))
                columns["context"].append(paragraph["context"])
                columns["question"].append(qa["question"])
                columns["answers"].append(
                    {
                        "text": [a["text"] for a in qa["answers"]],
                        "answer_start": [a["answer_start"] for a in qa["answers"]],
                    }
                )
    assert convert(task, language, columns) == local(task, language, split, shared_data)


def test_tydiqa_hub_config_holds_every_language():
    columns = {
        "id": ["english--1-0", "swahili--2-0"],
        "title": ["", ""],
        "context": ["Paris is big.", "Nairobi ni mji."],
        "question": ["q", "s"],
        "answers": [
            {"text": ["Paris"], "answer_start": [0]},
            {"text": ["Nairobi"], "answer_start": [0]},
        ],
    }
    [example] = convert("tydiqa", "sw", columns)
    assert example.id == "swahili--2-0" and example.answers[0].text == "Nairobi"


def test_tydiqa_language_filter_reads_mixed_ids():
    # Real ids: "--" only before a negative hash; positive hashes have a single "-".
    ids = ["finnish-8742016245376401562-0", "finnish--7633012345678901234-0",
           "swahili-4351626306223284859-0", "swahili--8211684794284159625-4",
           "english--3215621880858840488-2"]  # fmt: skip
    columns = {
        "id": ids,
        "title": [""] * 5,
        "context": ["Paris is big."] * 5,
        "question": ["q"] * 5,
        "answers": [{"text": ["Paris"], "answer_start": [0]}] * 5,
    }
    assert [e.id for e in convert("tydiqa", "fi", columns)] == ids[:2]
    assert [e.id for e in convert("tydiqa", "sw", columns)] == ids[2:4]


@pytest.mark.parametrize(
    "task,language,split,relative",
    [
        ("xcopa", "zh", "dev", "xcopa/data/zh/val.zh.jsonl"),
        ("copa", "en", "dev", "copa_en/val-en.jsonl"),
    ],
)
def test_copa_schema(shared_data, task, language, split, relative):
    rows = jsonl(shared_data / relative)
    keys = ("premise", "choice1", "choice2", "question", "idx", "label")
    columns = {k: [r[k] for r in rows] for k in keys}
    assert convert(task, language, columns) == local(task, language, split, shared_data)[:N]


def test_commonsenseqa(shared_data):
    rows = jsonl(shared_data / "commonsenseqa/hf_layout/dev_rand_split.jsonl")
    columns = {
        k: [r[k] for r in rows]
        for k in ("id", "question", "question_concept", "choices", "answerKey")
    }
    assert (
        convert("commonsenseqa", "en", columns)
        == local("commonsenseqa", "en", "dev", shared_data)[:N]
    )


def test_socialiqa_parquet_label_is_1_based_string(shared_data):
    rows = jsonl(shared_data / "socialiqa/socialIQa_v1.4_dev.jsonl")
    columns = {
        k: [r[k] for r in rows] for k in ("context", "question", "answerA", "answerB", "answerC")
    }
    columns["label"] = [str("ABC".index(r["correct"]) + 1) for r in rows]
    assert convert("socialiqa", "en", columns) == local("socialiqa", "en", "dev", shared_data)[:N]


def test_cosmosqa_parquet(shared_data):
    with (shared_data / "cosmosqa/valid.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:N]
    columns = {
        k: [r[k] for r in rows]
        for k in ("id", "context", "question", "answer0", "answer1", "answer2", "answer3")
    }
    columns["label"] = [int(r["label"]) for r in rows]
    assert convert("cosmosqa", "en", columns) == local("cosmosqa", "en", "dev", shared_data)[:N]


def test_hellaswag_anli_mnli(tiny_dir, tiny_rows):
    HELLASWAG, MNLI_ROWS = tiny_rows["hellaswag"], tiny_rows["mnli"]  # noqa: N806
    keys = (
        "ind",
        "activity_label",
        "ctx_a",
        "ctx_b",
        "ctx",
        "endings",
        "source_id",
        "split",
        "split_type",
    )
    columns = {k: [r[k] for r in HELLASWAG] for k in keys} | {
        "label": [str(r["label"]) for r in HELLASWAG]
    }
    assert convert("hellaswag", "en", columns) == local("hellaswag", "en", "dev", tiny_dir)
    rows = tiny_rows["anli"]
    columns = {
        "uid": [r["uid"] for r in rows],
        "premise": [r["context"] for r in rows],
        "hypothesis": [r["hypothesis"] for r in rows],
        "label": ["enc".index(r["label"]) for r in rows],
        "reason": ["" for _ in rows],
    }
    assert convert("anli", "en", columns) == local("anli", "en", "dev", tiny_dir)
    cells = [row.split("\t") for row in MNLI_ROWS]
    labels = get_task("mnli").labels
    columns = {
        "premise": [c[8] for c in cells],
        "hypothesis": [c[9] for c in cells],
        "label": [labels.index(c[-1]) for c in cells],
        "idx": [0, 1],
    }
    assert convert("mnli", "en", columns) == local("mnli", "en", "dev", tiny_dir)


def test_tatoeba_and_bucc(shared_data):
    expected = local("tatoeba", "de", "test", shared_data)[0]
    columns = {
        "source_sentence": [q.text for q in expected.queries],
        "target_sentence": [c.text for c in expected.candidates],
        "source_lang": ["deu"] * len(expected.queries),
        "target_lang": ["eng"] * len(expected.queries),
    }
    assert convert("tatoeba", "de", columns) == [expected]
    with pytest.warns(DataWarning, match=r"only the gold pairs.*NOT comparable"):
        [corpus] = convert("bucc2018", "de", columns)
    assert len(corpus.gold) == len(expected.queries)


def test_hub_requests_and_offline_failure():
    assert hub_request(get_task("udpos"), "de", "dev") == (
        "google/xtreme",
        "udpos.German",
        "validation",
    )
    assert hub_request(get_task("tatoeba"), "zh", "test") == (
        "google/xtreme",
        "tatoeba.cmn",
        "validation",
    )
    assert hub_request(get_task("mlqa"), "de", "test") == ("google/xtreme", "MLQA.de.de", "test")
    assert hub_request(get_task("anli"), "en", "train")[2] == "train_r1+train_r2+train_r3"
    with pytest.raises(DataError, match=r"no Hub source"):
        hub_request(get_task("lareqa"), "de", "test")
    with pytest.raises(DataError, match=r"cannot load Hub dataset google/xtreme \(config PAN-X.de"):
        load_hub(get_task("panx"), "de", "dev")


# google/xtreme's configs per task (huggingface/datasets datasets/xtreme/xtreme.py at d7dfbc83:
# _PAN_X_LANG, _UD_POS_LANG, _TATOEBA_LANG, _XQUAD_LANG).
XTREME_HUB = {
    "panx": "af ar bg bn de el en es et eu fa fi fr he hi hu id it ja jv ka kk ko ml mr ms my nl pt "
    "ru sw ta te th tl tr ur vi yo zh",
    "udpos": "af ar eu bg nl en et fi fr de el he hi hu id it ja kk ko zh mr fa pt ru es tl ta te "
    "th tr ur vi yo",
    "tatoeba": "af ar bn bg de zh el et eu fi fr he hi hu id it jv ja ka kk ko ml mr nl fa pt ru es "
    "sw ta te tl th tr ur vi",
    "xquad": "ar de vi zh en es hi el ru th tr",
}


@pytest.mark.parametrize("task", sorted(XTREME_HUB))
def test_every_language_the_hub_lacks_is_declared(task):
    from stiltx.tasks.benchmarks import BENCHMARKS

    spec = get_task(task)
    on_hub = set(XTREME_HUB[task].split())
    wanted = {
        lang for b in BENCHMARKS.values() if task in b.task_names for lang in b.task(task).languages
    }
    declared = set(spec.source.hub_missing) | set(spec.source.hub_alternatives)
    assert wanted - on_hub == declared
    assert not declared & on_hub


def test_hub_coverage_per_language_and_split():
    from stiltx.data.hub import hub_request
    from stiltx.errors import DataError

    assert hub_request(get_task("panx"), "de", "test") == ("google/xtreme", "PAN-X.de", "test")
    assert hub_request(get_task("panx"), "qu", "dev") == ("unimelb-nlp/wikiann", "qu", "validation")
    assert hub_request(get_task("xquad"), "ro", "test") == (
        "google/xquad",
        "xquad.ro",
        "validation",
    )
    assert hub_request(get_task("udpos"), "th", "test") == ("google/xtreme", "udpos.Thai", "test")
    with pytest.raises(
        DataError, match=r"local files only: put ud/UD_Lithuanian-\*/\*-ud-test.conllu"
    ):
        hub_request(get_task("udpos"), "lt", "test")
    with pytest.raises(DataError, match="local files only: put tatoeba/"):
        hub_request(get_task("tatoeba"), "az", "test")
    with pytest.raises(DataError, match="udpos.Kazakh. has no 'dev' split, only train, test"):
        hub_request(get_task("udpos"), "kk", "dev")
    with pytest.raises(DataError, match="has no 'train' split, only test"):
        hub_request(get_task("udpos"), "yo", "train")
