"""AdapterFusion on a real tiny model: only the fusion layer and the target head train, the loss
falls, save/load restores the predictions, and adapters of different configs are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from stiltx.errors import StiltxError
from stiltx.model.build import HeadSpec, build_model
from stiltx.model.fusion import FusionTuning, check_same_config
from stiltx.model.methods import AdapterTuning
from stiltx.recipe.schema import ModelConfig
from stiltx.tasks.spec import TaskKind

TASKS = ("mnli", "qqp", "squad")
HEAD = {"pawsx": HeadSpec(TaskKind.CLASSIFICATION, num_labels=2)}


def task_adapters(tiny_model_dir: Path, root: Path, config="seq_bn", options=None) -> Path:
    """One trained-looking (random, non-zero) adapter per task, saved as AdapterTuning saves."""
    for i, task in enumerate(TASKS):
        model, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), {})
        method = AdapterTuning(config, options or {"reduction_factor": 4})
        method.prepare(model, [])
        torch.manual_seed(i)
        with torch.no_grad():
            for name, p in model.named_parameters():
                if ".stilt." in name:
                    p.normal_(0, 0.3)
        method.save(model, root / task)
    return root


@pytest.fixture
def fusion_setup(tiny_model_dir, tmp_path):
    root = task_adapters(tiny_model_dir, tmp_path / "adapters")
    model, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), HEAD)
    method = FusionTuning(root, TASKS)
    method.prepare(model, ["pawsx"])
    return model, method


def batch(model):
    gen = torch.Generator().manual_seed(0)
    ids = torch.randint(5, model.config.vocab_size, (8, 10), generator=gen)
    return ids, torch.tensor([0, 1] * 4)


def test_fusion_trains_only_its_layer_and_head_and_the_loss_falls(fusion_setup):
    model, method = fusion_setup
    trainable = [n for n, _ in method.trainable_parameters(model)]
    assert any("adapter_fusion_layer" in n for n in trainable)
    assert all("adapter_fusion_layer" in n or n.startswith("heads.pawsx.") for n in trainable)
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    ids, labels = batch(model)
    optimizer = torch.optim.AdamW([p for _, p in method.trainable_parameters(model)], lr=1e-2)
    model.train()
    losses = []
    for _ in range(25):
        loss = model(input_ids=ids, labels=labels, head="pawsx").loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    assert losses[-1] < 0.75 * losses[0], losses
    changed = {n for n, p in model.named_parameters() if not torch.equal(p, before[n])}
    assert any("adapter_fusion_layer" in n for n in changed)
    assert changed == {n for n in before if n in trainable}  # task adapters, encoder: untouched


def test_fusion_save_and_load_restore_the_predictions(fusion_setup, tiny_model_dir, tmp_path):
    model, method = fusion_setup
    with torch.no_grad():
        for _, p in method.trainable_parameters(model):
            p.normal_(0, 0.5)
    method.save(model, tmp_path / "saved")
    ids, _ = batch(model)
    model.eval()
    method.activate(model, "sw")
    expected = model(input_ids=ids, head="pawsx").logits

    fresh, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), HEAD)
    method.prepare(fresh, ["pawsx"])
    before = fresh(input_ids=ids, head="pawsx").logits
    method.load(fresh, tmp_path / "saved")
    method.activate(fresh, "de")
    fresh.eval()
    assert not torch.allclose(before, expected)
    assert torch.allclose(fresh(input_ids=ids, head="pawsx").logits, expected, atol=1e-6)


def test_fusion_over_adapters_of_different_configs_is_one_line_naming_the_run(
    tiny_model_dir, tmp_path
):
    seq_bn = task_adapters(tiny_model_dir, tmp_path / "a")
    lora = task_adapters(tiny_model_dir, tmp_path / "b", "lora", {"r": 4})
    run = tmp_path / "sweep" / "single-qqp" / "seed-1"
    dirs = {"mnli": seq_bn / "mnli", f"run {run}": lora / "qqp"}
    with pytest.raises(StiltxError) as error:
        check_same_config(dirs)
    message = str(error.value)
    assert "\n" not in message
    assert f"run {run} has adapter config {{architecture=lora" in message
    assert "mnli has {reduction_factor=4, mh_adapter=False, output_adapter=True}" in message
