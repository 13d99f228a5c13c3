"""Per-word tagging accuracy (CCG supertagging, as jiant scores it).

Shipped inside stiltx so it loads offline: `stiltx.evaluation.metrics.load_metric("token_accuracy")`.
The numbers come from `stiltx.evaluation.metrics.token_accuracy`.
"""

import datasets
import evaluate

from stiltx.evaluation.metric_info import metric_info
from stiltx.evaluation.metrics import token_accuracy

_DESCRIPTION = """Share of correctly tagged words over all sentences, in percent."""

_KWARGS_DESCRIPTION = """
Args:
    predictions (list of list of str): predicted tags per sentence.
    references (list of list of str): gold tags per sentence.
Returns: {"accuracy"} (percent).
"""

_CITATION = """Pruksachatkun et al. (2020), jiant. https://arxiv.org/abs/2003.02249"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class TokenAccuracy(evaluate.Metric):
    def _info(self):
        return metric_info(
            _DESCRIPTION,
            _KWARGS_DESCRIPTION,
            _CITATION,
            {
                "predictions": datasets.Sequence(datasets.Value("string")),
                "references": datasets.Sequence(datasets.Value("string")),
            },
        )

    def _compute(self, predictions, references):
        return token_accuracy(predictions, references)
