"""merge/* and fusion/* end to end on the smoke toy world: the merged encoder equals the hand
merge of the per-task models at the setting English dev chose, inputs taken from other runs are
counted in the budget, AdapterFusion trains per target, and bad inputs stop in one line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
import yaml
from rich.console import Console
from safetensors.torch import load_file

from stiltx.errors import StiltxError
from stiltx.model import merge
from stiltx.model.build import build_model
from stiltx.model.merged import encoder_state, seeded_model
from stiltx.pipeline import run
from stiltx.recipe.load import load_recipe
from stiltx.recipe.schema import ModelConfig
from stiltx.toy.resolve import resolve

FAST = [
    "toy.size=smoke",
    "intermediate.tasks=[mnli, qqp]",
    "intermediate.train.max_steps=4",
    "intermediate.train.eval_every=2",
    "intermediate.train.save_every=2",
    "intermediate.train.batch_size=4",
    "target.tasks=[xnli]",
    "target.train.max_steps=4",
    "target.train.eval_every=2",
    "target.train.save_every=2",
    "target.train.batch_size=4",
    "retrieval.tasks=[]",
]


def smoke(name, toy_cache, *extra):
    return load_recipe(name, preset="tiny", overrides=[*FAST, f"toy.cache_dir={toy_cache}", *extra])


def results_of(run_dir: Path) -> dict:
    return json.loads((run_dir / "results.json").read_text())


def weights(model_dir: Path) -> dict:
    return {
        k: v for k, v in load_file(model_dir / "model.safetensors").items() if "heads." not in k
    }


@pytest.fixture(scope="module")
def merged_run(tmp_path_factory, toy_cache):
    recipe = smoke("merge/task-arithmetic", toy_cache, "intermediate.combine.scales=[0.5, 2.0]")
    [run_dir] = run(recipe, out_dir=tmp_path_factory.mktemp("runs") / "ta")
    return recipe, run_dir


def test_task_arithmetic_keeps_the_scale_english_dev_chose(merged_run):
    recipe, run_dir = merged_run
    combine = results_of(run_dir)["combine"]
    assert set(combine["grid"]) == {"scale=0.5", "scale=2"}
    means = {k: sum(v.values()) / len(v) for k, v in combine["grid"].items()}
    best = max(means, key=means.get)  # the first of equals, as the grid's order
    assert combine["setting"] == {"scale": float(best.split("=")[1])}
    # the run's encoder is base + scale * (sum of the task vectors), from the saved models
    base = seeded_model(resolve(recipe, Console(quiet=True)).model, recipe.seed)
    singles = [weights(run_dir / "intermediate" / "single" / t / "model") for t in ("mnli", "qqp")]
    expected = merge.task_arithmetic(encoder_state(base), singles, combine["setting"]["scale"])
    merged = weights(run_dir / "intermediate" / "model")
    assert set(merged) <= set(expected)
    for key, value in merged.items():
        assert torch.allclose(value, expected[key], atol=1e-6), key
    # the chosen setting's target stage is the run's; the other's weights are dropped
    other = "scale=2" if best == "scale=0.5" else "scale=0.5"
    assert (run_dir / "target" / "mnli" / "model").is_dir()
    assert not (run_dir / "merge" / other / "model").exists()
    assert (run_dir / "merge" / other / "target" / "mnli" / "done.json").is_file()


def test_budget_counts_every_stage_and_the_grid(merged_run):
    _, run_dir = merged_run
    results = results_of(run_dir)
    other = next(k for k in results["combine"]["grid"] if k != label(results["combine"]))
    single = {"steps": 4, "examples": 16}  # 4 steps of batch 4
    assert results["budget"]["stages"] == {
        "intermediate/single/mnli": single,
        "intermediate/single/qqp": single,
        f"merge/{other}/target/mnli": single,  # the setting not chosen: trained, then dropped
        "target/mnli": single,  # the chosen setting's target stage
    }
    assert results["budget"]["steps"] == 16 and results["budget"]["examples"] == 64


def label(combine: dict) -> str:
    return ",".join(f"{k}={v:g}" for k, v in combine["setting"].items())


def test_merge_from_other_runs_counts_their_budget(merged_run, tmp_path, toy_cache):
    _, source = merged_run
    models = [str(source / "intermediate" / "single" / t / "model") for t in ("mnli", "qqp")]
    recipe = smoke("merge/average", toy_cache, f"intermediate.combine.from=[{', '.join(models)}]")
    [run_dir] = run(recipe, out_dir=tmp_path / "avg")
    results = results_of(run_dir)
    assert results["combine"]["setting"] == {} and results["combine"]["grid"] == {}
    assert not (run_dir / "intermediate" / "single").exists()  # nothing trained again
    stages = results["budget"]["stages"]
    assert stages["from:mnli"] == {"steps": 4, "examples": 16, "from": models[0]}
    assert stages["target/mnli"]["steps"] == 4 and results["budget"]["steps"] == 12
    averaged = merge.average(weights(Path(models[0])), [weights(Path(m)) for m in models])
    for key, value in weights(run_dir / "intermediate" / "model").items():
        assert torch.allclose(value, averaged[key], atol=1e-6), key


def fake_run(tmp_path: Path, source: Path, task: str, **model) -> Path:
    """A finished single-task run folder holding `source`'s in-run model for `task`."""
    run_dir = tmp_path / f"single-{task}"
    shutil.copytree(source / "intermediate" / "single" / task, run_dir / "intermediate")
    tree = yaml.safe_load((source / "recipe.resolved.yaml").read_text())
    tree["intermediate"] = {"tasks": [task]}
    tree["model"].update(model)
    (run_dir / "recipe.resolved.yaml").write_text(yaml.safe_dump(tree))
    return run_dir


