"""Accuracy as XTREME computes it (XNLI, PAWS-X, XCOPA, Tatoeba).

Shipped inside stiltx so it loads offline: `stiltx.evaluation.metrics.load_metric("accuracy")`
or `evaluate.load("<path to this folder>")`. The numbers come from
`stiltx.evaluation.metrics.accuracy`, the function the rest of stiltx uses.
"""

import datasets
import evaluate

from stiltx.evaluation.metric_info import metric_info
from stiltx.evaluation.metrics import accuracy

_DESCRIPTION = """Share of predictions equal to the reference, in percent."""

_KWARGS_DESCRIPTION = """
Args:
    predictions (list of int): predicted label / choice / candidate indices.
    references (list of int): gold indices.
Returns: {"accuracy"} (percent).
"""

_CITATION = """Hu et al. (2020), XTREME. https://arxiv.org/abs/2003.11080"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class XtremeAccuracy(evaluate.Metric):
    def _info(self):
        return metric_info(
            _DESCRIPTION,
            _KWARGS_DESCRIPTION,
            _CITATION,
            {
                "predictions": datasets.Value("int64"),
                "references": datasets.Value("int64"),
            },
        )

    def _compute(self, predictions, references):
        return accuracy(predictions, references)
