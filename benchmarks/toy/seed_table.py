"""Tables over seeds from the per-run lines `grid_results.py` keeps (one file per seed):

    python benchmarks/toy/seed_table.py results/toy_grid-cpu-seed2-*.jsonl results/...seed3...jsonl \
        [--recipes direct,multitask9,merge-average]

1. per task, English / zero-shot (mean over the other languages), each the mean over the seeds
   that have the run; the zero-shot mean over tasks per seed and its mean and standard deviation
   over seeds (sample sd, n - 1); the budget (optimizer steps) of each recipe;
2. by language: each language's score averaged over the tasks scored in it, without retrieval
   (fusion scores none), mean over seeds.

Markdown, for benchmarks/README.md. A recipe missing at a seed is averaged over the seeds it has,
and the seeds are named in its column.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

TASKS = ["xnli", "pawsx", "udpos", "panx", "xquad", "mlqa", "tydiqa", "bucc2018", "tatoeba"]
RETRIEVAL = {"bucc2018", "tatoeba"}
ORDER = ["direct", "multitask9", "fusion9", "merge-average", "merge-task-arithmetic",
         "merge-ties", "madx"]  # fmt: skip


def load(paths: list[str]) -> dict[str, dict[int, dict]]:
    """recipe name (the run folder's: 'merge-ties') -> seed -> line."""
    runs: dict[str, dict[int, dict]] = {}
    for path in paths:
        for number, text in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
            if not text.strip():
                continue
            line = json.loads(text)
            name = line["recipe"]
            if line["seed"] in runs.setdefault(name, {}):
                raise SystemExit(f"{path}:{number}: {name} seed {line['seed']} appears twice")
            runs[name][line["seed"]] = line
    return runs


def mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def task_table(runs: dict[str, dict[int, dict]], names: list[str]) -> list[str]:
    head = [f"{n} ({','.join(str(s) for s in sorted(runs[n]))})" for n in names]
    out = ["| task | " + " | ".join(head) + " |", "| --- |" + " ---: |" * len(names)]
    for task in TASKS:
        cells = []
        for n in names:
            en = mean([r["english"][task] for r in runs[n].values() if task in r["english"]])
            zs = mean([r["zero_shot"][task] for r in runs[n].values() if task in r["zero_shot"]])
            cells.append(f"{fmt(en)} / {fmt(zs)}")
        out.append(f"| {task} | " + " | ".join(cells) + " |")
    cells = []
    for n in names:
        per_seed = []
        for r in runs[n].values():
            scored = [r["zero_shot"][t] for t in TASKS if t in r["zero_shot"]]
            per_seed.append((mean(scored), len(scored)))
        counts = {k for _, k in per_seed}
        spread = statistics.stdev([m for m, _ in per_seed]) if len(per_seed) > 1 else None
        text = fmt(mean([m for m, _ in per_seed]))
        text += f" ± {spread:.1f}" if spread is not None else ""
        text += "" if counts == {len(TASKS)} else f" ({'/'.join(str(k) for k in sorted(counts))})"
        cells.append(text)
    out.append("| zero-shot mean (sd over seeds) | " + " | ".join(cells) + " |")
    steps = []
    for n in names:
        values = sorted({r["budget"]["steps"] for r in runs[n].values()})
        steps.append(" / ".join(f"{v:,}" for v in values))
    out.append("| steps | " + " | ".join(steps) + " |")
    return out


def language_table(runs: dict[str, dict[int, dict]], names: list[str]) -> list[str]:
    languages = sorted(
        {
            lang
            for seeds in runs.values()
            for r in seeds.values()
            for t, v in r["languages"].items()
            if t not in RETRIEVAL
            for lang in v
        }  # fmt: skip
    )
    out = ["| language | " + " | ".join(names) + " |", "| --- |" + " ---: |" * len(names)]
    for lang in languages:
        cells = []
        for n in names:
            per_seed = []
            for r in runs[n].values():
                scored = [
                    v[lang] for t, v in r["languages"].items() if t not in RETRIEVAL and lang in v
                ]
                if scored:
                    per_seed.append(mean(scored))
            cells.append(fmt(mean(per_seed)))
        out.append(f"| {lang} | " + " | ".join(cells) + " |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+")
    parser.add_argument("--recipes", help="comma-separated run names (default: all, in ORDER)")
    args = parser.parse_args()
    runs = load(args.files)
    names = args.recipes.split(",") if args.recipes else [n for n in ORDER if n in runs]
    unknown = [n for n in names if n not in runs]
    if unknown:
        raise SystemExit(f"no runs of {', '.join(unknown)} in {', '.join(args.files)}")
    print("\n".join(task_table(runs, names)))
    print()
    print("\n".join(language_table(runs, names)))


if __name__ == "__main__":
    main()
