"""Run directories written by hand (imported by conftest.py and by tests: a module with a unique
name, because tests/ is not a package): two recipes x three seeds with known numbers.

direct, seed s (1..3), every value + 0:           multitask9, seed s: every value + OFFSET[s]
  xnli  accuracy  en 80+s, de 70+s, sw 60+s  -> task 70+s       OFFSET = {1: 2, 2: 3, 3: 4}
  xquad EM / F1   en 50+s / 70+s, de 40+s / 60+s -> task (EM+F1)/2 = 55+s
  panx  f1        en 80+s, yo 40+s           -> task 60+s
So direct's task scores are 71/72/73, 56/57/58, 61/62/63 (std 1) and multitask9's are
+2/+3/+4 of those (std 2): every task delta is exactly +3.
"""

from __future__ import annotations

import json
from pathlib import Path

OFFSET = {1: 2.0, 2: 3.0, 3: 4.0}


def base_rows(seed: int, shift: float) -> list[dict]:
    s = float(seed)
    rows = []
    for lang, value in (("en", 80 + s), ("de", 70 + s), ("sw", 60 + s)):
        rows.append(("xnli", lang, "accuracy", value))
    for lang, em, f1 in (("en", 50 + s, 70 + s), ("de", 40 + s, 60 + s)):
        rows += [("xquad", lang, "exact_match", em), ("xquad", lang, "f1", f1)]
    for lang, value in (("en", 80 + s), ("yo", 40 + s)):
        rows.append(("panx", lang, "f1", value))
    rows.append(("panx", "en", "f1_dev_only", 1.0))  # unrelated metric: ignored
    out = [
        {"task": t, "language": lang, "split": "test", "metric": m, "value": v + shift}
        for t, lang, m, v in rows
    ]
    # A dev row that must not be mixed with test rows.
    out.append(
        {"task": "xnli", "language": "en", "split": "dev", "metric": "accuracy", "value": 0.0}
    )
    return out


def write_run(root: Path, recipe: str, seed: int, shift: float, **extra) -> Path:
    run = root / f"{recipe}-seed{seed}"
    run.mkdir(parents=True)
    results = {
        "recipe": recipe,
        "recipe_hash": "abc",
        "stiltx_version": "0.1.0",
        "git_commit": "deadbeef",
        "model": "xlm-roberta-base",
        "method": {"kind": "full"},
        "seed": seed,
        "started": "2025-01-01T00:00:00",
        "finished": "2025-01-01T01:00:00",
        "benchmark": "xtreme",
        "scores": base_rows(seed, shift),
        "aggregates": {},
        "timings": {
            "intermediate": {"seconds": 100.0 * seed, "device": "cpu"},
            "target:mnli": {"seconds": 10.0, "device": "cpu"},
        },
    }
    results.update(extra)
    (run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    if recipe == "multitask9":
        mixture = {"tasks": {"mnli": {"intended_steps": 60, "realized_steps": 58 + seed},
                             "squad": {"intended_steps": 40, "realized_steps": 42 - seed}}}  # fmt: skip
        (run / "mixture.json").write_text(json.dumps(mixture), encoding="utf-8")
    return run


def write_toy_run(
    root: Path,
    recipe: str,
    seed: int,
    values: dict[str, float],
    default: float = 50.0,
    tasks: tuple[str, ...] | None = None,
    predictions: dict[str, list[tuple[str, str]]] | None = None,
) -> Path:
    """A run on the complete `toy` benchmark: every task and listed language (or only `tasks`).

    Task score = `values.get(task, default)` in every language. `predictions`: {task: [(prediction,
    reference), ...]} written to predictions/<task>/<lang>.jsonl for every language of the task.
    """
    from stiltx.tasks.benchmarks import get_benchmark

    run = root / f"{recipe.replace('/', '-')}-seed{seed}"
    (run).mkdir(parents=True)
    scores = []
    for spec in get_benchmark("toy").tasks:
        if tasks is not None and spec.name not in tasks:
            continue
        for lang in spec.languages:
            for metric in spec.metrics:
                value = values.get(spec.name, default)
                scores.append({"task": spec.name, "language": lang, "split": "test",
                               "metric": metric, "value": value})  # fmt: skip
            for task, pairs in (predictions or {}).items():
                if task != spec.name:
                    continue
                folder = run / "predictions" / task
                folder.mkdir(parents=True, exist_ok=True)
                lines = [json.dumps({"id": str(i), "prediction": p, "reference": r,
                                     "correct": p == r}) for i, (p, r) in enumerate(pairs)]  # fmt: skip
                (folder / f"{lang}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = {"recipe": recipe, "seed": seed, "model": "toy", "method": "full",
               "benchmark": "toy", "scores": scores, "git_commit": "deadbeef",
               "stiltx_version": "0.1.0", "started": "2026-01-01T00:00:00",
               "finished": "2026-01-01T00:10:00", "device": "cpu"}  # fmt: skip
    (run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    return run


WIDE_RECIPES = {  # recipe -> sweep role: the names of a real sweep, long enough to crowd a table
    "direct": "control",
    "multitask9": "intermediate",
    "single-commonsenseqa": "intermediate",
    "single-socialiqa": "intermediate",
    "baselines-translate": "baseline",
    "baselines-mlm": "baseline",
}


def write_wide_sweep(root: Path, seeds: tuple[int, ...] = (1, 2, 3)) -> Path:
    """A sweep folder as `stiltx sweep` leaves it on the full XTREME benchmark: every task and
    language, six recipes with real-length names, an English dev selection score per target."""
    from stiltx.tasks.benchmarks import get_benchmark

    for r, recipe in enumerate(WIDE_RECIPES):
        for seed in seeds:
            scores = []
            for t, spec in enumerate(get_benchmark("xtreme").tasks):
                base = 40.0 + 3 * t + r + 0.7 * seed
                scores.append({"task": spec.name, "language": "en", "split": "dev",
                               "metric": "selection", "value": base + 10})  # fmt: skip
                for i, lang in enumerate(spec.languages):
                    for metric in spec.metrics:
                        scores.append({"task": spec.name, "language": lang, "split": "test",
                                       "metric": metric, "value": base + (i % 7)})  # fmt: skip
            run = root / recipe / f"seed-{seed}"
            run.mkdir(parents=True)
            results = {"recipe": recipe, "seed": seed, "benchmark": "xtreme", "model": "toy",
                       "stiltx_version": "0.1.0", "scores": scores}  # fmt: skip
            (run / "results.json").write_text(json.dumps(results), encoding="utf-8")
    jobs = [{"recipe": name, "role": role} for name, role in WIDE_RECIPES.items()]
    (root / "sweep.json").write_text(json.dumps({"jobs": jobs}), encoding="utf-8")
    return root
