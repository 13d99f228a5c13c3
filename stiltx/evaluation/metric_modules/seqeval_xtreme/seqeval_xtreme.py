"""seqeval F1 as XTREME scores PAN-X and UD-POS (UPOS quirks included).

Shipped inside stiltx so it loads offline: `stiltx.evaluation.metrics.load_metric("f1_seqeval")`
or `evaluate.load("<path to this folder>")`. The numbers come from
`stiltx.evaluation.metrics.f1_seqeval`, the function the rest of stiltx uses.
"""

import datasets
import evaluate

from stiltx.evaluation.metric_info import metric_info
from stiltx.evaluation.metrics import f1_seqeval

_DESCRIPTION = """seqeval's micro chunk F1 / precision / recall (default, non-strict mode), in percent. For UPOS tags seqeval reads the first character as the prefix: see stiltx.evaluation.metrics.f1_seqeval."""

_KWARGS_DESCRIPTION = """
Args:
    predictions (list of list of str): predicted tags per sentence.
    references (list of list of str): gold tags per sentence.
Returns: {"f1", "precision", "recall"} (percent).
"""

_CITATION = """Nakayama (2018), seqeval. https://github.com/chakki-works/seqeval"""


@evaluate.utils.file_utils.add_start_docstrings(_DESCRIPTION, _KWARGS_DESCRIPTION)
class SeqevalXtreme(evaluate.Metric):
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
        return f1_seqeval(predictions, references)
