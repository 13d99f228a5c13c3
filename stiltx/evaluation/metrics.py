"""The metrics of XTREME / XTREME-R, computed exactly as their official scripts do, in percent.

Every metric is a plain function `f(predictions, references, language=None) -> dict[str, float]`
(XTREME's `scripts/evaluate.py` convention) registered in `METRICS` under the name a `TaskSpec`
lists in `metrics`; `compute(...)` runs several and merges their dicts.

| name             | tasks                          | keys                          | formula from              |
| ---------------- | ------------------------------ | ----------------------------- | ------------------------- |
| accuracy         | xnli, pawsx, xcopa             | accuracy                      | XTREME evaluate.py        |
| tatoeba_accuracy | tatoeba                        | accuracy                      | XTREME evaluate.py        |
| f1_seqeval       | panx                           | f1, precision, recall         | seqeval (as XTREME calls) |
| f1_seqeval_0012  | udpos                          | f1, precision, recall         | seqeval 0.0.12 (XTREME's) |
| squad_em_f1      | xquad, tydiqa                  | exact_match, f1               | SQuAD v1.1 evaluate       |
| mlqa_em_f1       | mlqa                           | exact_match, f1               | MLQA evaluate (per lang)  |
| bucc_f1          | bucc2018                       | f1, precision, recall         | XTREME evaluate.py        |
| map_at_20        | lareqa, mewsli_x               | map_at_20                     | XTREME-R (LAReQA) mAP@k   |

Nothing here imports torch.
"""

from __future__ import annotations

import re
import string
import unicodedata
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from stiltx.errors import DataError, StiltxError, UnknownNameError, did_you_mean
from stiltx.evaluation.seqeval_0012 import precision_recall_f1

MetricFn = Callable[..., dict[str, float]]


def _check_lengths(metric: str, predictions: Sequence, references: Sequence) -> None:
    if len(predictions) != len(references):
        raise DataError(
            f"metric {metric}: {len(predictions)} predictions but {len(references)} references "
            "(expected one prediction per reference, in the same order)"
        )
    if not references:
        raise DataError(f"metric {metric}: no examples to score (expected at least one)")


# --- classification, multiple choice, Tatoeba ------------------------------------------------


def accuracy(predictions: Sequence, references: Sequence, language: str | None = None):
    """Share of predictions equal to their reference (labels, choice or candidate indices)."""
    _check_lengths("accuracy", predictions, references)
    correct = sum(p == r for p, r in zip(predictions, references, strict=True))
    return {"accuracy": 100.0 * correct / len(references)}


# --- tagging -----------------------------------------------------------------------------------


def token_accuracy(
    predictions: Sequence[Sequence[str]],
    references: Sequence[Sequence[str]],
    language: str | None = None,
):
    """Share of correctly tagged words over all sentences (CCG supertagging, as jiant scores it)."""
    _check_lengths("token_accuracy", predictions, references)
    correct = total = 0
    for i, (pred, gold) in enumerate(zip(predictions, references, strict=True)):
        if len(pred) != len(gold):
            raise DataError(
                f"metric token_accuracy: sentence {i} has {len(pred)} predicted tags for "
                f"{len(gold)} words"
            )
        correct += sum(p == g for p, g in zip(pred, gold, strict=True))
        total += len(gold)
    if total == 0:
        raise DataError("metric token_accuracy: no words to score")
    return {"accuracy": 100.0 * correct / total}


