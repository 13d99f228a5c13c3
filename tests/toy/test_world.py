"""The generator: deterministic, languages that really differ, files in their native shapes."""

from __future__ import annotations

import csv
import io
import json
import random
import re

from stiltx.toy.build import emit_all
from stiltx.toy.items import paws_item
from stiltx.toy.languages import DEFAULT_LANGUAGES, LANGUAGES, LEXICONS
from stiltx.toy.sizes import TEST_SIZES, ToySizes


def test_same_seed_gives_identical_bytes_and_another_seed_differs(toy_data_dir):
    first = emit_all(0, TEST_SIZES, DEFAULT_LANGUAGES)
    written = {
        str(p.relative_to(toy_data_dir)): p.read_bytes().decode("utf-8")
        for p in toy_data_dir.rglob("*")
        if p.is_file()
    }
    assert written == first
    other = emit_all(1, TEST_SIZES, DEFAULT_LANGUAGES)
    assert other.keys() == first.keys()
    changed = [path for path in first if first[path] != other[path]]
    assert len(changed) > 0.95 * len(first), sorted(set(first) - set(changed))


def test_languages_share_anchors_but_differ_in_words_and_order(toy_data_dir):
    lines = {
        lang: (toy_data_dir / f"xnli/dev-{lang}.tsv").read_text("utf-8").splitlines()
        for lang in DEFAULT_LANGUAGES
    }
    for lang in DEFAULT_LANGUAGES:
        assert len(lines[lang]) == TEST_SIZES.eval
    en = lines["en"][0].split("\t")[0]
    names = [w for w in en.split() if w[:1].isupper() and w.isalpha()][:2]  # "Anna Berg"
    for lang in DEFAULT_LANGUAGES:
        premise = lines[lang][0].split("\t")[0]
        assert " ".join(names) in premise  # names are shared anchors
        if lang != "en":
            assert premise != en
    content = {lang: set(LEXICONS[lang][k] for k in ("apple", "buy", "red")) for lang in LANGUAGES}
    assert len({frozenset(v) for v in content.values()}) == len(LANGUAGES)
    orders = {
        LANGUAGES[lang].order.index("V") < LANGUAGES[lang].order.index("O") for lang in LANGUAGES
    }
    assert orders == {True, False}  # both VO and OV languages
    assert any(ch >= "\u0400" for ch in (toy_data_dir / "mlm/ru.txt").read_text("utf-8"))


def test_qa_answers_are_exact_spans_of_their_contexts(toy_data_dir):
    paths = [
        *toy_data_dir.glob("xquad/*.json"),
        *toy_data_dir.glob("tydiqa/*/*.json"),
        toy_data_dir / "squad/train-v1.1.json",
    ]
    ids = {}
    for path in paths:
        data = json.loads(path.read_text("utf-8"))["data"]
        qids = []
        for article in data:
            for para in article["paragraphs"]:
                for qa in para["qas"]:
                    (answer,) = qa["answers"]
                    start = answer["answer_start"]
                    assert (
                        answer["text"]
                        and para["context"][start : start + len(answer["text"])] == answer["text"]
                    )
                    qids.append(qa["id"])
        if path.parent.name == "xquad":
            ids[path.name] = qids
    assert len({tuple(v) for v in ids.values()}) == 1  # XQuAD is parallel: same ids everywhere


def test_lareqa_sentence_breaks_cover_the_sentences(toy_data_dir):
    for lang in DEFAULT_LANGUAGES:
        raw = (toy_data_dir / f"lareqa/xquad-r/{lang}.json").read_text("utf-8")
        assert "\n" not in raw.rstrip("\n")  # one-line JSON, as released
        for article in json.loads(raw)["data"]:
            for para in article["paragraphs"]:
                for (a, b), sentence in zip(
                    para["sentence_breaks"], para["sentences"], strict=True
                ):
                    assert para["context"][a:b] == sentence


