"""The toy MLM pretraining's sequence-length warm-up: short windows first, then full length."""

from __future__ import annotations

from dataclasses import replace

from stiltx.toy.pretrain import ToyModelConfig, _chunks, window_length


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
