"""MAD-X language adapters (Pfeiffer et al. 2020) through the adapters API: train one, load one.

A language adapter is an adapters config (MAD-X: `seq_bn_inv`, the former `pfeiffer+inv`, with
an invertible adapter on the embeddings) trained by MLM on one language's text while the encoder
and the checkpoint's MLM head stay frozen. It is saved alone in adapters' format, so
`model.load_adapter(dir, use_safetensors=True)` reads it with plain adapters. Task adapters stack
on it (`stiltx.model.methods.AdapterTuning`: `Stack(<language>, task)`, loaded per language by
`methods.load_language_adapter`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stiltx import saved_model
from stiltx.model.methods import AdapterTuning, trainable_parameters

ADAPTER_DIR = "adapter"  # inside a saved model folder, as AdapterTuning.save writes it


@dataclass(frozen=True)
class LanguageAdapterTraining:
    """The method of a language-adapter stage: only the adapter named `language` trains.

    The MLM head is the checkpoint's, its decoder tied to the word embeddings: it stays frozen
    with the encoder, so nothing shared between languages changes. `save` writes the adapter
    alone (an MLM head of XLM-R Large holds the 250k x 1024 embedding matrix)."""

    language: str
    config: str = "seq_bn_inv"
    options: dict[str, Any] = field(default_factory=dict)

    def prepare(self, model: Any, heads: Any) -> None:
        AdapterTuning(config=self.config, options=self.options, name=self.language).prepare(
            model, ()
        )

    def trainable_parameters(self, model: Any) -> list[tuple[str, Any]]:
        return trainable_parameters(model)

    def save(self, model: Any, directory: str | Path) -> Path:
        directory = Path(directory)
        (directory / ADAPTER_DIR).mkdir(parents=True, exist_ok=True)
        model.save_adapter(
            str(directory / ADAPTER_DIR), self.language, with_head=False, use_safetensors=True
        )
        return directory

    def load(self, model: Any, directory: str | Path, *, heads: bool = True) -> None:
        if self.language in model.adapters_config:
            model.delete_adapter(self.language)
        with saved_model.loading(directory, "language adapter"):
            model.load_adapter(
                str(Path(directory) / ADAPTER_DIR),
                load_as=self.language,
                with_head=False,
                use_safetensors=True,
            )

    def activate(self, model: Any, language: str | None = None) -> None:
        model.set_active_adapters(self.language)
