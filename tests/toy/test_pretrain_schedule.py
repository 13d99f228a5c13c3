"""The toy MLM pretraining: sequence-length warm-up (short windows first) and mimetic init."""

from __future__ import annotations

from dataclasses import replace

import torch
from transformers import XLMRobertaForMaskedLM

from stiltx.toy.pretrain import ToyModelConfig, _chunks, mimetic_init, window_length
from stiltx.toy.tiny_model import tiny_config


def test_default_warmup_phases():
    cfg = ToyModelConfig(steps=1000, max_length=128)
    lengths = [window_length(step, cfg) for step in range(cfg.steps)]
    assert lengths[:150] == [10] * 150
    assert lengths[150:350] == [32] * 200
    assert lengths[350:] == [128] * 650


def test_phases_not_shorter_than_max_length_are_skipped():
    cfg = ToyModelConfig(steps=100, max_length=32)
    assert [window_length(s, cfg) for s in (0, 14, 15, 34, 35, 99)] == [10, 10, 32, 32, 32, 32]
    plain = replace(cfg, length_warmup=())
    assert {window_length(s, plain) for s in range(plain.steps)} == {32}


def test_windows_leave_room_for_special_tokens():
    ids = [[5, 6, 7], [8, 9], [10, 11, 12, 13]]
    assert _chunks(ids, 6) == [[5, 6, 7, 8], [9, 10, 11, 12]]


def test_mimetic_init_adds_identity_to_query_and_key_only():
    torch.manual_seed(0)
    model = XLMRobertaForMaskedLM(tiny_config(50, hidden_size=16, num_layers=2, num_heads=2))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    mimetic_init(model, 0.7)
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed == {
        f"roberta.encoder.layer.{i}.attention.self.{w}.weight"
        for i in (0, 1)
        for w in ("query", "key")
    }
    for name in changed:
        assert torch.allclose(after[name] - before[name], 0.7 * torch.eye(16))
    # an attention score is higher for an equal token than for any other
    x = torch.nn.functional.layer_norm(torch.randn(8, 16), (16,))
    layer = model.roberta.encoder.layer[0].attention.self
    scores = layer.query(x) @ layer.key(x).T
    assert (
        scores.diagonal() > scores.masked_fill(torch.eye(8, dtype=torch.bool), -1e9).max(1).values
    ).all()
