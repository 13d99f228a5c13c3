"""The three phases end to end on the toy world (smoke size, tiny model): real training, real
evaluation, a results.json with every (task, language) pair; resume and `stiltx evaluate`."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.pipeline import run
from stiltx.plan import eval_languages, target_groups
from stiltx.recipe.load import load_recipe
from stiltx.tasks.registry import get_task

FAST = [
    "toy.size=smoke",
    "intermediate.train.max_steps=4",
    "intermediate.train.eval_every=2",
    "intermediate.train.save_every=2",
    "intermediate.train.batch_size=4",
    "target.train.max_steps=3",
    "target.train.eval_every=3",
    "target.train.save_every=3",
    "target.train.batch_size=4",
]


def smoke_recipe(name, toy_cache, *extra):
    fast = [o for o in FAST if name != "direct" or not o.startswith("intermediate.")]
    return load_recipe(name, preset="tiny", overrides=[*fast, f"toy.cache_dir={toy_cache}", *extra])


@pytest.fixture(scope="module")
def multitask_run(tmp_path_factory, toy_cache):
    recipe = smoke_recipe("multitask9", toy_cache)
    out = tmp_path_factory.mktemp("runs") / "multitask9"
    [run_dir] = run(recipe, out_dir=out)
    return recipe, run_dir


def scores_of(results):
    return {(s["task"], s["language"], s["metric"]): s["value"] for s in results["scores"]}


def test_results_have_a_score_for_every_task_and_language(multitask_run):
    recipe, run_dir = multitask_run
    results = json.loads((run_dir / "results.json").read_text())
    assert results["missing"] == []
    scored = {(s["task"], s["language"]) for s in results["scores"]}
    expected = set()
    for targets in target_groups(recipe).values():
        for spec in targets:
            expected |= {(spec.name, lang) for lang in eval_languages(recipe, spec)}
    for name in recipe.retrieval.tasks:
        spec = get_task(name)
        expected |= {(name, lang) for lang in eval_languages(recipe, spec) if lang != "en"}
    assert expected <= scored
    assert {"xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa"} <= {t for t, _ in scored}
    for row in results["scores"]:
        assert 0.0 <= row["value"] <= 100.0
    assert results["aggregates"]["overall"] is not None
    # the toy preset scores against the toy benchmark: every toy language scored, nothing missing
    assert results["aggregates"]["benchmark"] == "toy"
    assert results["aggregates"]["complete"] is True
    # the run directory holds what DESIGN.md promises
    for name in ("recipe.resolved.yaml", "env.json", "mixture.json", "intermediate/model"):
        assert (run_dir / name).exists(), name
    mixture = json.loads((run_dir / "mixture.json").read_text())
    assert set(mixture["tasks"]) == set(recipe.intermediate.tasks)
    assert sum(t["realized_steps"] for t in mixture["tasks"].values()) == 4
    assert (run_dir / "predictions" / "xnli" / "de.jsonl").is_file()


def test_aggregates_follow_xtreme(multitask_run):
    _, run_dir = multitask_run
    results = json.loads((run_dir / "results.json").read_text())
    values = scores_of(results)
    agg = results["aggregates"]
    xquad = [
        (values[("xquad", lang, "exact_match")] + values[("xquad", lang, "f1")]) / 2
        for lang in agg["languages"]["xquad"]
    ]
    assert agg["tasks"]["xquad"] == pytest.approx(sum(xquad) / len(xquad))
    assert agg["overall"] == pytest.approx(sum(agg["tasks"].values()) / len(agg["tasks"]))


def test_evaluate_reproduces_a_finished_run_exactly(multitask_run):
    _, run_dir = multitask_run
    result = CliRunner().invoke(app, ["evaluate", "--run", str(run_dir), "--json"])
    assert result.exit_code == 0, result.output
    again = json.loads(result.stdout[result.stdout.index("{") :])
    original = scores_of(json.loads((run_dir / "results.json").read_text()))
    assert scores_of(again) == original


def test_qa_mix_benchmark_scores_same_language_pairs_as_the_run_did(multitask_run):
    """benchmarks/toy/toy_transfer.py qa-mix reads the run's SQuAD model back through the product's
    path: on L's own questions and contexts it reproduces results.json."""
    import importlib.util
    from pathlib import Path

    from stiltx.toy.languages import LANGUAGES, LEXICONS, transliterate

    path = Path(__file__).parents[1] / "benchmarks" / "toy" / "toy_transfer.py"
    module_spec = importlib.util.spec_from_file_location("toy_transfer", path)
    toy_transfer = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(toy_transfer)
    _, run_dir = multitask_run
    original = scores_of(json.loads((run_dir / "results.json").read_text()))
    table = toy_transfer.qa_mix_scores(run_dir, "xquad")
    same, *mixes = toy_transfer.MIXES
    languages = {lang for lang, _ in table}
    assert languages == {lang for (task, lang, _) in original if task == "xquad"}
    for language in languages:
        em, f1 = table[language, same]
        assert em == original[("xquad", language, "exact_match")]
        assert f1 == original[("xquad", language, "f1")]
        if language != "en":
            assert {(language, mix) for mix in mixes} <= table.keys()
    assert all(0.0 <= v <= 100.0 for pair in table.values() for v in pair)
    where = transliterate(LANGUAGES["ru"], LEXICONS["ru"]["where"])
    assert where != "where"
    question = f"{where} Lena Petrov {where}x?"  # only whole words are question words
    assert toy_transfer.with_english_wh_words("ru", question) == f"where Lena Petrov {where}x?"