def test_merge_of_runs_from_another_model_is_one_line_naming_the_run(
    merged_run, tmp_path, toy_cache
):
    _, source = merged_run
    good = fake_run(tmp_path, source, "mnli")
    other = fake_run(tmp_path, source, "qqp", name_or_path="FacebookAI/xlm-roberta-base")
    recipe = smoke("merge/average", toy_cache, f"intermediate.combine.from=[{good}, {other}]")
    with pytest.raises(StiltxError) as error:
        run(recipe, out_dir=tmp_path / "bad")
    message = str(error.value)
    assert "\n" not in message
    assert f"run {other} starts from model FacebookAI/xlm-roberta-base" in message
    assert not (tmp_path / "bad" / "results.json").exists()


def test_merge_of_another_architecture_is_one_line_naming_it(
    merged_run, tmp_path, toy_cache, tiny_model_dir
):
    from stiltx.model.methods import FullFinetune

    _, source = merged_run
    small, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), {})
    FullFinetune().save(small, tmp_path / "small")
    mnli = source / "intermediate" / "single" / "mnli" / "model"
    recipe = smoke(
        "merge/average", toy_cache, f"intermediate.combine.from=[{mnli}, {tmp_path / 'small'}]"
    )
    with pytest.raises(StiltxError) as error:
        run(recipe, out_dir=tmp_path / "bad")
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"merge: qqp ({tmp_path / 'small'}) has ")
    assert "merge runs of the same model only" in message


def test_fusion9_end_to_end(tmp_path, toy_cache):
    recipe = smoke("fusion/fusion9", toy_cache)
    [run_dir] = run(recipe, out_dir=tmp_path / "fusion")
    results = results_of(run_dir)
    assert {s["language"] for s in results["scores"] if s["task"] == "xnli"} == {
        "en", "de", "ru", "sw", "zh",
    }  # fmt: skip
    assert sorted(p.name for p in (run_dir / "intermediate" / "model").iterdir()) == ["mnli", "qqp"]
    fusion = run_dir / "target" / "mnli" / "model" / "fusion"
    assert json.loads((fusion / "adapter_fusion_config.json").read_text())["adapter_names"] == [
        "mnli", "qqp",
    ]  # fmt: skip
    assert results["combine"]["kind"] == "fusion"
    assert results["budget"]["steps"] == 12  # two tasks and one fusion stage, 4 steps each


