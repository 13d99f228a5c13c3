"""Translated intermediate data (native layout and XTREME's released layouts) and MLM corpora
(Wikipedia rows cut to a token budget, local files); missing data is named at validation."""

from __future__ import annotations

import shutil

import datasets
import pytest

from stiltx.data.corpus import paragraphs_within_budget
from stiltx.data.members import check_member_data, load_member
from stiltx.data.translated import load_translated, translated_root
from stiltx.errors import DataError
from stiltx.plan import Member
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.registry import get_task

MNLI = get_task("mnli")


@pytest.fixture
def data(tmp_path) -> DataConfig:
    return DataConfig(source="local", data_dir=str(tmp_path))


def test_native_layout_reads_the_tasks_own_format(data, tiny_dir):
    """Same file names and format as <data_dir>/<task>/ (what the toy MT system writes)."""
    root = translated_root(data)
    (root / "mnli" / "de").mkdir(parents=True)
    shutil.copy(tiny_dir / "mnli/dev_matched.tsv", root / "mnli/de/train.tsv")
    (root / "squad" / "sw").mkdir(parents=True)
    shutil.copy(tiny_dir / "squad/train-v1.1.json", root / "squad/sw/train-v1.1.json")
    examples = load_member(Member("mnli", "de", "translated"), MNLI, "train", data)
    assert [e.label for e in examples] == [0, 2] and examples[1].text_a == 'He said "no".'
    qa = load_member(Member("squad", "sw", "translated"), get_task("squad"), "train", data)
    assert qa and all(a.text for e in qa for a in e.answers)


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        # google-research/xtreme third_party/processors/xnli.py:62-76 reads 3 columns
        ("en-de-translated.tsv", ["Der Hund läuft.\tEin Tier läuft.\tentailment"]),
        # the README ("Translations") documents 5: original pair, translated pair, label
        ("en-de-translated.tsv", ["A dog runs.\tAn animal runs.\tDer Hund läuft.\tEin Tier läuft.\tentailment"]),
        # XNLI-MT-1.0 multinli.train.<lang>.tsv: a header row, label "contradictory"
        ("multinli.train.de.tsv", ["premise\thypo\tlabel", "Der Hund läuft.\tEin Tier läuft.\tentailment"]),
    ],
)  # fmt: skip
def test_xtreme_translate_train_layouts(data, name, lines):
    folder = translated_root(data) / "mnli" / "de"
    folder.mkdir(parents=True)
    rows = [
        *lines,
        "Es regnet.\tEs ist trocken.\t"
        + ("contradictory" if "multinli" in name else "contradiction"),
    ]
    (folder / name).write_text("\n".join(rows) + "\n", "utf-8")
    examples = load_translated(MNLI, "de", "train", data)
    assert [(e.text_a, e.text_b, e.label) for e in examples] == [
        ("Der Hund läuft.", "Ein Tier läuft.", 0),
        ("Es regnet.", "Es ist trocken.", 2),
    ]


def test_missing_translation_and_empty_corpus_are_named(data, tmp_path):
    (tmp_path / "mlm").mkdir()
    (tmp_path / "mlm" / "sw.txt").write_text("\n  \n", "utf-8")
    members = [Member("mnli", "de", "translated"), Member("mlm", "sw"), Member("mlm", "ru")]
    with pytest.raises(DataError) as error:
        check_member_data(members, {"mnli": MNLI, "mlm": get_task("mlm")}, data)
    text = str(error.value)
    assert "3 member(s) cannot be read" in text
    assert (
        f"mnli@de: no translated data for mnli@de (train): expected {tmp_path}/translated/mnli/de/train.tsv (or train.examples.jsonl, en-de-translated.tsv, multinli.train.de.tsv there)"
        in text
    )
    assert "stiltx translate --recipe R" in text
    assert f"{tmp_path}/mlm/sw.txt: empty corpus" in text
    assert f"expected {tmp_path}/mlm/ru.txt" in text


ARTICLES = [
    {"id": "1", "title": "A", "text": "First paragraph of the article.\n\nShort\nSecond one here, long enough."},
    {"id": "2", "title": "B", "text": "Another article with words in it."},
    {"id": "3", "title": "C", "text": "Never read: the budget is spent."},
]  # fmt: skip


def test_wikipedia_rows_are_cut_into_paragraphs_within_a_token_budget():
    table = datasets.Dataset.from_dict({k: [a[k] for a in ARTICLES] for k in ARTICLES[0]})
    texts = [e.text for e in paragraphs_within_budget(table, budget=10)]
    assert texts == [
        "First paragraph of the article.",
        "Second one here, long enough.",  # "Short" is a stub; this one crosses 10 words
    ]
    read = []

    def rows():
        for article in ARTICLES:
            read.append(article["id"])
            yield article

    streamed = datasets.IterableDataset.from_generator(rows)
    examples = paragraphs_within_budget(streamed, budget=11, count_tokens=lambda t: len(t.split()))
    assert [e.text for e in examples][-1] == "Another article with words in it."
    assert read == ["1", "2"]  # the stream stops once the budget is spent
