"""Runs on disk -> typed, tidy results: `Score` rows and `RunResults`, plus per-example predictions.

What a run directory holds that reports read (see ../shared/DESIGN.md "Runs on disk"):

`results.json` (required; a directory without it is listed and skipped)::

    {"recipe": "multitask9", "recipe_hash": "...", "stiltx_version": "0.1.0", "git_commit": "...",
     "model": "xlm-roberta-large" | {"name_or_path": ...}, "method": "full" | {"kind": ..., ...},
     "seed": 1, "started": "...", "finished": "...",
     "benchmark": "xtreme" | "xtreme-r",            # optional; the report's --benchmark otherwise
     "device": "cuda:0 (NVIDIA H100)",               # optional
     "scores": [{"task", "language", "split", "metric", "value"}, ...],   # values in percent
     "aggregates": {...},                            # ignored: reports recompute them
     "timings": {"<phase>": {"seconds": 12.5, "device": "cpu"}, ...}}  # optional (cost view)

`mixture.json` (optional; the mixture view), as TaskSampler.mixture_report writes it, or simpler::

    {"policy": ..., "tasks": {"mnli": {"intended_steps": 500, "realized_steps": 488, ...}, ...}}
    {"intended": {"mnli": 500, ...}, "realized": {"mnli": 488, ...}}
    {"mnli": {"intended": 500, "realized": 488}, ...}

`predictions/<task>/<language>.jsonl` (optional; the paired bootstrap), one JSON object a line::

    {"id": "<example id, stable across runs>", "prediction": <any>, "reference": <any>,
     "correct": true}                          # accuracy-like metrics: 1/0 per example, or
     "scores": {"exact_match": 100.0, "f1": 66.7}}   # per-example metric values in percent

The mean of the per-example scores over a file must equal the reported metric (accuracy, SQuAD EM
and F1 are such averages). Corpus-level metrics (seqeval F1, BUCC F1) have no per-example score;
their files may omit `correct` / `scores` and the bootstrap skips them.
"""

from __future__ import annotations

import glob
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stiltx.errors import DataError
from stiltx.layout import MIXTURE_FILE, PREDICTIONS_DIR, RESULTS_FILE, prediction_file


@dataclass(frozen=True)
class Score:
    task: str
    language: str
    split: str
    metric: str
    value: float


@dataclass(frozen=True)
class Timing:
    phase: str
    seconds: float
    device: str


@dataclass(frozen=True)
class RunResults:
    path: Path
    recipe: str
    seed: int | None
    model: str
    method: str
    benchmark: str | None
    scores: tuple[Score, ...]
    recipe_hash: str = ""
    git_commit: str = ""
    stiltx_version: str = ""
    device: str = ""
    started: str = ""
    finished: str = ""
    timings: tuple[Timing, ...] = ()
    mixture: dict[str, tuple[float, float]] = field(default_factory=dict)  # task -> (int., real.)
    # Derived views computed once per run (e.g. language scores per language filter).
    cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.path.name


