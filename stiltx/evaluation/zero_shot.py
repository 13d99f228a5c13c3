"""Zero-shot cross-lingual evaluation: one trained model, every language of a target task.

For each language: read the split, encode it, predict under `torch.inference_mode`, score it with
the task's official metric and write the per-example predictions (for the report's paired
bootstrap). Missing data for one language is recorded as missing, never a crash of the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stiltx import atomic, run_files
from stiltx.data.load import load_split
from stiltx.errors import StiltxError
from stiltx.evaluation.metrics import compute
from stiltx.evaluation.shard import is_main_process, shard_predict
from stiltx.layout import prediction_file
from stiltx.results import Score
from stiltx.tasks.examples import is_labelled
from stiltx.tasks.spec import TaskKind, TaskSpec


@dataclass(frozen=True)
class Missing:
    task: str
    language: str
    reason: str


@dataclass
class Evaluation:
    scores: list[Score] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)

    def extend(self, other: Evaluation) -> None:
        self.scores.extend(other.scores)
        self.missing.extend(other.missing)


def references(spec: TaskSpec, examples: Sequence[Any]) -> list[Any]:
    """The gold side in the form the task's metric expects."""
    if spec.kind in (TaskKind.CLASSIFICATION, TaskKind.MULTIPLE_CHOICE):
        return [ex.label for ex in examples]
    if spec.kind is TaskKind.EXTRACTIVE_QA:
        return [tuple(a.text for a in ex.answers) for ex in examples]
    if spec.kind is TaskKind.TAGGING:
        return [list(ex.tags or ()) for ex in examples]
    raise StiltxError(f"task {spec.name}: kind {spec.kind.value} is not scored from predictions")


def prediction_rows(
    spec: TaskSpec, examples: Sequence[Any], predictions: Sequence[Any], language: str
) -> list[dict[str, Any]]:
    """One JSON line per example: id, prediction, reference and its per-example score.

    Accuracy-like tasks get `correct`; QA gets `scores` (EM / F1 in percent); corpus-level metrics
    (seqeval F1) get neither (see stiltx/report/results.py for the format).
    """
    refs = references(spec, examples)
    rows = []
    for example, prediction, reference in zip(examples, predictions, refs, strict=True):
        row: dict[str, Any] = {"id": example.id, "prediction": prediction, "reference": reference}
        if spec.kind in (TaskKind.CLASSIFICATION, TaskKind.MULTIPLE_CHOICE):
            if spec.labels and spec.kind is TaskKind.CLASSIFICATION:
                row["prediction"] = spec.labels[prediction]
                row["reference"] = spec.labels[reference]
            row["correct"] = prediction == reference
        elif spec.kind is TaskKind.EXTRACTIVE_QA:
            row["scores"] = compute(spec.metrics, [prediction], [reference], language=language)
        rows.append(row)
    return rows


def evaluate_language(
    spec: TaskSpec,
    language: str,
    examples: Sequence[Any],
    predict_fn: Callable[[Sequence[Any]], list[Any]],
    *,
    split: str,
    predictions_dir: Path | None,
) -> list[Score]:
    """Score one language: predict, compute the official metric, write predictions (the main
    process only; prediction is split across processes, see stiltx.evaluation.shard)."""
    examples = [ex for ex in examples if is_labelled(spec, ex)]
    if not examples:
        raise StiltxError(
            f"{spec.name}/{language}/{split}: no labelled examples (XTREME strips test labels of "
            "some tasks; evaluate on eval.split=dev or supply labelled files)"
        )
    # Under `accelerate launch` each process predicts its share; all get every prediction back.
    predictions = shard_predict(predict_fn, examples)
    metrics = compute(spec.metrics, predictions, references(spec, examples), language=language)
    if predictions_dir is not None and is_main_process():
        rows = prediction_rows(spec, examples, predictions, language)
        atomic.write_jsonl(prediction_file(predictions_dir, spec.name, language), rows)
    return [Score(spec.name, language, split, name, float(v)) for name, v in metrics.items()]


def evaluate_task(
    model: Any,
    method: Any,
    tokenizer: Any,
    spec: TaskSpec,
    languages: Sequence[str],
    *,
    head: str,
    data: Any,
    split: str,
    max_length: int,
    batch_size: int,
    predictions_dir: Path | None,
    on_language: Callable[[str], None] | None = None,
) -> Evaluation:
    """Zero-shot: one trained model on every language of `spec`, through `head` (the head of the
    English training task: XNLI is read by the MNLI-trained head). A language whose data is
    missing or unlabelled is recorded in `missing`, never raised. `on_language(language)` after
    each language (a progress bar)."""
    # encoding and predict import datasets / torch: heavy
    from stiltx.encoding import encode_split
    from stiltx.evaluation.predict import predict

    evaluation = Evaluation()
    device = next(model.parameters()).device
    model.eval()
    for language in languages:
        try:
            examples = load_split(spec, language, split, data, require_labels=True)
            method.activate(model, language)  # MAD-X: swap in this language's adapter

            def predict_fn(chosen: Sequence[Any]) -> list[Any]:
                encoded = encode_split(
                    spec,
                    list(chosen),
                    tokenizer,
                    max_length,
                    cache_dir=data.cache_dir,
                    training=False,
                )
                return predict(model, head, encoded, batch_size=batch_size, device=device)

            evaluation.scores.extend(
                evaluate_language(
                    spec,
                    language,
                    examples,
                    predict_fn,
                    split=split,
                    predictions_dir=predictions_dir,
                )
            )
        except (run_files.OutsideLinkError, atomic.WriteError):
            raise  # the run folder refused or could not take the predictions: not missing data
        except StiltxError as error:
            evaluation.missing.append(Missing(spec.name, language, str(error)))
        if on_language is not None:
            on_language(language)
    return evaluation
