"""Every emitted file is read by the real readers (stiltx.data.load) with the expected counts."""

from __future__ import annotations

import pytest

from stiltx.data.held_out import held_out_positions
from stiltx.data.load import load_split
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.examples import RetrievalCorpus
from stiltx.tasks.registry import all_tasks, get_task
from stiltx.toy.languages import DEFAULT_LANGUAGES
from stiltx.toy.sizes import TEST_SIZES

T, E = TEST_SIZES.train, TEST_SIZES.eval
NOT_GENERATED = {"squad_v2"}
# Test splits published without labels (the toy world keeps that); every other split is labelled,
# including target-task test files and TyDiQA dev (unlike the XTREME copies).
UNLABELLED = {("mnli", "test"), ("qqp", "test"), ("hellaswag", "test"), ("commonsenseqa", "test")}

CASES = [
    (spec, lang, split)
    for spec in all_tasks()
    if spec.name not in NOT_GENERATED
    for lang in spec.languages
    if lang in DEFAULT_LANGUAGES
    for split in spec.splits
    # training data (and TyDiQA's train_dev, held out of it) is English only (zero-shot transfer)
    if split not in ("train", "train_dev") or lang == "en"
]


def expected(task: str, language: str, split: str) -> int:
    if task == "mlm":
        return TEST_SIZES.mlm_lines
    if task == "anli":
        return 3 * max(1, (T if split == "train" else E) // 3)
    held = get_task(task).held_out  # TyDiQA: train_dev is a seeded slice of English train
    if held is not None and split in (held.split, held.source):
        n_held = len(held_out_positions(T, held.fraction, held.seed))
        return n_held if split == held.split else T - n_held
    return T if split == "train" else E


@pytest.mark.parametrize(("spec", "lang", "split"), CASES, ids=lambda x: getattr(x, "name", x))
def test_every_toy_file_reads_with_the_expected_count(toy_data_dir, spec, lang, split):
    data = DataConfig(source="local", data_dir=str(toy_data_dir))
    labelled = (spec.name, split) not in UNLABELLED and spec.kind.value not in ("retrieval", "mlm")
    examples = load_split(spec, lang, split, data, require_labels=labelled)
    if spec.kind.value == "retrieval":
        (corpus,) = examples
        assert isinstance(corpus, RetrievalCorpus)
        if spec.name == "bucc2018":
            assert len(corpus.queries) == len(corpus.candidates) == TEST_SIZES.bucc_corpus
            assert sum(len(g) for g in corpus.gold.values()) == TEST_SIZES.bucc_gold
        elif spec.name == "tatoeba":
            assert len(corpus.queries) == len(corpus.candidates) == E
        elif spec.name == "mewsli_x":  # mentions of one language, one English candidate set
            assert len(corpus.queries) == E and len(corpus.candidates) == max(4, E)
            assert all(q.dual_text and "{" in q.dual_text for q in corpus.queries)
        else:  # lareqa: questions of one language, sentences of every language
            assert len(corpus.queries) == E
            assert len(corpus.candidates) > E
        assert corpus.gold and all(corpus.gold.values())
        return
    assert len(examples) == expected(spec.name, lang, split)
