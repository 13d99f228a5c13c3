"""Metric functions against hand-computed cases."""

from __future__ import annotations

import json

import pytest

from stiltx.errors import DataError, StiltxError, UnknownNameError
from stiltx.evaluation.metrics import (
    average_precision_at_k,
    compute,
    mlqa_em_f1,
    normalize_mlqa,
    normalize_squad,
    squad_em_f1,
)
from stiltx.tasks.spec import DataSource, Role, TaskKind, TaskSpec

# --- accuracy ---------------------------------------------------------------------------------


def test_accuracy_in_percent():
    assert compute("accuracy", [0, 2, 1, 1], [0, 1, 1, 2]) == {"accuracy": 50.0}
    assert compute("tatoeba_accuracy", [3, 4], [3, 4]) == {"accuracy": 100.0}


def test_length_mismatch_and_empty_are_data_errors():
    with pytest.raises(DataError, match="3 predictions but 2 references"):
        compute("accuracy", [0, 1, 2], [0, 1])
    with pytest.raises(DataError, match="no examples"):
        compute("accuracy", [], [])


# --- seqeval -----------------------------------------------------------------------------------


def test_seqeval_bio_entities():
    # gold: PER(0-1), LOC(3); predicted: PER(0-1), ORG(3) -> 1 of 2 right both ways.
    gold = [["B-PER", "I-PER", "O", "B-LOC"]]
    pred = [["B-PER", "I-PER", "O", "B-ORG"]]
    assert compute("f1_seqeval", pred, gold) == pytest.approx(
        {"f1": 50.0, "precision": 50.0, "recall": 50.0}
    )


def test_seqeval_on_upos_counts_runs_of_equal_tags_not_words():
    # seqeval reads "NOUN" as prefix "N" + type "OUN": the gold NOUN NOUN is ONE chunk.
    # gold chunks: DET(0) NOUN(1-2) VERB(3) PUNCT(4)                        -> 4
    # pred chunks: DET(0) NOUN(1)   ADJ(2)  VERB(3) PUNCT(4)                -> 5
    # correct: DET, VERB, PUNCT = 3 -> P = 3/5, R = 3/4, F1 = 2/3 (token accuracy would be 80).
    gold = [["DET", "NOUN", "NOUN", "VERB", "PUNCT"]]
    pred = [["DET", "NOUN", "ADJ", "VERB", "PUNCT"]]
    result = compute("f1_seqeval", pred, gold)
    assert result == pytest.approx({"f1": 200 / 3, "precision": 60.0, "recall": 75.0})


def test_seqeval_upos_quirks():
    # Half the words right, but the gold run NOUN NOUN is one chunk and the prediction has none.
    assert compute("f1_seqeval", [["NOUN", "PROPN"]], [["NOUN", "NOUN"]])["f1"] == 0.0
    # Tags starting with "S" are singletons: SYM SYM is two chunks (recall 1/2); a sentence-final
    # X has the type "_" of the "O" that closes the sentence, so it is never counted (P = 1/1).
    result = compute("f1_seqeval", [["SYM", "X"]], [["SYM", "SYM"]])
    assert result == pytest.approx({"f1": 200 / 3, "precision": 100.0, "recall": 50.0})
    assert compute("f1_seqeval", [["X", "NOUN"]], [["X", "NOUN"]])["f1"] == 100.0
    assert compute("f1_seqeval", [["NOUN", "X"]], [["NOUN", "NOUN"]])["precision"] == 0.0
    # Chunks never cross sentences (seqeval joins sentences with "O").
    two = compute("f1_seqeval", [["NOUN"], ["NOUN"]], [["NOUN"], ["NOUN"]])
    assert two["f1"] == 100.0


def test_seqeval_sentence_length_mismatch():
    with pytest.raises(DataError, match="sentence 0 has 1 predicted tags but 2 gold"):
        compute("f1_seqeval", [["NOUN"]], [["NOUN", "VERB"]])


# --- SQuAD -------------------------------------------------------------------------------------


def test_squad_normalization():
    assert normalize_squad("The  Eiffel Tower!") == "eiffel tower"
    assert normalize_squad("an apple, a day") == "apple day"
    assert normalize_squad("theatre") == "theatre"  # articles only as whole words


