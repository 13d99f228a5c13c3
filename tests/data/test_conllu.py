"""XTREME's UD-POS preprocessing (utils_preprocess.py udpos_preprocess) in the CoNLL-U reader."""

from __future__ import annotations

from stiltx.data.conllu import read_conllu


def _token(i, word, tag):
    return "\t".join([str(i), word, "_", tag, "_", "_", "_", "_", "_", "_"])


def test_text_less_sentences_are_dropped_and_words_cleaned(tmp_path):
    sentences = [
        [("Hallo", "INTJ"), ("Welt", "NOUN")],
        [("_", "NOUN"), ("_", "VERB"), ("_", "PUNCT")],  # a treebank without text (ESL, FTB, ...)
        [("_", "NOUN"), ("x", "VERB")],  # one of two words empty: XTREME drops it too
        [("می\u200cخواهم", "VERB"), ("New York", "PROPN"), ("_", "PUNCT"), ("a", "DET")],
    ]
    lines = []
    for n, sentence in enumerate(sentences):
        lines.append(f"# sent_id = {n}")
        lines += [_token(i, w, t) for i, (w, t) in enumerate(sentence, start=1)]
        lines.append("")
    path = tmp_path / "xx-ud-test.conllu"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    examples = read_conllu(path)
    assert [e.words for e in examples] == [
        ("Hallo", "Welt"),
        ("میخواهم", "NewYork", "_", "a"),  # one "_" of four words keeps the sentence
    ]
    assert examples[1].tags == ("VERB", "PROPN", "PUNCT", "DET")
