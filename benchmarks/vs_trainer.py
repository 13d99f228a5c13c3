"""Training throughput of the stiltx loop against Hugging Face's `Trainer` / `AdapterTrainer`.

The peer a researcher would otherwise pick: `transformers.Trainer` (full fine-tuning) and
`adapters.AdapterTrainer` (seq_bn, lora), both with `group_by_length=True` and
`DataCollatorWithPadding`, their default optimizer (fused AdamW) and linear warmup/decay.
Both sides get the same model (random init, XLM-R architecture, one 3-way head), the same
tokenized examples (synthetic sentence-pair lengths, log-normal, median ~45 tokens), batch size,
lr, warmup ratio, weight decay, grad clipping and number of steps, and no evaluation.

stiltx runs its real path: `stiltx.train.loop.train` (accelerate, mixed precision from the
TrainConfig) fed by `TaskStream` + `MixtureStream`. Each run builds a fresh model; the first
`--warmup` steps are not timed (stiltx: between its first and last log line; Trainer: a
callback at step `--warmup` and at the last step, after a device sync). One untimed pass of everything comes
first (kernel selection for every batch shape), then the runs alternate, in alternating order,
`--repeats` times and the median is reported.

On a GPU (`--device cuda`, the default when one is visible) the model is XLM-R-base-shaped
(`--shape large`: XLM-R Large), in bf16 autocast with SDPA attention, and tokens/s plus model
FLOPs utilisation (MFU, against the card's dense bf16 peak, `--peak-tflops`) are printed for
both sides. `--kind qa` trains a span head on doc-stride windows (max_length 384) instead of
sentence pairs; `--buckets N` pads stiltx's batches to N lengths (`train.length_buckets`) and
`--compile` compiles its model (`train.compile`). Usage:

    python benchmarks/vs_trainer.py --small                 # CPU, small model, minutes
    python benchmarks/vs_trainer.py --device cuda           # XLM-R-base shape, bf16, SDPA
    python benchmarks/vs_trainer.py --device cuda --shape large --buckets 4 --compile
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_throughput import (  # noqa: E402
    BASE,
    HEAD,
    LARGE,
    SMALL,
    make_examples,
    make_model,
    make_stream,
    sync,
)

METHODS = ("full", "seq_bn", "lora")
LABELS = {"pairs": ["labels"], "qa": ["start_positions", "end_positions"]}


def train_config(args):
    from stiltx.recipe.schema import TrainConfig

    return TrainConfig(
        lr=1e-5, batch_size=args.batch_size, max_steps=args.steps + args.warmup,
        warmup_ratio=0.1, weight_decay=0.01, max_grad_norm=1.0, log_every=args.warmup,
        eval_every=10**9, save_every=10**9, mixed_precision="bf16" if args.bf16 else "no",
        length_buckets=args.buckets, compile=args.compile,
    )  # fmt: skip


def stiltx_run(method_name: str, features, args) -> float:
    """examples/s of stiltx.train.loop.train between its first and last log line."""
    from stiltx.encoding.collate import bucket_lengths
    from stiltx.train.loop import train

    model, method = make_model(args.shape, args.device, method_name, args.kind)
    stream = make_stream(features, args.batch_size, args.kind,
                         bucket_lengths(args.max_length, args.buckets))  # fmt: skip
    with tempfile.TemporaryDirectory() as out_dir:
        train(model, method, stream, train_config(args), out_dir, progress=False)
        rows = [json.loads(line) for line in open(f"{out_dir}/train_log.jsonl")]
    first, last = rows[0], rows[-1]
    return (last["examples"] - first["examples"]) / (last["elapsed_s"] - first["elapsed_s"])


def pad_tokenizer():
    """A tokenizer that only pads (XLM-R's <pad> = 1): all DataCollatorWithPadding needs."""
    from tokenizers import Tokenizer, models
    from transformers import PreTrainedTokenizerFast

    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    return PreTrainedTokenizerFast(
        tokenizer_object=Tokenizer(models.WordLevel(vocab, unk_token="<unk>")),
        pad_token="<pad>", unk_token="<unk>",
    )  # fmt: skip


def trainer_run(method_name: str, features, args) -> float:
    """examples/s of Trainer (full) or AdapterTrainer (adapters) over the same examples."""
    from transformers import DataCollatorWithPadding, Trainer, TrainerCallback, TrainingArguments

    model, _ = make_model(args.shape, args.device, method_name, args.kind)  # adapters: prepared
    model.active_head = HEAD[args.kind]
    total, device = args.steps + args.warmup, args.device
    marks: dict[str, float] = {}

    class Timer(TrainerCallback):
        def on_step_end(self, _args, state, control, **kwargs):
            if state.global_step in (args.warmup, total):
                sync(device)
                marks["start" if state.global_step == args.warmup else "end"] = time.perf_counter()

    with tempfile.TemporaryDirectory() as out_dir:
        targs = TrainingArguments(
            output_dir=out_dir, per_device_train_batch_size=args.batch_size, max_steps=total,
            learning_rate=1e-5, warmup_ratio=0.1, weight_decay=0.01, max_grad_norm=1.0,
            lr_scheduler_type="linear", group_by_length=True, length_column_name="length",
            label_names=LABELS[args.kind], logging_strategy="no", save_strategy="no",
            eval_strategy="no", report_to=[], disable_tqdm=True, use_cpu=device == "cpu",
            bf16=args.bf16, seed=0, dataloader_num_workers=0,
        )  # fmt: skip
        tokenizer = pad_tokenizer()
        if method_name == "full":
            cls = Trainer
        else:
            from adapters import AdapterTrainer as cls
        trainer = cls(
            model=model, args=targs, train_dataset=features, processing_class=tokenizer,
            data_collator=DataCollatorWithPadding(tokenizer), callbacks=[Timer()],
        )  # fmt: skip
        trainer.train()
    return args.steps * args.batch_size / (marks["end"] - marks["start"])


def model_flops_per_example(shape: dict, mean_tokens: float, mean_sq_tokens: float) -> float:
    """Training FLOPs of one example: 3 x forward; forward = 2 x non-embedding weights x tokens
    + attention scores and mixing (4 x layers x hidden x tokens^2). Real tokens, not padding."""
    h, layers, inter = shape["hidden_size"], shape["num_layers"], shape["intermediate_size"]
    weights = layers * (4 * h * h + 2 * h * inter)
    return 3 * (2 * weights * mean_tokens + 4 * layers * h * mean_sq_tokens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="small model (CPU)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--steps", type=int, default=30, help="timed steps")
    parser.add_argument("--warmup", type=int, default=5, help="untimed steps first")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, help="default: 128 (pairs), 384 (qa)")
    parser.add_argument("--kind", choices=["pairs", "qa"], default="pairs")
    parser.add_argument(
        "--shape",
        choices=["base", "large"],
        default="base",
        help="model shape without --small: XLM-R base or large",
    )
    parser.add_argument("--buckets", type=int, default=0, help="stiltx: train.length_buckets")
    parser.add_argument("--compile", action="store_true", help="stiltx: train.compile")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs; median kept")
    parser.add_argument("--methods", default=",".join(METHODS), help="full,seq_bn,lora")
    parser.add_argument("--peak-tflops", type=float, default=989.0,
                        help="dense bf16 peak for MFU (H100 SXM: 989)")  # fmt: skip
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    args.shape_name = "small" if args.small else args.shape
    args.shape = SMALL if args.small else {"base": BASE, "large": LARGE}[args.shape]
    args.max_length = args.max_length or (384 if args.kind == "qa" else 128)
    args.bf16 = args.device.startswith("cuda")
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    import transformers

    transformers.logging.set_verbosity_error()

    features = make_examples((args.steps + args.warmup) * args.batch_size,
                             args.shape["vocab_size"], args.max_length, kind=args.kind)  # fmt: skip
    lengths = np.asarray(features["length"], dtype=np.float64)
    name = (
        "small (hidden 128, 4 layers, vocab 8k)" if args.small else f"xlm-r-{args.shape_name} shape"
    )
    gpu = torch.cuda.get_device_name() if args.device.startswith("cuda") else "-"
    print(f"device={args.device} ({gpu}) model={name} bf16={args.bf16} sdpa=True "
          f"batch={args.batch_size} max_length={args.max_length} "
          f"steps={args.steps}(+{args.warmup} warmup) repeats={args.repeats} kind={args.kind} "
          f"buckets={args.buckets} compile={args.compile} threads={torch.get_num_threads()}")  # fmt: skip
    print(f"mean tokens/example: {lengths.mean():.1f}")
    methods = [m for m in args.methods.split(",") if m]
    runs: dict[str, list[float]] = {f"{s}:{m}": [] for m in methods for s in ("stiltx", "hf")}
    # Untimed first pass of every method on both sides: each new batch shape costs kernel
    # selection the first time (dynamic padding makes many shapes), which must not fall on
    # whichever side happens to run first.
    for m in methods:
        stiltx_run(m, features, args)
        trainer_run(m, features, args)
    for repeat in range(args.repeats):  # alternate sides and order, so load hits both alike
        for m in methods:
            sides = [("stiltx", stiltx_run), ("hf", trainer_run)]
            for side, run in sides if repeat % 2 == 0 else sides[::-1]:
                runs[f"{side}:{m}"].append(run(m, features, args))
    flops = model_flops_per_example(args.shape, lengths.mean(), (lengths**2).mean())
    result = {"device": args.device, "gpu": gpu, "shape": args.shape_name, "kind": args.kind,
              "batch_size": args.batch_size, "max_length": args.max_length,
              "buckets": args.buckets, "compile": args.compile,
              "mean_tokens": float(lengths.mean()), "runs": runs, "summary": {}}  # fmt: skip
    for m in methods:
        ours, theirs = (statistics.median(runs[f"{s}:{m}"]) for s in ("stiltx", "hf"))
        peer = "Trainer" if m == "full" else f"AdapterTrainer({m})"
        line = f"  {m:7s} stiltx {ours:8.1f}  {peer:22s} {theirs:8.1f} examples/s   ratio {ours / theirs:.2f}"
        summary = {"stiltx": ours, "hf": theirs, "ratio": ours / theirs}
        if args.device.startswith("cuda"):
            summary["stiltx_tokens_s"] = ours * lengths.mean()
            summary["stiltx_mfu"] = ours * flops / (args.peak_tflops * 1e12)
            summary["hf_mfu"] = theirs * flops / (args.peak_tflops * 1e12)
            line += (f"   stiltx {summary['stiltx_tokens_s']:,.0f} tokens/s, "
                     f"MFU {summary['stiltx_mfu']:.1%} (HF {summary['hf_mfu']:.1%})")  # fmt: skip
        result["summary"][m] = summary
        print(line)
    print("  each: median of", args.repeats, "runs; all runs:",
          {k: [round(v, 1) for v in vs] for k, vs in runs.items()})  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
