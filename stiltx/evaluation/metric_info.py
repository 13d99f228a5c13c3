"""The `evaluate.MetricInfo` every shipped metric module returns (stiltx/evaluation/metric_modules).

The modules differ only in their texts, input features and the stiltx function they call; this
builds the shared part once.
"""

from __future__ import annotations

from typing import Any


def metric_info(description: str, inputs_description: str, citation: str, features: dict[str, Any]):
    import datasets
    import evaluate

    return evaluate.MetricInfo(
        description=description,
        citation=citation,
        inputs_description=inputs_description,
        features=datasets.Features(features),
    )
