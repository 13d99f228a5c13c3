"""Weight merging of same-initialisation models: pure functions over state dicts.

Each input is a full fine-tune of the same pretrained encoder (`base`); its task vector is
`theta_i - base`. Three merges, as their papers define them:

- `average`: the uniform soup, mean of the weights (Wortsman et al. 2022, "Model soups").
- `task_arithmetic`: `base + scale * sum_i (theta_i - base)` (Ilharco et al. 2023, "Editing
  models with task arithmetic"; the scale is chosen on held-out data).
- `ties`: TIES-Merging (Yadav et al. 2023, "Resolving interference when merging models"), as the
  authors' reference code does it (prateeky2806/ties-merging, src/ties_minimal.ipynb:
  `topk_values_mask`, `resolve_sign`, `disjoint_merge`): trim each task vector to its top-`density`
  magnitudes over the whole vector, elect per parameter the sign of the summed trimmed values
  (where that sum is 0, the sign most parameters got), take the mean of the entries that agree
  with the elected sign, and add `scale` times the result to the base. mergekit trims each tensor
  separately instead; we follow the paper's per-model trim.

Only floating-point tensors are merged; integer buffers (position ids) are copied from the base.
Inputs are checked to share parameter names and shapes first, so a mismatch is a one-line error
naming the input.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import torch  # this module is nothing but tensor arithmetic; only merge runs import it

from stiltx.errors import StiltxError

StateDict = Mapping[str, torch.Tensor]
METHODS = ("average", "task_arithmetic", "ties")


def check_compatible(base: StateDict, models: Mapping[str, StateDict]) -> None:
    """Every model (label -> state) has exactly the base's parameter names, shapes, kinds of
    number (floating point or not) and devices; each difference is one line naming it."""
    if not models:
        raise StiltxError("merge: no models to merge; give at least one besides the base")
    for label, state in {"the base model": base, **models}.items():
        for key, tensor in state.items():
            if not isinstance(tensor, torch.Tensor):
                raise StiltxError(
                    f"merge: {label} has {key} of type {type(tensor).__name__}, expected a tensor"
                )
    for label, state in models.items():
        missing = sorted(set(base) - set(state))
        extra = sorted(set(state) - set(base))
        if missing or extra:
            raise StiltxError(
                f"merge: {label} is another architecture than the base model (missing "
                f"{missing[:3]}, unexpected {extra[:3]}); merge runs of the same model only"
            )
        for key, tensor in base.items():
            if state[key].shape != tensor.shape:
                raise StiltxError(
                    f"merge: {label} has {key} of shape {tuple(state[key].shape)}, the base has "
                    f"{tuple(tensor.shape)}; merge runs of the same model only"
                )
            theirs = state[key]
            if theirs.is_floating_point() != tensor.is_floating_point():
                raise StiltxError(
                    f"merge: {label} has {key} of dtype {theirs.dtype}, the base has "
                    f"{tensor.dtype}; merge runs of the same model only"
                )
            if theirs.device != tensor.device:
                raise StiltxError(
                    f"merge: {label} has {key} on {theirs.device}, the base on {tensor.device}; "
                    "load every model onto one device"
                )


def check_settings(scale: float, density: float) -> None:
    """`scale` a finite number, `density` in (0, 1]."""
    if not math.isfinite(scale):
        raise StiltxError(f"merge: scale {scale}: expected a finite number")
    if not (math.isfinite(density) and 0.0 < density <= 1.0):
        raise StiltxError(f"merge: density {density}: expected a fraction in (0, 1]")


def _merged_keys(base: StateDict) -> list[str]:
    return [k for k, v in base.items() if v.is_floating_point()]


def average(base: StateDict, models: Sequence[StateDict]) -> dict[str, torch.Tensor]:
    """The uniform soup: the mean of the models' weights."""
    out = dict(base)
    for key in _merged_keys(base):
        out[key] = torch.stack([m[key].float() for m in models]).mean(0).to(base[key].dtype)
    return out


def task_vectors(base: StateDict, models: Sequence[StateDict]) -> list[dict[str, torch.Tensor]]:
    """theta_i - base for every merged (floating-point) parameter."""
    keys = _merged_keys(base)
    return [{k: m[k].float() - base[k].float() for k in keys} for m in models]


def task_arithmetic(
    base: StateDict, models: Sequence[StateDict], scale: float
) -> dict[str, torch.Tensor]:
    """base + scale * sum of the task vectors."""
    vectors = task_vectors(base, models)
    return _add(base, {k: sum(v[k] for v in vectors) for k in vectors[0]}, scale)


def trim(vector: Mapping[str, torch.Tensor], density: float) -> dict[str, torch.Tensor]:
    """Keep the `int(density * size)` largest magnitudes of the whole task vector (entries tied
    with the smallest kept one are kept too), zero the rest. The reference's `kthvalue(d - k)`
    keeps one entry more than k; we keep k, as mergekit's `magnitude` sparsification does."""
    if density >= 1.0:
        return dict(vector)
    flat = torch.cat([t.abs().flatten() for t in vector.values()])
    size = flat.numel()
    keep = max(int(size * density), 1)
    threshold = flat.kthvalue(size - keep + 1).values  # the keep-th largest magnitude
    return {k: torch.where(t.abs() >= threshold, t, torch.zeros_like(t)) for k, t in vector.items()}


def elect_signs(trimmed: Sequence[Mapping[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Per parameter, the sign of the summed trimmed values; a zero sum gets the majority sign."""
    signs = {k: torch.sign(sum(t[k] for t in trimmed)) for k in trimmed[0]}
    majority = torch.sign(sum(s.sum() for s in signs.values()))
    return {k: torch.where(s == 0, majority, s) for k, s in signs.items()}


def disjoint_mean(
    trimmed: Sequence[Mapping[str, torch.Tensor]], signs: Mapping[str, torch.Tensor]
) -> dict[str, torch.Tensor]:
    """Per parameter, the mean over the task vectors whose (nonzero) value has the elected sign."""
    out = {}
    for key, sign in signs.items():
        values = torch.stack([t[key] for t in trimmed])
        agree = torch.where(sign > 0, values > 0, values < 0)
        kept = values * agree
        out[key] = kept.sum(0) / agree.sum(0).clamp(min=1)
    return out


def ties(
    base: StateDict, models: Sequence[StateDict], *, density: float, scale: float = 1.0
) -> dict[str, torch.Tensor]:
    """TIES-Merging: trim, elect signs, disjoint mean; base + scale * the merged vector."""
    trimmed = [trim(v, density) for v in task_vectors(base, models)]
    return _add(base, disjoint_mean(trimmed, elect_signs(trimmed)), scale)


def merge(
    method: str,
    base: StateDict,
    models: Mapping[str, StateDict],
    *,
    scale: float = 1.0,
    density: float = 1.0,
) -> dict[str, torch.Tensor]:
    """One merge by name (`METHODS`), after checking that the models fit the base."""
    check_settings(scale, density)
    check_compatible(base, models)
    states = list(models.values())
    if method == "average":
        return average(base, states)
    if method == "task_arithmetic":
        return task_arithmetic(base, states, scale)
    if method == "ties":
        return ties(base, states, density=density, scale=scale)
    raise StiltxError(f"merge: unknown method {method!r}; expected one of {', '.join(METHODS)}")


def _add(
    base: StateDict, delta: Mapping[str, torch.Tensor], scale: float
) -> dict[str, torch.Tensor]:
    out = dict(base)
    for key, value in delta.items():
        out[key] = (base[key].float() + scale * value).to(base[key].dtype)
    return out
