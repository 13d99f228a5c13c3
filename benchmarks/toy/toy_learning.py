"""Does the embedded default learn? Every target of issue #10 next to its threshold.

    python benchmarks/toy/toy_learning.py                 # run what is missing under runs/toy-learning
    python benchmarks/toy/toy_learning.py --out DIR --seeds 42 43 44
    python benchmarks/toy/toy_learning.py --out DIR --no-run   # only read runs already there

Runs `stiltx train --recipe multitask9 --preset tiny` once per seed and `--recipe direct` once
(seed 42; retrieval from the pretrained encoder), each into DIR/<recipe>-s<seed> unless its
results.json is already there, timing each (wall and CPU seconds of the child, load average).
Then it reads results.json, intermediate/train_log.jsonl and predictions/ and prints every target
with its threshold and met / NOT MET. It is a benchmark, not a test: it takes minutes.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Chance level of the main English-dev score of each intermediate task (accuracy; squad: F1).
INTERMEDIATE_CHANCE = {
    "anli": 100 / 3,
    "mnli": 100 / 3,
    "qqp": 50.0,
    "hellaswag": 25.0,
    "cosmosqa": 25.0,
    "commonsenseqa": 20.0,
    "socialiqa": 100 / 3,
}
INTERMEDIATE_FIXED = {"squad": 50.0, "ccg": 80.0}
ENGLISH = {"xnli": 70.0, "pawsx": 75.0, "udpos": 85.0, "panx": 85.0, "xquad": 60.0, "mlqa": 60.0,
           "tydiqa": 60.0}  # fmt: skip
CHANCE = {"xnli": 100 / 3, "pawsx": 50.0}  # zero-shot: chance + half of (English - chance)
HALF_OF_ENGLISH = ("udpos", "panx", "xquad", "mlqa", "tydiqa")  # zero-shot: >= 50% of English
ONE_CLASS_TASKS = ("xnli", "pawsx")  # classification targets: never one class for everything
RETRIEVAL = {"tatoeba": 60.0, "bucc2018": 40.0}  # from the pretrained encoder (direct)
MAX_STD = 2.0
TIME_WARM_S = 300.0
# Withdrawn for a 128-wide 4-layer encoder (issue 31: measured out of reach at any budget tried):
# SQuAD F1 >= 50 inside the mixture and zero-shot QA >= 50% of English. Printed, marked as such.
WITHDRAWN = ("intermediate squad best en dev", "xquad zero-shot mean", "mlqa zero-shot mean",
             "tydiqa zero-shot mean")  # fmt: skip


def run(recipe: str, seed: int, out: Path) -> dict:
    """`stiltx train` once into `out` (unless done); return its timing."""
    timing_file = out.parent / f"{out.name}.timing.json"
    if (out / "results.json").is_file():
        return json.loads(timing_file.read_text()) if timing_file.is_file() else {}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    started = time.perf_counter()
    cmd = ["stiltx", "train", "--recipe", recipe, "--preset", "tiny", "--out", str(out),
           "--set", f"seed={seed}"]  # fmt: skip
    print("$", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    timing = {
        "wall_s": round(time.perf_counter() - started, 1),
        "cpu_s": round(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 1),
        "load_before": round(load, 2),
        "load_after": round(os.getloadavg()[0], 2),
    }
    timing_file.write_text(json.dumps(timing) + "\n")
    return timing


def language_scores(results: dict) -> dict[str, dict[str, float]]:
    """task -> language -> the language's score (QA: (EM + F1) / 2), as results.json aggregates."""
    return results["aggregates"]["languages"]


def best_dev(run_dir: Path) -> dict[str, float]:
    best: dict[str, float] = {}
    log = run_dir / "intermediate" / "train_log.jsonl"
    for line in log.read_text().splitlines():
        row = json.loads(line)
        for task, value in row.get("eval", {}).items():
            best[task] = max(best.get(task, float("-inf")), value)
    return best


def one_class_languages(run_dir: Path, task: str) -> list[str]:
    """Languages in which every prediction of `task` is the same class."""
    out = []
    for path in sorted((run_dir / "predictions" / task).glob("*.jsonl")):
        predicted = {json.loads(line)["prediction"] for line in path.read_text().splitlines()}
        if len(predicted) <= 1:
            out.append(path.stem)
    return out


def zero_shot(scores: dict[str, float]) -> float:
    others = [v for lang, v in scores.items() if lang != "en"]
    return statistics.mean(others) if others else float("nan")


