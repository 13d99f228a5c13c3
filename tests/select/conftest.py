"""The smoke toy world's data, the tiny random encoder, and candidate runs built from it."""

from __future__ import annotations

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
