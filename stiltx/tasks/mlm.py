"""Masked language modelling on raw text (the continued-MLM baseline).

Locally one plain-text file per language (`mlm/<language>.txt`, one document or sentence per
line, blank lines ignored). From the Hub, point a recipe at any text dataset with a `text` column;
no default Hub id is declared because the corpus is the user's choice (CC-100 itself is
script-based and too large to be a default).
"""

from __future__ import annotations

from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec, TrainDefaults

MLM = TaskSpec(
    name="mlm",
    kind=TaskKind.MLM,
    role=Role.PRETRAIN,
    description="Masked language modelling on plain text, one file per language.",
    languages=("en",),
    splits=("train",),
    source=DataSource(
        local_format="text",
        local_paths={"train": ("mlm/{language}.txt", "mlm/{language}.{split}.txt")},
        hub_format="text",
        note="any language with a mlm/<language>.txt file can be used",
    ),
    defaults=TrainDefaults(epochs=1.0, lr=5e-5, max_length=256),
    reference="Conneau et al. 2020, XLM-R (masked language modelling)",
)

TASKS = (MLM,)
