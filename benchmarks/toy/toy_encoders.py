"""Judge a change to the toy pretraining text over several encoders (issue 10).

A toy-world number moves as much with the encoder's pretraining seed as with a change to the
world (benchmarks/toy/NOTES.md, "one encoder is one draw"). So a text variant is
judged over several encoders:
- its data is generated once (world seed 0, the tiny preset's sizes);
- one encoder per seed is pretrained on its raw text with `stiltx.toy.pretrain.pretrain`, the
  function the toy build uses (`--device cuda` trains it on a GPU);
- `stiltx train --recipe direct --preset tiny --set seed=42` runs from each encoder;
- the table gives, per variant, the English and zero-shot means and the spread over encoders.

    python benchmarks/toy/toy_encoders.py run OUT --variants v9,questions+faq --seeds 0,1,2 [--device cuda] \\
        [--jobs 15] [--tasks xquad,xnli,pawsx] [--retrieval tatoeba,bucc2018] [--size smoke] \\
        [--model intermediate_size=256 --model steps=2750]
    python benchmarks/toy/toy_encoders.py table OUT/summary.jsonl

Jobs run as separate processes, `--jobs` at a time (1 on a 2-core box; 15 on a 16-core GPU
machine, where the encoders share the GPU). Each variant sets the raw-text shares of
`stiltx.toy.tasks_target` and the code-switchable word kinds of `stiltx.toy.render` in its own
process; the task data (train, dev, test) is the same for every variant. `--model KEY=VALUE`
changes a field of the encoder's `ToyModelConfig` (its size, steps, learning rate ...) for every
variant of the run; the runs read the encoder as the default world's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

_BASE_KINDS = ("noun", "verb", "adj", "pred", "adp", "det", "not", "was")
_QUESTION_KINDS = ("who", "what", "whom", "where", "when", "which", "company", "did", "question")
_V9 = {
    "CODE_SWITCH_PARAGRAPHS": 0.8,
    "CODE_SWITCH_WORDS": 0.5,
    "PARALLEL_SENTENCES": 0.2,
    "FOLLOW_UPS": 0.5,
    "QA_PARAGRAPHS": 0.3,
    "QA_TRANSLATIONS": 0.0,
    "QUESTION_SENTENCES": 0.15,
    "switchable": _BASE_KINDS,
}
_MORE_QUESTIONS = {
    "QA_PARAGRAPHS": 0.6,
    "QUESTION_SENTENCES": 0.3,
    "switchable": _BASE_KINDS + _QUESTION_KINDS,
}
# The raw-text variants compared on 2026-11-27 (benchmarks/toy/NOTES.md), each in full.
VARIANTS: dict[str, dict] = {
    # toy world v9, the default
    "v9": _V9,
    # twice the questions, and question words code-switched like other words
    "questions": {**_V9, **_MORE_QUESTIONS},
    # twice the sentences followed by their translation
    "parallel": {**_V9, "PARALLEL_SENTENCES": 0.4},
    "questions+parallel": {**_V9, **_MORE_QUESTIONS, "PARALLEL_SENTENCES": 0.4},
    # "questions", and half the closing question-answer pairs followed by their translation
    "questions+faq": {**_V9, **_MORE_QUESTIONS, "QA_TRANSLATIONS": 0.5},
    # v9's text with question words, do-support and the question particle code-switched like
    # other words, and nothing else changed (`questions` also doubles the questions)
    "wh-switch": {**_V9, "switchable": _BASE_KINDS + _QUESTION_KINDS},
}


def apply_variant(name: str) -> None:
    """Set the raw-text shares of variant `name` in this process."""
    from stiltx.toy import render, tasks_target

    for key, value in VARIANTS[name].items():
        if key == "switchable":
            render.SWITCHABLE = frozenset(value)
        else:
            if not hasattr(tasks_target, key):
                raise SystemExit(f"variant {name}: stiltx.toy.tasks_target has no {key}")
            setattr(tasks_target, key, value)


def _world_dir(out: Path, variant: str, seed: int, size: str) -> Path:
    """Where the tiny preset finds encoder `seed` of `variant` (STILTX_CACHE=out/<variant>-<seed>)."""
    from stiltx.toy.build import world_key
    from stiltx.toy.languages import DEFAULT_LANGUAGES
    from stiltx.toy.pretrain import model_for
    from stiltx.toy.sizes import named_sizes

    sizes = named_sizes(size)
    key = world_key(0, sizes, model_for(sizes), DEFAULT_LANGUAGES)
    return out / f"{variant}-{seed}" / "toy" / key


def job_data(out: Path, variant: str, size: str) -> None:
    """Write the world's data (no translated/: `direct` does not read it) under out/<variant>."""
    from stiltx.toy.build import write_data
    from stiltx.toy.languages import DEFAULT_LANGUAGES
    from stiltx.toy.sizes import named_sizes

    apply_variant(variant)
    target = out / variant / "data"
    shutil.rmtree(target, ignore_errors=True)
    write_data(target, 0, named_sizes(size), DEFAULT_LANGUAGES, translated=False)