def f1_seqeval(
    predictions: Sequence[Sequence[str]],
    references: Sequence[Sequence[str]],
    language: str | None = None,
):
    """seqeval's micro chunk F1 / precision / recall (default mode), exactly as XTREME calls it.

    XTREME scores PAN-X *and* UD-POS with `seqeval.metrics.f1_score(labels, predictions)`. For
    BIO tags (PAN-X) that is entity-level F1. For UPOS tags, which have no `B-`/`I-` prefix,
    seqeval (1.2.2, non-strict mode) reads the FIRST CHARACTER of a tag as the chunk prefix and
    the rest as the chunk type ("NOUN" -> prefix "N", type "OUN"; "X" -> type "_"). Consequences:
    - a run of identical tags is ONE chunk: "NOUN NOUN" is a single OUN chunk over two words,
      so the score is over runs of equal tags, not words (it is not token accuracy);
    - tags starting with "S" (SYM, SCONJ) act like S- singletons: "SYM SYM" is two chunks;
    - a chunk ends where the type changes, so ADJ/ADP/ADV/AUX (types DJ/DP/DV/UX) and
      PRON/PROPN (RON/ROPN) still separate; but SCONJ and CCONJ share the type "CONJ", so
      "SCONJ CCONJ" yields the chunks (CONJ, 0, 0) and (CONJ, 0, 1);
    - sentences are joined with an "O" between them, so chunks never cross sentences; but "O"
      has the type "_" like "X", so an X run at the END of a sentence is never closed and is
      dropped from both counts ("NOUN X" has one chunk), while "X NOUN" has two.
    We call seqeval itself (a dependency), so every quirk is reproduced rather than imitated;
    its "seems not to be NE tag" warnings are silenced. XTREME's published numbers used seqeval
    0.0.12, which splits UPOS tags differently: UD-POS is scored with `f1_seqeval_0012`; for BIO
    tags (PAN-X) the two versions agree.
    """
    # seqeval: start-up time, needed only for PAN-X F1
    from seqeval.metrics import f1_score, precision_score, recall_score

    _check_lengths("f1_seqeval", predictions, references)
    y_true = [list(tags) for tags in references]
    y_pred = [list(tags) for tags in predictions]
    for i, (p, r) in enumerate(zip(y_pred, y_true, strict=True)):
        if len(p) != len(r):
            raise DataError(
                f"metric f1_seqeval: sentence {i} has {len(p)} predicted tags but {len(r)} gold "
                "tags (expected one tag per word)"
            )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {
            "f1": 100.0 * float(f1_score(y_true, y_pred)),
            "precision": 100.0 * float(precision_score(y_true, y_pred)),
            "recall": 100.0 * float(recall_score(y_true, y_pred)),
        }


def f1_seqeval_0012(
    predictions: Sequence[Sequence[str]],
    references: Sequence[Sequence[str]],
    language: str | None = None,
):
    """seqeval 0.0.12's micro chunk F1 / precision / recall, as XTREME scored UD-POS (percent).

    See `stiltx.evaluation.seqeval_0012`: reproduces XTREME's evaluate_test.py UD-POS expectation
    (avg_f1 70.21746048354693) exactly.
    """
    _check_lengths("f1_seqeval_0012", predictions, references)
    for i, (p, r) in enumerate(zip(predictions, references, strict=True)):
        if len(p) != len(r):
            raise DataError(
                f"metric f1_seqeval_0012: sentence {i} has {len(p)} predicted tags but {len(r)} "
                "gold tags (expected one tag per word)"
            )
    precision, recall, f1 = precision_recall_f1(references, predictions)
    return {"f1": 100.0 * f1, "precision": 100.0 * precision, "recall": 100.0 * recall}


# --- extractive QA -----------------------------------------------------------------------------


def normalize_squad(text: str) -> str:
    """SQuAD v1.1: lower-case, drop ASCII punctuation, drop a/an/the, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


# MLQA's evaluate script (v1): articles per language; "ar" replaces EVERY occurrence of "ال"
# (the script's pattern r"\sال^|ال" has a first alternative that can never match), even
# inside words ("مال" -> "م"); Hindi and Chinese have no articles.
MLQA_ARTICLES: dict[str, str | None] = {
    "en": r"\b(a|an|the)\b",
    "es": r"\b(un|una|unos|unas|el|la|los|las)\b",
    "vi": r"\b(của|là|cái|chiếc|những)\b",
    "de": r"\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b",
    "ar": r"ال",
    "hi": None,
    "zh": None,
}
MLQA_MIXED_SEGMENTATION_LANGUAGES = ("zh",)
_CJK = re.compile(r"[\u4e00-\u9fa5]")


def _is_mlqa_punctuation(ch: str) -> bool:
    """MLQA's PUNCT: every Unicode character of a category P* plus `string.punctuation`."""
    return ch in string.punctuation or unicodedata.category(ch).startswith("P")