def _label(value: Any, keys: tuple[str, ...]) -> str:
    """A short label for a field that may be a string or a dict (model / method)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        parts = [str(value[k]) for k in keys if value.get(k) not in (None, "", "none")]
        return ":".join(parts) if parts else json.dumps(value, sort_keys=True)
    return str(value)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise DataError(
            f"{path}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None


def _scores(path: Path, rows: Any) -> tuple[Score, ...]:
    if not isinstance(rows, list):
        raise DataError(f"{path}: 'scores' must be a list of objects, got {type(rows).__name__}")
    scores = []
    for index, row in enumerate(rows):
        try:
            scores.append(
                Score(
                    task=str(row["task"]),
                    language=str(row["language"]),
                    split=str(row.get("split", "test")),
                    metric=str(row["metric"]),
                    value=float(row["value"]),
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise DataError(
                f"{path}: scores[{index}] = {row!r} is not a score row "
                f"(expected task, language, split, metric, value): {error}"
            ) from None
    return tuple(scores)


def _timings(path: Path, raw: Any) -> tuple[Timing, ...]:
    if not raw:
        return ()
    if not isinstance(raw, dict):
        raise DataError(f"{path}: 'timings' must map phase -> {{seconds, device}}, got {raw!r}")
    out = []
    for phase, entry in raw.items():
        if isinstance(entry, (int, float)):
            out.append(Timing(phase, float(entry), ""))
        elif isinstance(entry, dict) and "seconds" in entry:
            out.append(Timing(phase, float(entry["seconds"]), str(entry.get("device", ""))))
        else:
            raise DataError(f"{path}: timings.{phase} = {entry!r}; expected {{seconds, device}}")
    return tuple(out)


def read_mixture(path: Path) -> dict[str, tuple[float, float]]:
    """mixture.json -> {task: (intended, realized)} (both layouts in the module docstring)."""
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected an object, got {type(raw).__name__}")
    if isinstance(raw.get("intended"), dict) and isinstance(raw.get("realized"), dict):
        tasks = list(dict.fromkeys([*raw["intended"], *raw["realized"]]))
        return {
            t: (float(raw["intended"].get(t, 0)), float(raw["realized"].get(t, 0))) for t in tasks
        }
    if isinstance(raw.get("tasks"), dict):
        return {
            t: (float(e.get("intended_steps", 0)), float(e.get("realized_steps", 0)))
            for t, e in raw["tasks"].items()
            if isinstance(e, dict)
        }
    out = {}
    for task, entry in raw.items():
        if isinstance(entry, dict) and "intended" in entry and "realized" in entry:
            out[task] = (float(entry["intended"]), float(entry["realized"]))
    return out


def load_run(run_dir: str | Path) -> RunResults:
    """Read one run directory (results.json, and mixture.json when present)."""
    run_dir = Path(run_dir)
    path = run_dir / RESULTS_FILE
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected a JSON object, got {type(raw).__name__}")
    if "scores" not in raw:
        raise DataError(f"{path}: no 'scores' key (keys: {', '.join(sorted(raw))})")
    seed = raw.get("seed")
    mixture_path = run_dir / MIXTURE_FILE
    return RunResults(
        path=run_dir,
        recipe=str(raw.get("recipe") or run_dir.name),
        seed=int(seed) if isinstance(seed, (int, float, str)) and str(seed).isdigit() else None,
        model=_label(raw.get("model"), ("name_or_path", "name")),
        method=_label(raw.get("method"), ("kind", "adapter", "target")),
        benchmark=(str(raw["benchmark"]).lower() if raw.get("benchmark") else None),
        scores=_scores(path, raw["scores"]),
        recipe_hash=str(raw.get("recipe_hash", "")),
        git_commit=str(raw.get("git_commit", "")),
        stiltx_version=str(raw.get("stiltx_version", "")),
        device=str(raw.get("device", "")),
        started=str(raw.get("started", "")),
        finished=str(raw.get("finished", "")),
        timings=_timings(path, raw.get("timings")),
        mixture=read_mixture(mixture_path) if mixture_path.is_file() else {},
    )


@dataclass(frozen=True)
class Found:
    runs: tuple[RunResults, ...]
    skipped: tuple[Path, ...]  # directories without results.json


def _expand(paths: list[str | Path]) -> list[Path]:
    out: list[Path] = []
    for raw in paths:
        text = str(raw)
        if any(ch in text for ch in "*?["):
            matches = sorted(glob.glob(text))
            if not matches:
                raise DataError(f"no path matches '{text}'")
            out.extend(Path(m) for m in matches)
        else:
            path = Path(text)
            if not path.exists():
                raise DataError(f"{path}: no such file or directory")
            out.append(path)
    return out


def _walk(path: Path, runs: list[Path], skipped: list[Path], depth: int) -> None:
    if (path / RESULTS_FILE).is_file():
        runs.append(path)
        return
    children = sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith("."))
    if depth == 0 or not children:
        skipped.append(path)
        return
    for child in children:
        _walk(child, runs, skipped, depth - 1)


def find_runs(paths: list[str | Path], max_depth: int = 3) -> Found:
    """Run directories under PATHs (a run dir, a folder of runs, or a glob), and what was skipped.

    A PATH that is a results.json file counts as its directory. Folders are searched `max_depth`
    levels deep; a leaf directory without results.json is reported in `skipped`.
    """
    runs: list[Path] = []
    skipped: list[Path] = []
    for path in _expand(list(paths)):
        if path.is_file():
            if path.name != RESULTS_FILE:
                raise DataError(f"{path}: expected a run directory or a {RESULTS_FILE}")
            path = path.parent
        _walk(path, runs, skipped, max_depth)
    unique = list(dict.fromkeys(p.resolve() for p in runs))
    return Found(
        runs=tuple(load_run(p) for p in unique),
        skipped=tuple(dict.fromkeys(skipped)),
    )


# ---- per-example predictions (for the paired bootstrap) ------------------------------------------


def example_scores(path: Path, metrics: tuple[str, ...]) -> dict[str, float] | None:
    """{example id: per-example task score} from one predictions file, or None if not scorable.

    The per-example task score is the mean of `metrics` in the line's `scores` (QA: (EM+F1)/2),
    or 100 * correct for accuracy-like lines.
    """
    out: dict[str, float] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as error:
                raise DataError(f"{path}:{number}: malformed JSON: {error.msg}") from None
            if "id" not in row:
                raise DataError(f"{path}:{number}: no 'id' in the prediction line")
            scores = row.get("scores")
            if isinstance(scores, dict) and metrics and all(m in scores for m in metrics):
                value = sum(float(scores[m]) for m in metrics) / len(metrics)
            elif "correct" in row:
                value = 100.0 * float(row["correct"])
            else:
                return None
            out[str(row["id"])] = value
    return out


def predictions_path(run: RunResults, task: str, language: str) -> Path:
    return prediction_file(run.path / PREDICTIONS_DIR, task, language)