def check(runs: dict[int, Path], direct: Path | None, timings: dict[str, dict]) -> list[tuple]:
    """(target, value, threshold text, met) rows; the first seed's run is the reference run."""
    rows: list[tuple] = []
    first = runs[min(runs)]
    results = json.loads((first / "results.json").read_text())
    scores = language_scores(results)

    dev = best_dev(first)
    for task, chance in INTERMEDIATE_CHANCE.items():
        value = dev.get(task, float("nan"))
        rows.append((f"intermediate {task} best en dev", value, f">= {chance + 25:.1f}",
                     value >= chance + 25))  # fmt: skip
    for task, threshold in INTERMEDIATE_FIXED.items():
        value = dev.get(task, float("nan"))
        rows.append((f"intermediate {task} best en dev", value, f">= {threshold:.0f}",
                     value >= threshold))  # fmt: skip

    for task, threshold in ENGLISH.items():
        value = scores.get(task, {}).get("en", float("nan"))
        rows.append((f"{task} en", value, f">= {threshold:.0f}", value >= threshold))
    for task, chance in CHANCE.items():
        en, zs = scores.get(task, {}).get("en", float("nan")), zero_shot(scores.get(task, {}))
        need = chance + (en - chance) / 2
        rows.append((f"{task} zero-shot mean", zs, f">= {need:.1f} (chance + half)", zs >= need))
    for task in HALF_OF_ENGLISH:
        en, zs = scores.get(task, {}).get("en", float("nan")), zero_shot(scores.get(task, {}))
        rows.append((f"{task} zero-shot mean", zs, f">= {en / 2:.1f} (50% of en)", zs >= en / 2))
    for task in ONE_CLASS_TASKS:
        bad = one_class_languages(first, task)
        rows.append((f"{task} one class for a whole language", len(bad),
                     "0 languages" + (f" (got {', '.join(bad)})" if bad else ""), not bad))  # fmt: skip

    if direct is not None:
        dscores = language_scores(json.loads((direct / "results.json").read_text()))
        for task, threshold in RETRIEVAL.items():
            value = zero_shot(dscores.get(task, {}))
            rows.append((f"{task} (direct, pretrained encoder)", value, f">= {threshold:.0f}",
                         value >= threshold))  # fmt: skip

    if len(runs) >= 2:
        per_seed = [
            language_scores(json.loads((d / "results.json").read_text())) for d in runs.values()
        ]
        for task in sorted(set.intersection(*(set(s) for s in per_seed))):
            means = [statistics.mean(s[task].values()) for s in per_seed]
            std = statistics.stdev(means)
            rows.append((f"{task} std of language average over {len(runs)} seeds", std,
                         f"<= {MAX_STD:.0f}", std <= MAX_STD))  # fmt: skip

    walls = [t["wall_s"] for name, t in timings.items() if name.startswith("multitask9") and t]
    if walls:
        loads = [t["load_before"] for name, t in timings.items() if t]
        rows.append((f"warm multitask9 wall seconds (load {max(loads):.1f})", min(walls),
                     f"<= {TIME_WARM_S:.0f} on a quiet 2-core machine", min(walls) <= TIME_WARM_S))  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("runs/toy-learning"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 43, 44])
    parser.add_argument("--no-run", action="store_true", help="only read runs already in --out")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    timings: dict[str, dict] = {}
    runs: dict[int, Path] = {}
    direct: Path | None = args.out / "direct-s42"
    if not args.no_run:
        timings["direct-s42"] = run("direct", 42, direct)
    for seed in args.seeds:
        out = args.out / f"multitask9-s{seed}"
        if not args.no_run:
            timings[out.name] = run("multitask9", seed, out)
        elif (args.out / f"{out.name}.timing.json").is_file():
            timings[out.name] = json.loads((args.out / f"{out.name}.timing.json").read_text())
        if (out / "results.json").is_file():
            runs[seed] = out
    if not runs:
        print(f"no finished multitask9 run under {args.out}", file=sys.stderr)
        return 2
    if not (direct / "results.json").is_file():
        direct = None
    rows = check(runs, direct, timings)
    width = max(len(r[0]) for r in rows)
    for name, value, threshold, met in rows:
        status = "met" if met else "withdrawn, not met" if name in WITHDRAWN else "NOT MET"
        print(f"{name:<{width}}  {value:8.1f}  {threshold:<34} {status}")
    for name, timing in timings.items():
        if timing:
            print(f"time {name}: wall {timing['wall_s']} s, CPU {timing['cpu_s']} s, "
                  f"load {timing['load_before']} -> {timing['load_after']}")  # fmt: skip
    held = [r for r in rows if r[0] not in WITHDRAWN]
    missed = [r[0] for r in held if not r[3]]
    print(f"{len(held) - len(missed)}/{len(held)} targets met ({len(rows) - len(held)} withdrawn, "
          f"{sum(r[3] for r in rows if r[0] in WITHDRAWN)} of them met)")
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
