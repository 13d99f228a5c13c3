"""Bad input becomes one clear StiltxError (or a counted warning), never a bare traceback."""

from __future__ import annotations

import json
import shutil

import pytest

from stiltx.data.files import DataWarning
from stiltx.data.load import load_split
from stiltx.errors import DataError, UnknownNameError
from stiltx.recipe.schema import DataConfig
from stiltx.tasks.registry import get_task


def local(path) -> DataConfig:
    return DataConfig(source="local", data_dir=str(path))


def test_missing_file_names_every_path_tried(tmp_path):
    with pytest.raises(DataError) as error:
        load_split(get_task("tydiqa"), "sw", "train", local(tmp_path))
    message = str(error.value)
    assert str(tmp_path / "tydiqa/tydiqa-goldp-v1.1-train/tydiqa.goldp.sw.train.json") in message
    assert str(tmp_path / "tydiqa/tydiqa-goldp-v1.1-train.json") in message


def test_missing_ccg_lists_expected_user_files(tmp_path):
    with pytest.raises(
        DataError,
        match=r"licensed.*ccg/ccg.train.tsv, ccg/ccg.dev.tsv, ccg/ccg.test.tsv, ccg/tags.txt",
    ):
        load_split(get_task("ccg"), "en", "train", local(tmp_path))


def test_unknown_language_and_split(tmp_path):
    with pytest.raises(
        UnknownNameError,
        match=r"no language 'dee' \(did you mean 'de'\?\); its languages: en, fr, es, de",
    ):
        load_split(get_task("xnli"), "dee", "dev", local(tmp_path))
    with pytest.raises(UnknownNameError, match=r"did you mean 'de'"):
        load_split(get_task("tatoeba"), "deu", "test", local(tmp_path))
    with pytest.raises(UnknownNameError, match=r"no split 'train'.*dev, test"):
        load_split(get_task("xnli"), "de", "train", local(tmp_path))


def test_malformed_json_names_file_and_position(tmp_path):
    (tmp_path / "xquad").mkdir()
    path = tmp_path / "xquad/xquad.de.json"
    path.write_text('{"data": [\n  {"paragraphs": [}\n]}', encoding="utf-8")
    with pytest.raises(DataError, match=rf"{path}:2:19: malformed JSON at character 29"):
        load_split(get_task("xquad"), "de", "test", local(tmp_path))
    (tmp_path / "xcopa/data/sw").mkdir(parents=True)
    bad = tmp_path / "xcopa/data/sw/val.sw.jsonl"
    bad.write_text(
        '{"premise": "a", "choice1": "b", "choice2": "c", "question": "cause", "idx": 0, "label": 0}\n{oops\n'
    )
    with pytest.raises(DataError, match=rf"{bad}:2:2: malformed JSON line"):
        load_split(get_task("xcopa"), "sw", "dev", local(tmp_path))


@pytest.mark.parametrize(
    "task,language,relative,text,line",
    [
        ("xnli", "de", "xnli/dev-de.tsv", "a\tb\tneutral\nonly one column\n", 2),
        ("panx", "de", "panx/dev-de.tsv", "Berlin\tB-LOC\n\nist\tO\textra\n", 3),
        (
            "qqp",
            "en",
            "qqp/dev.tsv",
            "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t2\t3\tq\n",
            2,
        ),
        (
            "udpos",
            "de",
            "ud/UD_German-GSD/de_gsd-ud-dev.conllu",
            "# text = a\n1\tDer\tder\tDET\n",
            2,
        ),
    ],
)
def test_wrong_column_count_names_file_and_line(tmp_path, task, language, relative, text, line):
    path = tmp_path / relative
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=rf"{path}:{line}: expected .* columns, got"):
        load_split(get_task(task), language, "dev", local(tmp_path))


