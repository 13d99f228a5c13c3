"""SQuAD v1.1 exact match / F1 (XQuAD, TyDiQA-GoldP).

Shipped inside stiltx so it loads offline: `stiltx.evaluation.metrics.load_metric("squad_em_f1")`
or `evaluate.load("<path to this folder>")`. The numbers come from
`stiltx.evaluation.metrics.squad_em_f1`, the function the rest of stiltx uses.
"""

import datasets
import evaluate

from stiltx.evaluation.metric_info import metric_info
from stiltx.evaluation.metrics import squad_em_f1

_DESCRIPTION = """Official SQuAD v1.1 normalization (lower, ASCII punctuation, a/an/the, whitespace); max over gold answers; in percent."""

_KWARGS_DESCRIPTION = """
Args:
    predictions (list of str): predicted answer texts.
    references (list of list of str): gold answer texts per question.
Returns: {"exact_match", "f1"} (percent).
"""

_CITATION = """Rajpurkar et al. (2016), SQuAD. https://arxiv.org/abs/1606.05250"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class SquadV1(evaluate.Metric):
    def _info(self):
        return metric_info(
            _DESCRIPTION,
            _KWARGS_DESCRIPTION,
            _CITATION,
            {
                "predictions": datasets.Value("string"),
                "references": datasets.Sequence(datasets.Value("string")),
            },
        )

    def _compute(self, predictions, references):
        return squad_em_f1(predictions, references)
