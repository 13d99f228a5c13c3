"""MAD-X language adapters that cannot serve the run: a language evaluated (or English, trained
on) without an adapter, a path that is no folder or no saved adapter, adapters without adapter
tuning. `validate` names each before anything runs; an adapter that cannot be loaded at run time
is one line naming its language, never a traceback."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.errors import StiltxError
from stiltx.model.build import build_model
from stiltx.model.methods import make_method
from stiltx.recipe.schema import MethodConfig, ModelConfig

LANGUAGES = "eval.languages=[en, de, sw]"


@pytest.fixture
def saved(tmp_path):
    """Folders that look like saved adapters (what validate can see: adapter_config.json)."""
    for language in ("en", "de", "sw"):
        (tmp_path / language).mkdir()
        (tmp_path / language / "adapter_config.json").write_text("{}")
    (tmp_path / "plain").mkdir()
    return tmp_path


CASES = {  # case: (method.language_adapters with {d} for the folder, method.kind, words)
    "a language without an adapter": ("{{en: {d}/en, de: {d}/de}}", "adapter",
                                      "no adapter for sw"),
    "English without an adapter": ("{{de: {d}/de, sw: {d}/sw}}", "adapter", "no adapter for en"),
    "a missing folder": ("{{en: {d}/en, de: {d}/gone, sw: {d}/sw}}", "adapter",
                         "language_adapters.de: {d}/gone: no such folder"),
    "a folder that is no adapter": ("{{en: {d}/en, de: {d}/plain, sw: {d}/sw}}", "adapter",
                                    "language_adapters.de: {d}/plain has no adapter_config.json"),
    "full fine-tuning": ("{{en: {d}/en, de: {d}/de, sw: {d}/sw}}", "full",
                         "expected method.kind 'adapter'"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_validate_names_what_madx_lacks(saved, case):
    value, kind, words = CASES[case]
    sets = [f"method.language_adapters={value.format(d=saved)}", f"method.kind={kind}", LANGUAGES]
    argv = ["validate", "-r", "direct", "-p", "tiny", *[x for s in sets for x in ("--set", s)]]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert words.format(d=saved) in text and "Traceback" not in text, text


def test_every_language_with_an_adapter_is_valid(saved):
    value = f"{{en: {saved}/en, de: {saved}/de, sw: {saved}/sw}}"
    sets = [f"method.language_adapters={value}", "method.kind=adapter", LANGUAGES]
    argv = ["validate", "-r", "direct", "-p", "tiny", *[x for s in sets for x in ("--set", s)]]
    result = CliRunner().invoke(app, argv)
    assert result.exit_code == 0, result.output


def test_an_adapter_that_cannot_be_loaded_is_one_line(saved, tiny_model_dir):
    model, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), {})
    paths = {"en": str(saved / "plain")}  # no adapter inside
    method = make_method(MethodConfig(kind="adapter", language_adapters=paths))
    with pytest.raises(StiltxError, match=r"language adapter 'en': cannot load .*plain"):
        method.prepare(model, [])