def test_unknown_label_is_an_error(tmp_path):
    (tmp_path / "xnli").mkdir()
    (tmp_path / "xnli/dev-de.tsv").write_text("a\tb\tmaybe\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"dev-de.tsv:1: unknown label 'maybe'"):
        load_split(get_task("xnli"), "de", "dev", local(tmp_path))


def test_squad_answer_mismatch_is_counted_and_reported(tmp_path):
    document = {
        "version": "1.1",
        "data": [
            {
                "title": "t",
                "paragraphs": [
                    {
                        "context": "Paris is in France. Paris is big.",
                        "qas": [
                            {
                                "id": "1",
                                "question": "q",
                                "answers": [{"text": "Paris", "answer_start": 0}],
                            },
                            {
                                "id": "2",
                                "question": "q",
                                "answers": [{"text": "Paris", "answer_start": 19}],
                            },
                            {
                                "id": "3",
                                "question": "q",
                                "answers": [{"text": "Rome", "answer_start": 3}],
                            },
                        ],
                    }
                ],
            }
        ],
    }
    (tmp_path / "squad").mkdir()
    (tmp_path / "squad/train-v1.1.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.warns(
        DataWarning, match=r"2 of 3 answers do not match .* 1 realigned .* 1 dropped"
    ):
        examples = load_split(get_task("squad"), "en", "train", local(tmp_path))
    assert [len(e.answers) for e in examples] == [1, 1, 0]
    assert examples[1].answers[0].start == 20


def test_tydiqa_blanked_dev_is_detected_and_refused_for_scoring(shared_data, tmp_path):
    with pytest.warns(DataWarning, match=r"113 of 113 answers are blank"):
        examples = load_split(get_task("tydiqa"), "bn", "dev", local(shared_data))
    assert all(e.answers == () for e in examples)
    with (
        pytest.warns(DataWarning),
        pytest.raises(DataError, match=r"113 of 113 examples have no labels.*blanked"),
    ):
        load_split(get_task("tydiqa"), "bn", "dev", local(shared_data), require_labels=True)
    with pytest.raises(DataError, match=r"panx' de/test: 200 of 200 examples have no labels"):
        load_split(get_task("panx"), "de", "test", local(shared_data), require_labels=True)
    assert load_split(get_task("panx"), "de", "dev", local(shared_data), require_labels=True)


def test_socialiqa_labels_file_variant(shared_data, tmp_path):
    (tmp_path / "socialiqa").mkdir()
    rows = [
        json.loads(line) for line in (shared_data / "socialiqa/socialIQa_v1.4_dev.jsonl").open()
    ][:5]
    with (tmp_path / "socialiqa/dev.jsonl").open("w") as handle:
        for row in rows:
            handle.write(json.dumps({k: v for k, v in row.items() if k != "correct"}) + "\n")
    (tmp_path / "socialiqa/dev-labels.lst").write_text(
        "".join(f"{'ABC'.index(r['correct']) + 1}\n" for r in rows)
    )
    ours = load_split(get_task("socialiqa"), "en", "dev", local(tmp_path))
    theirs = load_split(get_task("socialiqa"), "en", "dev", local(shared_data))[:5]
    assert ours == theirs


def test_commonsenseqa_original_nesting_matches_hf_layout(shared_data, tmp_path):
    (tmp_path / "commonsenseqa").mkdir()
    rows = [
        json.loads(line)
        for line in (shared_data / "commonsenseqa/hf_layout/dev_rand_split.jsonl").open()
    ][:5]
    with (tmp_path / "commonsenseqa/dev_rand_split.jsonl").open("w") as handle:
        for r in rows:
            choices = [
                {"label": k, "text": t}
                for k, t in zip(r["choices"]["label"], r["choices"]["text"], strict=True)
            ]
            question = {
                "question_concept": r["question_concept"],
                "choices": choices,
                "stem": r["question"],
            }
            handle.write(
                json.dumps({"answerKey": r["answerKey"], "id": r["id"], "question": question})
                + "\n"
            )
    ours = load_split(get_task("commonsenseqa"), "en", "dev", local(tmp_path))
    assert ours == load_split(get_task("commonsenseqa"), "en", "dev", local(shared_data))[:5]


def test_bucc_original_names_and_mewsli_without_text(shared_data, tmp_path):
    (tmp_path / "bucc2018").mkdir()
    for ext in ("zh", "en", "gold"):
        shutil.copy(
            shared_data / f"bucc2018/zh-en.dev.{ext}", tmp_path / f"bucc2018/zh-en.sample.{ext}"
        )
    corpus = load_split(get_task("bucc2018"), "zh", "dev", local(tmp_path))[0]
    assert len(corpus.gold) == 55
    (tmp_path / "mewsli_x").mkdir()
    shutil.copy(
        shared_data / "mewsli_x/wikinews_mentions_no_text-sample.en.jsonl",
        tmp_path / "mewsli_x/wikinews_mentions-dev.jsonl",
    )
    with pytest.raises(DataError, match=r"context.text is empty.*WikiNews"):
        load_split(get_task("mewsli_x"), "en", "dev", local(tmp_path))