def test_conllu_has_comments_and_ten_columns(toy_data_dir):
    text = (toy_data_dir / "ud/UD_German-Toy/de_toy-ud-test.conllu").read_text("utf-8")
    assert text.endswith("\n\n")
    blocks = text.strip("\n").split("\n\n")
    assert len(blocks) == TEST_SIZES.eval
    for block in blocks:
        lines = block.split("\n")
        assert lines[0].startswith("# sent_id = ") and lines[1].startswith("# text = ")
        rows = [line.split("\t") for line in lines[2:]]
        assert all(len(r) == 10 for r in rows)
        assert [r[0] for r in rows] == [str(i) for i in range(1, len(rows) + 1)]
        assert sum(r[6] == "0" for r in rows) == 1  # one root
        words = [r[1] + ("" if "SpaceAfter=No" in r[9] else " ") for r in rows]
        assert "".join(words).strip() == lines[1][len("# text = ") :]


def test_panx_tags_are_iob2_and_files_end_with_one_newline(toy_data_dir):
    text = (toy_data_dir / "panx/test-sw.tsv").read_text("utf-8")
    assert text.endswith("\n") and not text.endswith("\n\n")
    tags = [line.split("\t")[1] for line in text.splitlines() if line]
    assert set(tags) <= {"O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"}
    assert "B-PER" in tags
    for prev, tag in zip(["O", *tags], tags, strict=False):
        if tag.startswith("I-"):
            assert prev[2:] == tag[2:]


def test_glue_csv_and_bucc_layouts(toy_data_dir):
    mnli = (toy_data_dir / "mnli/train.tsv").read_text("utf-8").splitlines()
    assert mnli[0].split("\t")[-3:] == ["sentence2", "label1", "gold_label"]
    assert len(mnli) == TEST_SIZES.train + 1
    raw = (toy_data_dir / "cosmosqa/valid.csv").read_bytes()
    assert raw.startswith(b"id,context,question,answer0,answer1,answer2,answer3,label\r\n")
    assert len(list(csv.reader(io.StringIO(raw.decode())))) == TEST_SIZES.eval + 1
    gold = (toy_data_dir / "bucc2018/ru-en.test.gold").read_text().splitlines()
    ru = dict(
        line.split("\t")
        for line in (toy_data_dir / "bucc2018/ru-en.test.ru").read_text().splitlines()
    )
    en = dict(
        line.split("\t")
        for line in (toy_data_dir / "bucc2018/ru-en.test.en").read_text().splitlines()
    )
    assert len(gold) == TEST_SIZES.bucc_gold and len(ru) == len(en) == TEST_SIZES.bucc_corpus
    for pair in gold:
        ru_id, en_id = pair.split("\t")
        assert ru_id.startswith("ru-") and en_id in en
        names = " ".join(en[en_id].split()[:2]).lstrip("In ")
        assert ru[ru_id].count(names.split()[-1]) >= 1  # a shared anchor links the pair


def _mlm_only(monkeypatch, **shares):
    """The raw text with every kind of cross-lingual text off except `shares`."""
    from stiltx.toy import tasks_target

    for name in (
        "CODE_SWITCH_PARAGRAPHS",
        "PARALLEL_SENTENCES",
        "FOLLOW_UPS",
        "QA_PARAGRAPHS",
        "QA_TRANSLATIONS",
    ):
        monkeypatch.setattr(tasks_target, name, shares.get(name, 0.0))
    monkeypatch.setattr(tasks_target, "QUESTION_SENTENCES", 0.0)
    return tasks_target.emit_mlm(0, ToySizes(mlm_lines=100), DEFAULT_LANGUAGES)


def _english_words() -> set[str]:
    from stiltx.toy.writer import _english_forms

    return set(_english_forms()) | {"the", "did", "in", "how", "many", "company", "was"}


def _sentences(line: str) -> list[str]:
    return [s.strip() for s in re.findall(r"[^.?]+[.?]", line)]