def test_resume_of_a_finished_run_redoes_nothing(multitask_run):
    recipe, run_dir = multitask_run
    before = scores_of(json.loads((run_dir / "results.json").read_text()))
    done = (run_dir / "intermediate" / "done.json").stat().st_mtime_ns
    run(recipe, out_dir=run_dir, resume=True)
    assert (run_dir / "intermediate" / "done.json").stat().st_mtime_ns == done
    assert scores_of(json.loads((run_dir / "results.json").read_text())) == before


def test_a_fresh_run_refuses_a_used_directory(multitask_run):
    from stiltx.errors import StiltxError

    recipe, run_dir = multitask_run
    with pytest.raises(StiltxError, match="--resume"):
        run(recipe, out_dir=run_dir)


def test_direct_in_adapter_mode_runs_without_an_intermediate_stage(tmp_path, toy_cache):
    recipe = smoke_recipe(
        "direct",
        toy_cache,
        "method.kind=adapter",
        "method.adapter=lora",
        "target.tasks=[xnli, panx]",
        "retrieval.tasks=[tatoeba]",
        "eval.save_predictions=false",
    )
    [run_dir] = run(recipe, out_dir=tmp_path / "direct")
    results = json.loads((run_dir / "results.json").read_text())
    assert not (run_dir / "intermediate").exists()
    assert not (run_dir / "predictions").exists()  # eval.save_predictions: false
    assert {s["task"] for s in results["scores"]} == {"xnli", "panx", "tatoeba"}
    assert results["method"] == "adapter:lora"


def test_target_stages_side_by_side_score_as_one_after_another(tmp_path, toy_cache, monkeypatch):
    """target.parallel=2 (two spawned workers) writes the scores one process writes, and the
    workers tell the parent's display how their zero-shot evaluation goes."""
    from stiltx.train.progress import StagesDisplay

    told = []
    monkeypatch.setattr(StagesDisplay, "evaluated", lambda self, *event: told.append(event))
    few = [f"target.overrides.{task}.max_steps=6" for task in ("xnli", "panx")]
    scores = {}
    for parallel in (1, 2):
        recipe = smoke_recipe(
            "direct", toy_cache, "target.tasks=[xnli,panx]", "retrieval.tasks=[]", *few,
            f"target.parallel={parallel}",
        )  # fmt: skip
        [run_dir] = run(recipe, out_dir=tmp_path / f"parallel-{parallel}")
        scores[parallel] = json.loads((run_dir / "results.json").read_text())["scores"]
        assert (run_dir / "target" / "panx" / "train_log.jsonl").is_file()
    assert scores[1] and scores[1] == scores[2]
    languages = {s["task"]: {x["language"] for x in scores[2] if x["task"] == s["task"]}
                 for s in scores[2]}  # fmt: skip
    finals = {index: (done, total) for index, done, total in told if done == total}
    assert sorted(finals.values()) == sorted((len(v), len(v)) for v in languages.values())