def _mixed_segmentation(text: str) -> list[str]:
    """MLQA's Chinese tokens: each CJK character (U+4E00-U+9FA5) or punctuation mark alone,
    everything between them split on whitespace ("2008年" -> ["2008", "年"])."""
    tokens: list[str] = []
    pending = ""
    for ch in text:
        if _CJK.match(ch) or _is_mlqa_punctuation(ch):
            tokens.extend(pending.split())
            pending = ""
            tokens.append(ch)
        else:
            pending += ch
    tokens.extend(pending.split())
    return tokens


def _mlqa_language(language: str | None) -> str:
    if language not in MLQA_ARTICLES:
        known = sorted(MLQA_ARTICLES)
        raise UnknownNameError(
            f"metric mlqa_em_f1: language {language!r} is not an MLQA language; expected one of "
            f"{', '.join(known)}{did_you_mean(str(language), known)}"
        )
    return language


def normalize_mlqa(text: str, language: str) -> str:
    """MLQA v1 normalization: lower, drop Unicode punctuation, drop the language's articles, then
    re-tokenize (whitespace, or mixed segmentation for zh) and join tokens with one space."""
    language = _mlqa_language(language)
    text = "".join(ch for ch in text.lower() if not _is_mlqa_punctuation(ch))
    if MLQA_ARTICLES[language] is not None:
        text = re.sub(MLQA_ARTICLES[language], " ", text)
    if language in MLQA_MIXED_SEGMENTATION_LANGUAGES:
        tokens = _mixed_segmentation(text)
    else:
        tokens = text.split()
    return " ".join(t for t in tokens if t.strip())


def _token_f1(prediction_tokens: list[str], gold_tokens: list[str]) -> float:
    """SQuAD's bag-of-tokens F1 (0 when nothing is shared, even if both are empty)."""
    same = sum((Counter(prediction_tokens) & Counter(gold_tokens)).values())
    if same == 0:
        return 0.0
    precision = same / len(prediction_tokens)
    recall = same / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def _qa_em_f1(
    metric: str,
    normalize: Callable[[str], str],
    predictions: Sequence[str | None],
    references: Sequence[Sequence[str]],
) -> dict[str, float]:
    """Max over gold answers per question, averaged over all questions; `None` = unanswered (0)."""
    _check_lengths(metric, predictions, references)
    exact = f1 = 0.0
    for i, (prediction, answers) in enumerate(zip(predictions, references, strict=True)):
        if isinstance(answers, str):
            answers = (answers,)
        if not answers:
            raise DataError(
                f"metric {metric}: reference {i} has no gold answer (expected at least one text)"
            )
        if prediction is None:
            continue
        norm_pred = normalize(prediction)
        golds = [normalize(a) for a in answers]
        exact += max(float(norm_pred == g) for g in golds)
        f1 += max(_token_f1(norm_pred.split(), g.split()) for g in golds)
    return {"exact_match": 100.0 * exact / len(references), "f1": 100.0 * f1 / len(references)}


def squad_em_f1(
    predictions: Sequence[str | None],
    references: Sequence[Sequence[str]],
    language: str | None = None,
):
    """SQuAD v1.1 exact match and token F1 (XQuAD, TyDiQA-GoldP); language is ignored."""
    return _qa_em_f1("squad_em_f1", normalize_squad, predictions, references)


def mlqa_em_f1(
    predictions: Sequence[str | None],
    references: Sequence[Sequence[str]],
    language: str | None = None,
):
    """MLQA's exact match and F1 with its language-aware normalization (`normalize_mlqa`).

    `language` is the language of the context (the answers), one of en/es/de/vi/ar/hi/zh;
    anything else is an error, as in the official script.
    """
    language = _mlqa_language(language)
    return _qa_em_f1(
        "mlqa_em_f1", lambda text: normalize_mlqa(text, language), predictions, references
    )


# --- retrieval ---------------------------------------------------------------------------------


def _pair(item: Any) -> tuple[str, str]:
    if isinstance(item, str):
        source, _, target = item.partition("\t")
        return source, target
    try:
        source, target = item
    except (TypeError, ValueError):
        raise DataError(
            f"metric bucc_f1: {item!r} is not a pair; expected a (source_id, target_id) pair "
            "or a 'source_id<TAB>target_id' string"
        ) from None
    return str(source), str(target)


