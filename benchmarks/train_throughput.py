"""Training throughput of the stiltx loop against a bare torch loop and against fixed padding.

In one process, on the same model config and the same examples (random init, synthetic token ids
with realistic sentence-pair lengths: log-normal, median ~45 tokens, clipped to max_length):

  (a) stiltx: `stiltx.train.loop.train` fed by the real `TaskStream` (length-grouped batches,
      dynamic padding, collate) through `MixtureStream` - everything a run does per step;
  (b) bare:   a plain torch loop (forward, backward, clip, AdamW) over exactly the batches (a)
      trains on, pre-collated in memory: the floor;
  (c) fixed:  the bare loop over the same examples padded to max_length in random batches,
      as the XTREME / jiant scripts do.

It prints examples/s for each and the ratios a/b and a/c, then the peak memory of full
fine-tuning vs adapter tuning (each in a fresh subprocess: CUDA max_memory_allocated on a GPU,
peak RSS growth on CPU) on an XLM-R-base-shaped config. `--small` shrinks the throughput model for
CPU. Not part of the test suite. Usage:

    python benchmarks/train_throughput.py --small            # CPU, minutes
    python benchmarks/train_throughput.py --device cuda      # XLM-R-base shape on a GPU
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

BASE = dict(vocab_size=250002, hidden_size=768, num_layers=12, num_heads=12, intermediate_size=3072)
LARGE = dict(
    vocab_size=250002, hidden_size=1024, num_layers=24, num_heads=16, intermediate_size=4096
)
SMALL = dict(vocab_size=8000, hidden_size=128, num_layers=4, num_heads=4, intermediate_size=512)


HEAD = {"pairs": "nli", "qa": "qa"}  # benchmark kind -> its one head


def make_model(shape: dict, device: str, method: str, kind: str = "pairs"):
    """Random-init XLM-R-architecture model with one head (pairs: 3-way classification, qa: span
    extraction); method: full, adapter (seq_bn) or any adapters config id (lora, ...).
    Returns (model on device, prepared Method)."""
    import adapters

    from stiltx.model.build import HeadSpec, add_heads
    from stiltx.model.methods import AdapterTuning, FullFinetune
    from stiltx.tasks.spec import TaskKind
    from stiltx.toy.tiny_model import tiny_config

    torch.manual_seed(0)
    config = tiny_config(**shape)
    config._attn_implementation = "sdpa"
    with torch.device(device):  # initialise on the GPU: random init of 278M weights on CPU is slow
        model = adapters.AutoAdapterModel.from_config(config)
        if kind == "qa":
            add_heads(model, {"qa": HeadSpec(TaskKind.EXTRACTIVE_QA, num_labels=2)})
        else:
            add_heads(model, {"nli": HeadSpec(TaskKind.CLASSIFICATION, num_labels=3)})
    adapter = "seq_bn" if method == "adapter" else method  # "adapter": seq_bn, as before
    chosen = FullFinetune() if method == "full" else AdapterTuning(adapter)
    chosen.prepare(model, [HEAD[kind]])
    return model.to(device), chosen


def make_examples(n: int, vocab: int, max_length: int, seed: int = 0, kind: str = "pairs"):
    """pairs: sentence-pair lengths (log-normal, median 45) with a 3-way label; qa: doc-stride
    windows (60% full max_length, the rest the last window of a context, a third to all of it)
    with an answer span."""
    rng = np.random.default_rng(seed)
    if kind == "qa":
        full = rng.random(n) < 0.6
        lengths = np.where(full, max_length, rng.integers(max_length // 3, max_length + 1, n))
    else:
        lengths = np.clip(rng.lognormal(np.log(45), 0.5, n).astype(int), 8, max_length)
    ids = [rng.integers(5, vocab, size=k).tolist() for k in lengths]
    import datasets

    columns = {"input_ids": ids, "attention_mask": [[1] * len(i) for i in ids]}
    if kind == "qa":
        start = rng.integers(20, lengths - 10)
        columns["start_positions"] = start.tolist()
        columns["end_positions"] = (start + rng.integers(0, 8, n)).tolist()
    else:
        columns["labels"] = rng.integers(0, 3, size=n).tolist()
    columns["length"] = lengths.tolist()
    return datasets.Dataset.from_dict(columns)


class Encoded:
    def __init__(self, features, kind: str = "pairs"):
        from stiltx.tasks.spec import TaskKind

        self.task, self.features = "mnli", features
        self.kind = TaskKind.EXTRACTIVE_QA if kind == "qa" else TaskKind.CLASSIFICATION


def make_stream(features, batch_size: int, kind: str = "pairs", buckets: tuple[int, ...] = ()):
    """The real TaskStream + MixtureStream over `features`; `buckets`: padded lengths
    (`train.length_buckets`), empty: each batch padded to its longest row."""
    from stiltx.encoding import collate
    from stiltx.recipe.schema import SamplingConfig
    from stiltx.sampling.loader import MixtureStream, TaskStream
    from stiltx.sampling.sampler import TaskSampler

    encoded = Encoded(features, kind)

    def collate_fn(rows):
        return collate(encoded.kind, rows, pad_token_id=1, buckets=buckets)

    stream = TaskStream("mnli", HEAD[kind], encoded, batch_size, collate_fn, seed=0)
    sampler = TaskSampler({"mnli": len(features)}, SamplingConfig(policy="uniform"), seed=0)
    return MixtureStream({"mnli": stream}, sampler)


def sync(device: str) -> None:
    if device.startswith("cuda"):
        torch.cuda.synchronize()


def bare_loop(model, batches, device: str, warmup: int, head: str = "nli") -> float:
    """examples/s of forward/backward/clip/AdamW over `batches`, after `warmup` steps."""
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=1e-5)
    model.train()
    examples, start = 0, None
    for i, batch in enumerate(batches):
        if i == warmup:
            sync(device)
            start, examples = time.perf_counter(), 0
        tensors = {k: v.to(device, non_blocking=True) for k, v in batch.items()}
        loss = model(**tensors, head=head).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        examples += len(batch["input_ids"])
    sync(device)
    return examples / (time.perf_counter() - start)


def stiltx_loop(model, method, features, args, out_dir) -> float:
    """examples/s of stiltx.train.loop.train between its first and last log line."""
    from accelerate import Accelerator

    from stiltx.recipe.schema import TrainConfig
    from stiltx.train.loop import train

    cfg = TrainConfig(
        lr=1e-5, batch_size=args.batch_size, max_steps=args.steps + args.warmup,
        log_every=args.warmup, eval_every=10**9, save_every=10**9,
    )  # fmt: skip
    accelerator = Accelerator(cpu=args.device == "cpu")
    train(model, method, make_stream(features, args.batch_size), cfg, out_dir,
          accelerator=accelerator, progress=False)  # fmt: skip
    rows = [json.loads(line) for line in open(f"{out_dir}/train_log.jsonl")]
    first, last = rows[0], rows[-1]
    return (last["examples"] - first["examples"]) / (last["elapsed_s"] - first["elapsed_s"])


def throughput(args) -> dict:
    from stiltx.encoding import collate
    from stiltx.tasks.spec import TaskKind

    shape = SMALL if args.small else BASE
    total = args.steps + args.warmup
    features = make_examples(total * args.batch_size, shape["vocab_size"], args.max_length)
    # the exact batches the stiltx run trains on, pre-collated for the bare loop
    replay = make_stream(features, args.batch_size)
    dynamic = [next(replay).tensors for _ in range(total)]
    # fixed padding: same examples, random batches, every row padded to max_length
    order = np.random.default_rng(1).permutation(len(features))
    rows = features.select_columns(["input_ids", "attention_mask", "labels"])
    fixed = []
    for i in range(total):
        chunk = [rows[int(j)] for j in order[i * args.batch_size : (i + 1) * args.batch_size]]
        for row in chunk:
            pad = args.max_length - len(row["input_ids"])
            row["input_ids"] = row["input_ids"] + [1] * pad
            row["attention_mask"] = row["attention_mask"] + [0] * pad
        fixed.append(collate(TaskKind.CLASSIFICATION, chunk, pad_token_id=1))

    # Shared machines are noisy: warm the kernels for every batch shape once, then alternate
    # the three loops `repeats` times and keep each one's best run.
    bare_loop(make_model(shape, args.device, "full")[0], dynamic + fixed, args.device, 0)
    runs: dict[str, list[float]] = {"a_stiltx": [], "b_bare": [], "c_fixed": []}
    for _ in range(args.repeats):
        with tempfile.TemporaryDirectory() as out_dir:
            model, method = make_model(shape, args.device, "full")
            runs["a_stiltx"].append(stiltx_loop(model, method, features, args, out_dir))
        model, _ = make_model(shape, args.device, "full")
        runs["b_bare"].append(bare_loop(model, dynamic, args.device, args.warmup))
        model, _ = make_model(shape, args.device, "full")
        runs["c_fixed"].append(bare_loop(model, fixed, args.device, args.warmup))
    result = {key: max(values) for key, values in runs.items()}
    result["mean_tokens"] = float(np.mean(features["length"]))
    return result


def peak_memory(method: str, device: str, batch_size: int, max_length: int, steps: int) -> float:
    """Peak training memory in MiB (run in a fresh subprocess by `main`)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    model, _ = make_model(BASE, device, method)
    features = make_examples(batch_size * steps, BASE["vocab_size"], max_length)
    stream = make_stream(features, batch_size)
    if device.startswith("cuda"):
        torch.cuda.reset_peak_memory_stats()
    bare_loop(model, [next(stream).tensors for _ in range(steps)], device, warmup=0)
    if device.startswith("cuda"):
        return torch.cuda.max_memory_allocated() / 2**20
    return (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="small model for CPU throughput")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--steps", type=int, default=60, help="timed steps")
    parser.add_argument("--warmup", type=int, default=10, help="untimed steps first")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs; best kept")
    parser.add_argument("--max-length", type=int, default=128)
    parser.add_argument("--memory-batch-size", type=int, default=16)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--json", help="also write the results here")
    parser.add_argument("--memory-only", choices=["full", "adapter"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.memory_only:
        mib = peak_memory(args.memory_only, args.device, args.memory_batch_size,
                          args.max_length, steps=3)  # fmt: skip
        print(json.dumps({"peak_mib": mib}))
        return

    shape = "small" if args.small else "xlm-r-base"
    print(f"device={args.device} model={shape} batch={args.batch_size} "
          f"max_length={args.max_length} steps={args.steps}(+{args.warmup} warmup)")  # fmt: skip
    r = throughput(args)
    print(f"mean tokens/example: {r['mean_tokens']:.1f}")
    for key in ("a_stiltx", "b_bare", "c_fixed"):
        print(f"  {key:9s} {r[key]:9.1f} examples/s")
    print(f"  a/b = {r['a_stiltx'] / r['b_bare']:.3f}   (target >= 0.95)")
    print(f"  a/c = {r['a_stiltx'] / r['c_fixed']:.2f}    (target >= 3 on realistic lengths)")
    r["a/b"], r["a/c"] = r["a_stiltx"] / r["b_bare"], r["a_stiltx"] / r["c_fixed"]
    if args.json:  # rewritten with the memory numbers below
        Path(args.json).write_text(json.dumps(r, indent=1))

    if args.skip_memory:
        return
    peaks = {}
    for method in ("full", "adapter"):
        cmd = [sys.executable, __file__, "--memory-only", method, "--device", args.device,
               "--memory-batch-size", str(args.memory_batch_size),
               "--max-length", str(args.max_length)]  # fmt: skip
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
        peaks[method] = json.loads(out.strip().splitlines()[-1])["peak_mib"]
    print(f"peak memory, XLM-R-base shape, batch {args.memory_batch_size}x{args.max_length}:")
    print(f"  full    {peaks['full']:8.0f} MiB")
    print(f"  adapter {peaks['adapter']:8.0f} MiB   adapter/full = "
          f"{peaks['adapter'] / peaks['full']:.2f} (target <= 0.6)")  # fmt: skip
    if args.json:
        r["peak_mib"] = peaks
        Path(args.json).write_text(json.dumps(r, indent=1))


if __name__ == "__main__":
    main()
