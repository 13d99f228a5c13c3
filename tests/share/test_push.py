"""`stiltx push --dry-run`: the exact folder, offline: files, a card ModelCard loads, weights reload."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from stiltx.cli import app
from stiltx.model.build import HeadSpec, build_model
from stiltx.model.methods import AdapterTuning, FullFinetune
from stiltx.recipe.load import load_recipe, recipe_to_yaml
from stiltx.recipe.schema import ModelConfig
from stiltx.tasks.spec import TaskKind

HEADS = {"nli": HeadSpec(TaskKind.CLASSIFICATION, num_labels=3)}
runner = CliRunner()


def fake_run(tmp_path, tiny_model_dir, method) -> tuple:
    """A finished run directory whose intermediate stage saved `method`'s model."""
    run = tmp_path / "runs" / "multitask9-20260101-000000"
    kind = "full" if isinstance(method, FullFinetune) else "adapter"
    frozen = [f"method.freeze=[{','.join(method.freeze)}]"] if getattr(method, "freeze", ()) else []
    recipe = load_recipe("multitask9", overrides=[f"model.name_or_path={tiny_model_dir}",
                                                  f"method.kind={kind}", *frozen])  # fmt: skip
    (run / "intermediate").mkdir(parents=True)
    (run / "recipe.resolved.yaml").write_text(recipe_to_yaml(recipe), encoding="utf-8")
    (run / "intermediate" / "done.json").write_text('{"steps": 2}', encoding="utf-8")
    mixture = {"policy": "capped", "tasks": {"mnli": {"intended_steps": 6, "realized_steps": 5}}}
    (run / "mixture.json").write_text(json.dumps(mixture), encoding="utf-8")
    results = {"recipe": "multitask9", "seed": 42, "stiltx_version": "0.1.0", "git_commit": "abc",
               "scores": [{"task": "xnli", "language": "de", "split": "test",
                           "metric": "accuracy", "value": 40.0}],
               "aggregates": {"benchmark": "toy", "tasks": {"xnli": 40.0}, "overall": 40.0,
                              "missing_languages": {"xnli": ["en"]}, "complete": False}}  # fmt: skip
    (run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    model, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), HEADS)
    method.prepare(model, HEADS)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "heads" in name or "adapter" in name.lower():
                p.normal_(0, 0.2)
    method.save(model, run / "intermediate" / "model")
    return run, model


def logits(model, ids):
    model.eval()
    with torch.no_grad():
        return model(input_ids=ids, head="nli").logits


METHODS = [
    FullFinetune(),
    FullFinetune(freeze=("roberta.embeddings.*",)),
    AdapterTuning(config="seq_bn"),
]


@pytest.mark.parametrize("method", METHODS, ids=["full", "full-frozen", "adapter"])
def test_dry_run_writes_a_loadable_model_folder_with_a_card(tmp_path, tiny_model_dir, method):
    import adapters
    from huggingface_hub import ModelCard

    run, model = fake_run(tmp_path, tiny_model_dir, method)
    out = tmp_path / "push"
    args = ["push", str(run), "--repo-id", "me/xlmr-stilts", "--dry-run", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "dry run: nothing uploaded" in result.output
    names = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert {"README.md", "stiltx/recipe.resolved.yaml", "stiltx/results.json",
            "stiltx/mixture.json", "tokenizer.json"} <= names  # fmt: skip
    card = ModelCard.load(out / "README.md")
    assert "stiltx" in card.data.tags
    text = card.text
    for needle in ("from: me/xlmr-stilts", "| mnli | 6 | 5 |", "| xnli | 40.0 | en |",
                   "stiltx 0.1.0", "## Recipe", "## Intermediate training data"):  # fmt: skip
        assert needle in text, needle
    frozen = "method `full` with `roberta.embeddings.*` frozen"
    assert (frozen in text) == bool(getattr(method, "freeze", ())), text[:600]
    ids = torch.randint(
        5, model.config.vocab_size, (2, 7), generator=torch.Generator().manual_seed(0)
    )
    if isinstance(method, FullFinetune):
        assert "model.safetensors" in names and card.data.library_name == "transformers"
        again = adapters.AutoAdapterModel.from_pretrained(out)
    else:
        assert "adapter/adapter_config.json" in names and card.data.library_name == "adapters"
        again, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), HEADS)
        AdapterTuning(config="seq_bn").load(again, out)
        AdapterTuning(config="seq_bn").activate(again)
        method.activate(model)
    assert torch.allclose(logits(model, ids), logits(again, ids), atol=1e-5)


