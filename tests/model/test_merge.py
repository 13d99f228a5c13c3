"""Weight merges equal hand-computed state dicts (stiltx.model.merge)."""

from __future__ import annotations

import pytest
import torch

from stiltx.errors import StiltxError
from stiltx.model import merge as M

BASE = {
    "w": torch.tensor([1.0, 1.0, 1.0, 1.0]),
    "b": torch.tensor([0.0, 0.0]),
    "ids": torch.tensor([0, 1, 2]),  # an integer buffer: copied, never merged
}
# Task vectors (theta_i - base), chosen so that trimming to density 0.5 keeps 3 of 6 entries of
# t1, and 4 of 6 of t2 and t3 (ties at the threshold are kept, as in the reference code).
VECTORS = [
    {"w": [3.0, -1.0, 0.5, 2.0], "b": [-4.0, 0.1]},
    {"w": [-2.0, -3.0, 0.2, 1.0], "b": [1.0, 0.3]},
    {"w": [1.0, 2.0, -4.0, -0.1], "b": [2.0, -5.0]},
]


def models():
    return {
        f"run{i}": {
            "w": BASE["w"] + torch.tensor(v["w"]),
            "b": BASE["b"] + torch.tensor(v["b"]),
            "ids": BASE["ids"].clone(),
        }
        for i, v in enumerate(VECTORS)
    }


def close(state, expected):
    for key, value in expected.items():
        torch.testing.assert_close(state[key], torch.tensor(value), msg=key)
    assert torch.equal(state["ids"], BASE["ids"])


def test_average_is_the_mean_of_the_weights():
    merged = M.merge("average", BASE, models())
    close(merged, {"w": [1 + 2 / 3, 1 - 2 / 3, 1 - 3.3 / 3, 1 + 2.9 / 3], "b": [-1 / 3, -4.6 / 3]})


def test_task_arithmetic_adds_the_scaled_sum_of_task_vectors():
    merged = M.merge("task_arithmetic", BASE, models(), scale=0.5)
    close(merged, {"w": [1 + 1.0, 1 - 1.0, 1 - 1.65, 1 + 1.45], "b": [-0.5, -2.3]})


def test_ties_trims_elects_and_takes_the_disjoint_mean():
    vectors = M.task_vectors(BASE, list(models().values()))
    trimmed = [M.trim(v, 0.5) for v in vectors]
    expected_trim = [
        {"w": [3.0, 0.0, 0.0, 2.0], "b": [-4.0, 0.0]},
        {"w": [-2.0, -3.0, 0.0, 1.0], "b": [1.0, 0.0]},
        {"w": [0.0, 2.0, -4.0, 0.0], "b": [2.0, -5.0]},
    ]
    for got, want in zip(trimmed, expected_trim, strict=True):
        for key in want:
            torch.testing.assert_close(got[key], torch.tensor(want[key]))
    signs = M.elect_signs(trimmed)  # sums: w [1, -1, -4, 3], b [-1, -5]
    assert signs["w"].tolist() == [1, -1, -1, 1] and signs["b"].tolist() == [-1, -1]
    # w[3]: 2 and 1 agree with + -> 1.5; b[0]: only -4 agrees with -, 1 and 2 are dropped
    merged = M.merge("ties", BASE, models(), density=0.5, scale=1.0)
    close(merged, {"w": [1 + 3.0, 1 - 3.0, 1 - 4.0, 1 + 1.5], "b": [-4.0, -5.0]})
    scaled = M.merge("ties", BASE, models(), density=0.5, scale=0.5)
    close(scaled, {"w": [2.5, -0.5, -1.0, 1.75], "b": [-2.0, -2.5]})


def test_a_zero_sign_sum_takes_the_majority_sign():
    trimmed = [{"x": torch.tensor([1.0, 2.0, 3.0, -1.0])}, {"x": torch.tensor([-1.0, 1.0, 1.0, 0])}]
    signs = M.elect_signs(trimmed)  # sums 0, 3, 4, -1 -> majority + for the tie
    assert signs["x"].tolist() == [1, 1, 1, -1]
    torch.testing.assert_close(
        M.disjoint_mean(trimmed, signs)["x"], torch.tensor([1.0, 1.5, 2.0, -1.0])
    )


def test_density_one_keeps_every_entry_and_ties_then_equal_their_reference():
    vectors = M.task_vectors(BASE, list(models().values()))
    assert all(torch.equal(M.trim(v, 1.0)[k], v[k]) for v in vectors for k in v)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s.pop("b"), "run1 is another architecture than the base model"),
        (lambda s: s.update(extra=torch.zeros(1)), "run1 is another architecture"),
        (
            lambda s: s.update(w=torch.zeros(5)),
            "run1 has w of shape \\(5,\\), the base has \\(4,\\)",
        ),
    ],
)
def test_models_that_do_not_fit_the_base_are_one_line_errors(change, message):
    inputs = models()
    change(inputs["run1"])
    with pytest.raises(StiltxError, match=message) as error:
        M.merge("average", BASE, inputs)
    assert "\n" not in str(error.value)
