"""build_model on a real tiny XLM-R checkpoint: heads by kind, shared heads, the LM head."""

from __future__ import annotations

import pytest
import torch

from stiltx.errors import StiltxError
from stiltx.model.build import HeadSpec, build_model, head_map, head_specs
from stiltx.recipe.schema import ModelConfig
from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec

SRC = DataSource(local_format="jsonl", local_paths={})
NLI = ("entailment", "neutral", "contradiction")


def spec(name, kind, head=None, labels=(), num_choices=0):
    return TaskSpec(name=name, kind=kind, role=Role.INTERMEDIATE, description="", languages=("en",),
                    splits=("train",), source=SRC, labels=labels, num_choices=num_choices,
                    head=head)  # fmt: skip


SPECS = [
    spec("anli", TaskKind.CLASSIFICATION, head="nli", labels=NLI),
    spec("mnli", TaskKind.CLASSIFICATION, head="nli", labels=NLI),
    spec("hellaswag", TaskKind.MULTIPLE_CHOICE, num_choices=4),
    spec("squad", TaskKind.EXTRACTIVE_QA),
    spec("udpos", TaskKind.TAGGING, labels=("NOUN", "VERB", "ADJ")),
    spec("mlm", TaskKind.MLM),
    spec("bucc", TaskKind.RETRIEVAL),
]


def test_head_map_shares_heads_between_tasks():
    assert head_map(SPECS)["anli"] == head_map(SPECS)["mnli"] == "nli"
    heads = head_specs(SPECS)
    assert list(heads) == ["nli", "hellaswag", "squad", "udpos", "mlm"]  # retrieval: no head
    assert heads["nli"] == HeadSpec(TaskKind.CLASSIFICATION, num_labels=3, labels=NLI)
    assert heads["hellaswag"].num_choices == 4


def test_tasks_sharing_a_head_must_agree():
    bad = [SPECS[0], spec("x", TaskKind.CLASSIFICATION, head="nli", labels=("a", "b"))]
    with pytest.raises(StiltxError, match="'anli' and 'x' share head 'nli'"):
        head_specs(bad)


def test_build_model_one_head_per_kind_and_no_default_head(tiny_model_dir):
    model, tokenizer = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), head_specs(SPECS))
    assert set(model.heads) == {"nli", "hellaswag", "squad", "udpos", "mlm"}
    assert model.config.prediction_heads["nli"]["head_type"] == "classification"
    assert model.config.prediction_heads["hellaswag"]["head_type"] == "multiple_choice"
    assert model.config.prediction_heads["squad"]["head_type"] == "question_answering"
    assert model.config.prediction_heads["udpos"]["head_type"] == "tagging"
    assert model.config.prediction_heads["mlm"]["head_type"] == "masked_lm"
    ids = tokenizer(["The cat sat on the mat."], return_tensors="pt")
    model.eval()
    with torch.no_grad():
        assert model(**ids, head="nli").logits.shape == (1, 3)
        assert model(**ids, head="udpos").logits.shape[-1] == 3
        mc = {k: v.unsqueeze(1).expand(-1, 4, -1) for k, v in ids.items()}
        assert model(**mc, head="hellaswag").logits.shape == (1, 4)


def test_mlm_head_starts_from_the_checkpoints_lm_head(tiny_model_dir):
    from transformers import XLMRobertaForMaskedLM

    model, tokenizer = build_model(ModelConfig(name_or_path=str(tiny_model_dir)),
                                   {"mlm": HeadSpec(TaskKind.MLM)})  # fmt: skip
    reference = XLMRobertaForMaskedLM.from_pretrained(tiny_model_dir).eval()
    ids = tokenizer(["Paris is the capital of France."], return_tensors="pt")
    model.eval()
    with torch.no_grad():
        torch.testing.assert_close(model(**ids, head="mlm").logits, reference(**ids).logits)


def test_eager_attention_and_gradient_checkpointing_switches(tiny_model_dir):
    cfg = ModelConfig(name_or_path=str(tiny_model_dir), attn_implementation="eager",
                      gradient_checkpointing=True)  # fmt: skip
    model, _ = build_model(cfg, {"nli": HeadSpec(TaskKind.CLASSIFICATION, num_labels=3)})
    assert model.config._attn_implementation == "eager"
    assert model.is_gradient_checkpointing
    model.train()
    ids = torch.randint(5, model.config.vocab_size, (2, 6))
    model(input_ids=ids, labels=torch.tensor([0, 2]), head="nli").loss.backward()
    assert model.heads["nli"][1].weight.grad is not None


def test_unknown_model_path_is_a_clean_error(tmp_path):
    with pytest.raises(StiltxError, match="model.name_or_path"):
        build_model(ModelConfig(name_or_path=str(tmp_path / "nope")), {})


def test_switching_adapters_logs_no_warning_but_a_forward_without_one_does(tiny_model_dir, caplog):
    import logging

    model, tokenizer = build_model(ModelConfig(name_or_path=str(tiny_model_dir)), {})
    model.add_adapter("de", config="seq_bn_inv")  # invertible: switching resets it
    model.add_adapter("task", config="seq_bn")
    with caplog.at_level(logging.WARNING, logger="adapters"):
        model.train_adapter("de")
        model.set_active_adapters("task")
        model.set_active_adapters(None)
    assert not [r for r in caplog.records if "none are activated" in r.getMessage()]
    with caplog.at_level(logging.WARNING, logger="adapters"):
        model(**tokenizer(["ein Satz"], return_tensors="pt"))  # a real forward, nothing active
    assert [r for r in caplog.records if "none are activated" in r.getMessage()]
