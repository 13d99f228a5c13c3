"""ensure_toy_world: cached, atomic, reused; the tiny model pretrains (MLM loss falls) and loads."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from stiltx.errors import UnknownNameError
from stiltx.toy.build import TOY_VERSION, default_cache_root, ensure_toy_world, world_key
from stiltx.toy.languages import DEFAULT_LANGUAGES
from stiltx.toy.pretrain import NAMED_MODELS, ToyModelConfig, model_for
from stiltx.toy.sizes import NAMED_SIZES, TEST_SIZES, ToySizes, named_sizes

MICRO = ToyModelConfig(
    vocab_size=400, hidden_size=32, num_layers=2, num_heads=2, intermediate_size=64,
    max_length=32, steps=200, batch_size=16, lr=3e-3,
)  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    cache = tmp_path_factory.mktemp("toy-cache")
    return ensure_toy_world(seed=0, sizes=TEST_SIZES, cache_dir=cache, model=MICRO, progress=False)


def test_world_has_data_model_and_metadata(world):
    assert (world.data_dir / "mlm" / "en.txt").is_file()
    assert (world.model_dir / "model.safetensors").is_file()
    assert (world.model_dir / "tokenizer.json").is_file()
    meta = json.loads((world.root / "world.json").read_text())
    assert meta["seed"] == 0 and meta["sizes"] == json.loads(json.dumps(TEST_SIZES.__dict__))
    assert not [p for p in world.root.parent.iterdir() if p.name.endswith(".tmp")]


def test_mlm_loss_falls(world):
    losses = json.loads((world.model_dir / "pretraining.json").read_text())["losses"]
    assert len(losses) == MICRO.steps
    assert statistics.mean(losses[-10:]) < statistics.mean(losses[:5]) - 0.5


def test_model_and_tokenizer_load_like_xlmr(world):
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(world.model_dir)
    model = AutoModelForMaskedLM.from_pretrained(world.model_dir)
    assert model.config.model_type == "xlm-roberta" and model.config.hidden_size == 32
    # the pretraining dropouts are the ones fine-tuning gets (ToyModelConfig)
    assert model.config.hidden_dropout_prob == MICRO.hidden_dropout == 0.0
    assert model.config.attention_probs_dropout_prob == MICRO.attention_dropout == 0.0
    batch = tokenizer(["Anna Berg bought 3 red apples."], return_tensors="pt")
    assert batch["input_ids"][0, 0].item() == 0 and tokenizer.mask_token_id == len(tokenizer) - 1
    with torch.inference_mode():
        assert model(**batch).logits.shape[-1] == len(tokenizer)


def test_second_call_reuses_the_cache(world):
    stamp = (world.model_dir / "model.safetensors").stat().st_mtime_ns
    again = ensure_toy_world(
        seed=0, sizes=TEST_SIZES, cache_dir=world.root.parent, model=MICRO, progress=False
    )
    assert again == world
    assert (again.model_dir / "model.safetensors").stat().st_mtime_ns == stamp


def test_data_only_world_and_env_cache_root(tmp_path, monkeypatch):
    monkeypatch.setenv("STILTX_CACHE", str(tmp_path))
    assert default_cache_root() == tmp_path / "toy"
    w = ensure_toy_world(seed=3, sizes=TEST_SIZES, model=MICRO, with_model=False)
    assert w.root.parent == tmp_path / "toy" and w.root.name.startswith(f"{TOY_VERSION}-3-")
    assert (w.data_dir / "xnli" / "test-zh.tsv").is_file() and not w.model_dir.exists()


def test_cache_key_separates_sizes_models_and_seeds():
    default = world_key(0, ToySizes(), ToyModelConfig(), DEFAULT_LANGUAGES)
    assert default.endswith("-0") and "-" in default
    keys = {
        default,
        world_key(1, ToySizes(), ToyModelConfig(), DEFAULT_LANGUAGES),
        world_key(0, TEST_SIZES, ToyModelConfig(), DEFAULT_LANGUAGES),
        world_key(0, ToySizes(), MICRO, DEFAULT_LANGUAGES),
        world_key(0, ToySizes(), ToyModelConfig(), ("en", "de")),
    }
    assert len(keys) == 5


def test_named_sizes_and_their_models():
    assert set(NAMED_SIZES) == set(NAMED_MODELS)
    assert model_for(named_sizes("smoke")) == NAMED_MODELS["smoke"]
    assert model_for(TEST_SIZES) == ToyModelConfig()
    with pytest.raises(UnknownNameError, match="did you mean 'smoke'"):
        named_sizes("smok")
    with pytest.raises(ValueError, match="bucc_gold"):
        ToySizes(bucc_corpus=5, bucc_gold=6)
    with pytest.raises(ValueError, match="expected 'en'"):
        ensure_toy_world(languages=("de", "xx"), with_model=False)


def test_masked_only_loss_equals_the_models_mlm_loss(world):
    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from stiltx.toy.pretrain import _mask, _masked_loss

    tokenizer = AutoTokenizer.from_pretrained(world.model_dir)
    model = AutoModelForMaskedLM.from_pretrained(world.model_dir)
    ids = tokenizer(["Anna Berg bought 3 red apples in Tarvo in 1998."] * 4, return_tensors="pt")
    torch.manual_seed(0)
    inputs, labels = _mask(
        ids["input_ids"], tokenizer, torch.tensor(tokenizer.all_special_ids), 0.5
    )
    assert (labels != -100).any()
    with torch.inference_mode():
        full = model(input_ids=inputs, labels=labels).loss
        fast = _masked_loss(model, model.roberta(input_ids=inputs).last_hidden_state, labels)
    assert torch.allclose(full, fast, atol=1e-5)


def test_the_s_token_summary_loss_is_the_cross_entropy_with_its_windows_bag_of_words(world):
    """<s> is trained to predict the words of its input (ToyModelConfig.summary_weight)."""
    import dataclasses

    import torch
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from stiltx.toy.pretrain import _mask, _masked_loss, _pretraining_loss

    tokenizer = AutoTokenizer.from_pretrained(world.model_dir)
    model = AutoModelForMaskedLM.from_pretrained(world.model_dir)
    ids = tokenizer(["Anna Anna Berg", "Omar lent it."], padding=True, return_tensors="pt")
    special = torch.tensor(tokenizer.all_special_ids)
    torch.manual_seed(0)
    inputs, labels = _mask(ids["input_ids"], tokenizer, special, 0.5)
    cfg = dataclasses.replace(MICRO, summary_weight=0.25)
    with torch.inference_mode():
        total = _pretraining_loss(model, inputs, labels, ids["input_ids"], special, cfg)
        hidden = model.roberta(input_ids=inputs).last_hidden_state
        mlm = _masked_loss(model, hidden, labels)
        log_probs = torch.log_softmax(model.lm_head(hidden[:, 0]), dim=-1)
        by_hand = []
        for row, lp in zip(ids["input_ids"].tolist(), log_probs, strict=True):
            words = [t for t in row if t not in tokenizer.all_special_ids]
            by_hand.append(-sum(lp[t] for t in words) / len(words))
        summary = torch.stack(by_hand).mean()
        without = _pretraining_loss(
            model,
            inputs,
            labels,
            ids["input_ids"],
            special,
            dataclasses.replace(cfg, summary_weight=0.0),
        )
    assert torch.allclose(total, mlm + 0.25 * summary, atol=1e-5)
    assert torch.allclose(without, mlm, atol=1e-6)


def test_translated_files_are_built_only_when_asked_and_are_the_same(tmp_path):
    from stiltx.toy.build import emit_all

    world = ensure_toy_world(seed=0, sizes=TEST_SIZES, cache_dir=tmp_path, with_model=False,
                             translated=False)  # fmt: skip
    assert (world.data_dir / "mlm" / "en.txt").is_file()
    assert not (world.data_dir / "translated").exists()  # multitask9 does not read them
    world = ensure_toy_world(seed=0, sizes=TEST_SIZES, cache_dir=tmp_path, with_model=False)
    written = {
        str(p.relative_to(world.data_dir)): p.read_bytes().decode("utf-8")
        for p in world.data_dir.rglob("*")
        if p.is_file()
    }
    assert written == emit_all(0, TEST_SIZES, DEFAULT_LANGUAGES)  # the same world, now whole
    meta = json.loads((world.root / "world.json").read_text())
    assert "translated_seconds" in meta and "data_seconds" in meta


def test_a_recipe_builds_the_translated_files_only_when_a_member_reads_them(tmp_path):
    from rich.console import Console

    from stiltx.recipe.load import load_recipe
    from stiltx.toy.resolve import resolve

    def data_dir(recipe: str) -> Path:
        loaded = load_recipe(recipe, preset="tiny", overrides=["toy.size=smoke",
                             f"toy.cache_dir={tmp_path}"])  # fmt: skip
        return Path(resolve(loaded, Console(quiet=True), with_model=False).data.data_dir)

    assert not (data_dir("multitask9") / "translated").exists()
    assert (data_dir("baselines/translate") / "translated" / "mnli" / "de").is_dir()
