"""Label ids shared by the encoders and the collator: -100 marks a position the loss ignores."""

from __future__ import annotations

from stiltx.errors import DataError
from stiltx.tasks.spec import TaskSpec

IGNORE_INDEX = (
    -100
)  # PyTorch cross-entropy's ignore_index: unlabelled example / non-first sub-token


def class_id(spec: TaskSpec, example_id: str, label: int | None, num_classes: int) -> int:
    """Check `label` (an index: class of spec.labels, or choice) and return it; -100 if None."""
    if label is None:
        return IGNORE_INDEX
    if not 0 <= label < num_classes:
        raise DataError(
            f"task {spec.name}: example {example_id!r} has label {label}, expected an index "
            f"0..{num_classes - 1}" + (f" into {list(spec.labels)}" if spec.labels else "")
        )
    return int(label)


def tag_ids(spec: TaskSpec) -> dict[str, int]:
    """Tag name -> id, in the order of spec.labels (the order of the tagging head's outputs)."""
    if not spec.labels:
        raise DataError(f"task {spec.name}: a tagging task needs its tag set in `labels`")
    return {tag: i for i, tag in enumerate(spec.labels)}
