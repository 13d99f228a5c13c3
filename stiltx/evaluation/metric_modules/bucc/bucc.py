"""BUCC 2018 bitext mining precision / recall / F1.

Shipped inside stiltx so it loads offline: `stiltx.evaluation.metrics.load_metric("bucc_f1")`
or `evaluate.load("<path to this folder>")`. The numbers come from
`stiltx.evaluation.metrics.bucc_f1`, the function the rest of stiltx uses.
"""

import datasets
import evaluate

from stiltx.evaluation.metric_info import metric_info
from stiltx.evaluation.metrics import bucc_f1

_DESCRIPTION = """Precision / recall / F1 of the predicted pair set against the gold pair set, in percent. One 'example' is a whole corpus: a list of 'source_id<TAB>target_id' strings; several examples are pooled."""

_KWARGS_DESCRIPTION = """
Args:
    predictions (list of list of str): predicted pairs per corpus, 'src_id\\ttrg_id'.
    references (list of list of str): gold pairs per corpus.
Returns: {"f1", "precision", "recall"} (percent).
"""

_CITATION = """Zweigenbaum et al. (2018), BUCC 2018 shared task."""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class Bucc(evaluate.Metric):
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
        return bucc_f1(
            [pair for pairs in predictions for pair in pairs],
            [pair for pairs in references for pair in pairs],
        )
