"""`stiltx score`: score another system's predictions against a gold file, like XTREME's evaluate.py.

The gold file is a native-format file of the task, read with the task's own reader (the one
`stiltx data inspect --file` uses); the scores come from `metrics.compute`, the code the pipeline
scores with, so numbers are comparable with stiltx runs. Prediction formats:

| kind                               | predictions file                                              |
| ---------------------------------- | ------------------------------------------------------------- |
| extractive_qa                      | one JSON object {question_id: answer_text} (SQuAD convention) |
| classification                     | jsonl, one {"id"?, "prediction"} per gold example, in order;  |
|                                    | prediction = label name or label index                        |
| multiple_choice                    | same jsonl; prediction = choice index                         |
| tagging                            | same jsonl; prediction = list of tags, one per word           |

QA: a gold question with no prediction counts as unanswered (EM = F1 = 0), as SQuAD's script does;
a prediction for an id that is not in the gold file is an error. Line formats: when a line has an
"id" it must equal the gold example's id at that position. The language only changes scores for
MLQA (its answer normalization depends on the context language); it defaults to the language in
the gold file's name when that is unambiguous (MLQA: the `context-<xx>` part), and MLQA refuses to
guess. Retrieval and MLM tasks are not scored from prediction files.

Pure apart from reading the two files; nothing here imports torch.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stiltx.data.files import field, iter_jsonl, label_index, read_json, read_text
from stiltx.data.load import check_language, read_file
from stiltx.errors import DataError, StiltxError
from stiltx.evaluation.metrics import compute
from stiltx.evaluation.zero_shot import references
from stiltx.tasks.examples import Example, QAExample, is_labelled
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskKind, TaskSpec

SCORABLE = (
    TaskKind.CLASSIFICATION,
    TaskKind.MULTIPLE_CHOICE,
    TaskKind.EXTRACTIVE_QA,
    TaskKind.TAGGING,
)


@dataclass(frozen=True)
class FileScore:
    """The scores of one predictions file against one gold file (metric values in percent)."""

    task: str
    language: str | None
    num_examples: int  # gold examples scored
    num_predictions: int  # predictions given (QA: may be fewer than num_examples)
    metrics: dict[str, float]

    def as_json(self) -> dict[str, Any]:
        """What `stiltx score --json` prints: {"task", "language", "metrics"}."""
        return {"task": self.task, "language": self.language, "metrics": dict(self.metrics)}


# ---- language -------------------------------------------------------------------------------------


def infer_language(spec: TaskSpec, path: Path) -> str | None:
    """The task language named in the file name, or None when none or several are.

    MLQA files are `...-context-<xx>-question-<yy>.json`: the context language is the one the
    answers are in, so it decides. A single-language task needs no name.
    """
    if len(spec.languages) == 1:
        return spec.languages[0]
    if spec.source.file_language is not None:
        match = re.search(spec.source.file_language, path.name)
        if match and match.group(1) in spec.languages:
            return match.group(1)
    tokens = {t for t in re.split(r"[^A-Za-z]+", path.name) if t}
    found = sorted(tokens & set(spec.languages))
    return found[0] if len(found) == 1 else None


def choose_language(spec: TaskSpec, gold: Path, language: str | None) -> str | None:
    """`language` if given (checked), else the inferred one; MLQA without either is an error."""
    if language is not None:
        check_language(spec, language)
        return language
    inferred = infer_language(spec, gold)
    if inferred is None and spec.language_aware_answers:
        raise StiltxError(
            f"{spec.name}: cannot tell the context language from the file name {gold.name!r}; "
            f"pass --language (one of {', '.join(spec.languages)}): MLQA's answer normalization "
            "depends on it"
        )
    return inferred


# ---- gold -----------------------------------------------------------------------------------------


def read_gold(spec: TaskSpec, path: Path, language: str | None) -> list[Example]:
    """The gold examples of a native file; every one must carry its label / answers / tags."""
    if spec.kind not in SCORABLE:
        raise StiltxError(
            f"task '{spec.name}' ({spec.kind.value}) is not scored from a predictions file; "
            f"`stiltx score` handles {', '.join(k.value for k in SCORABLE)} tasks"
        )
    examples = read_file(spec, path, language or "")
    if not examples:
        all_languages = bool(spec.source.id_language_names)  # TyDiQA's file of every language
        hint = f" (an all-language {spec.name} file needs --language)" if all_languages else ""
        raise DataError(f"{path}: no examples in the gold file{hint}")
    seen: dict[str, int] = {}
    for number, example in enumerate(examples, start=1):
        first = seen.setdefault(example.id, number)
        if first != number:  # predictions are matched by id: a repeated one is ambiguous
            raise DataError(
                f"{path}: example #{number} repeats the id {example.id!r} of example #{first}; "
                "expected each gold id once"
            )
    missing = [e.id for e in examples if not is_labelled(spec, e)]
    if missing:
        raise DataError(
            f"{path}: {len(missing)} of {len(examples)} gold examples have no labels (first id "
            f"{missing[0]!r}); expected a labelled file (XTREME strips labels from its test files)"
        )
    return examples


# ---- predictions ----------------------------------------------------------------------------------


def _line_of(text: str, needle: str) -> int | None:
    position = text.find(needle)
    return None if position < 0 else text.count("\n", 0, position) + 1


def read_qa_predictions(path: Path) -> dict[str, str]:
    """{question_id: answer_text} from a JSON object (SQuAD's predictions file)."""
    value = read_json(path)
    if not isinstance(value, dict):
        raise DataError(
            f"{path}: expected a JSON object {{question_id: answer_text}}, got {type(value).__name__}"
        )
    text = read_text(path)
    for key, answer in value.items():
        if not isinstance(answer, str):
            line = _line_of(text, json.dumps(key, ensure_ascii=False)) or 1
            raise DataError(
                f"{path}:{line}: prediction for {key!r} is {type(answer).__name__} "
                f"{answer!r}; expected the answer text (a string)"
            )
    return value


def align_qa(
    examples: Sequence[QAExample], predictions: dict[str, str], path: Path
) -> list[str | None]:
    """One prediction per gold question, None where the file has none (scored as unanswered)."""
    gold_ids = {e.id for e in examples}
    unknown = [key for key in predictions if key not in gold_ids]
    if unknown:
        line = _line_of(read_text(path), json.dumps(unknown[0], ensure_ascii=False))
        where = f"{path}:{line}" if line else str(path)
        more = f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else ""
        raise DataError(
            f"{where}: question id {unknown[0]!r}{more} is not in the gold file; expected ids of "
            f"its {len(examples)} questions (e.g. {examples[0].id!r})"
        )
    return [predictions.get(e.id) for e in examples]


def _line_prediction(spec: TaskSpec, example: Example, value: Any, where: str) -> Any:
    """One line's prediction in the form the metric expects, checked against its gold example."""
    if spec.kind is TaskKind.CLASSIFICATION:
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise DataError(f"{where}: prediction {value!r}: expected a label name or index")
        return label_index(value, spec.labels, where)
    if spec.kind is TaskKind.MULTIPLE_CHOICE:
        choices = len(example.choices)
        if isinstance(value, bool) or not (
            isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit())
        ):
            raise DataError(
                f"{where}: prediction {value!r}: expected a choice index 0..{choices - 1}"
            )
        index = int(value)
        if not 0 <= index < choices:
            raise DataError(
                f"{where}: prediction {index} is out of range: expected 0..{choices - 1}"
            )
        return index
    # tagging
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise DataError(f"{where}: prediction {value!r}: expected a list of tag strings")
    if len(value) != len(example.words):
        raise DataError(
            f"{where}: {len(value)} tags for sentence {example.id!r} of {len(example.words)} "
            f"words; expected one tag per word"
        )
    unknown = [t for t in value if spec.labels and t not in spec.labels]
    if unknown:
        raise DataError(
            f"{where}: unknown tag {unknown[0]!r}; expected one of {', '.join(spec.labels)}"
        )
    return list(value)


