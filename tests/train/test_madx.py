"""MAD-X language adapters end to end on the smoke toy world: one adapter per language, trained
by MLM and cached; task adapters stacked on English; each language's adapter at evaluation;
plain adapters reads what a run saves; MAD-X 2.0; a language without text; retrieval reads
each side under its own language's adapter."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import adapters
import pytest
import torch
from adapters import Stack
from rich.console import Console
from safetensors.torch import load_file

from stiltx.data.load import load_split
from stiltx.data.members import check_recipe_data
from stiltx.errors import DataError
from stiltx.evaluation.zero_shot import evaluate_task
from stiltx.layout import RunLayout
from stiltx.pipeline import run
from stiltx.plan import target_stages
from stiltx.recipe.load import load_recipe
from stiltx.reevaluate import evaluate_run, load_target_stage, read_finished_run
from stiltx.tasks.registry import get_task
from stiltx.toy.resolve import resolve

LANGUAGES = ("en", "de", "ru", "zh", "sw")  # the toy world's, English first
LA_STEPS = 6
FAST = [
    "toy.size=smoke",
    f"madx.train.max_steps={LA_STEPS}",
    "madx.train.batch_size=8",
    "target.tasks=[xnli]",
    "target.train.max_steps=6",
    "target.train.eval_every=3",
    "target.train.save_every=3",
    "target.train.batch_size=8",
    "intermediate.train.max_steps=4",
    "intermediate.train.eval_every=4",
    "intermediate.train.save_every=4",
    "intermediate.train.batch_size=4",
]


def madx_recipe(name, toy_cache, la_cache, *extra):
    fast = [o for o in FAST if name != "madx/madx" or not o.startswith("intermediate.")]
    sets = [*fast, f"toy.cache_dir={toy_cache}", f"madx.cache_dir={la_cache}", *extra]
    return load_recipe(name, preset="tiny", overrides=sets)


@pytest.fixture(scope="module")
def la_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("language-adapters")


@pytest.fixture(scope="module")
def madx_run(tmp_path_factory, toy_cache, la_cache):
    recipe = madx_recipe("madx/madx", toy_cache, la_cache)
    [run_dir] = run(recipe, out_dir=tmp_path_factory.mktemp("runs") / "madx")
    return run_dir


def results(run_dir: Path) -> dict:
    return json.loads((run_dir / "results.json").read_text())


def language_adapter_rows(stages: dict) -> dict:
    """results.json budget stages of the language adapters, by language."""
    return {k.split("/")[1]: v for k, v in stages.items() if k.startswith("language_adapters/")}


def adapter_dir(run_dir: Path, language: str) -> Path:
    return RunLayout(run_dir).language_adapter(language) / "model" / "adapter"


def test_a_madx_run_saves_one_language_adapter_per_language(madx_run, la_cache):
    for language in LANGUAGES:
        config = json.loads((adapter_dir(madx_run, language) / "adapter_config.json").read_text())
        assert config["name"] == language and config["config"]["reduction_factor"] == 2
        assert config["config"]["inv_adapter"] == "nice"  # seq_bn_inv: MAD-X's pfeiffer+inv
    budget = results(madx_run)["budget"]
    rows = language_adapter_rows(budget["stages"])
    assert sorted(rows) == sorted(LANGUAGES)
    assert all(r["steps"] == LA_STEPS and not r["reused"] for r in rows.values())
    # examples: what the loop counted, one MLM block per example, at most batch x steps
    assert all(0 < r["examples"] <= 8 * LA_STEPS for r in rows.values())
    assert budget["steps"] == sum(r["steps"] for r in budget["stages"].values())
    assert sorted(p.name.split("-")[0] for p in la_cache.iterdir()) == sorted(LANGUAGES)


def test_saved_language_adapters_load_with_plain_adapters(madx_run):
    finished = read_finished_run(madx_run, console=Console(quiet=True))
    model = adapters.AutoAdapterModel.from_pretrained(finished.where.model.name_or_path)
    name = model.load_adapter(str(adapter_dir(madx_run, "sw")), use_safetensors=True)
    assert name == "sw"
    saved = load_file(adapter_dir(madx_run, "sw") / "adapter.safetensors")
    mine = dict(model.named_parameters())
    assert saved and all(torch.equal(mine[k], v) for k, v in saved.items() if k in mine)
    assert sum(k in mine for k in saved) == len(saved)


def sw_logits(model, tokenizer, finished) -> torch.Tensor:
    text = Path(finished.where.data.data_dir, "mlm", "sw.txt").read_text("utf-8").splitlines()[:8]
    batch = tokenizer(text, padding=True, truncation=True, max_length=64, return_tensors="pt")
    model.eval()
    with torch.no_grad():
        return model(**batch, head=get_task("mnli").head_name).logits


class Watch:
    """The run's method, recording the active adapter setup after each activation."""

    def __init__(self, method, model):
        self.method, self.model, self.seen = method, model, {}

    def activate(self, model, language=None):
        self.method.activate(model, language)
        self.seen[language] = model.active_adapters


