"""One JSON line per finished run of a sweep folder's seed, so that a grid's numbers outlive the
machine it ran on (the sessions' machines keep only the repository).

    python benchmarks/toy/grid_results.py SWEEP_DIR SEED OUT.jsonl [--machine TEXT] [--date D]

Each line: recipe, seed, English and zero-shot (mean over the other languages) per task, every
language's score, the English dev selection score of each target (what `stiltx select --evaluate`
and the transfer view take as truth), the budget (optimizer steps, examples), the merge setting
and grid, and the seconds the run's stages recorded. Scores are read as `stiltx report` reads them
(`stiltx.report.tables.language_scores`: the test split where there is one; QA = (EM + F1) / 2).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path

from stiltx.report.results import find_runs
from stiltx.report.tables import language_scores


def run_line(run_dir: Path, machine: str, date: str) -> dict | None:
    found = find_runs([run_dir])
    if not found.runs:
        return None
    run = found.runs[0]
    raw = json.loads((run_dir / "results.json").read_text(encoding="utf-8"))
    scores = language_scores(run)
    dev = {
        s["task"]: round(s["value"], 2)
        for s in raw["scores"]
        if s.get("split") == "dev" and s.get("metric") == "selection" and s.get("language") == "en"
    }

    def zero_shot(values: dict[str, float]) -> float:
        others = [v for language, v in values.items() if language != "en"]
        return round(sum(others) / len(others), 2)

    return {
        "recipe": raw["recipe"],
        "seed": raw["seed"],
        "machine": machine,
        "date": date,
        "git_commit": raw.get("git_commit"),
        "english": {t: round(v["en"], 2) for t, v in scores.items() if "en" in v},
        "zero_shot": {t: zero_shot(v) for t, v in scores.items() if set(v) - {"en"}},
        "languages": {t: {k: round(x, 2) for k, x in v.items()} for t, v in scores.items()},
        "english_dev_selection": dev,
        "budget": {k: (raw.get("budget") or {}).get(k) for k in ("steps", "examples")},
        "combine": raw.get("combine"),
        "stage_seconds": round(
            sum(v.get("seconds", 0) for v in (raw.get("timings") or {}).values()), 1
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sweep_dir", type=Path)
    parser.add_argument("seed", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--machine", default="2-core AMD EPYC with AVX-512, torch 2.13.0+cpu")
    parser.add_argument("--date", default=dt.date.today().isoformat())
    args = parser.parse_args()
    lines = []
    for run_dir in sorted(args.sweep_dir.glob(f"*/seed-{args.seed}")):
        line = run_line(run_dir, args.machine, args.date)
        if line is not None:
            lines.append(json.dumps(line, sort_keys=True))
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} runs -> {args.out}")


if __name__ == "__main__":
    main()
