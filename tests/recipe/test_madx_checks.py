"""The `madx` section: validated with every problem named, tuned by the tiny preset only where a
recipe has it, and left out of the resolved recipe (and its hash) where it does not."""

from __future__ import annotations

import pytest

from stiltx.errors import RecipeError
from stiltx.plan import language_adapter_stages
from stiltx.recipe.load import load_recipe, recipe_to_dict


def problems(*sets, name="madx/madx"):
    with pytest.raises(RecipeError) as error:
        load_recipe(name, overrides=list(sets))
    return str(error.value)


def test_madx_needs_adapter_tuning_and_known_languages():
    text = problems("method.kind=full", "madx.languages=[target,xx]", "madx.adapter=seq_bm_inv")
    assert "got method.kind 'full', expected 'adapter'" in text
    assert "madx.languages[1]: unknown language or group 'xx'" in text
    assert "madx.adapter: got 'seq_bm_inv'" in text and "seq_bn_inv" in text


def test_madx_budget_values_are_checked():
    text = problems("madx.train.max_steps=null", "madx.mlm.tokens_per_language=0",
                    "madx.train.lr=-1")  # fmt: skip
    assert "madx.train: max_steps and epochs both null" in text
    assert "madx.mlm.tokens_per_language: got 0" in text
    assert "madx.train.lr: got -1" in text


def test_madx2_without_language_adapters_is_an_error():
    text = problems("method.kind=adapter", "method.madx2=true", name="direct")
    assert "method.madx2: true, but the recipe has no language adapters" in text


def test_the_tiny_preset_tunes_madx_only_in_recipes_that_have_it():
    madx = load_recipe("madx/madx", preset="tiny")
    assert madx.madx.train.max_steps == 400 and madx.madx.adapter_options == {"reduction_factor": 2}
    for name in ("direct", "multitask9", "single/mnli"):
        recipe = load_recipe(name, preset="tiny")
        assert recipe.madx is None and "madx" not in recipe_to_dict(recipe)
        assert "madx2" not in recipe_to_dict(recipe)["method"]


def test_language_adapters_cover_english_and_every_evaluation_language(tmp_path):
    recipe = load_recipe("madx/madx", preset="tiny")
    assert [s.language for s in language_adapter_stages(recipe)] == ["en", "de", "ru", "zh", "sw"]
    (tmp_path / "adapter_config.json").write_text(
        "{}"
    )  # a saved adapter folder, as validate sees it
    given = load_recipe(
        "madx/madx", preset="tiny", overrides=[f"method.language_adapters.sw={tmp_path}"]
    )
    assert "sw" not in [s.language for s in language_adapter_stages(given)]  # given, not trained
    tuned_only = load_recipe("direct", overrides=["madx.train.max_steps=5"])
    assert language_adapter_stages(tuned_only) == ()  # no languages: a section that only tunes


def test_given_language_adapters_cover_the_retrieval_languages_too(tmp_path):
    (tmp_path / "adapter_config.json").write_text("{}")  # a saved adapter folder
    given = [f"method.language_adapters.{lang}={tmp_path}" for lang in ("en", "de", "zh")]
    sets = ["target.tasks=[pawsx]", "madx.languages=[]", *given]  # pawsx: en, de, zh
    assert load_recipe("madx/madx", preset="tiny", overrides=[*sets, "retrieval.tasks=[]"])
    with pytest.raises(RecipeError) as error:  # tatoeba reads ru and sw as well
        load_recipe("madx/madx", preset="tiny", overrides=[*sets, "retrieval.tasks=[tatoeba]"])
    assert "method.language_adapters: no adapter for ru, sw" in str(error.value)
