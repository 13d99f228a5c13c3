"""Masked language modelling on raw text (the continued-MLM baseline: members `mlm@<language>`).

Locally one plain-text file per language (`mlm/<language>.txt`, one paragraph per line, blank
lines ignored; the toy world writes them); any language with a file can be used. From the Hub,
Wikipedia (`wikimedia/wikipedia`, config `20231101.<language>`), streamed up to
`intermediate.mlm.tokens_per_language` tokens per language (stiltx.data.corpus), never a whole
dump. Every XTREME-R language has a Wikipedia under its ISO 639-1 code.
"""

from __future__ import annotations

from stiltx.tasks.languages import XTREME_R_LANGUAGES
from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec, TrainDefaults

MLM = TaskSpec(
    name="mlm",
    kind=TaskKind.MLM,
    role=Role.PRETRAIN,
    description="Masked language modelling on plain text (Wikipedia, or one file per language).",
    languages=XTREME_R_LANGUAGES,
    splits=("train",),
    source=DataSource(
        local_format="text",
        local_paths={"train": ("mlm/{language}.txt", "mlm/{language}.{split}.txt")},
        hub_id="wikimedia/wikipedia",
        hub_config="20231101.{language}",
        hub_format="text",
        hub_splits={"train": "train"},
        note="streamed to intermediate.mlm.tokens_per_language; locally any mlm/<language>.txt",
    ),
    defaults=TrainDefaults(epochs=1.0, lr=5e-5, max_length=256),
    reference="Conneau et al. 2020, XLM-R (masked language modelling); Wikipedia 20231101 dump",
)

TASKS = (MLM,)