def test_squad_em_f1_hand_checked():
    predictions = ["The Eiffel Tower!", "in the year 1889", None]
    references = [["Eiffel tower"], ["1889", "the year 1889"], ["Paris"]]
    # 1: exact after normalization. 2: "in year 1889" vs "1889" F1 0.5, vs "year 1889"
    # P 2/3 R 1 -> F1 0.8 (max 0.8), EM 0. 3: unanswered -> 0 for both.
    result = squad_em_f1(predictions, references)
    assert result == pytest.approx({"exact_match": 100 / 3, "f1": (1 + 0.8) / 3 * 100})


def test_squad_empty_after_normalization_is_exact_but_f1_zero():
    # The official script: EM compares "" == "" (1), F1 finds no common token (0).
    assert squad_em_f1(["a"], [["the"]]) == {"exact_match": 100.0, "f1": 0.0}


def test_squad_needs_a_gold_answer():
    with pytest.raises(DataError, match="reference 0 has no gold answer"):
        squad_em_f1(["x"], [[]])


# --- MLQA --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("北京大学", "zh", "北 京 大 学"),
        ("2008年。", "zh", "2008 年"),  # "。" is Unicode punctuation; digits stay one token
        ("The iPhone 11", "zh", "the iphone 11"),  # zh removes no articles
        ("الكتاب", "ar", "كتاب"),
        ("المال", "ar", "م"),  # every "ال" goes, even inside a word (the script's regex)
        ("القاهرة، مصر", "ar", "قاهرة مصر"),  # Arabic comma is punctuation
        ("Der Vertrag", "de", "vertrag"),
        ("the Vertrag", "de", "the vertrag"),  # English articles are not German ones
        ("भारत।", "hi", "भारत"),  # the danda is punctuation
        ("a भारत", "hi", "a भारत"),  # Hindi: no articles
        ("la casa", "es", "casa"),
        ("những con mèo", "vi", "con mèo"),
        ("the «best» cat", "en", "best cat"),
    ],
)
def test_mlqa_normalization(text, language, expected):
    assert normalize_mlqa(text, language) == expected


def test_mlqa_chinese_is_character_level():
    # pred 北 京 vs gold 北 京 大 学: 2 shared chars, P = 1, R = 1/2 -> F1 = 2/3.
    assert mlqa_em_f1(["北京"], [["北京大学"]], language="zh") == pytest.approx(
        {"exact_match": 0.0, "f1": 200 / 3}
    )
    # SQuAD's whitespace tokens see two different single tokens: F1 0.
    assert squad_em_f1(["北京"], [["北京大学"]])["f1"] == 0.0
    # "2008" vs "2008 年": P 1, R 1/2.
    assert mlqa_em_f1(["2008"], [["2008年"]], language="zh")["f1"] == pytest.approx(200 / 3)


def test_mlqa_arabic_article_removal():
    assert mlqa_em_f1(["كتاب"], [["الكتاب"]], language="ar") == {"exact_match": 100.0, "f1": 100.0}
    assert squad_em_f1(["كتاب"], [["الكتاب"]]) == {"exact_match": 0.0, "f1": 0.0}


def test_mlqa_german_and_hindi():
    # de: "der" is an article -> exact; SQuAD keeps it -> tokens [der, vertrag] vs [vertrag].
    assert mlqa_em_f1(["der Vertrag"], [["Vertrag"]], language="de")["exact_match"] == 100.0
    assert squad_em_f1(["der Vertrag"], [["Vertrag"]]) == pytest.approx(
        {"exact_match": 0.0, "f1": 200 / 3}
    )
    # hi: the danda is removed by MLQA (Unicode P*) but not by SQuAD (ASCII punctuation only).
    assert mlqa_em_f1(["भारत।"], [["भारत"]], language="hi")["exact_match"] == 100.0
    assert squad_em_f1(["भारत।"], [["भारत"]])["exact_match"] == 0.0
    # max over several gold answers, averaged over questions.
    result = mlqa_em_f1(["die Stadt", "Berlin"], [["Dorf", "Stadt"], ["Paris"]], language="de")
    assert result == {"exact_match": 50.0, "f1": 50.0}


def test_mlqa_unknown_language():
    with pytest.raises(UnknownNameError, match="'fr' is not an MLQA language"):
        mlqa_em_f1(["x"], [["x"]], language="fr")


def _mlqa_answers(path):
    data = json.loads(path.read_text(encoding="utf-8"))["data"]
    return [
        [a["text"] for a in qa["answers"]]
        for article in data
        for paragraph in article["paragraphs"]
        for qa in paragraph["qas"]
    ]