def test_frozen_embeddings_stay_as_pretrained_through_both_stages(tmp_path, toy_cache):
    from safetensors.torch import load_file

    from stiltx.toy.build import ensure_toy_world
    from stiltx.toy.sizes import named_sizes

    recipe = smoke_recipe(
        "single/mnli",
        toy_cache,
        "method.freeze=[roberta.embeddings.*]",
        "target.tasks=[pawsx]",
        "retrieval.tasks=[]",
        "eval.languages=[en]",
    )
    [run_dir] = run(recipe, out_dir=tmp_path / "frozen")
    results = json.loads((run_dir / "results.json").read_text())
    assert results["method"] == "full[freeze=roberta.embeddings.*]"
    world = ensure_toy_world(0, named_sizes("smoke"), toy_cache, progress=False)
    pretrained = load_file(world.model_dir / "model.safetensors")
    for stage in ("intermediate/model", "target/pawsx/model"):
        trained = load_file(run_dir / stage / "model.safetensors")
        for name in ("word_embeddings", "position_embeddings", "LayerNorm"):
            key = next(k for k in pretrained if k.startswith(f"roberta.embeddings.{name}"))
            assert torch.equal(trained[key], pretrained[key]), (stage, key)
        query = "roberta.encoder.layer.0.attention.self.query.weight"
        assert not torch.equal(trained[query], pretrained[query]), stage


NINE = (
    "anli",
    "mnli",
    "qqp",
    "squad",
    "hellaswag",
    "cosmosqa",
    "commonsenseqa",
    "socialiqa",
    "ccg",
)


@pytest.mark.parametrize("task", NINE)
def test_every_single_task_recipe_runs_with_the_tiny_preset(task, tmp_path, toy_cache):
    """Each intermediate task trains (loss is finite, dev is scored) and feeds a target stage."""
    recipe = smoke_recipe(
        f"single/{task}",
        toy_cache,
        "intermediate.train.max_steps=2",
        "intermediate.train.select=best",  # recipes keep their last weights; scores dev here
        "target.tasks=[pawsx]",
        "target.train.max_steps=1",
        "retrieval.tasks=[]",
        "eval.languages=[en, de]",
    )
    [run_dir] = run(recipe, out_dir=tmp_path / task)
    done = json.loads((run_dir / "intermediate" / "done.json").read_text())
    assert done["steps"] == 2
    assert set(done["best_scores"]) == {task}
    results = json.loads((run_dir / "results.json").read_text())
    assert {(s["task"], s["language"]) for s in results["scores"]} == {
        ("pawsx", "en"),
        ("pawsx", "de"),
    }


def test_resume_with_a_different_recipe_is_refused(multitask_run, toy_cache):
    from stiltx.errors import StiltxError

    _, run_dir = multitask_run
    changed = smoke_recipe("multitask9", toy_cache, "target.train.lr=0.5")
    with pytest.raises(StiltxError, match=r"recipe differs .*changed: .*target\.train\.lr"):
        run(changed, out_dir=run_dir, resume=True)


def test_bare_resume_continues_the_newest_run_of_the_recipe(multitask_run, toy_cache, monkeypatch):
    recipe, run_dir = multitask_run
    monkeypatch.chdir(run_dir.parent)
    args = ["train", "-r", "multitask9", "-p", "tiny", "--resume"]
    args += [a for item in [*FAST, f"toy.cache_dir={toy_cache}"] for a in ("--set", item)]
    args += ["--set", f"output_dir={run_dir.parent}"]
    # the fixture's run folder is not named <recipe>-<time>: give it a sibling that is
    newest = run_dir.parent / "multitask9-20990101-000000"
    import shutil

    shutil.copytree(run_dir, newest)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert f"resuming {newest}" in result.output.replace("\n", "")
    last = result.output.strip().splitlines()[-1]  # the end names the run folder and the time
    assert last.startswith("done in ") and last.endswith(f": {newest}")


@pytest.mark.parametrize(
    ("benchmark", "expected"),
    [
        ("xtreme", {"udpos": 33, "panx": 40, "tatoeba": 36}),
        ("xtreme-r", {"udpos": 38, "panx": 48, "tatoeba": 41}),
    ],
)
def test_all_languages_means_the_benchmarks_languages(benchmark, expected):
    recipe = load_recipe("multitask9", overrides=[f"target.benchmark={benchmark}"])
    for task, count in expected.items():
        assert len(eval_languages(recipe, get_task(task))) == count
    low = load_recipe("multitask9", overrides=["eval.languages=[low-resource]"])
    assert set(eval_languages(low, get_task("xnli"))) == {"sw"}  # Joshi class <= 2 among XNLI
