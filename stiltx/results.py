"""The results.json format a run writes: `Score` rows, method labels, the file's fields.

Evaluation produces `Score`s, the pipeline and re-evaluation write them with `results_dict`, and
`stiltx.report.results` reads the files back (see its docstring for every field).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from stiltx import __version__
from stiltx.evaluation.retrieval_protocol import protocol_label
from stiltx.recipe.load import recipe_hash
from stiltx.recipe.schema import MethodConfig, Recipe
from stiltx.run_dir import git_commit
from stiltx.tasks.benchmarks import aggregate_scores

# Each target stage's best English dev score (its model selection), recorded per target as
# {"task": t, "language": "en", "split": "dev", "metric": "selection"}: the only score that
# choosing the intermediate task for a target may look at (stiltx.report.transfer).
SELECTION_METRIC = "selection"


@dataclass(frozen=True)
class Score:
    task: str
    language: str
    split: str
    metric: str
    value: float


def method_label(method: MethodConfig) -> str:
    """results.json's `method`, which reports group runs by: `full`, `full[freeze=<globs>]` (runs
    with frozen parameters are another method) or `adapter:<config>`."""
    if method.kind != "full":
        return f"adapter:{method.adapter}"
    return f"full[freeze={','.join(method.freeze)}]" if method.freeze else "full"


def results_dict(recipe: Recipe, evaluation, started: str, timings: dict) -> dict[str, Any]:
    """What results.json holds: the run's identity, every score and what is missing."""
    scores = [asdict(s) for s in evaluation.scores]
    return {
        "recipe": recipe.name,
        "recipe_hash": recipe_hash(recipe),
        "stiltx_version": __version__,
        "git_commit": git_commit(),
        "model": recipe.model.name_or_path,
        "method": method_label(recipe.method),
        "seed": recipe.seed,
        "benchmark": recipe.target.benchmark,
        # BUCC's pooling and layer: jiant's (the paper's) or XTREME's (retrieval.protocol)
        "retrieval_protocol": protocol_label(recipe.retrieval),
        "device": device(),
        "started": started,
        "finished": dt.datetime.now().isoformat(timespec="seconds"),
        "scores": scores,
        "missing": [
            {"task": m.task, "language": m.language, "reason": m.reason} for m in evaluation.missing
        ],
        "aggregates": aggregate_scores(scores, recipe.target.benchmark),
        "timings": timings,
    }


def device() -> str:
    """The device the run computes on, as results.json and its timings name it."""
    import torch  # heavy; only when a run or re-evaluation writes results

    if torch.cuda.is_available():
        return f"cuda ({torch.cuda.get_device_name(0)})"
    return "cpu"