def test_mlm_text_is_code_switched_in_places_and_has_questions():
    from stiltx.toy.tasks_target import emit_mlm

    corpus = emit_mlm(0, ToySizes(mlm_lines=200), DEFAULT_LANGUAGES)
    assert any("?" in line for line in corpus["mlm/en.txt"].splitlines())  # questions too
    zh_words = {w.rstrip(".?") for line in corpus["mlm/zh.txt"].splitlines() for w in line.split()}
    assert zh_words & {"bought", "apples", "gave", "read", "red"}  # English words borrowed
    assert corpus == emit_mlm(0, ToySizes(mlm_lines=200), DEFAULT_LANGUAGES)  # deterministic


def test_code_switching_borrows_words_in_a_share_of_the_paragraphs(monkeypatch):
    from stiltx.toy.tasks_target import CODE_SWITCH_PARAGRAPHS

    corpus = _mlm_only(monkeypatch, CODE_SWITCH_PARAGRAPHS=CODE_SWITCH_PARAGRAPHS)
    english = _english_words()
    lines = corpus["mlm/en.txt"].splitlines()
    foreign = [any(w.rstrip(".?").islower() and w.rstrip(".?") not in english for w in line.split())
               for line in lines]  # fmt: skip
    assert abs(sum(foreign) / len(lines) - CODE_SWITCH_PARAGRAPHS) < 0.15  # some, not all
    assert _mlm_only(monkeypatch)["mlm/en.txt"].split() and not any(
        w.rstrip(".?").islower() and w.rstrip(".?") not in english
        for w in _mlm_only(monkeypatch)["mlm/en.txt"].split()
    )  # with the share at 0, plain English


def test_parallel_sentences_repeat_the_fact_in_another_language(monkeypatch):
    corpus = _mlm_only(monkeypatch, PARALLEL_SENTENCES=1.0)
    english = _english_words()
    for line in corpus["mlm/en.txt"].splitlines()[:30]:
        sentences = _sentences(line)
        assert len(sentences) % 2 == 0
        for original, translation in zip(sentences[::2], sentences[1::2], strict=True):
            assert all(w.rstrip(".?") in english or not w.islower() for w in original.split())
            names = {w for w in original.split() if w[:1].isupper() and w.isalpha()} - {"Who"}
            assert names <= set(translation.replace(".", " ").replace("?", " ").split())
            assert translation != original


def test_follow_ups_use_the_same_object_again(monkeypatch):
    corpus = _mlm_only(monkeypatch, FOLLOW_UPS=1.0)
    for line in corpus["mlm/en.txt"].splitlines()[:30]:
        sentences = [s for s in _sentences(line) if " was " not in s]
        assert len(sentences) % 2 == 0
        for event, follow_up in zip(sentences[::2], sentences[1::2], strict=True):
            objects = set(event.rstrip(".").split()) & set(follow_up.rstrip(".").split())
            assert objects - {"the"}, (event, follow_up)  # the object (and its owner) again


def test_question_and_answer_paragraphs_answer_from_the_paragraph(monkeypatch):
    corpus = _mlm_only(monkeypatch, QA_PARAGRAPHS=1.0)
    for lang in DEFAULT_LANGUAGES:
        for line in corpus[f"mlm/{lang}.txt"].splitlines()[:30]:
            story, _, answer = line.rpartition("? ")
            assert story and answer.endswith(".")
            assert answer[:-1] in story.rpartition(". ")[0] + ".", (lang, line)