def saved_adapter(model_cfg, config: str, options: dict, seed: int, out: Path) -> Path:
    """A trained-looking (random) adapter on the toy encoder, saved as AdapterTuning saves it."""
    from stiltx.model.methods import AdapterTuning

    model, _ = build_model(model_cfg, {})
    method = AdapterTuning(config, options)
    method.prepare(model, [])
    torch.manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if ".stilt." in name:
                p.normal_(0, 0.2)
    method.save(model, out)
    return out


def lora_folded(base: dict, adapter_dir: Path, scaling: float) -> dict:
    """base + scaling * B @ A for every LoRA-adapted weight (Hu et al. 2022, Eq. 3)."""
    lora = load_file(adapter_dir / "adapter" / "adapter.safetensors")
    out = dict(base)
    for key, a in lora.items():
        if key.endswith(".lora_A"):
            module = key.split(".loras.")[0]
            b = lora[key.replace(".lora_A", ".lora_B")]
            out[f"{module}.weight"] = base[f"{module}.weight"] + scaling * b @ a
    return out


def test_lora_adapters_are_folded_into_the_weights_before_merging(merged_run, tmp_path, toy_cache):
    recipe, _ = merged_run
    model_cfg = resolve(recipe, Console(quiet=True)).model
    dirs = [
        saved_adapter(model_cfg, "lora", {"r": 4, "alpha": 8}, i, tmp_path / task)
        for i, task in enumerate(("mnli", "qqp"))
    ]
    merged = smoke("merge/average", toy_cache, f"intermediate.combine.from=[{dirs[0]}, {dirs[1]}]")
    [run_dir] = run(merged, out_dir=tmp_path / "lora")
    base = encoder_state(seeded_model(model_cfg, merged.seed))
    folded = [lora_folded(base, d, scaling=8 / 4) for d in dirs]
    expected = merge.average(base, folded)
    changed = 0
    for key, value in weights(run_dir / "intermediate" / "model").items():
        assert torch.allclose(value, expected[key], atol=1e-5), key
        changed += not torch.equal(value, base[key])
    assert changed > 0

    seq_bn = saved_adapter(model_cfg, "seq_bn", {}, 3, tmp_path / "bn")
    bad = smoke("merge/average", toy_cache, f"intermediate.combine.from=[{dirs[0]}, {seq_bn}]")
    with pytest.raises(StiltxError) as error:
        run(bad, out_dir=tmp_path / "bad")
    assert str(error.value) == (
        f"merge: qqp ({seq_bn}) is a bottleneck adapter, which cannot be folded into the weights; "
        "merge fully fine-tuned models or LoRA adapters (method.adapter: lora)"
    )


def test_resume_takes_the_same_input_runs_at_new_paths_and_refuses_others(
    merged_run, tmp_path, toy_cache
):
    """A sweep folder moved between the start and `--resume`: the merge's `combine.from` paths
    change, the models they name do not (compared by their recorded files, inputs.json)."""
    _, source = merged_run
    before = tmp_path / "sweep-a"
    runs = [str(fake_run(before, source, task)) for task in ("mnli", "qqp")]
    recipe = smoke("merge/average", toy_cache, f"intermediate.combine.from=[{', '.join(runs)}]")
    [run_dir] = run(recipe, out_dir=tmp_path / "avg")
    recorded = json.loads((run_dir / "inputs.json").read_text())
    assert len(recorded["intermediate.combine.from"]) == 2
    scores = results_of(run_dir)["scores"]

    after = tmp_path / "sweep-b"
    before.rename(after)
    moved = [str(after / Path(r).name) for r in runs]
    recipe = smoke("merge/average", toy_cache, f"intermediate.combine.from=[{', '.join(moved)}]")
    [resumed] = run(recipe, out_dir=run_dir, resume=True)
    assert results_of(resumed)["scores"] == scores
    assert str(after) in (run_dir / "recipe.resolved.yaml").read_text()  # what it now reads

    swapped = smoke(
        "merge/average", toy_cache, f"intermediate.combine.from=[{moved[1]}, {moved[0]}]"
    )
    with pytest.raises(StiltxError, match=r"recipe differs .*changed: intermediate\.combine\.from"):
        run(swapped, out_dir=run_dir, resume=True)
