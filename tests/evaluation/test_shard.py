"""Multi-process evaluation: two CPU processes (gloo) score exactly like one, each doing half
(zero-shot prediction and retrieval embedding)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import shard_worker  # beside this file (pytest puts the test's folder on sys.path)

REPO_ROOT = Path(__file__).resolve().parents[2]

WORKER = Path(__file__).with_name("shard_worker.py")


def _launch(model_dir: Path, data_dir: Path, out: Path, rank: int | None, world: int, port: int):
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "WORLD_SIZE", "LOCAL_RANK")}
    env.update(PYTHONPATH=str(REPO_ROOT), OMP_NUM_THREADS="1")
    if rank is not None:
        env.update(RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(world),
                   LOCAL_WORLD_SIZE=str(world), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))  # fmt: skip
    out.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, str(WORKER), str(model_dir), str(data_dir), str(out)]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_processes_score_like_one_each_predicting_half(tiny_model_dir, shared_data, tmp_path):
    port = _free_port()
    single = tmp_path / "single"
    double = tmp_path / "double"
    processes = [_launch(tiny_model_dir, shared_data, double, r, 2, port) for r in (0, 1)]
    shard_worker.main(str(tiny_model_dir), str(shared_data), str(single))  # one process: here
    for process in processes:
        output = process.communicate(timeout=1200)[0].decode()
        assert process.returncode == 0, output[-3000:]

    one = json.loads((single / "rank-0.json").read_text())
    ranks = [json.loads((double / f"rank-{r}.json").read_text()) for r in (0, 1)]
    assert one["world"] == 1 and [r["world"] for r in ranks] == [2, 2]
    # identical scores in both processes, and identical to a single process
    assert ranks[0]["scores"] == ranks[1]["scores"] == one["scores"]
    # each process predicted about half of the examples, together all of them
    total = one["predicted"]
    assert sum(r["predicted"] for r in ranks) == total
    assert all(abs(r["predicted"] - total / 2) <= 4 for r in ranks)
    # English-dev selection during training: each process predicted about half of the dev set
    dev = one["dev"]
    assert dev > 0 and sum(r["dev"] for r in ranks) == dev
    assert all(abs(r["dev"] - dev / 2) <= 1 for r in ranks)
    # retrieval: each process embedded about half of the sentences, together all of them
    embedded = one["embedded"]
    assert embedded > 0 and sum(r["embedded"] for r in ranks) == embedded
    assert all(abs(r["embedded"] - embedded / 2) <= 2 for r in ranks)
    assert any(task == "tatoeba" for task, *_ in one["scores"])
    # predictions are written once (by the main process), the same as a single process writes
    for path in sorted((single / "predictions").rglob("*.jsonl")):
        twin = double / "predictions" / path.relative_to(single / "predictions")
        assert twin.read_text() == path.read_text()
    assert len(list((double / "predictions").rglob("*.jsonl"))) == 4
