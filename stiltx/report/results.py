"""Runs on disk -> typed, tidy results: `Score` rows and `RunResults`, plus per-example predictions.

What a run directory holds that reports read (see ../shared/DESIGN.md "Runs on disk"):

`results.json` (required; a directory without it is listed and skipped)::

    {"recipe": "multitask9", "recipe_hash": "...", "stiltx_version": "0.1.0", "git_commit": "...",
     "model": "xlm-roberta-large" | {"name_or_path": ...}, "method": "full" | {"kind": ..., ...},
     "seed": 1, "started": "...", "finished": "...",
     "benchmark": "xtreme" | "xtreme-r",            # optional; the report's --benchmark otherwise
     "retrieval_protocol": "jiant" | "xtreme",       # optional; BUCC's pooling and layer
     "device": "cuda:0 (NVIDIA H100)",               # optional
     "scores": [{"task", "language", "split", "metric", "value"}, ...],   # values in percent
     "aggregates": {...},                            # ignored: reports recompute them
     "timings": {"<phase>": {"seconds": 12.5, "device": "cpu"}, ...},  # optional (cost view)
     "budget": {"steps": 5400, "examples": 86400,     # optional (budget view; stiltx/budget.py)
                "stages": {"intermediate": {"steps": 600, "examples": 9600}, ...}}}

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
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stiltx import run_files
from stiltx.errors import DataError
from stiltx.layout import MIXTURE_FILE, PREDICTIONS_DIR, RESULTS_FILE, prediction_file
from stiltx.results import Score


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
    retrieval_protocol: str = ""  # BUCC's pooling and layer: jiant / xtreme (retrieval.protocol)
    budget: dict[str, tuple[int | None, int | None]] = field(
        default_factory=dict
    )  # stage -> (steps, examples)
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
        text = run_files.read_bytes(path).decode("utf-8")
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 (byte {error.start}: {error.reason})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DataError(
            f"{path}: malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from None
    except RecursionError:
        raise DataError(f"{path}: JSON nested too deeply to read") from None


def _number(value: Any, where: str, low: float = -math.inf, high: float = math.inf) -> float:
    """A finite number in [low, high] (JSON numbers only: not strings, booleans or NaN/Infinity)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DataError(f"{where}: got {value!r}, expected a number")
    if not math.isfinite(value):
        raise DataError(f"{where}: got {value}, expected a finite number (not NaN or Infinity)")
    if not low <= value <= high:
        raise DataError(f"{where}: got {value}, expected a number in [{low:g}, {high:g}]")
    return float(value)


SCORE_RANGE = (0.0, 100.0)  # metric values are percentages, as XTREME reports them


def _scores(path: Path, rows: Any) -> tuple[Score, ...]:
    """Score rows, each checked: a finite percentage, no (task, language, split, metric) twice."""
    if not isinstance(rows, list):
        raise DataError(f"{path}: 'scores' must be a list of objects, got {type(rows).__name__}")
    scores = []
    first: dict[tuple[str, str, str, str], int] = {}
    for index, row in enumerate(rows):
        try:
            score = Score(
                task=str(row["task"]),
                language=str(row["language"]),
                split=str(row.get("split", "test")),
                metric=str(row["metric"]),
                value=_number(row["value"], f"{path}: scores[{index}].value", *SCORE_RANGE),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise DataError(
                f"{path}: scores[{index}] = {row!r} is not a score row "
                f"(expected task, language, split, metric, value): {error}"
            ) from None
        key = (score.task, score.language, score.split, score.metric)
        if key in first:
            raise DataError(
                f"{path}: scores[{index}] repeats scores[{first[key]}] "
                f"({'/'.join(key)}); expected one row per task, language, split and metric"
            )
        first[key] = index
        scores.append(score)
    return tuple(scores)


def _timings(path: Path, raw: Any) -> tuple[Timing, ...]:
    if not raw:
        return ()
    if not isinstance(raw, dict):
        raise DataError(f"{path}: 'timings' must map phase -> {{seconds, device}}, got {raw!r}")
    out = []
    for phase, entry in raw.items():
        where = f"{path}: timings.{phase}"
        if isinstance(entry, dict) and "seconds" in entry:
            seconds = _number(entry["seconds"], f"{where}.seconds", 0.0)
            out.append(Timing(phase, seconds, str(entry.get("device", ""))))
        elif isinstance(entry, int | float) and not isinstance(entry, bool):
            out.append(Timing(phase, _number(entry, where, 0.0), ""))
        else:
            raise DataError(f"{where} = {entry!r}; expected {{seconds, device}}")
    return tuple(out)


def read_mixture(path: Path) -> dict[str, tuple[float, float]]:
    """mixture.json -> {task: (intended, realized)} (both layouts in the module docstring)."""
    raw = _read_json(path)
    if not isinstance(raw, dict):
        raise DataError(f"{path}: expected an object, got {type(raw).__name__}")

    def steps(value: Any, where: str) -> float:
        return _number(value, f"{path}: {where}", 0.0)

    if isinstance(raw.get("intended"), dict) and isinstance(raw.get("realized"), dict):
        tasks = list(dict.fromkeys([*raw["intended"], *raw["realized"]]))
        return {
            t: (
                steps(raw["intended"].get(t, 0), f"intended.{t}"),
                steps(raw["realized"].get(t, 0), f"realized.{t}"),
            )
            for t in tasks
        }
    if isinstance(raw.get("tasks"), dict):
        return {
            t: (
                steps(e.get("intended_steps", 0), f"tasks.{t}.intended_steps"),
                steps(e.get("realized_steps", 0), f"tasks.{t}.realized_steps"),
            )
            for t, e in raw["tasks"].items()
            if isinstance(e, dict)
        }
    out = {}
    for task, entry in raw.items():
        if isinstance(entry, dict) and "intended" in entry and "realized" in entry:
            out[task] = (
                steps(entry["intended"], f"{task}.intended"),
                steps(entry["realized"], f"{task}.realized"),
            )
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
        retrieval_protocol=str(raw.get("retrieval_protocol") or ""),
        budget=_budget(path, raw.get("budget")),
    )


