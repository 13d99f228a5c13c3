"""The shipped toy encoder: its world key matches the code, and the default world uses it (no
pretraining on a user's machine); other worlds and `stiltx toy build --ship` still pretrain."""

from __future__ import annotations

import json

import pytest
from rich.console import Console
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.recipe.load import load_recipe
from stiltx.toy import pretrain as pretrain_module
from stiltx.toy.build import TOY_VERSION, ensure_toy_world, mlm_corpus
from stiltx.toy.languages import DEFAULT_LANGUAGES
from stiltx.toy.pretrain import ToyModelConfig
from stiltx.toy.resolve import resolve
from stiltx.toy.ship import MODEL_FILES, REBUILD, SHIPPED_DIR, encoder_key, shipped_key
from stiltx.toy.sizes import ToySizes
from stiltx.toy.tasks_target import emit_mlm


def test_shipped_encoder_matches_the_default_world(tmp_path):
    """The key recomputed from today's generator and defaults is the one the encoder was built for."""
    for rel, text in emit_mlm(0, ToySizes(), DEFAULT_LANGUAGES).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, "utf-8")
    corpus = mlm_corpus(tmp_path, DEFAULT_LANGUAGES)
    key = encoder_key(TOY_VERSION, 0, DEFAULT_LANGUAGES, ToySizes(), ToyModelConfig(), corpus)
    shipped = shipped_key()
    assert shipped is not None, f"no shipped toy encoder in {SHIPPED_DIR}: run `{REBUILD}`"
    changed = sorted(k for k in key if key[k] != shipped.get(k))
    assert not changed, (
        f"the default toy world changed ({', '.join(changed)}) but the shipped encoder in "
        f"{SHIPPED_DIR} was built for the old one: rebuild it with `{REBUILD}` (CPU minutes) "
        "and commit stiltx/toy/shipped/"
    )


def _no_pretraining(*args, **kwargs):
    raise AssertionError("the default toy world must not pretrain: its encoder ships")


def test_default_world_resolves_to_the_shipped_encoder(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrain_module, "pretrain", _no_pretraining)
    recipe = load_recipe("multitask9", preset="tiny", overrides=[f"toy.cache_dir={tmp_path}"])
    resolved = resolve(recipe, Console(quiet=True))
    model_dir = tmp_path / f"{TOY_VERSION}-0" / "model"
    assert resolved.model.name_or_path == str(model_dir)
    assert json.loads((model_dir.parent / "world.json").read_text())["encoder"] == "shipped"
    for name in MODEL_FILES:
        assert (model_dir / name).read_bytes() == (SHIPPED_DIR / name).read_bytes(), name

    # --ship never re-ships the shipped copy: the same world pretrains when use_shipped=False
    calls = []

    def fake_pretrain(corpus, out_dir, cfg, seed=0, progress=True):
        calls.append(cfg)
        for name in MODEL_FILES:
            (out_dir / name).write_bytes((SHIPPED_DIR / name).read_bytes())
        return {"seconds": 1.0}

    monkeypatch.setattr(pretrain_module, "pretrain", fake_pretrain)
    world = ensure_toy_world(
        cache_dir=tmp_path, translated=False, progress=False, use_shipped=False
    )
    assert calls == [ToyModelConfig()] and world.encoder == "built"


def test_other_worlds_pretrain(tmp_path, monkeypatch):
    monkeypatch.setattr(pretrain_module, "pretrain", _no_pretraining)
    with pytest.raises(AssertionError, match="must not pretrain"):
        ensure_toy_world(seed=1, sizes=ToySizes(train=12, eval=6, mlm_lines=60,
                         bucc_corpus=10, bucc_gold=4), cache_dir=tmp_path, progress=False)  # fmt: skip


@pytest.mark.parametrize(
    "args, message",
    [
        (["--size", "smoke", "--ship"], "--ship writes the default world"),
        (["--steps", "10", "--ship"], "--ship writes the default world"),
        (["--model", "width=3"], "expected key=value with a key of"),
    ],
)
def test_toy_build_refuses_what_it_cannot_ship(args, message, tmp_path):
    result = CliRunner().invoke(app, ["toy", "build", "--cache-dir", str(tmp_path), *args])
    assert result.exit_code == 2 and message in result.output