@pytest.mark.parametrize(
    ("language", "decorate"),
    [("zh", lambda a: a + "。"), ("de", lambda a: "Die " + a + "."), ("hi", lambda a: a + "।")],
)
def test_mlqa_real_answers_survive_decoration(shared_data, language, decorate):
    """On real MLQA answers: punctuation / articles added by a model never cost a point."""
    path = shared_data / f"mlqa/MLQA_V1/dev/dev-context-{language}-question-{language}.json"
    answers = _mlqa_answers(path)[:200]
    predictions = [decorate(golds[0]) for golds in answers]
    result = mlqa_em_f1(predictions, answers, language=language)
    assert result == {"exact_match": 100.0, "f1": 100.0}


# --- BUCC, mAP@20 ------------------------------------------------------------------------------


def test_bucc_f1_on_pair_sets():
    predictions = [("zh-1", "en-1"), ("zh-2", "en-2"), "zh-3\ten-3"]
    gold = ["zh-1\ten-1", ("zh-2", "en-9")]
    # 1 correct of 3 predicted and 2 gold: P 1/3, R 1/2, F1 0.4.
    assert compute("bucc_f1", predictions, gold) == pytest.approx(
        {"f1": 40.0, "precision": 100 / 3, "recall": 50.0}
    )
    assert compute("bucc_f1", [("a", "b")], [("a", "c")])["f1"] == 0.0


def test_average_precision_at_k_hand_checked():
    # hits at ranks 2 and 4: (1/2 + 2/4) / 2.
    assert average_precision_at_k(["c1", "c2", "c3", "c4"], {"c2", "c4"}, 20) == 0.5
    # the divisor is min(#relevant, k): 25 relevant, top 20 all relevant -> 1.
    relevant = {f"r{i}" for i in range(25)}
    assert average_precision_at_k(sorted(relevant), relevant, 20) == 1.0
    # a repeated id counts once.
    assert average_precision_at_k(["a", "a", "b"], {"a", "b"}, 20) == pytest.approx((1 + 2 / 3) / 2)


def test_map_at_20_hand_checked():
    ranked = [
        ["c1", "c2", "c3", "c4"],  # AP 0.5 (above)
        [f"x{i}" for i in range(20)] + ["c9"],  # the only relevant one is 21st -> 0
        ["c1", "c2"],  # AP 1
    ]
    relevant = [["c2", "c4"], ["c9"], ["c1"]]
    assert compute("map_at_20", ranked, relevant) == pytest.approx({"map_at_20": 50.0})


# --- compute / registry ------------------------------------------------------------------------


def test_compute_accepts_a_task_spec_and_merges():
    spec = TaskSpec(
        name="toy_qa",
        kind=TaskKind.EXTRACTIVE_QA,
        role=Role.TARGET,
        description="",
        languages=("de",),
        splits=("test",),
        source=DataSource("squad_json", {}),
        metrics=("mlqa_em_f1",),
    )
    assert compute(spec, ["der Vertrag"], [["Vertrag"]], language="de") == {
        "exact_match": 100.0,
        "f1": 100.0,
    }


def test_compute_unknown_and_colliding_names():
    with pytest.raises(UnknownNameError, match="did you mean 'accuracy'"):
        compute("acuracy", [1], [1])
    with pytest.raises(StiltxError, match="more than one reports 'exact_match'"):
        compute(["squad_em_f1", "mlqa_em_f1"], ["x"], [["x"]], language="en")
    with pytest.raises(DataError, match="expected a .source_id, target_id. pair"):
        compute("bucc_f1", [("a", "b", "c")], [("a", "b")])


def test_token_accuracy_scores_words_not_sentences():
    from stiltx.evaluation.metrics import compute

    predictions = [["N", "S\\NP", "NP"], ["N", "N"]]
    references = [["N", "S\\NP", "N"], ["N", "N"]]
    # 4 of 5 words right; sentence-level accuracy would say 1 of 2.
    assert compute("token_accuracy", predictions, references) == {"accuracy": 80.0}


def test_model_selection_score_is_the_reported_one():
    # QA checkpoints are chosen by (EM + F1) / 2, the number XTREME reports (evaluate.py:290-291).
    from stiltx.evaluation.metrics import selection_score

    assert selection_score({"exact_match": 60.0, "f1": 80.0}) == 70.0
    assert selection_score({"f1": 50.0, "precision": 40.0, "recall": 70.0}) == 50.0
    assert selection_score({"accuracy": 81.0}) == 81.0