def _budget(path: Path, raw: Any) -> dict[str, tuple[int | None, int | None]]:
    """results.json's budget stages: stage -> (steps, examples); {} when absent (older runs)."""
    if raw is None:
        return {}
    stages = raw.get("stages") if isinstance(raw, dict) else None
    if not isinstance(stages, dict):
        raise DataError(f"{path}: 'budget' is {raw!r}, expected {{'stages': {{stage: {{...}}}}}}")

    def count(value: Any, where: str) -> int | None:
        if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
            return value
        raise DataError(f"{path}: budget.stages.{where} is {value!r}, expected a count or null")

    return {
        str(name): (
            count(e.get("steps"), f"{name}.steps"),
            count(e.get("examples"), f"{name}.examples"),
        )
        for name, e in stages.items()
        if isinstance(e, dict)
    }


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


def read_prediction_lines(path: Path):
    """(where, JSON object) for every non-empty line of a predictions file; `where` = 'file:line'.

    Unreadable files, bad UTF-8, malformed or too deeply nested JSON and lines that are not
    objects are DataErrors naming the file and line.
    """
    try:
        lines = run_files.read_bytes(path).decode("utf-8").splitlines()
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror})") from None
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 (byte {error.start}: {error.reason})") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataError(f"{where}: malformed JSON: {error.msg}") from None
        except RecursionError:
            raise DataError(f"{where}: JSON nested too deeply to read") from None
        if not isinstance(row, dict):
            raise DataError(f"{where}: got {line[:40]!r}, expected a JSON object with an 'id'")
        yield where, row


def example_scores(path: Path, metrics: tuple[str, ...]) -> dict[str, float] | None:
    """{example id: per-example task score} from one predictions file, or None if not scorable.

    The per-example task score is the mean of `metrics` in the line's `scores` (QA: (EM+F1)/2),
    or 100 * correct for accuracy-like lines (`correct`: true/false or 1/0).
    """
    out: dict[str, float] = {}
    for where, row in read_prediction_lines(path):
        if "id" not in row:
            raise DataError(f"{where}: no 'id' in the prediction line")
        scores = row.get("scores")
        if isinstance(scores, dict) and metrics and all(m in scores for m in metrics):
            values = [_number(scores[m], f"{where}: scores.{m}", *SCORE_RANGE) for m in metrics]
            value = sum(values) / len(metrics)
        elif "correct" in row:
            correct = row["correct"]
            if correct not in (True, False, 0, 1) or isinstance(correct, float):
                raise DataError(f"{where}: correct = {correct!r}, expected true, false, 1 or 0")
            value = 100.0 * float(correct)
        else:
            return None
        ident = str(row["id"])
        if ident in out:
            raise DataError(f"{where}: id {ident!r} appears twice; expected one line per example")
        out[ident] = value
    return out


def checked_example_scores(
    run: RunResults, task: str, language: str, metrics: tuple[str, ...]
) -> dict[str, float] | None:
    """`example_scores` of a run's predictions file, refused (DataError naming the file) when
    their mean disagrees with the run's reported score: such files belong to other scores and
    would give a bootstrap interval around the wrong numbers."""
    path = predictions_path(run, task, language)
    scores = example_scores(path, metrics)
    if not scores or not metrics:
        return scores
    reported = {}
    for score in run.scores:
        if score.task == task and score.language == language and score.metric in metrics:
            reported.setdefault(score.split, {})[score.metric] = score.value
    complete = [values for values in reported.values() if len(values) == len(metrics)]
    if len(complete) != 1:
        return scores  # no score, or one per split: nothing unambiguous to compare with
    expected = sum(complete[0].values()) / len(metrics)
    mean = sum(scores.values()) / len(scores)
    if abs(mean - expected) > PREDICTION_TOLERANCE:
        raise DataError(
            f"{path}: the mean per-example score is {mean:.2f} but {run.path / RESULTS_FILE} "
            f"reports {expected:.2f} for {task}/{language}; the predictions do not belong to "
            "these scores (rerun `stiltx evaluate`, or remove the file)"
        )
    return scores


PREDICTION_TOLERANCE = 0.05  # percentage points: results.json values may be rounded


def predictions_path(run: RunResults, task: str, language: str) -> Path:
    return prediction_file(run.path / PREDICTIONS_DIR, task, language)
