"""LAReQA on XQuAD-R: SQuAD-format JSON whose paragraphs also have `sentences` and
`sentence_breaks` ([start, end] character offsets of each sentence in `context`).

The candidate pool is every sentence of every paragraph of every language file in the directory;
a question's gold answers are the sentences that contain its answer start, in every language
(questions share ids across the parallel files). Query ids are the question ids; candidate ids
are `<lang>:<article>:<paragraph>:<sentence>`.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.data.files import field, read_json
from stiltx.errors import DataError
from stiltx.tasks.examples import RetrievalCorpus, Text
from stiltx.tasks.spec import TaskSpec


def _parse(path: Path, lang: str) -> tuple[list[Text], dict[str, str], dict[str, str]]:
    """(sentences, question id -> question, question id -> candidate id of its answer sentence)."""
    document = read_json(path)
    sentences: list[Text] = []
    questions: dict[str, str] = {}
    answer_of: dict[str, str] = {}
    for a, article in enumerate(field(document, "data", str(path))):
        for p, paragraph in enumerate(field(article, "paragraphs", f"{path}: data[{a}]")):
            where = f"{path}: data[{a}].paragraphs[{p}]"
            texts = field(paragraph, "sentences", where)
            breaks = field(paragraph, "sentence_breaks", where)
            if len(texts) != len(breaks):
                raise DataError(
                    f"{where}: {len(texts)} sentences but {len(breaks)} sentence_breaks"
                )
            ids = [f"{lang}:{a}:{p}:{s}" for s in range(len(texts))]
            # XTREME-R's dual encoder reads the sentence (context[start:end]) followed by the
            # paragraph (evaluate_retrieval.py:572-574, utils_lareqa.py:281-282)
            context = str(paragraph.get("context", ""))
            duals = [(context[b:e] + context).replace("\n", "") for b, e in breaks]
            sentences.extend(
                Text(i, t, lang, dual_text=d) for i, t, d in zip(ids, texts, duals, strict=True)
            )
            for qa in field(paragraph, "qas", where):
                qid = str(field(qa, "id", where))
                questions[qid] = field(qa, "question", where)
                answers = field(qa, "answers", where)
                if answers:
                    start = answers[0]["answer_start"]
                    hit = [i for i, (b, e) in zip(ids, breaks, strict=True) if b <= start < e]
                    if hit:
                        answer_of[qid] = hit[0]
    return sentences, questions, answer_of


def read_lareqa(
    path: Path, spec: TaskSpec | None = None, language: str = ""
) -> list[RetrievalCorpus]:
    language = language or path.stem
    files = sorted(path.parent.glob("*.json"))
    if path not in files:
        raise DataError(f"LAReQA file not found: {path}")
    pool: list[Text] = []
    answers: dict[str, list[str]] = {}
    own_questions: dict[str, str] = {}
    for file in files:
        sentences, questions, answer_of = _parse(file, file.stem)
        pool.extend(sentences)
        for qid, candidate in answer_of.items():
            answers.setdefault(qid, []).append(candidate)
        if file == path:
            own_questions = questions
    queries = tuple(Text(qid, q, language) for qid, q in own_questions.items())
    gold = {qid: tuple(answers.get(qid, ())) for qid in own_questions}
    return [RetrievalCorpus(f"lareqa-{language}", queries, tuple(pool), gold)]
