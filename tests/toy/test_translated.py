"""The toy MT system: every intermediate task's train/dev files in every other toy language."""

from __future__ import annotations

import json

import pytest

from stiltx.data.load import load_split
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.registry import get_task
from stiltx.toy.languages import DEFAULT_LANGUAGES
from stiltx.toy.sizes import TEST_SIZES
from stiltx.toy.translated import INTERMEDIATE_TASKS, emit_translated, is_test_file

OTHERS = [lang for lang in DEFAULT_LANGUAGES if lang != "en"]


def _label(example):
    return getattr(example, "label", None)


def _text(example) -> str:
    for field in ("text_a", "context"):
        if hasattr(example, field):
            return getattr(example, field)
    return " ".join(example.words)


@pytest.mark.parametrize("task", INTERMEDIATE_TASKS)
def test_translated_files_mirror_the_english_train_and_dev_files(toy_data_dir, task, tmp_path):
    english = sorted(
        str(p.relative_to(toy_data_dir / task))
        for p in (toy_data_dir / task).rglob("*")
        if p.is_file() and not is_test_file(p.name)
    )
    spec = get_task(task)
    en = DataConfig(source="local", data_dir=str(toy_data_dir))
    for lang in OTHERS:
        folder = toy_data_dir / "translated" / task / lang
        assert (
            sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) == english
        )
        # the real reader reads the translated folder as the task's own folder
        (tmp_path / lang).mkdir()
        (tmp_path / lang / task).symlink_to(folder)
        xx = DataConfig(source="local", data_dir=str(tmp_path / lang))
        for split in ("train", spec.dev_split):
            original = load_split(spec, "en", split, en, require_labels=True)
            translated = load_split(spec, "en", split, xx, require_labels=True)
            assert len(translated) == len(original)
            # same labels in the same order (tagging: one tag per translated word), other words
            assert [_label(ex) for ex in translated] == [_label(ex) for ex in original]
            for ex in translated:
                if hasattr(ex, "tags"):
                    assert len(ex.tags) == len(ex.words)
            assert all(_text(a) != _text(b) for a, b in zip(translated, original, strict=True))


def test_translation_renders_the_same_facts_and_noise_drops_or_changes_words(toy_data_dir):
    clean = emit_translated(0, TEST_SIZES, ("en", "de"), noise=0.0)
    noisy = emit_translated(0, TEST_SIZES, ("en", "de"), noise=0.5)
    assert clean.keys() == noisy.keys()
    path = "translated/mnli/de/train.tsv"
    en_rows = [r.split("\t") for r in (toy_data_dir / "mnli/train.tsv").read_text().splitlines()]
    de_rows = [r.split("\t") for r in clean[path].splitlines()]
    noisy_rows = [r.split("\t") for r in noisy[path].splitlines()]
    assert [r[-1] for r in de_rows] == [r[-1] for r in en_rows]  # same gold labels
    for en, de, bad in zip(en_rows[1:], de_rows[1:], noisy_rows[1:], strict=True):
        names = [w for w in en[8].split() if w[:1].isupper()][:2]
        assert " ".join(names) in de[8] and " ".join(names) in bad[8]  # anchors survive
        assert set(de[8].split()) - set(en[8].split())  # other words
    changed = sum(de[8] != bad[8] for de, bad in zip(de_rows[1:], noisy_rows[1:], strict=True))
    assert changed >= len(de_rows[1:]) // 2


def test_translated_squad_answers_stay_exact_spans_under_noise():
    files = emit_translated(0, TEST_SIZES, ("en", "sw", "ru"), noise=0.6)
    for lang in ("sw", "ru"):
        data = json.loads(files[f"translated/squad/{lang}/train-v1.1.json"])["data"]
        for article in data:
            for para in article["paragraphs"]:
                for qa in para["qas"]:
                    (answer,) = qa["answers"]
                    start = answer["answer_start"]
                    assert para["context"][start : start + len(answer["text"])] == answer["text"]


def test_mt_noise_is_a_recipe_key_checked_for_range():
    from stiltx.errors import StiltxError
    from stiltx.recipe.load import load_recipe

    assert load_recipe("multitask9", preset="tiny").toy.mt_noise == 0.1
    assert (
        load_recipe("multitask9", preset="tiny", overrides=["toy.mt_noise=0.3"]).toy.mt_noise == 0.3
    )
    with pytest.raises(StiltxError, match=r"toy.mt_noise: got 1.5, expected a number in \[0, 1\]"):
        load_recipe("multitask9", preset="tiny", overrides=["toy.mt_noise=1.5"])
