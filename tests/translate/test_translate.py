"""`stiltx translate` machinery with a tiny, randomly initialised MarianMT built in code:
batched generation, the disk cache reused on a second call, resume after a kill, QA examples
whose answer is lost dropped and counted, and the output read back as a translated member."""

from __future__ import annotations

import json

import pytest

from stiltx.data.members import load_member
from stiltx.errors import StiltxError
from stiltx.plan import Member
from stiltx.recipe.load import load_recipe
from stiltx.tasks.registry import get_task
from stiltx.translate.engine import Translator, pair_problem
from stiltx.translate.run import translate_recipe


@pytest.fixture(scope="module")
def tiny_marian(tmp_path_factory, tiny_tokenizer):
    from transformers import MarianConfig, MarianMTModel

    folder = tmp_path_factory.mktemp("tiny-marian")
    config = MarianConfig(
        vocab_size=len(tiny_tokenizer), d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_ffn_dim=32, max_position_embeddings=64, pad_token_id=tiny_tokenizer.pad_token_id,
        eos_token_id=tiny_tokenizer.eos_token_id, decoder_start_token_id=tiny_tokenizer.pad_token_id,
    )  # fmt: skip
    MarianMTModel(config).save_pretrained(folder)
    tiny_tokenizer.save_pretrained(folder)
    return str(folder)


MNLI = [
    "index\tpromptID\tpairID\tgenre\ts1bp\ts2bp\ts1p\ts2p\tsentence1\tsentence2\tlabel1\tgold_label",
    "0\t1\t1e\tgov\t-\t-\t-\t-\tThe cat sat on the mat.\tA cat sat.\tentailment\tentailment",
    "1\t2\t2c\tfiction\t-\t-\t-\t-\tHe said no.\tHe agreed.\tcontradiction\tcontradiction",
]


@pytest.fixture
def recipe(tmp_path, shared_data, monkeypatch, tiny_marian):
    monkeypatch.setenv("STILTX_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    (data / "mnli").mkdir(parents=True)
    (data / "mnli/train.tsv").write_text("\n".join(MNLI) + "\n", encoding="utf-8")
    xquad = json.loads((shared_data / "xquad/xquad.en.json").read_text(encoding="utf-8"))
    paragraph = xquad["data"][0]["paragraphs"][0]
    squad = {"version": "1.1", "data": [{"title": "T", "paragraphs": [paragraph]}]}
    (data / "squad").mkdir()
    (data / "squad/train-v1.1.json").write_text(json.dumps(squad), encoding="utf-8")
    return load_recipe(
        "multitask9",
        overrides=[
            "data.source=local",
            f"data.data_dir={data}",
            "intermediate.tasks=[mnli@de, squad@de]",
            f"intermediate.translate.model={tiny_marian}",
            "intermediate.translate.batch_size=2",
            "intermediate.translate.max_length=16",
        ],
    )


class Counting:
    """Wraps the real Translator: counts the texts sent to the model; can be killed."""

    def __init__(self, kill_after_batches=None):
        self.texts, self.kill_after = [], kill_after_batches

    def __call__(self, model_id, language):
        translator = Translator(model_id, language, batch_size=2, max_length=16)
        original, outer = translator.translate, self

        def translate(texts, on_batch=None):
            def batch_done(sources, translations):
                on_batch(sources, translations)
                outer.texts += sources
                if outer.kill_after is not None and len(outer.texts) >= 2 * outer.kill_after:
                    raise KeyboardInterrupt("killed")

            return original(texts, on_batch=batch_done)

        translator.translate = translate
        return translator


def test_translate_writes_members_reuses_the_cache_and_resumes(recipe, tmp_path):
    killed = Counting(kill_after_batches=1)
    with pytest.raises(KeyboardInterrupt):
        translate_recipe(recipe, recipe.data, tasks=("mnli",), make_translator=killed)
    assert len(killed.texts) == 2  # one batch reached the cache before the kill

    first = Counting()
    reports = {r.task: r for r in translate_recipe(recipe, recipe.data, make_translator=first)}
    mnli, squad = reports["mnli"], reports["squad"]
    assert mnli.from_cache == 2 and mnli.translated_now == mnli.texts - 2  # resumed
    assert (mnli.examples, mnli.written, mnli.dropped) == (2, 2, 0)
    assert squad.dropped + squad.written == squad.examples > 0  # random MT loses answers
    assert len(squad.dropped_ids) == squad.dropped
    written = tmp_path / "data" / "translated" / "squad" / "de"
    assert json.loads((written / "report.json").read_text())["dropped"] == squad.dropped

    again = Counting()
    second = translate_recipe(recipe, recipe.data, make_translator=again)
    assert again.texts == [] and all(r.translated_now == 0 for r in second)  # all cached
    assert [r.written for r in second] == [r.written for r in reports.values()]

    examples = load_member(
        Member("mnli", "de", "translated"), get_task("mnli"), "train", recipe.data
    )
    assert [e.label for e in examples] == [0, 2] and all(
        isinstance(e.text_a, str) for e in examples
    )


def test_mt_model_without_the_language_pair_is_named():
    assert "no FLORES-200 code for language 'xx'" in pair_problem(
        "facebook/nllb-200-distilled-600M", "xx"
    )
    assert pair_problem("facebook/nllb-200-distilled-600M", "sw") is None
    with pytest.raises(
        StiltxError, match=r"MT model 'Helsinki-NLP/opus-mt-en-xx' for en->xx: cannot load"
    ):
        Translator("Helsinki-NLP/opus-mt-en-xx", "xx", batch_size=2, max_length=16)
