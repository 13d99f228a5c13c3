"""The smoke toy world's data, the tiny random encoder, candidate runs built from it, and a
hand-written finished sweep (results.json files only)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stiltx.recipe.schema import DataConfig, ModelConfig
from stiltx.select.estimate import Candidate, Setting

CANDIDATE_TASKS = ("mnli", "qqp", "squad")


@pytest.fixture(scope="session")
def toy_data(toy_cache) -> Path:
    from stiltx.toy.build import ensure_toy_world
    from stiltx.toy.sizes import named_sizes

    world = ensure_toy_world(
        seed=0, sizes=named_sizes("smoke"), cache_dir=toy_cache, with_model=False, progress=False
    )
    return world.data_dir


@pytest.fixture(scope="session")
def setting(toy_data, tiny_model_dir, tmp_path_factory) -> Setting:
    data = DataConfig(
        source="local", data_dir=str(toy_data), cache_dir=str(tmp_path_factory.mktemp("features"))
    )
    model = ModelConfig(name_or_path=str(tiny_model_dir), max_length=64)
    return Setting(data=data, model=model, sample=16, batch_size=8, proxy_steps=2)


@pytest.fixture(scope="session")
def candidate_runs(tmp_path_factory, tiny_model_dir) -> list[Candidate]:
    """One finished 'single/<task>' run per task: the tiny encoder, its weights perturbed per
    candidate (seeded), saved as the intermediate stage saves a full model."""
    import torch

    from stiltx.model.build import build_model
    from stiltx.model.methods import FullFinetune

    root = tmp_path_factory.mktemp("sweep")
    candidates = []
    for i, task in enumerate(CANDIDATE_TASKS):
        run = root / f"single-{task}" / "seed-1"
        model, _ = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), {})
        generator = torch.Generator().manual_seed(i)
        with torch.no_grad():
            for p in model.parameters():
                p.add_(0.05 * torch.randn(p.shape, generator=generator))
        FullFinetune().save(model, run / "intermediate" / "model")
        (run / "intermediate" / "done.json").write_text('{"steps": 1, "seconds": 1.0}')
        (run / "recipe.resolved.yaml").write_text(
            f"name: single/{task}\nintermediate:\n  tasks: [{task}]\n"
        )
        candidates.append(Candidate(f"single/{task}", task, run))
    return candidates


# The hand-written sweep: xnli's English dev (selection) score per recipe and seed, and its test
# score in sw (the toy world's low-resource language); en test is 60 everywhere.
DEV = {"single/mnli": (80.0, 82.0), "single/qqp": (70.0, 72.0), "single/squad": (75.0, 75.0)}
TEST_SW = {"single/mnli": 50.0, "single/qqp": 55.0, "single/squad": 40.0}


def _run(root: Path, recipe: str, seed: int, dev: float | None, seconds: float) -> None:
    run = root / recipe.replace("/", "-") / f"seed-{seed}"
    run.mkdir(parents=True)
    scores = [
        {"task": "xnli", "language": "en", "split": "test", "metric": "accuracy", "value": 60.0}
    ]
    if recipe in TEST_SW:
        scores.append({"task": "xnli", "language": "sw", "split": "test", "metric": "accuracy", "value": TEST_SW[recipe]})  # fmt: skip
    if dev is not None:
        scores.append({"task": "xnli", "language": "en", "split": "dev", "metric": "selection", "value": dev})  # fmt: skip
    results = {"recipe": recipe, "seed": seed, "model": "toy", "method": "full", "scores": scores,
               "timings": {"intermediate": {"seconds": seconds, "device": "cpu"}}}  # fmt: skip
    (run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    task = recipe.split("/")[-1]
    (run / "recipe.resolved.yaml").write_text(f"name: {recipe}\nintermediate:\n  tasks: [{task}]\n")


@pytest.fixture
def write_run():
    return _run


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """direct and three single tasks, seeds 1 and 2; a candidate run takes 10 s x its seed."""
    for seed in (1, 2):
        _run(tmp_path, "direct", seed, None, 5.0)
        for recipe, values in DEV.items():
            _run(tmp_path, recipe, seed, values[seed - 1], 10.0 * seed)
    return tmp_path
