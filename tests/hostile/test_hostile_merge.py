"""`stiltx.model.merge` over state dicts that do not fit together (another architecture, other
shapes, another kind of number or device, no models, not tensors) or bad settings: one line
naming the model, the parameter and what differs, for every merge method."""

from __future__ import annotations

import pytest
import torch

from stiltx.errors import StiltxError
from stiltx.model import merge as M

BASE = {"layer.weight": torch.zeros(2, 3), "layer.bias": torch.zeros(3),
        "position_ids": torch.arange(4)}  # fmt: skip


def model(**changes):
    """A fine-tune of BASE (every float weight + 1), with `changes` (None drops a key)."""
    state = {k: v + 1 if v.is_floating_point() else v.clone() for k, v in BASE.items()}
    state.update({k.replace("__", "."): v for k, v in changes.items()})
    return {k: v for k, v in state.items() if v is not None}


CASES = {  # case: (models, words of the error)
    "a parameter missing": ({"run-a": model(layer__bias=None)},
                            "run-a is another architecture than the base model (missing "
                            "['layer.bias']"),
    "a parameter more": ({"run-a": model(head__weight=torch.zeros(1))},
                         "unexpected ['head.weight']"),
    "another shape": ({"run-a": model(), "run-b": model(layer__weight=torch.zeros(3, 2))},
                      "run-b has layer.weight of shape (3, 2), the base has (2, 3)"),
    "integers for floats": ({"run-a": model(layer__weight=torch.zeros(2, 3, dtype=torch.int64))},
                            "run-a has layer.weight of dtype torch.int64, the base has "
                            "torch.float32"),
    "another device": ({"run-a": model(layer__weight=torch.empty(2, 3, device="meta"))},
                       "run-a has layer.weight on meta, the base on cpu"),
    "not a tensor": ({"run-a": model(layer__weight=[[0.0] * 3] * 2)},
                     "run-a has layer.weight of type list, expected a tensor"),
    "no models": ({}, "no models to merge"),
}  # fmt: skip


@pytest.mark.parametrize("method", M.METHODS)
@pytest.mark.parametrize("case", list(CASES))
def test_models_that_do_not_fit_are_one_line(case, method):
    models, words = CASES[case]
    with pytest.raises(StiltxError, match=r"^merge: ") as error:
        M.merge(method, BASE, models, density=0.5)
    assert words in str(error.value) and "\n" not in str(error.value)


SETTINGS = {  # case: (keyword arguments, words)
    "density 0": ({"density": 0.0}, "density 0.0: expected a fraction in (0, 1]"),
    "density above 1": ({"density": 1.5}, "density 1.5"),
    "density NaN": ({"density": float("nan")}, "density nan"),
    "scale infinite": ({"scale": float("inf")}, "scale inf: expected a finite number"),
    "unknown method": ({"method": "soup"}, "unknown method 'soup'"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(SETTINGS))
def test_bad_settings_are_one_line(case):
    kwargs, words = SETTINGS[case]
    kwargs = {"method": "ties", **kwargs}
    with pytest.raises(StiltxError, match=r"^merge: ") as error:
        M.merge(kwargs.pop("method"), BASE, {"run-a": model()}, **kwargs)
    assert words in str(error.value)


def test_half_precision_models_still_merge():
    half = model(layer__weight=torch.ones(2, 3, dtype=torch.float16))
    merged = M.merge("average", BASE, {"run-a": half, "run-b": model()})
    assert merged["layer.weight"].dtype == torch.float32
    assert torch.equal(merged["layer.weight"], torch.ones(2, 3))
    assert torch.equal(merged["position_ids"], BASE["position_ids"])