def label(variant: str, model: dict) -> str:
    """The variant's name, with the model fields changed: `v9+steps=4000`."""
    return "+".join([variant, *(f"{k}={v}" for k, v in sorted(model.items()))])


def job_encoder(
    out: Path,
    variant: str,
    seed: int,
    device: str,
    tasks: str,
    retrieval: str,
    size: str,
    model: dict,
) -> None:
    """Pretrain encoder `seed` on the variant's text, run `direct` from it, write its row."""
    from dataclasses import replace

    import torch

    from stiltx.toy.build import mlm_corpus
    from stiltx.toy.languages import DEFAULT_LANGUAGES
    from stiltx.toy.pretrain import model_for, pretrain
    from stiltx.toy.sizes import named_sizes

    if device != "cpu":  # the GPU does the work; many jobs share the machine's cores
        torch.set_num_threads(1)
    name = label(variant, model)
    world = _world_dir(out, name, seed, size)
    shutil.rmtree(world, ignore_errors=True)
    shutil.copytree(out / variant / "data", world / "data")
    corpus = mlm_corpus(world / "data", DEFAULT_LANGUAGES)
    config = replace(model_for(named_sizes(size)), **model)
    summary = pretrain(corpus, world / "model", config, seed=seed, progress=False, device=device)
    run_dir = out / "runs" / f"{name}-{seed}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.parent.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        STILTX_CACHE=str(out / f"{name}-{seed}"),
        HF_HUB_OFFLINE="1",
        HF_DATASETS_OFFLINE="1",
        TOKENIZERS_PARALLELISM="false",
    )
    started = time.perf_counter()
    with open(f"{run_dir}.log", "w") as log:
        rc = subprocess.call(
            [sys.executable, "-m", "stiltx", "train", "--recipe", "direct", "--preset", "tiny"]
            + ["--out", str(run_dir), "--set", "seed=42", "--set", f"target.tasks=[{tasks}]"]
            + ["--set", f"retrieval.tasks=[{retrieval}]", "--set", f"toy.size={size}"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=REPO,
        )
    row = {
        "variant": variant,
        "model": model,
        "seed": seed,
        "device": device,
        "pretraining_seconds": summary["seconds"],
        "run_seconds": round(time.perf_counter() - started, 1),
        "rc": rc,
    }
    results = run_dir / "results.json"
    if rc == 0 and results.is_file():
        row["languages"] = json.loads(results.read_text())["aggregates"]["languages"]
    (out / "rows").mkdir(exist_ok=True)
    (out / "rows" / f"{name}-{seed}.json").write_text(json.dumps(row) + "\n")


def _pool(commands: list[list[str]], jobs: int) -> None:
    """Run `commands` as processes, `jobs` at a time; stop at the first failure."""
    waiting, running = list(commands), []
    while waiting or running:
        while waiting and len(running) < jobs:
            running.append(subprocess.Popen(waiting.pop(0), cwd=REPO))
        time.sleep(0.5)
        for proc in [p for p in running if p.poll() is not None]:
            running.remove(proc)
            if proc.returncode:
                for other in running:
                    other.kill()
                raise SystemExit(f"failed ({proc.returncode}): {' '.join(proc.args)}")


def run(args) -> None:
    unknown = [v for v in args.variants if v not in VARIANTS]
    if unknown:
        raise SystemExit(f"--variants: unknown {unknown}; expected some of {list(VARIANTS)}")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    me = [sys.executable, str(Path(__file__).resolve())]
    _pool([me + ["_data", str(out), v, args.size] for v in args.variants], args.jobs)
    model = dict(_field(item) for item in args.model)
    encoders = [(v, s) for v in args.variants for s in args.seeds]
    _pool(
        [
            me
            + ["_encoder", str(out), v, str(s), args.device, args.tasks, args.retrieval]
            + [args.size, json.dumps(model)]
            for v, s in encoders
        ],
        args.jobs,
    )
    rows = [(out / "rows" / f"{label(v, model)}-{s}.json").read_text() for v, s in encoders]
    (out / "summary.jsonl").write_text("".join(rows))
    print(table([json.loads(r) for r in rows]))


def _field(item: str) -> tuple[str, object]:
    """`--model KEY=VALUE`: a ToyModelConfig field and its value (JSON, else a string)."""
    from dataclasses import fields

    from stiltx.toy.pretrain import ToyModelConfig

    key, sep, text = item.partition("=")
    names = [f.name for f in fields(ToyModelConfig)]
    if not sep or key not in names:
        raise SystemExit(f"--model {item!r}: expected KEY=VALUE with KEY one of {names}")
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = text
    if isinstance(value, list):
        value = tuple(tuple(x) if isinstance(x, list) else x for x in value)
    return key, value


def table(rows: list[dict]) -> str:
    """Per variant and task: English mean, zero-shot mean ± std over encoders, and each encoder's
    zero-shot score (the mean over the task's non-English languages)."""
    lines = ["variant | task | encoders | English | zero-shot mean ± std | zero-shot by seed"]
    names = list(dict.fromkeys(label(r["variant"], r.get("model", {})) for r in rows))
    for variant in names:
        mine = sorted(
            (r for r in rows if label(r["variant"], r.get("model", {})) == variant),
            key=lambda r: r["seed"],
        )
        failed = [r["seed"] for r in mine if "languages" not in r]
        if failed:
            lines.append(f"{variant} | (runs failed for seeds {failed})")
        done = [r for r in mine if "languages" in r]
        if not done:
            continue
        for task in done[0]["languages"]:
            scores = [r["languages"][task] for r in done]
            english = [s["en"] for s in scores if "en" in s]
            zero = [statistics.mean(v for k, v in s.items() if k != "en") for s in scores]
            spread = statistics.stdev(zero) if len(zero) > 1 else 0.0
            lines.append(
                f"{variant} | {task} | {len(done)} | "
                + (f"{statistics.mean(english):.1f}" if english else "-")
                + f" | {statistics.mean(zero):.1f} ± {spread:.1f} | "
                + " ".join(f"{z:.1f}" for z in zero)
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_data":
        return job_data(Path(argv[1]), argv[2], argv[3])
    if argv and argv[0] == "_encoder":
        out, variant, seed, device, tasks, retrieval, size, model = argv[1:9]
        return job_encoder(
            Path(out), variant, int(seed), device, tasks, retrieval, size, json.loads(model)
        )
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="build, pretrain and run every (variant, seed)")
    p_run.add_argument("out")
    p_run.add_argument("--variants", type=lambda s: s.split(","), default=["v9", "questions+faq"])
    p_run.add_argument("--seeds", type=lambda s: [int(x) for x in s.split(",")], default=[0, 1, 2])
    p_run.add_argument("--device", default="cpu")
    p_run.add_argument("--jobs", type=int, default=1)
    p_run.add_argument("--tasks", default="xquad,xnli,pawsx")
    p_run.add_argument("--retrieval", default="tatoeba,bucc2018")
    p_run.add_argument("--size", default="default", help="toy.size: default, small or smoke")
    p_run.add_argument(
        "--model", action="append", default=[], help="KEY=VALUE: a ToyModelConfig field"
    )
    p_table = sub.add_parser("table", help="the table of a finished run's summary.jsonl")
    p_table.add_argument("summary")
    args = parser.parse_args(argv)
    if args.command == "run":
        run(args)
    else:
        path = Path(args.summary)
        rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        print(table(rows))


if __name__ == "__main__":
    main()