def test_question_and_answer_pairs_are_followed_by_their_translation(monkeypatch):
    corpus = _mlm_only(monkeypatch, QA_PARAGRAPHS=1.0, QA_TRANSLATIONS=1.0)
    english = _english_words()

    def anchors(text):  # names, places, years and counts: shared across languages
        return {w for w in text.rstrip(".").split() if w[:1].isupper() or w.isdigit()}

    for line in corpus["mlm/en.txt"].splitlines()[:30]:
        head, _, translated_answer = line.rpartition("? ")
        head, _, translated_question = head.rpartition(". ")
        story, _, question_and_answer = head.rpartition("? ")
        answer = question_and_answer.split(". ")[0]
        # The same answer both times, to a question in English and then in a synthetic language.
        assert anchors(translated_answer) == anchors(answer), line
        assert any(w.islower() and w not in english for w in translated_question.split()), line
        assert answer in story, line


def test_pawsx_pairs_hold_the_same_words_under_both_labels():
    """Only word order tells a PAWS-X paraphrase from a non-paraphrase: no surface shortcut."""
    rng = random.Random(0)
    items = [paws_item(rng) for _ in range(400)]
    assert 0.4 < sum(it.label for it in items) / len(items) < 0.6
    for it in items:
        assert (
            it.second.front_time != it.first.front_time
        )  # the time phrase moves under both labels
        swapped = (it.second.agent, it.second.recipient) == (it.first.recipient, it.first.agent)
        assert swapped == (it.label == 0)
    sizes = ToySizes(train=200, eval=40, mlm_lines=1, bucc_corpus=1, bucc_gold=1)
    files = emit_all(0, sizes, ("en", "de"))
    for name in ("pawsx/train-en.tsv", "pawsx/dev-de.tsv"):
        for first, second, _ in csv.reader(io.StringIO(files[name]), delimiter="\t"):
            assert first != second
            assert sorted(re.findall(r"\w+", first.lower())) == sorted(
                re.findall(r"\w+", second.lower())
            ), (name, first, second)


def _person_of(answer: str, known: set[str]) -> str:
    (person,) = [name for name in known if re.search(rf"\b{name}\b", answer)]
    return person


def test_hellaswag_and_cosmosqa_need_who_did_what_not_only_the_objects_category():
    """One wrong answer is the right action by a person the context never mentions; the others
    are wrong actions by the right person (toy world v8)."""
    from stiltx.toy.lexicon import FIRST_NAMES, LAST_NAMES
    from stiltx.toy.tasks_english import emit_cosmosqa, emit_hellaswag

    names = {f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES}
    sizes = ToySizes(train=60, eval=10)
    rows = [
        (r["ctx"], r["endings"], r["label"])
        for r in map(
            json.loads, emit_hellaswag(0, sizes)["hellaswag/hellaswag_train.jsonl"].splitlines()
        )
    ]
    cosmos = list(csv.reader(io.StringIO(emit_cosmosqa(0, sizes)["cosmosqa/train.csv"])))[1:]
    rows += [(r[1], r[3:7], int(r[7])) for r in cosmos]
    assert len(rows) == 120
    for context, answers, label in rows:
        right = answers[label]
        who = _person_of(right, names)
        assert who in context
        strangers = [a for a in answers if _person_of(a, names) not in context]
        assert len(strangers) == 1, (context, answers)
        # the stranger does exactly what the right answer says
        assert strangers[0].replace(_person_of(strangers[0], names), who) == right
        others = [a for a in answers if a not in (right, strangers[0])]
        assert len(others) == 2 and all(_person_of(a, names) == who for a in others)


def test_english_when_questions_keep_the_name_whole_and_put_did_after_when():
    from stiltx.toy.render import render_event
    from stiltx.toy.world import Event

    event = Event(("Zara", "Haddad"), "lend", "car", 11, recipient=("Hana", "Okafor"), year=2009)
    assert (
        render_event("en", event, "T").text == "When did Zara Haddad lend 11 cars to Hana Okafor?"
    )
    fronted = Event(
        ("Zara", "Haddad"), "drive", "car", 2, place="Kelby", year=1999, front_time=True
    )
    assert render_event("en", fronted, "T").text == "When did Zara Haddad drive 2 cars in Kelby?"
    assert render_event("en", fronted, "L").text == "In 1999 where did Zara Haddad drive 2 cars?"
