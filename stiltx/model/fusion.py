"""AdapterFusion (Pfeiffer et al. 2021): per-task adapters trained once, frozen, and a fusion layer
learned per target that weighs their outputs, with the `adapters` library's own API (1.3:
`add_adapter_fusion`, `train_adapter_fusion`, `save_adapter_fusion`, `load_adapter_fusion`,
adapters/model_mixin.py:904, 613, 1039, 1136; `Fuse`, adapters/composition.py).

`FusionTuning` is a `Method` like `AdapterTuning`: the loop trains what it leaves trainable (the
fusion layer and the target head), saves `fusion/` (adapters' format) + `heads/`, and
`activate` makes `Fuse(*tasks)` the active setup for every language.

A fusion model folder (`intermediate/model/` of a fusion run) holds one saved adapter model per
task: `<task>/adapter/` as `AdapterTuning.save` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stiltx import saved_model
from stiltx.errors import StiltxError
from stiltx.model.methods import load_heads, save_heads, trainable_parameters

FUSION_DIR = "fusion"


@dataclass(frozen=True)
class FusionTuning:
    """Nine frozen task adapters (`adapters_dir/<task>/adapter`), a trained fusion layer over them."""

    adapters_dir: Path
    tasks: tuple[str, ...]

    def _fuse(self) -> Any:
        from adapters.composition import Fuse

        return Fuse(*self.tasks)

    def prepare(self, model: Any, heads: Iterable[str]) -> None:
        for task in self.tasks:
            if task not in model.adapters_config:
                with saved_model.loading(self.adapters_dir / task, f"{task} adapter"):
                    model.load_adapter(
                        str(self.adapters_dir / task / "adapter"),
                        load_as=task,
                        with_head=False,
                        use_safetensors=True,
                    )
        fuse = self._fuse()
        if model.adapters_config.get_fusion(fuse.name)[0] is None:
            model.add_adapter_fusion(fuse)
        model.train_adapter_fusion(fuse)  # freezes the encoder and the task adapters
        used = set(heads)
        for head_name, head in model.heads.items():
            head.requires_grad_(head_name in used)

    def trainable_parameters(self, model: Any) -> list[tuple[str, Any]]:
        return trainable_parameters(model)

    def save(self, model: Any, directory: str | Path) -> Path:
        """fusion/ (adapters' save_adapter_fusion format) + heads/<name>/, all safetensors."""
        directory = Path(directory)
        (directory / FUSION_DIR).mkdir(parents=True, exist_ok=True)
        model.save_adapter_fusion(str(directory / FUSION_DIR), self._fuse(), use_safetensors=True)
        save_heads(model, directory)
        return directory

    def load(self, model: Any, directory: str | Path, *, heads: bool = True) -> None:
        """The fusion layer (and heads) `save` wrote, over the task adapters `prepare` loaded."""
        directory = Path(directory)
        if not (directory / FUSION_DIR).is_dir():
            raise StiltxError(f"{directory}: no {FUSION_DIR}/ folder (expected FusionTuning.save)")
        fuse = self._fuse()
        if model.adapters_config.get_fusion(fuse.name)[0] is not None:
            model.delete_adapter_fusion(fuse)
        with saved_model.loading(directory):
            model.load_adapter_fusion(str(directory / FUSION_DIR), use_safetensors=True)
        if heads:
            load_heads(model, directory)

    def activate(self, model: Any, language: str | None = None) -> None:
        """The same fused setup for every language (the task adapters are English-trained)."""
        model.set_active_adapters(self._fuse())


def check_same_config(adapter_dirs: Mapping[str, Path]) -> None:
    """Fusion weighs adapters of one architecture: every `<dir>/adapter/adapter_config.json` holds
    the same `config`, else a one-line error naming the first that differs (label -> model dir)."""
    configs = {}
    for label, directory in adapter_dirs.items():
        path = Path(directory) / "adapter" / "adapter_config.json"
        try:
            configs[label] = json.loads(path.read_text(encoding="utf-8"))["config"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise StiltxError(
                f"fusion: {label}: no readable adapter config at {path} ({error}); expected an "
                "adapter model saved by stiltx (method.kind: adapter)"
            ) from None
    (first, reference), *rest = configs.items()
    for label, config in rest:
        if config != reference:
            raise StiltxError(
                f"fusion: {label} has adapter config {_short(config)}, {first} has "
                f"{_short(reference)}; fuse adapters of one config (method.adapter)"
            )


def _short(config: dict[str, Any]) -> str:
    keys = ("architecture", "reduction_factor", "r", "mh_adapter", "output_adapter")
    return "{" + ", ".join(f"{k}={config[k]}" for k in keys if k in config) + "}"
