"""seqeval F1 as XTREME scores PAN-X and UD-POS (UPOS quirks included).

Shipped inside stiltx so it loads offline: `stiltx.evaluation.metrics.load_metric("f1_seqeval")`
or `evaluate.load("<path to this folder>")`. The numbers come from
`stiltx.evaluation.metrics.f1_seqeval`, the function the rest of stiltx uses. With
`config_name="0.0.12"` (`load_metric("f1_seqeval_0012")`) it is seqeval 0.0.12's chunking, the one
behind XTREME's UD-POS numbers (`stiltx.evaluation.metrics.f1_seqeval_0012`).
"""

import datasets
import evaluate

from stiltx.evaluation.metric_info import metric_info
from stiltx.evaluation.metrics import f1_seqeval, f1_seqeval_0012

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
        if self.config_name == "0.0.12":
            return f1_seqeval_0012(predictions, references)
        return f1_seqeval(predictions, references)