def read_line_predictions(spec: TaskSpec, path: Path, examples: Sequence[Example]) -> list[Any]:
    """One prediction per gold example from a jsonl file, in gold order (ids checked if given)."""
    if not path.is_file():
        raise DataError(f"predictions file not found: {path}")
    predictions: list[Any] = []
    last = 0
    for number, record in iter_jsonl(path):
        last = number
        where = f"{path}:{number}"
        if len(predictions) == len(examples):
            raise DataError(
                f"{where}: more predictions than gold examples; expected {len(examples)} lines"
            )
        example = examples[len(predictions)]
        if "id" in record and str(record["id"]) != example.id:
            raise DataError(
                f"{where}: id {record['id']!r} does not match gold example "
                f"{len(predictions) + 1}'s id {example.id!r}; expected predictions in gold order"
            )
        value = field(record, "prediction", where)
        predictions.append(_line_prediction(spec, example, value, where))
    if len(predictions) != len(examples):
        raise DataError(
            f"{path}:{last}: {len(predictions)} predictions but the gold file has "
            f"{len(examples)} examples; expected one line per gold example"
        )
    return predictions


# ---- scoring --------------------------------------------------------------------------------------


def score_files(
    task: str, gold: str | Path, predictions: str | Path, language: str | None = None
) -> FileScore:
    """Read the gold and prediction files of `task`, align them, score with the task's metrics."""
    spec = get_task(task)
    gold_path, predictions_path = Path(gold), Path(predictions)
    language = choose_language(spec, gold_path, language)
    examples = read_gold(spec, gold_path, language)
    if spec.kind is TaskKind.EXTRACTIVE_QA:
        answers = read_qa_predictions(predictions_path)
        aligned = align_qa(examples, answers, predictions_path)
        given = sum(p is not None for p in aligned)
    else:
        aligned = read_line_predictions(spec, predictions_path, examples)
        given = len(aligned)
    metrics = compute(spec.metrics, aligned, references(spec, examples), language=language)
    return FileScore(spec.name, language, len(examples), given, metrics)