def test_push_errors_are_clean(tmp_path):
    result = runner.invoke(app, ["push", str(tmp_path), "--repo-id", "me/x", "--dry-run"])
    assert result.exit_code == 2 and "not a stiltx run directory" in result.output
    (tmp_path / "recipe.resolved.yaml").write_text("name: x\n", encoding="utf-8")
    result = runner.invoke(app, ["push", str(tmp_path), "--repo-id", "me/x", "--what", "target:xnli"])  # fmt: skip
    assert result.exit_code == 2 and "no saved model" in result.output
    assert "Traceback" not in result.output


def toy_target_run(tmp_path) -> object:
    """A finished toy-world run whose mnli target stage (serving xnli) saved a full model."""
    from stiltx.toy.ship import SHIPPED_DIR

    run = tmp_path / "runs" / "direct-toy"
    recipe = load_recipe("multitask9", preset="tiny", overrides=["target.tasks=[xnli,pawsx]"])
    (run / "target" / "mnli").mkdir(parents=True)
    (run / "recipe.resolved.yaml").write_text(recipe_to_yaml(recipe), encoding="utf-8")
    (run / "target" / "mnli" / "done.json").write_text('{"steps": 2}', encoding="utf-8")
    mixture = {"policy": "proportional",
               "tasks": {"mnli": {"intended_steps": 10 / 3, "realized_steps": 1200}}}  # fmt: skip
    (run / "mixture.json").write_text(json.dumps(mixture), encoding="utf-8")
    results = {"recipe": "multitask9", "seed": 42,
               "scores": [{"task": t, "language": lang, "split": "test", "metric": "accuracy",
                           "value": 50.0} for t in ("xnli", "pawsx") for lang in ("en", "de")],
               "aggregates": {"benchmark": "toy", "tasks": {"xnli": 41.25, "pawsx": 60.0},
                              "overall": 50.6, "categories": {"classification": 50.6}}}  # fmt: skip
    (run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    heads = {"nli": HeadSpec(TaskKind.CLASSIFICATION, num_labels=3)}  # mnli's head
    model, _ = build_model(ModelConfig(name_or_path=str(SHIPPED_DIR)), heads)
    FullFinetune().prepare(model, heads)
    FullFinetune().save(model, run / "target" / "mnli" / "model")
    return run


def test_a_target_card_is_for_prediction_with_its_own_results_and_the_tokenizer(
    tmp_path, monkeypatch
):
    import adapters
    from huggingface_hub import ModelCard
    from transformers import AutoTokenizer

    from stiltx.toy.ship import SHIPPED_DIR

    monkeypatch.setenv("STILTX_CACHE", str(tmp_path / "cache"))  # no toy world built: shipped
    run, out = toy_target_run(tmp_path), tmp_path / "push"
    args = ["push", str(run), "--repo-id", "me/xnli", "--what", "target:xnli", "--dry-run"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "target:mnli of" in result.output
    for name in ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"):
        assert (out / name).read_bytes() == (SHIPPED_DIR / name).read_bytes(), name
    card = ModelCard.load(out / "README.md")
    assert "language" not in card.data.to_dict() and "toy" in card.data.tags  # de is not German
    text = card.text
    assert "The **target** model for **xnli** (fine-tuned on mnli's English" in text
    assert "synthetic toy world" in text and "Hub `nyu-mll/glue`" not in text
    assert "intermediate:\n  from:" not in text and "from: me/xnli" not in text
    assert 'output = model(**inputs, head="nli")' in text
    assert "labels = ['entailment', 'neutral', 'contradiction']" in text
    assert "| xnli | 41.2 |" in text and "pawsx" not in text.split("## Results")[1].split("##")[0]
    assert "average" not in text and "3.333" not in text and "| mnli | 3.3 | 1,200 |" in text
    # the card's own instructions work on the folder
    tokenizer = AutoTokenizer.from_pretrained(out)
    model = adapters.AutoAdapterModel.from_pretrained(out).eval()
    inputs = tokenizer("first text", "second text", return_tensors="pt")
    assert model(**inputs, head="nli").logits.shape == (1, 3)


def test_an_intermediate_card_still_says_how_to_reuse_it(tmp_path, tiny_model_dir):
    run, _ = fake_run(tmp_path, tiny_model_dir, FullFinetune())
    result = runner.invoke(
        app, ["push", str(run), "--repo-id", "me/m", "--dry-run", "--out", str(tmp_path / "o")]
    )
    text = (tmp_path / "o" / "README.md").read_text()
    assert result.exit_code == 0 and "intermediate:\n  from: me/m" in text
    assert "language:\n- de" in text  # a real model's languages are tagged
