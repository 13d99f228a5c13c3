"""A merged encoder on disk: the per-task models read as encoder state dicts, merged by
`stiltx.model.merge` at one grid setting, and saved as a full model (`FullFinetune.save`'s
format), so the target stages, retrieval and `intermediate.from` read it like any other.

Heads are task-specific and never merged: only the encoder's weights (names without `heads.`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from stiltx.errors import StiltxError
from stiltx.model.build import build_model
from stiltx.model.merge import check_compatible, merge
from stiltx.model.methods import FullFinetune
from stiltx.recipe.schema import ModelConfig

HEADS = "heads."


def encoder_state(model: Any) -> dict[str, Any]:
    """The encoder's weights of a built model (copies; no heads). A tensor tied to an earlier one
    (adapters' prompt-tuning view of the word embeddings) is saved once, so it is left out too."""
    state, seen = {}, set()
    for key, value in model.state_dict().items():
        if key.startswith(HEADS) or value.data_ptr() in seen:
            continue
        seen.add(value.data_ptr())
        state[key] = value.detach().clone()
    return state


def saved_encoder(model_dir: Path, label: str) -> dict[str, Any]:
    """The encoder weights `FullFinetune.save` wrote to `model_dir` (heads left out)."""
    from safetensors.torch import load_file

    files = sorted(Path(model_dir).glob("*.safetensors"))
    if not files:
        raise StiltxError(
            f"merge: {label}: no *.safetensors weights in {model_dir}; expected a fully "
            "fine-tuned model (method.kind: full)"
        )
    state: dict[str, Any] = {}
    for file in files:
        state.update(load_file(file))
    return {k: v for k, v in state.items() if not k.startswith(HEADS)}


def load_inputs(
    model_cfg: ModelConfig, models: Mapping[str, Path]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(base encoder state, label -> encoder state), checked to share names and shapes: a model
    of another architecture or vocabulary is a one-line error naming it (label: its source)."""
    base_model, _ = build_model(model_cfg, {})
    base = encoder_state(base_model)
    states = {label: saved_encoder(path, label) for label, path in models.items()}
    check_compatible(base, states)
    return base, states


def save_merged(
    model_cfg: ModelConfig,
    base: Mapping[str, Any],
    states: Mapping[str, Mapping[str, Any]],
    method: str,
    setting: Mapping[str, float],
    out_dir: Path,
) -> None:
    """Merge at `setting` (scale / density) and save the encoder as a full model to `out_dir`."""
    from stiltx import atomic

    merged = merge(method, base, states, **setting)
    model, _ = build_model(model_cfg, {})
    model.load_state_dict(merged, strict=False)
    with atomic.directory(out_dir) as tmp:
        FullFinetune().save(model, tmp)
