"""The loop on the real sampling engine: MixtureStream + TaskSampler + collate, kill and resume."""

from __future__ import annotations

import datasets
import pytest
import torch
from engine_fixtures import HEADS, Crash, CrashAfter, train_cfg

from stiltx.encoding import collate
from stiltx.model.build import build_model
from stiltx.model.methods import AdapterTuning
from stiltx.recipe.schema import SamplingConfig
from stiltx.sampling.loader import MixtureStream, TaskStream
from stiltx.sampling.sampler import TaskSampler
from stiltx.tasks.spec import TaskKind


class Encoded:
    def __init__(self, task, kind, features):
        self.task, self.kind, self.features = task, kind, features


def encoded(task: str, kind: TaskKind, vocab: int, rows: int, seed: int) -> Encoded:
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(4, 12, (rows,), generator=gen).tolist()
    ids = [torch.randint(5, vocab, (n,), generator=gen).tolist() for n in lengths]
    columns = {"input_ids": ids, "attention_mask": [[1] * n for n in lengths], "length": lengths}
    if kind is TaskKind.CLASSIFICATION:
        columns["labels"] = [i[0] % 3 for i in ids]
    else:
        columns["labels"] = [[-100] + [t % 5 for t in i[1:]] for i in ids]
    return Encoded(task, kind, datasets.Dataset.from_dict(columns))


def mixture(vocab: int, grad_accum: int) -> MixtureStream:
    tasks = {"mnli": ("nli", TaskKind.CLASSIFICATION, 40), "udpos": ("pos", TaskKind.TAGGING, 24)}
    streams = {
        task: TaskStream(task, head, encoded(task, kind, vocab, rows, seed=len(task)), batch_size=4,
                         collate_fn=lambda rows, k=kind: collate(k, rows, pad_token_id=1), seed=7)
        for task, (head, kind, rows) in tasks.items()
    }  # fmt: skip
    sizes = {task: rows for task, (_, _, rows) in tasks.items()}
    sampler = TaskSampler(sizes, SamplingConfig(policy="proportional"), seed=7)
    return MixtureStream(streams, sampler, grad_accum=grad_accum)


def test_resume_with_the_real_mixture_stream_is_exact(model_cfg, tmp_path):
    cfg = train_cfg(max_steps=8, grad_accum=2, save_every=3, log_every=2, lr=1e-2)

    def run(out_dir, crash_after=None, resume=False):
        torch.manual_seed(0)
        model, _ = build_model(model_cfg, {h: HEADS[h] for h in ("nli", "pos")})
        method = AdapterTuning("lora", {"r": 4})
        method.prepare(model, ["nli", "pos"])
        stream = mixture(model.config.vocab_size, cfg.grad_accum)
        if crash_after is not None:
            stream = CrashAfter(stream, crash_after)
        from stiltx.train.loop import train

        result = train(model, method, stream, cfg, out_dir, resume=resume, progress=False)
        return model, stream, result

    reference, ref_stream, expected = run(tmp_path / "a")
    with pytest.raises(Crash):
        run(tmp_path / "b", crash_after=13)  # during step 7, after checkpoint-6
    resumed, stream, result = run(tmp_path / "b", resume=True)
    assert result.resumed_from == 6 and result.steps == expected.steps == 8
    assert result.examples == expected.examples
    assert stream.state_dict() == ref_stream.state_dict()
    assert stream.sampler.realized == ref_stream.sampler.realized
    ref = dict(reference.named_parameters())
    for name, p in resumed.named_parameters():
        if p.requires_grad:
            assert torch.equal(p, ref[name]), name
