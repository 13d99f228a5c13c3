"""TyDiQA model selection never sees XTREME's test set: its dev is held out of English train."""

from __future__ import annotations

import pytest

from stiltx.data.held_out import held_out_positions
from stiltx.data.load import load_split
from stiltx.errors import DataError
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.registry import get_task


def test_tydiqa_selects_models_on_a_slice_of_english_train_not_on_its_test_set(shared_data):
    spec = get_task("tydiqa")
    assert spec.test_split == "dev"  # XTREME scores TyDiQA-GoldP on its dev set ...
    assert spec.dev_split == "train_dev"  # ... so model selection uses held-out train questions
    data = DataConfig(source="local", data_dir=str(shared_data))
    whole = _read_all(spec, data)
    train = load_split(spec, "en", "train", data)
    dev = load_split(spec, "en", "train_dev", data, require_labels=True)
    chosen = held_out_positions(len(whole), 0.1, 0)
    assert dev == [e for i, e in enumerate(whole) if i in chosen]
    assert train == [e for i, e in enumerate(whole) if i not in chosen]
    assert len(dev) == round(0.1 * len(whole)) > 0
    test = load_split(spec, "en", "dev", data)  # XTREME's test set: a different file
    assert not {(e.question, e.context) for e in dev} & {(e.question, e.context) for e in test}
    assert load_split(spec, "en", "train_dev", data) == dev  # fixed and seeded
    assert len(load_split(spec, "sw", "train", data)) == 500  # other languages: whole file
    with pytest.raises(DataError, match="held out of the en train split only"):
        load_split(spec, "sw", "train_dev", data)


def _read_all(spec, data):
    from dataclasses import replace

    return load_split(replace(spec, held_out=None), "en", "train", data)


def test_held_out_slice_is_fixed_by_size_and_seed():
    chosen = held_out_positions(50, 0.1, 0)
    assert len(chosen) == 5 and chosen == held_out_positions(50, 0.1, 0)
    assert held_out_positions(50, 0.1, 1) != chosen
    assert len(held_out_positions(3, 0.1, 0)) == 1 and held_out_positions(0, 0.1, 0) == set()
