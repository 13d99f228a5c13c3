"""Evaluation throughput: stiltx's zero-shot prediction against `Trainer.predict`.

For classification (sentence pairs), tagging (first-subword labels) and extractive QA (doc-stride
windows) it encodes the same synthetic examples with the real stiltx encoders (a Unigram
tokenizer trained on the synthetic text) and times, on the same model (random init, XLM-R
architecture, one head per kind) and batch size:

  stiltx: `stiltx.evaluation.predict.predict`, examples -> predictions (length-sorted batches
          cut by a token budget, inference_mode, QA answers chosen over all windows of a
          question);
  hf:     `transformers.Trainer.predict` (DataCollatorWithPadding, its defaults) -> logits, then
          the same post-processing (`argmax_predictions`, `tagging_predictions`,
          `qa_predictions`) on its padded outputs, so both produce the same kind of answer.

It checks that the two give identical predictions, prints examples/s and the ratio
(median of `--repeats` alternating runs) and the CPU seconds of each side (process time, median),
which a busy shared machine disturbs less than wall time. Usage:

    python benchmarks/eval_throughput.py --small             # CPU
    python benchmarks/eval_throughput.py --small --threads 1 # CPU, a busy machine
    python benchmarks/eval_throughput.py --small --bf16      # CPU, bf16 autocast on both sides
    python benchmarks/eval_throughput.py --device cuda       # XLM-R-base shape, bf16 autocast
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_throughput import BASE, LARGE, SMALL, sync  # noqa: E402

KINDS = ("classification", "tagging", "qa")
TAGS = ("O", "B-PER", "I-PER", "B-LOC", "I-LOC", "B-ORG", "I-ORG")


def words(rng, n: int, lexicon: list[str]) -> list[str]:
    """n words drawn with Zipf frequencies (frequent words become single tokens)."""
    ranks = np.arange(1, len(lexicon) + 1)
    p = 1.0 / ranks
    return [lexicon[i] for i in rng.choice(len(lexicon), size=n, p=p / p.sum())]


def make_lexicon(rng, size: int = 4000) -> list[str]:
    """Pseudo-words of 1-4 consonant-vowel syllables."""
    syllables = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
    return ["".join(rng.choice(syllables, size=int(k))) for k in rng.integers(1, 5, size=size)]


def make_examples(kind: str, n: int, lexicon: list[str], seed: int = 0) -> list:
    """Synthetic examples with realistic lengths (log-normal words per sentence / context)."""
    from stiltx.tasks.examples import Answer, ClassificationExample, QAExample, TaggingExample

    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        if kind == "classification":
            a, b = (max(3, int(rng.lognormal(np.log(12), 0.5))) for _ in range(2))
            out.append(ClassificationExample(f"c{i}", " ".join(words(rng, a, lexicon)),
                                             " ".join(words(rng, b, lexicon)), int(i % 3)))  # fmt: skip
        elif kind == "tagging":
            sentence = tuple(words(rng, max(3, int(rng.lognormal(np.log(15), 0.5))), lexicon))
            tags = tuple(TAGS[j] for j in rng.integers(0, len(TAGS), size=len(sentence)))
            out.append(TaggingExample(f"t{i}", sentence, tags))
        else:  # contexts of ~150-600 words: one to several 384-token windows
            context_words = words(rng, max(40, int(rng.lognormal(np.log(200), 0.5))), lexicon)
            context = " ".join(context_words)
            k = int(rng.integers(0, len(context_words) - 3))
            answer = " ".join(context_words[k : k + 3])
            start = len(" ".join(context_words[:k])) + (1 if k else 0)
            question = " ".join(words(rng, int(rng.integers(6, 15)), lexicon)) + "?"
            out.append(QAExample(f"q{i}", question, context, (Answer(answer, start),)))
    return out


def task_spec(kind: str):
    from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec

    task_kind = {"classification": TaskKind.CLASSIFICATION, "tagging": TaskKind.TAGGING,
                 "qa": TaskKind.EXTRACTIVE_QA}[kind]  # fmt: skip
    labels = {"classification": ("a", "b", "c"), "tagging": TAGS, "qa": ()}[kind]
    return TaskSpec(
        name=f"bench_{kind}", kind=task_kind, role=Role.TARGET, description="benchmark",
        languages=("en",), splits=("test",),
        source=DataSource(local_format="none", local_paths={}), labels=labels,
    )  # fmt: skip


def make_model(shape: dict, device: str):
    import adapters

    from stiltx.model.build import HeadSpec, add_heads
    from stiltx.toy.tiny_model import tiny_config

    torch.manual_seed(0)
    config = tiny_config(**shape)
    config._attn_implementation = "sdpa"
    model = adapters.AutoAdapterModel.from_config(config)
    heads = {kind: HeadSpec.from_task(task_spec(kind)) for kind in KINDS}
    add_heads(model, heads)
    return model.to(device).eval()


def autocast(args):
    if args.bf16:
        return torch.autocast(torch.device(args.device).type, dtype=torch.bfloat16)
    return contextlib.nullcontext()


def stiltx_predict(model, kind, encoded, args):
    from stiltx.evaluation.predict import predict

    with autocast(args):
        return predict(model, kind, encoded, batch_size=args.batch_size,
                       max_tokens=args.max_tokens, device=args.device)  # fmt: skip


def hf_predict(model, kind, encoded, tokenizer, args):
    """Trainer.predict -> padded logits -> the same post-processing as stiltx."""
    from transformers import DataCollatorWithPadding, Trainer, TrainingArguments

    from stiltx.evaluation.predict import (
        argmax_predictions,
        max_context_per_window,
        offsets_per_window,
        qa_predictions,
        tagging_predictions,
    )

    model.active_head = kind
    features = encoded.features
    with tempfile.TemporaryDirectory() as out_dir:
        targs = TrainingArguments(
            output_dir=out_dir, per_device_eval_batch_size=args.batch_size, report_to=[],
            disable_tqdm=True, use_cpu=args.device == "cpu", bf16_full_eval=False,
            bf16=args.bf16, label_names=[], dataloader_num_workers=0,
        )  # fmt: skip
        trainer = Trainer(model=model, args=targs, processing_class=tokenizer,
                          data_collator=DataCollatorWithPadding(tokenizer))  # fmt: skip
        output = trainer.predict(features.select_columns(["input_ids", "attention_mask"]))
    logits = output.predictions
    lengths = features["length"]
    index = features["example_index"]
    if kind == "qa":
        start, end = logits
        return qa_predictions(
            [start[i, :n] for i, n in enumerate(lengths)], [end[i, :n] for i, n in enumerate(lengths)],
            offsets_per_window(features), index, [ex.context for ex in encoded.examples],
            max_context_per_window(features),
        )  # fmt: skip
    if kind == "tagging":
        return tagging_predictions([logits[i, :n] for i, n in enumerate(lengths)],
                                   features["word_index"], index,
                                   [len(ex.words) for ex in encoded.examples], encoded.labels)  # fmt: skip
    return argmax_predictions(list(logits), index, encoded.num_examples)


def timed(device: str, fn, *args):
    """(wall seconds, CPU seconds of this process, fn's value)."""
    sync(device)
    start, cpu = time.perf_counter(), time.process_time()
    value = fn(*args)
    sync(device)
    return time.perf_counter() - start, time.process_time() - cpu, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--small", action="store_true", help="small model (CPU)")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--examples", type=int, default=2000, help="per kind (QA: / 4)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--repeats", type=int, default=3, help="alternating runs; median kept")
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--shape", choices=["base", "large"], default="base",
                        help="model shape without --small: XLM-R base or large")  # fmt: skip
    parser.add_argument("--max-tokens", type=int, default=None,
                        help="stiltx's token budget per batch (default: by device; 0: fixed "
                             "batches of --batch-size)")  # fmt: skip
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's)")
    parser.add_argument(
        "--bf16", action="store_true", help="bf16 autocast on CPU too (GPU: always)"
    )
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    args.bf16 = args.device.startswith("cuda") or args.bf16
    if args.threads:
        torch.set_num_threads(args.threads)
    import transformers

    from stiltx.encoding import encode_split
    from stiltx.toy.tokenizer import train_tokenizer

    transformers.logging.set_verbosity_error()
    shape = SMALL if args.small else {"base": BASE, "large": LARGE}[args.shape]
    rng = np.random.default_rng(0)
    lexicon = make_lexicon(rng)
    corpus = [" ".join(words(rng, 30, lexicon)) for _ in range(3000)]
    tokenizer = train_tokenizer(corpus, vocab_size=min(8000, shape["vocab_size"]))
    model = make_model(shape, args.device)
    gpu = torch.cuda.get_device_name() if args.device.startswith("cuda") else "-"
    name = "small" if args.small else f"xlm-r-{args.shape} shape"
    print(f"device={args.device} ({gpu}) model={name} bf16={args.bf16} batch={args.batch_size} "
          f"max_tokens={args.max_tokens} threads={torch.get_num_threads()} "
          f"repeats={args.repeats}")  # fmt: skip
    result: dict = {"device": args.device, "gpu": gpu, "kinds": {}}
    for kind in args.kinds.split(","):
        n = args.examples // 4 if kind == "qa" else args.examples
        max_length = 384 if kind == "qa" else 128
        examples = make_examples(kind, n, lexicon)
        encoded = encode_split(task_spec(kind), examples, tokenizer, max_length, training=False)
        mean_len = float(np.mean(encoded.features["length"]))
        stiltx_predict(model, kind, encoded, args)  # warm-up of every shape's kernels
        times: dict[str, list[float]] = {"stiltx": [], "hf": []}
        cpu: dict[str, list[float]] = {"stiltx": [], "hf": []}
        same, agree = True, 1.0
        for repeat in range(args.repeats):  # alternating order, so load hits both sides alike
            sides = [("stiltx", partial(stiltx_predict, model, kind, encoded, args)),
                     ("hf", partial(hf_predict, model, kind, encoded, tokenizer, args))]  # fmt: skip
            got = {}
            for side, fn in sides if repeat % 2 == 0 else sides[::-1]:
                t, c, got[side] = timed(args.device, fn)
                times[side].append(t)
                cpu[side].append(c)
            same = same and got["stiltx"] == got["hf"]
            agree = float(np.mean([a == b for a, b in zip(got["stiltx"], got["hf"], strict=True)]))
        ours, theirs = (n / statistics.median(times[k]) for k in ("stiltx", "hf"))
        cpu_ours, cpu_theirs = (statistics.median(cpu[k]) for k in ("stiltx", "hf"))
        print(f"  {kind:14s} {n:5d} examples, {len(encoded.features):5d} features "
              f"(mean {mean_len:.0f} tokens): stiltx {ours:8.1f}  Trainer.predict {theirs:8.1f} "
              f"examples/s   ratio {ours / theirs:.2f}   CPU s {cpu_ours:.2f} vs "
              f"{cpu_theirs:.2f} (ratio {cpu_theirs / cpu_ours:.2f})   identical predictions: "
              f"{same} ({agree:.2%} of examples agree)")  # fmt: skip
        result["kinds"][kind] = {"examples": n, "features": len(encoded.features),
                                 "stiltx": ours, "hf": theirs, "ratio": ours / theirs,
                                 "cpu_ratio": cpu_theirs / cpu_ours, "identical": same,
                                 "agree": agree, "times": times, "cpu_s": cpu}  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
