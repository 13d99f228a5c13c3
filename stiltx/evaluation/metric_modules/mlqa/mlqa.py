"""MLQA exact match / F1 with MLQA's language-aware normalization.

Shipped inside stiltx so it loads offline: `stiltx.evaluation.metrics.load_metric("mlqa_em_f1")`
or `evaluate.load("<path to this folder>")`. The numbers come from
`stiltx.evaluation.metrics.mlqa_em_f1`, the function the rest of stiltx uses.
"""

import datasets
import evaluate

from stiltx.evaluation.metric_info import metric_info
from stiltx.evaluation.metrics import mlqa_em_f1

_DESCRIPTION = """MLQA v1 normalization: Unicode punctuation, per-language articles (en/es/vi/de/ar; none for hi/zh), whitespace tokens or mixed character segmentation for zh; in percent."""

_KWARGS_DESCRIPTION = """
Args:
    predictions (list of str): predicted answer texts.
    references (list of list of str): gold answer texts per question.
    language (str): context language, one of en, es, de, vi, ar, hi, zh.
Returns: {"exact_match", "f1"} (percent).
"""

_CITATION = """Lewis et al. (2020), MLQA. https://arxiv.org/abs/1910.07475"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Mlqa(evaluate.Metric):
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

    def _compute(self, predictions, references, language=None):
        return mlqa_em_f1(predictions, references, language=language)
