"""Without a network the first Hub call stops in seconds with one line: what, and the fix."""

from __future__ import annotations

import socket
import time

import pytest

from stiltx.data import offline
from stiltx.data.hub import load_hub
from stiltx.errors import DataError
from stiltx.tasks.registry import get_task


def _closed_port() -> int:
    with socket.socket() as s:  # bound then released: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_offline_hub_call_fails_fast_with_the_fix(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    offline._reachable.cache_clear()
    started = time.perf_counter()
    with pytest.raises(DataError) as error:
        load_hub(get_task("xnli"), "sw", "test")
    assert time.perf_counter() - started < 5
    message = str(error.value)
    assert "google/xtreme" in message and "no network" in message
    assert "--data-dir" in message and "HF_HUB_OFFLINE=1" in message
    assert "\n" not in message
    offline._reachable.cache_clear()


def test_hub_offline_mode_skips_the_probe(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{_closed_port()}")
    offline.require_hub("dataset x")  # no probe, no error: the local cache answers
