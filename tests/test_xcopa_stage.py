"""XCOPA's target stage trains SocialIQA, then COPA, as XTREME-R's scripts/train_xcopa.sh does,
in `direct` and after an intermediate stage; COPA starts from the SocialIQA model, head included."""

from __future__ import annotations

import json

import torch

from stiltx.model.build import HeadSpec, add_heads, build_model, copy_head
from stiltx.pipeline import run
from stiltx.plan import target_stages
from stiltx.recipe.load import load_recipe
from stiltx.recipe.schema import ModelConfig
from stiltx.tasks.spec import TaskKind


def _recipe(name, toy_cache, *extra):
    fast = [
        "toy.size=smoke",
        "target.tasks=[xcopa]",
        "retrieval.tasks=[]",
        "target.train.max_steps=3",
        "target.train.eval_every=3",
        "target.train.save_every=3",
        "target.train.batch_size=4",
        "target.train.log_every=1",
        f"toy.cache_dir={toy_cache}",
    ]
    return load_recipe(name, preset="tiny", overrides=[*fast, *extra])


def test_xcopa_stage_trains_socialiqa_first_in_direct_and_after_an_intermediate_stage(toy_cache):
    for name in ("direct", "multitask9"):
        [stage] = target_stages(_recipe(name, toy_cache))
        assert stage.train_task == "copa"
        assert [b.train_task for b in stage.before] == ["socialiqa"]
        [before] = stage.before
        assert (
            before.train == stage.train
            and before.targets == ()
            and before.dev_tasks == ("socialiqa",)
        )


def test_xcopa_run_logs_socialiqa_steps_then_copa_steps(tmp_path, toy_cache):
    [run_dir] = run(_recipe("direct", toy_cache), out_dir=tmp_path / "direct")
    copa = run_dir / "target" / "copa"
    logs = {
        task: [json.loads(line) for line in (path / "train_log.jsonl").read_text().splitlines()]
        for task, path in (("socialiqa", copa / "before" / "socialiqa"), ("copa", copa))
    }
    for task, rows in logs.items():
        steps = [r["step"] for r in rows if "loss" in r]
        assert steps == [1, 2, 3]
        assert all(set(r["loss"]) == {task} for r in rows if "loss" in r)
    socialiqa_done = copa / "before" / "socialiqa" / "done.json"
    assert socialiqa_done.stat().st_mtime <= (copa / "done.json").stat().st_mtime
    results = json.loads((run_dir / "results.json").read_text())
    assert {(s["task"], s["language"]) for s in results["scores"] if s["split"] == "test"} == {
        ("xcopa", "sw"),
        ("xcopa", "zh"),
    }
    # a resumed finished run redoes neither stage
    before = (copa / "train_log.jsonl").read_text()
    run(_recipe("direct", toy_cache), out_dir=run_dir, resume=True)
    assert (copa / "train_log.jsonl").read_text() == before


def test_copy_head_carries_a_multiple_choice_head_across_choice_counts(tiny_model_dir):
    model, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir), max_length=64), {})
    add_heads(
        model,
        {
            "socialiqa": HeadSpec(TaskKind.MULTIPLE_CHOICE, num_choices=3),
            "copa": HeadSpec(TaskKind.MULTIPLE_CHOICE, num_choices=2),
            "nli": HeadSpec(TaskKind.CLASSIFICATION, num_labels=3, labels=("a", "b", "c")),
        },
    )
    copy_head(model, "socialiqa", "copa")
    source, target = model.heads["socialiqa"].state_dict(), model.heads["copa"].state_dict()
    assert all(torch.equal(source[k], target[k]) for k in source)
    nli = {k: v.clone() for k, v in model.heads["nli"].state_dict().items()}
    copy_head(model, "socialiqa", "nli")  # another kind: left as it was
    assert all(torch.equal(nli[k], v) for k, v in model.heads["nli"].state_dict().items())
