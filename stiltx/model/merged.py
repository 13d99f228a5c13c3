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
from stiltx.model.methods import ADAPTER_NAME, FullFinetune, merge_or_keep, read_safetensors
from stiltx.recipe.schema import ModelConfig
from stiltx.saved_model import DamagedModelError, loading

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


def seeded_model(model_cfg: ModelConfig, seed: int) -> Any:
    """The base encoder, built as a run's stages build it after seeding: weights the checkpoint
    lacks (the toy model's pooler) get the same initial values, so their task vectors are 0."""
    import torch

    torch.manual_seed(seed)
    return build_model(model_cfg, {})[0]


def saved_encoder(
    model_cfg: ModelConfig, model_dir: Path, label: str, seed: int = 0
) -> dict[str, Any]:
    """The encoder weights `FullFinetune.save` wrote to `model_dir` (heads left out), or those of
    the base model with a saved LoRA adapter (`AdapterTuning.save`) folded into them."""
    if (Path(model_dir) / "adapter").is_dir():
        return _folded(model_cfg, Path(model_dir), label, seed)

    files = sorted(Path(model_dir).glob("*.safetensors"))
    if not files:
        raise StiltxError(
            f"merge: {label}: no *.safetensors weights in {model_dir}; expected a fully "
            "fine-tuned model (method.kind: full)"
        )
    try:
        state = read_safetensors(model_dir, files)
    except DamagedModelError as error:
        raise StiltxError(f"merge: {label}: {error}") from None
    return {k: v for k, v in state.items() if not k.startswith(HEADS)}


def load_inputs(
    model_cfg: ModelConfig, models: Mapping[str, Path], seed: int
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """(base encoder state, label -> encoder state), checked to share names and shapes: a model
    of another architecture or vocabulary is a one-line error naming it (label: its source)."""
    base = encoder_state(seeded_model(model_cfg, seed))
    states = {label: saved_encoder(model_cfg, p, label, seed) for label, p in models.items()}
    check_compatible(base, states)
    return base, states


def _folded(model_cfg: ModelConfig, model_dir: Path, label: str, seed: int) -> dict[str, Any]:
    """base + the LoRA update B A (adapters' merge_adapter); other adapters cannot be folded."""
    model = seeded_model(model_cfg, seed)
    try:
        with loading(model_dir):
            model.load_adapter(
                str(model_dir / "adapter"),
                load_as=ADAPTER_NAME,
                with_head=False,
                use_safetensors=True,
            )
    except DamagedModelError as error:
        raise StiltxError(f"merge: {label}: {error}") from None
    if not merge_or_keep(model, ADAPTER_NAME):
        kind = model.adapters_config.get(ADAPTER_NAME).to_dict().get("architecture")
        raise StiltxError(
            f"merge: {label} is a {kind or 'bottleneck'} adapter, which cannot be folded into the "
            "weights; merge fully fine-tuned models or LoRA adapters (method.adapter: lora)"
        )
    return encoder_state(model)


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
