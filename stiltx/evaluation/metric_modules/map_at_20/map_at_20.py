"""Mean average precision at 20 (LAReQA, Mewsli-X), as XTREME-R computes it.

Shipped inside stiltx so it loads offline: `stiltx.evaluation.metrics.load_metric("map_at_20")`
or `evaluate.load("<path to this folder>")`. The numbers come from
`stiltx.evaluation.metrics.map_at_20`, the function the rest of stiltx uses.
"""

import datasets
import evaluate

from stiltx.evaluation.metric_info import metric_info
from stiltx.evaluation.metrics import map_at_20

_DESCRIPTION = """Mean over queries of AP@20 = sum of precision@i at each relevant hit in the top 20, divided by min(#relevant, 20); in percent."""

_KWARGS_DESCRIPTION = """
Args:
    predictions (list of list of str): ranked candidate ids per query, best first.
    references (list of list of str): relevant candidate ids per query.
Returns: {"map_at_20"} (percent).
"""

_CITATION = """Ruder et al. (2021), XTREME-R. https://arxiv.org/abs/2104.07412"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class MapAt20(evaluate.Metric):
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
        return map_at_20(predictions, references)
