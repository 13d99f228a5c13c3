"""Training methods: full fine-tuning and adapter tuning.

This module is the ONLY place where the two differ: what is trainable, how the result is saved
and loaded, and how a target stage starts from an intermediate one. The training loop never asks
which method it runs; it trains whatever parameters have `requires_grad`.

Saved artefacts use formats other tools read: full fine-tuning writes `save_pretrained`
(safetensors; `adapters.AutoAdapterModel.from_pretrained(dir)` restores it with its heads);
adapter tuning writes `save_adapter(..., use_safetensors=True)` plus one `save_head` folder per
head, so `model.load_adapter(dir / "adapter")` works with the plain adapters API.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Protocol

from stiltx import saved_model
from stiltx.errors import StiltxError
from stiltx.model.build import HeadSpec, add_heads
from stiltx.plan import TRAIN_LANGUAGE  # MAD-X: the language adapter used while training
from stiltx.recipe.schema import MethodConfig

ADAPTER_NAME = "stilt"  # the intermediate (or only) task adapter
TARGET_ADAPTER_NAME = "target"  # method.target == "stack": the new adapter on top


class Method(Protocol):
    """What the loop and the pipeline need from a method."""

    def prepare(self, model: Any, heads: Iterable[str]) -> None: ...
    def trainable_parameters(self, model: Any) -> list[tuple[str, Any]]: ...
    def save(self, model: Any, directory: str | Path) -> Path: ...
    def load(self, model: Any, directory: str | Path, *, heads: bool = True) -> None: ...
    def activate(self, model: Any, language: str | None = None) -> None: ...


def trainable_parameters(model: Any) -> list[tuple[str, Any]]:
    """(name, parameter) for every parameter that will be updated."""
    return [(name, p) for name, p in model.named_parameters() if p.requires_grad]


@dataclass(frozen=True)
class FullFinetune:
    """Every parameter trains, except those matching a `freeze` glob; the result is a whole model.

    `freeze` (recipe `method.freeze`) holds parameter-name globs (`fnmatch`, case-sensitive, `*`
    spans dots), as AllenNLP's trainer `no_grad` holds regexes: e.g. `roberta.embeddings.*` keeps
    the embeddings as pretrained in every stage, a classic way to keep the languages that English
    fine-tuning never sees aligned with it (Wu & Dredze 2019 froze mBERT's lower layers). Frozen
    parameters are not in the optimizer nor in training checkpoints; they are saved with the model.
    """

    freeze: tuple[str, ...] = ()

    def prepare(self, model: Any, heads: Iterable[str]) -> None:
        model.train()
        named = list(model.named_parameters())
        for pattern in self.freeze:
            if not any(fnmatchcase(name, pattern) for name, _ in named):
                raise StiltxError(
                    f"method.freeze: {pattern!r} matches no parameter of the model (names look "
                    f"like {named[0][0]!r}, {named[-1][0]!r})"
                )
        for name, parameter in named:
            parameter.requires_grad_(not any(fnmatchcase(name, p) for p in self.freeze))
        if not any(parameter.requires_grad for _, parameter in named):
            raise StiltxError(f"method.freeze: {list(self.freeze)} freezes every parameter")

    def trainable_parameters(self, model: Any) -> list[tuple[str, Any]]:
        return trainable_parameters(model)

    def save(self, model: Any, directory: str | Path) -> Path:
        directory = Path(directory)
        model.save_pretrained(directory, safe_serialization=True)
        return directory

    def load(self, model: Any, directory: str | Path, *, heads: bool = True) -> None:
        """Load a saved model's encoder (and, with `heads`, any heads both share) into `model`."""
        files = sorted(Path(directory).glob("*.safetensors"))
        if not files:
            raise StiltxError(f"{directory}: no *.safetensors weights (expected a full model)")
        state = read_safetensors(directory, files)
        own = model.state_dict()
        state = {k: v for k, v in state.items() if k in own}  # heads only the saved model has
        if not heads:
            state = {k: v for k, v in state.items() if not k.startswith("heads.")}
        loaded = {own[k].data_ptr() for k in state}
        # Tensors tied to a loaded one (word embeddings shared with LM heads and with adapters'
        # prompt-tuning view of them) are saved once; only truly absent weights are an error.
        missing = [
            k
            for k, v in own.items()
            if k not in state and not k.startswith("heads.") and v.data_ptr() not in loaded
        ]
        if missing:
            raise StiltxError(f"{directory}: weights missing for {missing[:5]} (another model?)")
        model.load_state_dict(state, strict=False)

    def activate(self, model: Any, language: str | None = None) -> None:
        """Nothing to switch: a fully fine-tuned model is the same for every language."""


@dataclass(frozen=True)
class AdapterTuning:
    """Only a task adapter (any adapters config id, with options) and the used heads train.

    `below` names adapters stacked *under* the trained one and kept frozen: the intermediate
    adapter (method.target == "stack"). With MAD-X language adapters (`language_adapters`:
    language -> saved adapter), the active setup is `Stack(language, *below, name)`: English while
    training, swapped per language at evaluation; each is loaded when first activated, and only
    English and the active one stay loaded (40 adapters of XLM-R Large would not fit beside it).
    `madx2`: they leave out the last layer (MAD-X 2.0).
    """

    config: str = "seq_bn"
    options: dict[str, Any] = field(default_factory=dict)
    name: str = ADAPTER_NAME
    below: tuple[str, ...] = ()
    language_adapters: dict[str, str] = field(default_factory=dict)
    madx2: bool = False

    def prepare(self, model: Any, heads: Iterable[str]) -> None:
        import adapters

        if self.name not in model.adapters_config:
            try:
                config = adapters.AdapterConfig.load(self.config, **self.options)
                unknown = [k for k in self.options if k not in config.to_dict()]
                if unknown:  # AdapterConfig.load ignores unknown keys silently
                    fields = ", ".join(sorted(config.to_dict()))
                    raise ValueError(f"unknown option(s) {unknown}; fields: {fields}")
            except (KeyError, TypeError, ValueError) as error:
                raise StiltxError(
                    f"method.adapter: cannot build adapter config '{self.config}' with options "
                    f"{self.options} ({error}); expected an adapters config id such as seq_bn, "
                    "double_seq_bn, lora, prefix_tuning, ia3 and that config's fields"
                ) from error
            model.add_adapter(self.name, config=config)
        if TRAIN_LANGUAGE in self.language_adapters and TRAIN_LANGUAGE not in model.adapters_config:
            load_language_adapter(
                model, TRAIN_LANGUAGE, self.language_adapters[TRAIN_LANGUAGE], madx2=self.madx2
            )
        model.train_adapter(self.name)  # freezes everything else, unfreezes this adapter
        used = set(heads)
        for head_name, head in model.heads.items():
            head.requires_grad_(head_name in used)
        # an MLM head's decoder is tied to the word embeddings: unfreezing the head above
        # unfroze them too, and adapter tuning keeps the encoder (embeddings included) as loaded
        model.get_input_embeddings().requires_grad_(False)
        self.activate(model, TRAIN_LANGUAGE)

    def trainable_parameters(self, model: Any) -> list[tuple[str, Any]]:
        return trainable_parameters(model)

    def save(self, model: Any, directory: str | Path) -> Path:
        """adapter/ (adapters format) + heads/<name>/ (one per head), all safetensors."""
        directory = Path(directory)
        (directory / "adapter").mkdir(parents=True, exist_ok=True)
        model.save_adapter(
            str(directory / "adapter"), self.name, with_head=False, use_safetensors=True
        )
        save_heads(model, directory)
        return directory

    def load(self, model: Any, directory: str | Path, *, heads: bool = True) -> None:
        """Load an adapter and (with `heads`) its heads saved by `save`, overwriting same-named ones."""
        directory = Path(directory)
        if not (directory / "adapter").is_dir():
            raise StiltxError(
                f"{directory}: no adapter/ folder (expected AdapterTuning.save output)"
            )
        if self.name in model.adapters_config:
            model.delete_adapter(self.name)
        with saved_model.loading(directory):
            model.load_adapter(
                str(directory / "adapter"), load_as=self.name, with_head=False, use_safetensors=True
            )
        if heads:
            load_heads(model, directory)

    def activate(self, model: Any, language: str | None = None, *, task: bool = True) -> None:
        """Make `Stack([language adapter], *below, name)` the active setup (`task=False`: the
        language adapter alone, for an encoder that has no task adapter: MAD-X retrieval)."""
        from adapters import Stack

        chain = [*self.below, self.name] if task else []
        if self.language_adapters:
            if language not in self.language_adapters:
                known = ", ".join(sorted(self.language_adapters))
                raise StiltxError(
                    f"method.language_adapters: no adapter for language '{language}' (have: {known})"
                )
            if language not in model.adapters_config:
                load_language_adapter(
                    model, language, self.language_adapters[language], madx2=self.madx2
                )
            chain.insert(0, language)
        model.set_active_adapters(Stack(*chain) if len(chain) > 1 else (chain or [None])[0])
        keep = {language, TRAIN_LANGUAGE}
        for other in sorted(set(self.language_adapters) & set(model.adapters_config) - keep):
            model.delete_adapter(other)


def load_language_adapter(model: Any, language: str, path: str | Path, *, madx2: bool) -> None:
    """Load the adapter at `path` as `language`, frozen (it never trains under a task adapter).

    MAD-X 2.0 (Pfeiffer et al. 2021, "UNKs Everywhere"): no language adapter in the last layer,
    applied when loading, as adapters' notebooks/08_NER_Wikiann.ipynb does (`leave_out=[11]` for a
    12-layer model; that notebook also leaves the task adapter out there, stiltx does not).
    """
    before = {id(p) for p in model.parameters()}
    leave_out = [model.config.num_hidden_layers - 1] if madx2 else None
    try:
        with saved_model.loading(path, "language adapter"):
            model.load_adapter(
                str(path),
                load_as=language,
                with_head=False,
                leave_out=leave_out,
                use_safetensors=True,
            )
    except (saved_model.DamagedModelError, OSError, ValueError, KeyError) as error:
        raise StiltxError(
            f"language adapter '{language}': cannot load {path} ({error}); expected a folder "
            "saved by adapters (adapter_config.json + weights) or an AdapterHub id"
        ) from error
    for parameter in model.parameters():
        if id(parameter) not in before:  # loaded after train_adapter: it would train otherwise
            parameter.requires_grad_(False)


def save_heads(model: Any, directory: Path) -> None:
    """heads/<name>/ for every head of `model` (adapters' save_head format, safetensors)."""
    for head_name in model.heads:
        (directory / "heads" / head_name).mkdir(parents=True, exist_ok=True)
        model.save_head(str(directory / "heads" / head_name), head_name, use_safetensors=True)


def load_heads(model: Any, directory: Path) -> None:
    """Load every head `save_heads` wrote, replacing same-named ones."""
    for head_dir in sorted((directory / "heads").glob("*")):
        if head_dir.name in model.heads:
            model.delete_head(head_dir.name)
        with saved_model.loading(head_dir, "saved head"):
            model.load_head(str(head_dir), load_as=head_dir.name, use_safetensors=True)


def read_safetensors(directory: str | Path, files: Iterable[Path]) -> dict[str, Any]:
    """The tensors of a saved model's `files` (its *.safetensors), as one state dict; a damaged
    file is one line naming the folder (`saved_model.loading`)."""
    from safetensors.torch import load_file

    state: dict[str, Any] = {}
    with saved_model.loading(directory):
        for file in files:
            state.update(load_file(file))
    return state


def make_method(method_cfg: MethodConfig) -> FullFinetune | AdapterTuning:
    """The method of the intermediate stage (or of direct fine-tuning)."""
    if method_cfg.kind == "full":
        return FullFinetune(freeze=tuple(method_cfg.freeze))
    return AdapterTuning(
        config=method_cfg.adapter,
        options=dict(method_cfg.adapter_options),
        language_adapters=dict(method_cfg.language_adapters),
        madx2=method_cfg.madx2,
    )


def prepare_target(
    model: Any,
    method_cfg: MethodConfig,
    intermediate_dir: str | Path | None,
    target_heads: dict[str, HeadSpec],
    *,
    warm_start_heads: bool = False,
) -> FullFinetune | AdapterTuning:
    """Start a target stage on a freshly built `model`; return the method it trains with.

    `intermediate_dir` is the intermediate stage's `Method.save` output (None: direct
    fine-tuning, no intermediate stage). Only the encoder (and adapters) come from it: target
    heads start fresh, as in jiant's XTREME runs, where every target head is named after its XTREME
    task (xtreme_runconfig_writer.py:113-116), so no intermediate head is ever reused.
    `warm_start_heads=True` (recipe `target.warm_start_heads`) also loads the intermediate heads a
    target shares by name (`nli` for xnli, `squad` for xquad / mlqa). For adapters, `method_cfg.target` decides:
    continue (keep training the intermediate adapter), stack (a new adapter on top of the frozen
    intermediate one) or full (merge the adapter into the weights where the method allows it,
    e.g. LoRA / IA3; otherwise keep it in place; then train everything). The caller then calls
    `method.prepare(model, heads)` and `train(...)` exactly as for any stage.
    """
    add_heads(model, target_heads)
    method = make_method(method_cfg)
    if intermediate_dir is None:
        return method
    method.load(model, intermediate_dir, heads=warm_start_heads)
    if isinstance(method, FullFinetune) or method_cfg.target == "continue":
        return method
    if method_cfg.target == "stack":
        return AdapterTuning(
            config=method.config,
            options=method.options,
            name=TARGET_ADAPTER_NAME,
            below=(method.name,),
            language_adapters=method.language_adapters,
            madx2=method.madx2,
        )
    merge_or_keep(model, method.name)
    return FullFinetune()


def merge_or_keep(model: Any, name: str) -> bool:
    """Fold adapter `name` into the encoder weights if it is mergeable (LoRA family); else leave
    it active so full fine-tuning trains through it. Returns True when merged and removed."""
    import adapters

    if not isinstance(model.adapters_config.match(name, adapters.LoRAConfig), adapters.LoRAConfig):
        model.set_active_adapters(name)
        return False
    model.merge_adapter(name)
    marker = f".{name}."
    merged = {k: v.detach().clone() for k, v in model.state_dict().items() if marker not in k}
    # adapters un-merges on any change of the active setup, so: reset, delete, then write back.
    model.set_active_adapters(None)
    model.delete_adapter(name)
    model.load_state_dict(merged, strict=False)
    return True
