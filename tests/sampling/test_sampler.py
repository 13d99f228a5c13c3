"""TaskSampler: realized frequencies, epoch schedules, exact resume, the mixture report."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from stiltx.errors import DataError, RecipeError
from stiltx.recipe.schema import SamplingConfig
from stiltx.sampling.sampler import TaskSampler

SIZES = {"a": 200, "b": 300, "c": 500}


def draw(sampler: TaskSampler, n: int, start: int = 0) -> list[str]:
    return [sampler.next_task(step) for step in range(start, start + n)]


def roundtrip(state: dict) -> dict:
    return json.loads(json.dumps(state))  # checkpoints store it as JSON


@pytest.mark.parametrize(
    "config",
    [
        SamplingConfig(policy="proportional"),
        SamplingConfig(policy="uniform"),
        SamplingConfig(policy="temperature", temperature=2.0),
        SamplingConfig(policy="fixed", weights={"a": 0.7, "b": 0.2, "c": 0.1}),
    ],
)
def test_realized_frequencies_within_one_percent(config):
    sampler = TaskSampler(SIZES, config, seed=13)
    n = 20_000
    draw(sampler, n)
    intended = sampler.intended(n)
    assert sum(sampler.realized.values()) == n
    for task in SIZES:
        assert abs(sampler.realized[task] - intended[task]) / n < 0.01, (task, sampler.realized)


def test_annealed_realized_matches_intended_sum_of_rates():
    sizes = {"a": 1, "b": 32, "c": 1024}
    sampler = TaskSampler(sizes, SamplingConfig(policy="annealed"), seed=3, total_steps=20_000)
    draw(sampler, 20_000)
    intended = sampler.intended(20_000)
    assert sum(intended.values()) == pytest.approx(20_000)
    # early steps favour the big task, late steps much less
    first, last = Counter(draw_copy(sizes, 0, 2000)), Counter(draw_copy(sizes, 18_000, 2000))
    assert first["c"] > last["c"] + 300
    for task in sizes:
        assert abs(sampler.realized[task] - intended[task]) / 20_000 < 0.01


def draw_copy(sizes, start, n):
    sampler = TaskSampler(sizes, SamplingConfig(policy="annealed"), seed=5, total_steps=20_000)
    return draw(sampler, n, start=start)


def test_intended_annealed_by_hand():
    # alpha at steps 0, 1 (anneal_steps=2) = 1.0, 0.6 ; step >= 2: 0.2
    sizes = {"a": 1, "b": 32, "c": 1024}
    sampler = TaskSampler(sizes, SamplingConfig(policy="annealed", anneal_steps=2), seed=0)
    intended = sampler.intended(4)
    expected_b = 32 / 1057 + 8 / 73 + 2 * (2 / 7)
    assert intended["b"] == pytest.approx(expected_b)


def test_without_replacement_covers_every_batch_once_per_epoch():
    batches = {"a": 3, "b": 5, "c": 7}
    config = SamplingConfig(with_replacement=False)
    sampler = TaskSampler(SIZES, config, seed=1, batches_per_epoch=batches)
    epochs = [draw(sampler, 15, start=15 * e) for e in range(4)]
    for epoch in epochs:
        assert Counter(epoch) == batches
    assert len({tuple(e) for e in epochs}) == 4  # reshuffled every epoch
    assert sampler.realized == {t: 4 * n for t, n in batches.items()}
    assert sampler.intended(15) == {"a": 3.0, "b": 5.0, "c": 7.0}


def test_without_replacement_needs_proportional_and_batch_counts():
    with pytest.raises(RecipeError, match="cannot follow policy 'uniform'"):
        TaskSampler(
            SIZES,
            SamplingConfig(policy="uniform", with_replacement=False),
            0,
            {"a": 1, "b": 1, "c": 1},
        )
    with pytest.raises(RecipeError, match="needs the batches per epoch"):
        TaskSampler(SIZES, SamplingConfig(with_replacement=False), 0)
    with pytest.raises(
        RecipeError, match="batches_per_epoch.c: expected a positive integer, got None"
    ):
        TaskSampler(SIZES, SamplingConfig(with_replacement=False), 0, {"a": 1, "b": 1})


@pytest.mark.parametrize(
    ("config", "batches"),
    [
        (SamplingConfig(policy="temperature", temperature=3.0), None),
        (SamplingConfig(policy="annealed", anneal_steps=50), None),
        (SamplingConfig(with_replacement=False), {"a": 4, "b": 6, "c": 9}),
    ],
)
def test_state_dict_resumes_the_identical_sequence(config, batches):
    first = TaskSampler(SIZES, config, seed=11, batches_per_epoch=batches)
    draw(first, 23)
    state = roundtrip(first.state_dict())
    expected = draw(first, 40, start=23)

    fresh = TaskSampler(SIZES, config, seed=11, batches_per_epoch=batches)
    fresh.load_state_dict(state)
    assert draw(fresh, 40, start=23) == expected
    assert fresh.realized == first.realized


def test_seed_changes_the_sequence():
    config = SamplingConfig(policy="uniform")
    assert draw(TaskSampler(SIZES, config, seed=1), 50) != draw(
        TaskSampler(SIZES, config, seed=2), 50
    )
    assert draw(TaskSampler(SIZES, config, seed=1), 50) == draw(
        TaskSampler(SIZES, config, seed=1), 50
    )


def test_load_state_dict_rejects_other_mixture():
    state = TaskSampler(SIZES, SamplingConfig(), seed=1).state_dict()
    with pytest.raises(DataError, match="saved for tasks"):
        TaskSampler({"a": 1, "b": 2}, SamplingConfig(), seed=1).load_state_dict(state)


@pytest.mark.parametrize("with_replacement", [True, False])
def test_single_task_is_the_same_path(with_replacement):
    config = SamplingConfig(with_replacement=with_replacement)
    sampler = TaskSampler({"mnli": 10}, config, seed=0, batches_per_epoch={"mnli": 3})
    assert draw(sampler, 7) == ["mnli"] * 7
    report = sampler.mixture_report(7)
    assert report["tasks"]["mnli"]["probability"] == 1.0
    assert report["tasks"]["mnli"]["realized_steps"] == 7


def test_zero_weight_task_is_never_drawn():
    config = SamplingConfig(policy="fixed", weights={"a": 1.0, "b": 0.0, "c": 1.0})
    sampler = TaskSampler(SIZES, config, seed=0)
    draw(sampler, 2000)
    assert sampler.realized["b"] == 0


def test_mixture_report_hand_values():
    config = SamplingConfig(
        policy="capped", cap=300
    )  # min(n, 300) = 200, 300, 300 -> .25 .375 .375
    sampler = TaskSampler(SIZES, config, seed=0)
    draw(sampler, 8)
    report = json.loads(json.dumps(sampler.mixture_report(8)))
    assert report["policy"] == "capped"
    assert report["total_steps"] == 8 and report["steps_drawn"] == 8
    assert report["tasks"]["a"] == {
        "size": 200,
        "probability": 0.25,
        "intended_steps": 2.0,
        "realized_steps": sampler.realized["a"],
    }
    assert report["tasks"]["c"]["intended_steps"] == 3.0
    assert sum(t["realized_steps"] for t in report["tasks"].values()) == 8


def test_mixture_report_annealed_start_and_end():
    sizes = {"a": 1, "b": 32, "c": 1024}
    sampler = TaskSampler(sizes, SamplingConfig(policy="annealed", anneal_steps=10), seed=0)
    report = sampler.mixture_report(10)
    assert report["tasks"]["a"]["probability_start"] == pytest.approx(1 / 1057)
    assert report["tasks"]["a"]["probability_end"] == pytest.approx(1 / 7)