def test_evaluation_stacks_each_languages_own_adapter_under_the_task_adapter(madx_run):
    finished = read_finished_run(madx_run, console=Console(quiet=True))
    model, tokenizer, method = load_target_stage(finished, "mnli")
    stage = target_stages(finished.recipe)[0]
    watch = Watch(method, model)
    evaluation = evaluate_task(
        model, watch, tokenizer, get_task("xnli"), LANGUAGES, head=stage.evaluations[0].head,
        data=finished.where.data, split="test", max_length=128, batch_size=16, predictions_dir=None,
    )  # fmt: skip
    assert not evaluation.missing
    assert watch.seen == {lang: Stack(lang, "stilt") for lang in LANGUAGES}
    trainable = [n for n, p in model.named_parameters() if p.requires_grad and ".sw." in n]
    assert not trainable  # a language adapter never trains under a task adapter
    # the swap matters: Swahili through the German adapter (forced as 'sw') gives other outputs
    method.activate(model, "sw")
    own = sw_logits(model, tokenizer, finished)
    forced = replace(method, language_adapters={**method.language_adapters, "sw": str(
        adapter_dir(madx_run, "de"))})  # fmt: skip
    model.delete_adapter("sw")
    forced.activate(model, "sw")
    assert not torch.allclose(own, sw_logits(model, tokenizer, finished))


def test_stiltx_evaluate_reproduces_a_madx_run(madx_run):
    again = evaluate_run(madx_run, console=Console(quiet=True))

    def key(s):
        return s["task"], s["language"], s["split"], s["metric"]

    scores = {key(s): s["value"] for s in again["scores"]}
    first = {key(s): s["value"] for s in results(madx_run)["scores"]}
    assert scores == first and any(task == "tatoeba" for task, *_ in first)


def test_madx2_leaves_the_language_adapter_out_of_the_last_layer(madx_run):
    finished = read_finished_run(madx_run, console=Console(quiet=True))
    madx2 = replace(finished.recipe, method=replace(finished.recipe.method, madx2=True))
    model, _, method = load_target_stage(replace(finished, recipe=madx2), "mnli")
    method.activate(model, "sw")
    last = model.config.num_hidden_layers - 1
    names = [n for n, _ in model.named_parameters() if ".adapters.sw." in n]
    assert any("layer.0." in n for n in names)
    assert not any(f"layer.{last}." in n for n in names)
    assert any(f"layer.{last}.output.adapters.stilt." in n for n in model.state_dict())


