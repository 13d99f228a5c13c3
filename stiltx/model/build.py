"""Build the model: an `adapters.AutoAdapterModel` with one flexible head per trained task.

The head is chosen by the task *kind*, never by the task name. Tasks can share a head
(`TaskSpec.head`: anli and mnli both train the "nli" head; xnli evaluates through it), so the
task -> head map is explicit and separate from the list of tasks (jiant's lesson).

We hold an adapters model and call its public API; we never subclass it. Only `stiltx/model/`
imports `adapters`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from stiltx.data.offline import model_kwargs
from stiltx.errors import StiltxError
from stiltx.recipe.schema import ModelConfig
from stiltx.tasks.spec import TaskKind, TaskSpec

# adapters names the head it builds from a checkpoint's own LM head "default"; we never train it.
CHECKPOINT_HEAD = "default"


@dataclass(frozen=True)
class HeadSpec:
    """What a head needs to be built: the task kind and its output size."""

    kind: TaskKind
    num_labels: int = 0  # classification / tagging: number of classes; QA: 2 (start, end)
    num_choices: int = 0  # multiple choice
    labels: tuple[str, ...] = ()  # class / tag names (stored in the head as id2label)

    @classmethod
    def from_task(cls, spec: TaskSpec) -> HeadSpec:
        if spec.kind is TaskKind.EXTRACTIVE_QA:
            return cls(kind=spec.kind, num_labels=2)
        if spec.kind is TaskKind.MULTIPLE_CHOICE:
            return cls(kind=spec.kind, num_choices=spec.num_choices or 2)
        return cls(kind=spec.kind, num_labels=len(spec.labels), labels=spec.labels)


def head_map(task_specs: Iterable[TaskSpec]) -> dict[str, str]:
    """task name -> head name (tasks with the same `TaskSpec.head` share one head)."""
    return {spec.name: spec.head_name for spec in task_specs}


def head_specs(task_specs: Iterable[TaskSpec]) -> dict[str, HeadSpec]:
    """head name -> HeadSpec for every trainable task; tasks sharing a head must agree on it."""
    heads: dict[str, HeadSpec] = {}
    owner: dict[str, str] = {}
    for spec in task_specs:
        if not spec.trainable:
            continue
        head = HeadSpec.from_task(spec)
        name = spec.head_name
        if name in heads and heads[name] != head:
            raise StiltxError(
                f"tasks '{owner[name]}' and '{spec.name}' share head '{name}' but need different "
                f"heads ({heads[name]} vs {head}); give one of them its own `head` in its TaskSpec"
            )
        heads.setdefault(name, head)
        owner.setdefault(name, spec.name)
    return heads


def build_model(model_cfg: ModelConfig, heads: dict[str, HeadSpec]) -> tuple[Any, Any]:
    """Load the encoder from a Hub name or local path, drop its LM head, add our heads.

    Returns (model, tokenizer). `model_cfg.dtype` sets the weights' dtype, `attn_implementation`
    picks SDPA or eager attention, `gradient_checkpointing` trades compute for memory.
    """
    import adapters
    import torch
    from transformers import AutoTokenizer

    from stiltx.model import dual_encoder  # torch + adapters: loaded with the model

    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}
    from transformers import logging as hf_logging

    _drop_reset_noise()

    hub = model_kwargs(model_cfg.name_or_path)  # no network: one line in seconds, not retries
    # "Some weights ... were newly initialized": stiltx adds its own heads, so this is expected
    # on every load (select, evaluate, each target stage) and would only bury the real output
    hf_logging.set_verbosity_error()
    try:
        model = adapters.AutoAdapterModel.from_pretrained(
            model_cfg.name_or_path,
            dtype=dtype[model_cfg.dtype],
            attn_implementation=model_cfg.attn_implementation,
            **hub,
        )
        tokenizer = AutoTokenizer.from_pretrained(model_cfg.name_or_path, **hub)
    except (OSError, ValueError) as error:  # ValueError: HFValidationError for bad ids
        raise StiltxError(
            f"model.name_or_path: cannot load '{model_cfg.name_or_path}' ({error}); expected a "
            "Hub model id (e.g. FacebookAI/xlm-roberta-large) or a local folder with config.json, "
            "weights and tokenizer"
        ) from error
    _check_max_length(model_cfg, model)
    dual_encoder.register(model)  # so a saved dual-encoder head loads by its type
    lm_head = _pop_checkpoint_head(model)
    add_heads(model, heads, lm_head_state=lm_head)
    if model_cfg.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
    return model, tokenizer


class _ResetNoise(logging.Filter):
    """Drops `adapters`' "There are adapters available but none are activated for the forward
    pass." when it comes from switching adapters, not from a forward: set_active_adapters and
    train_adapter call reset_adapter, which opens a forward context before the new setup is
    active (adapters 1.3 model_mixin.py, reset_adapter -> ForwardContext -> forward_context).
    A real forward without an active adapter still warns."""

    def filter(self, record: logging.LogRecord) -> bool:
        if "none are activated" not in record.getMessage():
            return True
        frame = sys._getframe()
        while frame is not None:
            if frame.f_code.co_name == "reset_adapter":
                return False
            frame = frame.f_back
        return True


def _drop_reset_noise() -> None:
    log = logging.getLogger("adapters.model_mixin")
    if not any(isinstance(f, _ResetNoise) for f in log.filters):
        log.addFilter(_ResetNoise())


def _check_max_length(model_cfg: ModelConfig, model: Any) -> None:
    """model.max_length fits the model's position embeddings (RoBERTa/XLM-R keep 2 of them for
    the padding offset: 514 positions hold 512 tokens)."""
    config = model.config
    positions = getattr(config, "max_position_embeddings", None)
    if not isinstance(positions, int):
        return
    limit = (
        positions - 2
        if getattr(config, "model_type", "") in ("roberta", "xlm-roberta")
        else positions
    )
    if model_cfg.max_length > limit:
        raise StiltxError(
            f"model.max_length: got {model_cfg.max_length}, but {model_cfg.name_or_path} takes at "
            f"most {limit} tokens ({positions} position embeddings); expected <= {limit}"
        )


def add_heads(model: Any, heads: dict[str, HeadSpec], *, lm_head_state: dict | None = None) -> None:
    """Add one flexible head per entry (skipping heads the model already has).

    An MLM head starts from the checkpoint's pretrained LM head (`lm_head_state`) when given:
    a randomly initialised LM head would make the MLM baseline start from noise.
    """
    for name, head in heads.items():
        if name in model.heads:
            continue
        if name == CHECKPOINT_HEAD:
            raise StiltxError(f"head name '{name}' is reserved for the checkpoint's LM head")
        id2label = dict(enumerate(head.labels)) if head.labels else None
        if head.kind is TaskKind.CLASSIFICATION:
            model.add_classification_head(name, num_labels=head.num_labels, id2label=id2label)
        elif head.kind is TaskKind.MULTIPLE_CHOICE:
            model.add_multiple_choice_head(name, num_choices=head.num_choices)
        elif head.kind is TaskKind.EXTRACTIVE_QA:
            model.add_qa_head(name, num_labels=2)
        elif head.kind is TaskKind.TAGGING:
            model.add_tagging_head(name, num_labels=head.num_labels, id2label=id2label)
        elif head.kind is TaskKind.DUAL_ENCODER:
            from stiltx.model import dual_encoder  # torch + adapters, as the model itself

            dual_encoder.add_head(model, name)
        elif head.kind is TaskKind.MLM:
            model.add_masked_lm_head(name)
            if lm_head_state is not None:
                model.heads[name].load_state_dict(lm_head_state)
        else:
            raise StiltxError(f"head '{name}': task kind '{head.kind.value}' has no trainable head")


def copy_head(model: Any, source: str, target: str) -> None:
    """Load head `source`'s weights into head `target` where both are the same kind of head with
    the same shapes (a multiple-choice head scores each choice alone, so SocialIQA's 3-choice head
    serves COPA's 2 choices); otherwise `target` keeps its own weights."""
    if source == target or source not in model.heads or target not in model.heads:
        return
    state = model.heads[source].state_dict()
    own = model.heads[target].state_dict()
    same_kind = model.heads[source].config.get("head_type") == model.heads[target].config.get(
        "head_type"
    )
    if (
        same_kind
        and state.keys() == own.keys()
        and all(state[k].shape == own[k].shape for k in own)
    ):
        model.heads[target].load_state_dict(state)


def _pop_checkpoint_head(model: Any) -> dict | None:
    """Remove the "default" head adapters builds from the checkpoint's LM head; return its weights."""
    if CHECKPOINT_HEAD not in model.heads:
        return None
    state = {k: v.detach().clone() for k, v in model.heads[CHECKPOINT_HEAD].state_dict().items()}
    model.delete_head(CHECKPOINT_HEAD)
    return state
