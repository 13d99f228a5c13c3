"""Every policy against hand-computed probabilities, plus the errors a user can hit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from stiltx.errors import DataError, RecipeError, UnknownNameError
from stiltx.recipe.schema import SamplingConfig
from stiltx.sampling.rates import anneal_alpha, rates

SIZES = {"a": 100, "b": 400, "c": 1600}
POW2 = {"a": 1, "b": 32, "c": 1024}  # 2^0, 2^5, 2^10: powers of 0.2 and 0.6 come out whole


@pytest.mark.parametrize(
    ("sizes", "config", "step", "total_steps", "expected"),
    [
        (SIZES, SamplingConfig(policy="uniform"), 0, None, (1 / 3, 1 / 3, 1 / 3)),
        (SIZES, SamplingConfig(policy="proportional"), 0, None, (1 / 21, 4 / 21, 16 / 21)),
        # min(n, 400) = 100, 400, 400
        (SIZES, SamplingConfig(policy="capped", cap=400), 0, None, (1 / 9, 4 / 9, 4 / 9)),
        # n^(1/2) = 10, 20, 40
        (
            SIZES,
            SamplingConfig(policy="temperature", temperature=2.0),
            0,
            None,
            (1 / 7, 2 / 7, 4 / 7),
        ),
        # min(n, 400)^(1/2) = 10, 20, 20
        (
            SIZES,
            SamplingConfig(policy="temperature", temperature=2.0, cap=400),
            0,
            None,
            (0.2, 0.4, 0.4),
        ),
        # T = 1 without a cap is proportional
        (SIZES, SamplingConfig(policy="temperature"), 0, None, (1 / 21, 4 / 21, 16 / 21)),
        (
            SIZES,
            SamplingConfig(policy="fixed", weights={"a": 1, "b": 1, "c": 2}),
            0,
            None,
            (0.25, 0.25, 0.5),
        ),
        # annealed, alpha = 1 - 0.8 * min(step / 10, 1)
        (
            POW2,
            SamplingConfig(policy="annealed", anneal_steps=10),
            0,
            None,
            (1 / 1057, 32 / 1057, 1024 / 1057),
        ),
        (
            POW2,
            SamplingConfig(policy="annealed", anneal_steps=10),
            5,
            None,
            (1 / 73, 8 / 73, 64 / 73),
        ),  # alpha .6
        (
            POW2,
            SamplingConfig(policy="annealed", anneal_steps=10),
            10,
            None,
            (1 / 7, 2 / 7, 4 / 7),
        ),  # alpha .2
        (
            POW2,
            SamplingConfig(policy="annealed", anneal_steps=10),
            999,
            None,
            (1 / 7, 2 / 7, 4 / 7),
        ),  # stays
        # anneal_steps unset: anneal over the run's total_steps
        (POW2, SamplingConfig(policy="annealed"), 5, 10, (1 / 73, 8 / 73, 64 / 73)),
        # with a cap of 32: min(n, 32) = 1, 32, 32 at alpha .2 -> 1, 2, 2
        (
            POW2,
            SamplingConfig(policy="annealed", anneal_steps=10, cap=32),
            10,
            None,
            (0.2, 0.4, 0.4),
        ),
    ],
)
def test_policy_matches_hand_computed(sizes, config, step, total_steps, expected):
    got = rates(sizes, config, step=step, total_steps=total_steps)
    assert list(got) == list(sizes)
    assert tuple(got.values()) == pytest.approx(expected, rel=1e-12)
    assert sum(got.values()) == pytest.approx(1.0, abs=1e-12)


def test_anneal_alpha_is_linear_from_one_to_point_two():
    assert [anneal_alpha(s, 4) for s in range(6)] == pytest.approx([1.0, 0.8, 0.6, 0.4, 0.2, 0.2])


@pytest.mark.parametrize(
    "config",
    [
        SamplingConfig(policy="uniform"),
        SamplingConfig(policy="proportional"),
        SamplingConfig(policy="capped", cap=5),
        SamplingConfig(policy="temperature", temperature=3.0, cap=5),
        SamplingConfig(policy="fixed", weights={"only": 0.3}),
        SamplingConfig(policy="annealed", anneal_steps=7),
    ],
)
def test_single_task_is_probability_one(config):
    assert rates({"only": 12}, config, step=3) == {"only": 1.0}


def test_fixed_names_the_task_without_weight():
    config = SamplingConfig(policy="fixed", weights={"a": 1.0, "b": 2.0})
    with pytest.raises(RecipeError, match="no weight for task 'c'"):
        rates(SIZES, config)


def test_fixed_rejects_weight_for_unknown_task_with_suggestion():
    config = SamplingConfig(policy="fixed", weights={"a": 1, "b": 1, "c": 1, "cc": 1})
    with pytest.raises(RecipeError, match=r"sampling.weights.cc: not a task.*did you mean 'c'"):
        rates(SIZES, config)


def test_fixed_rejects_negative_and_all_zero_weights():
    with pytest.raises(
        RecipeError, match=r"sampling.weights.b: must be a finite number >= 0, got -1"
    ):
        rates(SIZES, SamplingConfig(policy="fixed", weights={"a": 1, "b": -1, "c": 1}))
    with pytest.raises(RecipeError, match="all task weights are zero"):
        rates(SIZES, SamplingConfig(policy="fixed", weights={"a": 0, "b": 0, "c": 0}))


@pytest.mark.parametrize("temperature", [0.0, -1.0])
def test_temperature_must_be_positive(temperature):
    with pytest.raises(RecipeError, match=f"sampling.temperature: must be > 0.*got {temperature}"):
        rates(SIZES, SamplingConfig(policy="temperature", temperature=temperature))


@pytest.mark.parametrize("size", [0, -3])
def test_empty_task_is_a_data_error_naming_it(size):
    with pytest.raises(DataError, match=f"task 'b'.*got {size}"):
        rates({"a": 10, "b": size}, SamplingConfig())


def test_config_errors():
    with pytest.raises(RecipeError, match="sampling.cap: policy 'capped' needs a cap"):
        rates(SIZES, SamplingConfig(policy="capped"))
    with pytest.raises(RecipeError, match="sampling.cap: must be a positive"):
        rates(SIZES, SamplingConfig(policy="capped", cap=0))
    with pytest.raises(RecipeError, match="sampling.anneal_steps"):
        rates(SIZES, SamplingConfig(policy="annealed"))
    with pytest.raises(RecipeError, match="at least one task"):
        rates({}, SamplingConfig())
    with pytest.raises(UnknownNameError, match="did you mean 'uniform'"):
        rates(SIZES, SamplingConfig(policy="unifrom"))  # type: ignore[arg-type]


def test_rates_module_does_not_import_torch():
    code = "import sys, stiltx.sampling.rates; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], check=True)


MEMBERS = {"mnli": 300, "mnli@de": 100, "mlm@de": 50, "mlm@sw": 150}


def test_a_task_weight_is_the_share_of_all_its_members():
    """`weights: {mlm: 0.2}`: MLM members get 20% together (split by the policy), the rest 80%."""
    probs = rates(MEMBERS, SamplingConfig(policy="proportional", weights={"mlm": 0.2}))
    assert probs == pytest.approx({"mnli": 0.6, "mnli@de": 0.2, "mlm@de": 0.05, "mlm@sw": 0.15})
    one = rates(MEMBERS, SamplingConfig(policy="uniform", weights={"mlm@sw": 0.4}))
    assert one == pytest.approx({"mnli": 0.2, "mnli@de": 0.2, "mlm@de": 0.2, "mlm@sw": 0.4})


def test_fixed_weights_by_task_are_split_evenly_within_the_task():
    config = SamplingConfig(policy="fixed", weights={"mnli": 3, "mnli@de": 1, "mlm": 4})
    probs = rates(MEMBERS, config)
    assert probs == pytest.approx({"mnli": 0.375, "mnli@de": 0.125, "mlm@de": 0.25, "mlm@sw": 0.25})
    # a member's own weight wins over its task's: `mnli` here is English MNLI alone


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"mlm": 0.7, "mnli@de": 0.6}, r"shares sum to 1.3 but must leave room for .*mnli"),
        ({"mlm@fr": 0.2}, r"sampling.weights.mlm@fr: not a task of this mixture"),
    ],
)
def test_member_shares_that_cannot_work_are_refused(weights, message):
    with pytest.raises(RecipeError, match=message):
        rates(MEMBERS, SamplingConfig(policy="proportional", weights=weights))