def test_the_next_run_reuses_the_cached_adapters(madx_run, tmp_path, toy_cache, la_cache):
    # the multitask9 variant: the mixture's adapter stacked on English, targets on both
    recipe = madx_recipe("madx/multitask9", toy_cache, la_cache, "intermediate.tasks=[mnli,qqp]")
    [run_dir] = run(recipe, out_dir=tmp_path / "madx-multitask9")
    stages = results(run_dir)["budget"]["stages"]
    rows = language_adapter_rows(stages)
    assert sorted(rows) == sorted(LANGUAGES) and all(r["reused"] for r in rows.values())
    assert all(r["steps"] == LA_STEPS for r in rows.values())  # their cost, though paid once
    assert {k.split("/")[0] for k in stages} == {"language_adapters", "intermediate", "target"}
    for language in LANGUAGES:
        name = "adapter.safetensors"
        mine, first = adapter_dir(run_dir, language) / name, adapter_dir(madx_run, language) / name
        assert mine.read_bytes() == first.read_bytes()
    scores = [s for s in results(run_dir)["scores"] if s["metric"] == "accuracy"]
    assert {s["language"] for s in scores} == set(LANGUAGES)


def test_a_language_without_mlm_text_is_named_in_one_line(tmp_path, toy_cache, la_cache):
    recipe = madx_recipe("madx/madx", toy_cache, la_cache, "madx.languages=[target,fr]")
    data = resolve(recipe, Console(quiet=True), with_model=False).data
    with pytest.raises(DataError) as error:
        check_recipe_data(recipe, data)
    message = str(error.value)
    assert "\n" not in message and "language 'fr'" in message and "mlm/fr.txt" in message
    with pytest.raises(DataError, match="language 'fr'"):  # a run stops before training
        run(recipe, out_dir=tmp_path / "run")
    assert not (tmp_path / "run" / "language_adapters").exists()


def retrieval_scores(scores) -> dict:
    return {(s.task, s.language, s.metric): s.value for s in scores if s.task in RETRIEVAL}


RETRIEVAL = ("tatoeba", "bucc2018")


def test_retrieval_reads_each_side_under_its_own_language_adapter(madx_run):
    from stiltx.evaluation.retrieval import embed, score_retrieval
    from stiltx.evaluation.retrieval_protocol import retrieval_setting
    from stiltx.model.build import build_model
    from stiltx.pipeline import retrieval
    from stiltx.results import Score
    from stiltx.train.language_adapters import with_language_adapters

    finished = read_finished_run(madx_run, console=Console(quiet=True))
    scored = retrieval_scores(Score(**s) for s in results(madx_run)["scores"])
    assert {(t, lang) for t, lang, _ in scored} >= {("tatoeba", x) for x in LANGUAGES[1:]}
    # by hand: the run's saved adapters through plain adapters, each side under its own
    model, tokenizer = build_model(finished.where.model, {})
    for language in LANGUAGES:
        model.load_adapter(str(adapter_dir(madx_run, language)), use_safetensors=True)
    spec = get_task("tatoeba")
    setting = retrieval_setting(finished.recipe.retrieval, spec, model.config.num_hidden_layers)

    def under(language):
        def embed_in(texts):
            model.set_active_adapters(language)
            return embed(model, tokenizer, texts, layer=setting.layer, pooling=setting.pooling,
                         max_length=spec.defaults.max_length)  # fmt: skip

        return embed_in

    for language in LANGUAGES[1:]:
        corpus = load_split(spec, language, "test", finished.where.data)[0]
        by_hand = score_retrieval("tatoeba", corpus, under("en"), query_embed_fn=under(language))
        for metric, value in by_hand.items():
            assert scored[("tatoeba", language, metric)] == value, (language, metric)
    # another language's adapter forced on ru and zh changes their scores, and only theirs
    stacked = with_language_adapters(finished.recipe, madx_run)
    paths = stacked.method.language_adapters
    swapped = {**paths, "ru": paths["zh"], "zh": paths["ru"]}
    forced = replace(stacked, method=replace(stacked.method, language_adapters=swapped))
    again = retrieval_scores(retrieval(forced, finished.where, None, None).scores)
    changed = {(t, lang) for (t, lang, m), v in again.items() if scored[(t, lang, m)] != v}
    assert changed and {lang for _, lang in changed} <= {"ru", "zh"}
    # and without language adapters (the bare encoder, what a madx run scored before) they differ
    bare = replace(stacked, method=replace(stacked.method, language_adapters={}))
    assert retrieval_scores(retrieval(bare, finished.where, None, None).scores) != scored
