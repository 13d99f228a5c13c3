"""Where a run puts what: every file and folder name of a run directory, defined once.

    <run>/recipe.resolved.yaml  env.json  inputs.json  mixture.json  results.json  report.md
          intermediate/  done.json  model/  checkpoint-<step>/  train_log.jsonl
          target/<train task>/  (the same stage layout)
          language_adapters/<language>/  (MAD-X; the same stage layout, model/adapter/)
          target/<train task>/before/<task>/  a stage it trains first (XCOPA: socialiqa)
          retrieval/<task>/...
          predictions/<task>/<language>.jsonl

Torch-free: the pipeline writes through it, the reports and `stiltx evaluate` read through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

RESOLVED_RECIPE = "recipe.resolved.yaml"
ENV_FILE = "env.json"
MIXTURE_FILE = "mixture.json"
RESULTS_FILE = "results.json"
INPUTS_FILE = "inputs.json"  # the models a run starts from, by content (run_dir.write_inputs)
PREDICTIONS_DIR = "predictions"
INTERMEDIATE_DIR = "intermediate"
TARGET_DIR = "target"
BEFORE_DIR = "before"
RETRIEVAL_DIR = "retrieval"
LANGUAGE_ADAPTERS_DIR = "language_adapters"
# inside a stage folder (intermediate/ or target/<task>/)
DONE_FILE = "done.json"
CACHE_FILE = "cache.json"  # a MAD-X language adapter stage: its cache key, whether it was reused
MODEL_DIR = "model"  # what the loop's `method.save` writes
TRAIN_LOG = "train_log.jsonl"  # one JSON line per log step / evaluation (stiltx.train.loop)


def prediction_file(predictions_dir: Path, task: str, language: str) -> Path:
    """One task's predictions on one language: `predictions/<task>/<language>.jsonl`."""
    return Path(predictions_dir) / task / f"{language}.jsonl"


@dataclass(frozen=True)
class RunLayout:
    """The paths of one run directory."""

    root: Path

    @property
    def resolved_recipe(self) -> Path:
        return self.root / RESOLVED_RECIPE

    @property
    def mixture(self) -> Path:
        return self.root / MIXTURE_FILE

    @property
    def results(self) -> Path:
        return self.root / RESULTS_FILE

    @property
    def predictions(self) -> Path:
        return self.root / PREDICTIONS_DIR

    @property
    def retrieval(self) -> Path:
        return self.root / RETRIEVAL_DIR

    @property
    def intermediate(self) -> Path:
        """The intermediate stage's folder (its trained model is `intermediate_model`)."""
        return self.root / INTERMEDIATE_DIR

    @property
    def intermediate_model(self) -> Path:
        return self.intermediate / MODEL_DIR

    def target(self, train_task: str) -> Path:
        """The stage that fine-tunes on `train_task`'s English data (xquad and mlqa: `squad`)."""
        return self.root / TARGET_DIR / train_task

    def language_adapter(self, language: str) -> Path:
        """The stage that trains (or copies from the cache) `language`'s MAD-X adapter."""
        return self.root / LANGUAGE_ADAPTERS_DIR / language

    def before(self, train_task: str, task: str) -> Path:
        """A stage the `train_task` stage trains first on the same model (XCOPA: socialiqa)."""
        return self.target(train_task) / BEFORE_DIR / task
