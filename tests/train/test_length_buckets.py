"""`train.length_buckets`: padding batches to a few lengths changes nothing but the padding.

What is compared: the same tiny model (dropout off), the same batches of real rows of uneven
length (classification and tagging), 6 steps of the real loop, once padded to each batch's
longest row and once to the buckets. Pad tokens are masked out of attention and carry label
-100, and XLM-R's position ids skip pads, so each step's logged loss and the final weights agree
to float rounding. (With dropout on, masks are drawn over the padded shape, so the real tokens
get other masks; MLM masking likewise; a QA head's softmax spans pad positions: those differ by
the padding itself, as under any dynamic padding.)
"""

from __future__ import annotations

import json
from functools import partial

import numpy as np
import pytest
import torch
from engine_fixtures import HEADS, TASK_HEAD, Batch, train_cfg

from stiltx.encoding.collate import bucket_lengths, collate
from stiltx.model.build import build_model
from stiltx.model.methods import FullFinetune
from stiltx.recipe.schema import ModelConfig
from stiltx.train.loop import train

MAX_LENGTH = 32


@pytest.fixture(scope="module")
def still_model_dir(tmp_path_factory, tiny_tokenizer):
    """The tiny random XLM-R with dropout off (dropout masks depend on the padded shape)."""
    from stiltx.toy.tiny_model import build_random_encoder

    directory = tmp_path_factory.mktemp("tiny-xlmr-no-dropout")
    build_random_encoder(
        directory, tiny_tokenizer, hidden_size=32, num_layers=2, num_heads=2,
        intermediate_size=64, attention_probs_dropout_prob=0.0, hidden_dropout_prob=0.0,
    )  # fmt: skip
    return directory


def uneven_rows(task: str, seed: int = 0) -> list[list[dict]]:
    """6 batches of 4 rows, 3 to 21 tokens long (never a multiple of the buckets)."""
    rng = np.random.default_rng(seed)
    batches = []
    for _ in range(6):
        rows = []
        for _ in range(4):
            n = int(rng.integers(3, 22))
            ids = [0, *rng.integers(5, 150, size=n - 2).tolist(), 2]
            row = {"input_ids": ids, "attention_mask": [1] * n}
            if task == "mnli":
                row["labels"] = int(rng.integers(0, 3))
            else:
                row["labels"] = [-100, *(i % 5 for i in ids[1:-1]), -100]
            rows.append(row)
        batches.append(rows)
    return batches


class ListStream:
    """The given batches in order, collated with `collate_fn` (a stream the loop can resume)."""

    def __init__(self, task: str, rows: list[list[dict]], collate_fn):
        head = TASK_HEAD[task]
        self.batches = [Batch(task, head, HEADS[head].kind, collate_fn(r), len(r)) for r in rows]
        self.position = 0

    def __iter__(self):
        return self

    def __next__(self):
        batch = self.batches[self.position % len(self.batches)]
        self.position += 1
        return batch

    def state_dict(self):
        return {"position": self.position}

    def load_state_dict(self, state):
        self.position = state["position"]


def run(model_dir, task: str, buckets: tuple[int, ...], out_dir):
    torch.manual_seed(0)
    model, _ = build_model(ModelConfig(name_or_path=str(model_dir), max_length=MAX_LENGTH), HEADS)
    method = FullFinetune()
    method.prepare(model, [TASK_HEAD[task]])
    kind = HEADS[TASK_HEAD[task]].kind
    stream = ListStream(task, uneven_rows(task), partial(collate, kind, pad_token_id=1,
                                                         buckets=buckets))  # fmt: skip
    widths = {b.tensors["input_ids"].shape[1] for b in stream.batches}
    train(model, method, stream, train_cfg(lr=1e-2, max_steps=6, log_every=1), out_dir,
          progress=False)  # fmt: skip
    losses = [json.loads(line)["loss"][task] for line in (out_dir / "train_log.jsonl").open()]
    weights = {n: p.detach().clone() for n, p in model.named_parameters()}
    return widths, losses, weights


@pytest.mark.parametrize("task", ["mnli", "udpos"])
def test_bucketed_padding_trains_as_dynamic_padding(still_model_dir, tmp_path, task):
    buckets = bucket_lengths(MAX_LENGTH, 4)
    assert buckets == (8, 16, 24, 32)
    widths, losses, weights = run(still_model_dir, task, (), tmp_path / "plain")
    bucket_widths, bucket_losses, bucket_weights = run(
        still_model_dir, task, buckets, tmp_path / "buckets"
    )
    assert bucket_widths <= set(buckets) and not widths <= set(buckets)  # other shapes really
    assert len(losses) == 6 and losses[-1] < losses[0]  # it trained
    np.testing.assert_allclose(bucket_losses, losses, rtol=1e-5)
    for name, value in weights.items():
        if name.endswith("attention.self.key.bias"):
            # Softmax ignores a shift shared by all keys, so this gradient is 0 in exact
            # arithmetic: what it gets is rounding noise, which AdamW scales up to lr-sized steps.
            continue
        torch.testing.assert_close(bucket_weights[name], value, rtol=1e-4, atol=1e-5, msg=name)