def bucc_f1(predictions: Iterable, references: Iterable, language: str | None = None):
    """BUCC mining: precision / recall / F1 of the predicted pair SET against the gold pair set.

    Pairs are `(source_id, target_id)` tuples or XTREME's "source_id<TAB>target_id" strings;
    the two collections need not have the same length.
    """
    predicted = {_pair(p) for p in predictions}
    gold = {_pair(g) for g in references}
    correct = len(predicted & gold)
    if correct == 0:
        return {"f1": 0.0, "precision": 0.0, "recall": 0.0}
    precision = correct / len(predicted)
    recall = correct / len(gold)
    f1 = 2 * precision * recall / (precision + recall)
    return {"f1": 100.0 * f1, "precision": 100.0 * precision, "recall": 100.0 * recall}


def average_precision_at_k(ranked: Sequence, relevant: Iterable, k: int = 20) -> float:
    """AP@k as LAReQA / XTREME-R compute it: sum of precision@i at each relevant hit among the
    top k (a repeated id counts once), divided by min(number of relevant, k)."""
    relevant = set(relevant)
    if not relevant:
        raise DataError("average_precision_at_k: a query has no relevant candidate")
    hits = 0
    score = 0.0
    seen: set = set()
    for i, item in enumerate(list(ranked)[:k]):
        if item in relevant and item not in seen:
            hits += 1
            score += hits / (i + 1)
        seen.add(item)
    return score / min(len(relevant), k)


def map_at_20(
    predictions: Sequence[Sequence],
    references: Sequence[Iterable],
    language: str | None = None,
):
    """Mean over queries of AP@20; predictions are ranked candidate ids (best first, at least
    the top 20 of the full pool), references the set of relevant ids per query."""
    _check_lengths("map_at_20", predictions, references)
    total = sum(
        average_precision_at_k(ranked, relevant, 20)
        for ranked, relevant in zip(predictions, references, strict=True)
    )
    return {"map_at_20": 100.0 * total / len(references)}


def selection_score(values: dict[str, float]) -> float:
    """The one English-dev number model selection and early stopping compare.

    QA: (exact_match + f1) / 2, the score XTREME reports for QA (evaluate.py:290-291); otherwise
    f1 (tagging, BUCC), then accuracy, then the first value.
    """
    if "exact_match" in values and "f1" in values:
        return (values["exact_match"] + values["f1"]) / 2
    for key in ("f1", "accuracy", "exact_match"):
        if key in values:
            return values[key]
    return next(iter(values.values()))


METRICS: dict[str, MetricFn] = {
    "accuracy": accuracy,
    "tatoeba_accuracy": accuracy,
    "f1_seqeval": f1_seqeval,
    "f1_seqeval_0012": f1_seqeval_0012,
    "token_accuracy": token_accuracy,
    "squad_em_f1": squad_em_f1,
    "mlqa_em_f1": mlqa_em_f1,
    "bucc_f1": bucc_f1,
    "map_at_20": map_at_20,
}


def get_metric(name: str) -> MetricFn:
    if name not in METRICS:
        raise UnknownNameError(
            f"unknown metric {name!r}; known metrics: {', '.join(METRICS)}"
            f"{did_you_mean(name, list(METRICS))}"
        )
    return METRICS[name]


def compute(
    metrics: str | Sequence[str] | Any,
    predictions: Sequence,
    references: Sequence,
    language: str | None = None,
) -> dict[str, float]:
    """Run the named metrics (a name, a list of names, or a TaskSpec's `metrics`); merge the dicts.

    Two metrics that report the same key (e.g. squad_em_f1 and f1_seqeval both give "f1") are
    refused rather than silently overwritten.
    """
    if isinstance(metrics, str):
        names: Sequence[str] = (metrics,)
    elif hasattr(metrics, "metrics") and hasattr(metrics, "kind"):  # a TaskSpec
        names = tuple(metrics.metrics)
    else:
        names = tuple(metrics)
    results: dict[str, float] = {}
    for name in names:
        for key, value in get_metric(name)(predictions, references, language=language).items():
            if key in results:
                raise StiltxError(
                    f"metrics {', '.join(names)}: more than one reports {key!r}; "
                    "expected metrics with distinct result keys"
                )
            results[key] = value
    return results
