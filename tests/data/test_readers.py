"""Every registered task read from real samples (../shared/data) or tiny native files, with exact
counts computed independently of the readers, label sets, answer spans and tag alignment."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from stiltx.data.load import load_labels, load_split
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.examples import (
    ClassificationExample,
    MLMExample,
    MultipleChoiceExample,
    QAExample,
    RetrievalCorpus,
    RetrievalPair,
    TaggingExample,
)
from stiltx.tasks.registry import all_tasks, get_task


def lines(path: Path) -> int:
    """Non-blank lines, split on "\n" only (str.splitlines would also split on U+2028, U+0085 ...)."""
    return sum(1 for line in path.read_bytes().split(b"\n") if line.strip())


def questions(path: Path) -> int:
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return sum(len(p["qas"]) for a in data for p in a["paragraphs"])


def blocks(path: Path) -> int:
    return len([b for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()])


def sent_ids(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("# sent_id = ")


def csv_rows(path: Path) -> int:
    with path.open(newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


# (task, language, split, root "shared" | "tiny", relative file, independent count, labelled?)
CASES = [
    ("anli", "en", "dev", "tiny", None, 3, True),
    ("mnli", "en", "dev", "tiny", "mnli/dev_matched.tsv", 2, True),
    ("qqp", "en", "train", "shared", "qqp/train.tsv", 9, True),
    ("qqp", "en", "dev", "shared", "qqp/dev.tsv", 9, True),
    ("qqp", "en", "test", "shared", "qqp/test.tsv", 9, False),
    ("xnli", "de", "dev", "shared", "xnli/dev-de.tsv", lines, True),
    ("xnli", "zh", "test", "shared", "xnli/test-zh.tsv", lines, False),
    ("pawsx", "ko", "dev", "shared", "pawsx/dev-ko.tsv", lines, True),
    ("pawsx", "en", "test", "shared", "pawsx/test-en.tsv", lines, False),
    ("hellaswag", "en", "dev", "tiny", "hellaswag/hellaswag_val.jsonl", lines, True),
    ("hellaswag", "en", "test", "tiny", "hellaswag/hellaswag_test.jsonl", lines, False),
    ("cosmosqa", "en", "dev", "shared", "cosmosqa/valid.csv", csv_rows, True),
    (
        "commonsenseqa",
        "en",
        "dev",
        "shared",
        "commonsenseqa/hf_layout/dev_rand_split.jsonl",
        lines,
        True,
    ),
    ("socialiqa", "en", "dev", "shared", "socialiqa/socialIQa_v1.4_dev.jsonl", lines, True),
    ("copa", "en", "train", "shared", "copa_en/train-en.jsonl", lines, True),
    ("copa", "en", "test", "shared", "copa_en/test-en.jsonl", lines, True),
    ("xcopa", "qu", "dev", "shared", "xcopa/data/qu/val.qu.jsonl", lines, True),
    ("xcopa", "th", "test", "shared", "xcopa/data/th/test.th.jsonl", lines, True),
    ("squad", "en", "train", "tiny", "squad/train-v1.1.json", questions, True),
    ("squad_v2", "en", "dev", "tiny", "squad/dev-v2.0.json", questions, True),
    ("xquad", "hi", "test", "shared", "xquad/xquad.hi.json", questions, True),
    ("xquad", "zh", "test", "shared", "xquad/xquad.zh.json", questions, True),
    (
        "mlqa",
        "de",
        "dev",
        "shared",
        "mlqa/MLQA_V1/dev/dev-context-de-question-de.json",
        questions,
        True,
    ),
    (
        "mlqa",
        "zh",
        "dev",
        "shared",
        "mlqa/MLQA_V1/dev/dev-context-zh-question-zh.json",
        questions,
        True,
    ),
    (
        "tydiqa",
        "sw",
        "train",
        "shared",
        "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.sw.train.json",
        questions,
        True,
    ),
    (
        "tydiqa",
        "ko",
        "train",
        "shared",
        "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.ko.train.json",
        questions,
        True,
    ),
    (
        "tydiqa",
        "bn",
        "dev",
        "shared",
        "tydiqa/tydiqa-goldp-v1.1-dev/tydiqa.goldp.bn.dev.json",
        questions,
        False,
    ),
    ("ccg", "en", "dev", "tiny", "ccg/ccg.dev.tsv", lines, True),
    ("udpos", "en", "dev", "shared", "ud/UD_English-EWT/en_ewt-ud-dev.conllu", sent_ids, True),
    ("udpos", "de", "test", "shared", "ud/UD_German-GSD/de_gsd-ud-test.conllu", sent_ids, True),
    ("udpos", "yo", "test", "shared", "ud/UD_Yoruba-YTB/yo_ytb-ud-test.conllu", sent_ids, True),
    ("udpos", "zh", "test", "shared", "ud/UD_Chinese-GSD/zh_gsd-ud-test.conllu", sent_ids, True),
    ("panx", "sw", "dev", "shared", "panx/dev-sw.tsv", blocks, True),
    ("panx", "zh", "test", "shared", "panx/test-zh.tsv", blocks, False),
    ("bucc2018", "zh", "dev", "shared", "bucc2018/zh-en.dev.zh", lines, True),
    ("tatoeba", "hi", "test", "shared", "tatoeba/v1/tatoeba.hin-eng.hin", lines, True),
    ("tatoeba", "zh", "test", "shared", "tatoeba/v1/tatoeba.cmn-eng.cmn", lines, True),
    ("lareqa", "hi", "test", "shared", "lareqa/xquad-r/hi.json", questions, True),
    ("mewsli_x", "en", "dev", "tiny", None, 1, True),
    ("mlm", "sw", "train", "tiny", None, 2, True),
    ("lareqa_squad", "en", "train", "tiny", "squad/train-v1.1.json", questions, True),
    (
        "mewsli_x_wikipedia",
        "en",
        "train",
        "tiny",
        "mewsli_x/wikipedia_pairs-train.jsonl",
        lines,
        True,
    ),
]


def test_every_registered_task_has_a_case():
    assert {c[0] for c in CASES} == {t.name for t in all_tasks()}


def _load(case, shared_data, tiny_dir):
    task, language, split, root, relative, count, labelled = case
    base = shared_data if root == "shared" else tiny_dir
    data = DataConfig(source="local", data_dir=str(base))
    expected = count(base / relative) if callable(count) else count
    return (
        get_task(task),
        load_split(get_task(task), language, split, data),
        expected,
        labelled,
        data,
    )


@pytest.mark.filterwarnings("ignore:.*blank")
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_reads_exact_counts_and_labels(case, shared_data, tiny_dir):
    spec, examples, expected, labelled, data = _load(case, shared_data, tiny_dir)
    if isinstance(examples[0], RetrievalCorpus):
        assert len(examples) == 1
        corpus = examples[0]
        assert len(corpus.queries) == expected
        ids = {c.id for c in corpus.candidates}
        assert corpus.gold and all(set(g) <= ids for g in corpus.gold.values())
        return
    assert len(examples) == expected
    assert len({type(e) for e in examples}) == 1
    for e in examples:
        if isinstance(e, ClassificationExample):
            assert (e.label is not None) == labelled
            assert e.label is None or 0 <= e.label < len(spec.labels)
            assert e.text_a and e.text_b
        elif isinstance(e, MultipleChoiceExample):
            assert len(e.choices) == spec.num_choices and all(e.choices)
            assert (e.label is not None) == labelled
            assert e.label is None or 0 <= e.label < spec.num_choices
        elif isinstance(e, QAExample):
            assert e.question and e.context
            if labelled and spec.name != "squad_v2":
                assert e.answers
            for answer in e.answers:  # every span decodes back to its text
                assert e.context[answer.start : answer.start + len(answer.text)] == answer.text
        elif isinstance(e, TaggingExample):
            assert e.words and all(e.words)
            if labelled:
                assert len(e.tags) == len(e.words)
                assert set(e.tags) <= set(load_labels(spec, data))
            else:
                assert e.tags is None
        elif isinstance(e, RetrievalPair):
            assert e.query and e.candidate
        else:
            assert isinstance(e, MLMExample) and e.text


def test_label_sets_are_used(shared_data):
    data = DataConfig(source="local", data_dir=str(shared_data))
    xnli = load_split(get_task("xnli"), "en", "dev", data)
    assert {e.label for e in xnli} == {0, 1, 2}
    first = (
        (shared_data / "xnli/dev-en.tsv").read_text(encoding="utf-8").splitlines()[0].split("\t")
    )
    assert get_task("xnli").labels[xnli[0].label] == first[2]
    panx = load_split(get_task("panx"), "de", "dev", data)
    assert {t for e in panx for t in e.tags} == set(get_task("panx").labels)
    ud = load_split(get_task("udpos"), "en", "dev", data)
    assert {t for e in ud for t in e.tags} <= set(get_task("udpos").labels)


def test_conllu_skips_multiword_ranges_and_empty_nodes(shared_data):
    path = shared_data / "ud/UD_English-EWT/en_ewt-ud-dev.conllu"
    token_lines = [
        line.split("\t")[0]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line and line[0].isdigit()
    ]
    words = [i for i in token_lines if i.isdigit()]
    assert len(words) < len(token_lines)  # the sample has ranges and an empty node
    examples = load_split(
        get_task("udpos"), "en", "dev", DataConfig(source="local", data_dir=str(shared_data))
    )
    assert sum(len(e.words) for e in examples) == len(words)


def test_details_of_specific_formats(shared_data, tiny_dir):
    tiny = DataConfig(source="local", data_dir=str(tiny_dir))
    shared = DataConfig(source="local", data_dir=str(shared_data))
    hella = load_split(get_task("hellaswag"), "en", "dev", tiny)
    assert (
        hella[0].context == "A man is standing on a car."
        and hella[0].choices[1] == "he scrapes ice."
    )
    assert [e.label for e in hella] == [1, 0]
    copa = load_split(get_task("copa"), "en", "test", shared)[0]
    assert copa.context.endswith("What was the cause?") and copa.label == 0
    anli = load_split(get_task("anli"), "en", "dev", tiny)
    assert [e.id for e in anli] == ["a1", "a2", "b1"] and [e.label for e in anli] == [0, 1, 2]
    mnli = load_split(get_task("mnli"), "en", "dev", tiny)
    assert mnli[1].text_a == 'He said "no".' and mnli[1].label == 2
    qqp = load_split(get_task("qqp"), "en", "dev", shared)  # CRLF copy
    assert not any("\r" in e.text_b for e in qqp)
    v2 = load_split(get_task("squad_v2"), "en", "dev", tiny)
    assert v2[1].answers == ()
    lareqa = load_split(get_task("lareqa"), "de", "test", shared)[0]
    pool = sum(
        len(p["sentences"])
        for f in sorted((shared_data / "lareqa/xquad-r").glob("*.json"))
        for a in json.loads(f.read_text(encoding="utf-8"))["data"]
        for p in a["paragraphs"]
    )
    assert len(lareqa.candidates) == pool
    assert {c.split(":")[0] for c in lareqa.gold[lareqa.queries[0].id]} == {"de", "en", "hi", "zh"}
    bucc = load_split(get_task("bucc2018"), "zh", "dev", shared)[0]
    assert sum(len(v) for v in bucc.gold.values()) == lines(shared_data / "bucc2018/zh-en.dev.gold")
    assert len(bucc.candidates) == lines(shared_data / "bucc2018/zh-en.dev.en")
    mewsli = load_split(get_task("mewsli_x"), "en", "dev", tiny)[0]
    assert mewsli.gold == {"c79595350cc2d5c7f2b095e2cb785212": ("Q1757",)}
    assert "[Helsinki]" in mewsli.queries[0].text and len(mewsli.candidates) == 2
    assert load_labels(get_task("ccg"), tiny) == ("NP[nb]/N", "N", "S[dcl]\\NP", ".")


def test_max_examples_caps(shared_data):
    data = DataConfig(source="local", data_dir=str(shared_data), max_examples=7)
    assert len(load_split(get_task("xquad"), "de", "test", data)) == 7
    corpus = load_split(get_task("tatoeba"), "de", "test", data)[0]
    assert len(corpus.queries) == 7 and len(corpus.gold) == 7 and len(corpus.candidates) == 1000
