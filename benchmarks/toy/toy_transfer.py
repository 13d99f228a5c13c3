"""Where zero-shot transfer fails in the toy world: two readings of finished runs' predictions/.

    python benchmarks/toy/toy_transfer.py qa-types RUN --data DATA [--task xquad]
    python benchmarks/toy/toy_transfer.py seed-noise RUN RUN RUN [--tasks xnli pawsx xquad mlqa tydiqa]
    python benchmarks/toy/toy_transfer.py qa-mix RUN [--task xquad]

qa-types: exact match per question type (Who, What, How many, To whom, From whom, From which,
Where, When) in every language. The type is read from the English question with the same id
(QA test ids are the same in every toy language). DATA is the toy world's data folder,
$STILTX_CACHE/toy/<version>-<seed>/data.

qa-mix: which side of a question-answering example stops the transfer, the question or the
context. The run's saved SQuAD model answers, in every language L, L's questions on L's contexts
(the zero-shot score), English questions on L's contexts, and L's questions on English contexts
(MLQA's generalised cross-lingual transfer, Lewis et al. 2020, pairs question and context
languages the same way), and L's questions with their question words (who, what, where, when,
how many, whom, which) in English form. Exact match and F1 through stiltx's own encoding,
prediction and metric.
XQuAD and MLQA only: their toy test sets are parallel (the same ids in every language), as the
real ones are; TyDiQA's are not.

seed-noise: for each task, the std over seeds of the zero-shot mean, and the part of it that the
test set's sampling alone would give. Paired over the same test items: the variance of the
per-example score differences between two seeds, over n, summed over languages and averaged over
seed pairs (var(a - b) = 2 var(a) for independent draws). Per-example scores: accuracy for
classification, (EM + F1) / 2 for QA, as results.json aggregates them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
from collections import defaultdict
from pathlib import Path

from stiltx.report.results import example_scores

QA_METRICS = ("exact_match", "f1")  # per-example QA score: (EM + F1) / 2, as results.json
TWO_WORD_TYPES = ("To", "From", "How")


def question_type(question: str) -> str:
    words = question.split()
    if words[0] == "In" and len(words) > 2:  # "In 1999 where did ..."
        words = words[2:]
    return " ".join(words[:2]) if words[0] in TWO_WORD_TYPES else words[0].capitalize()


def english_types(data: Path, task: str) -> dict[str, str]:
    path = data / task / f"{task}.en.json"
    if task == "mlqa":
        path = next((data / "mlqa").rglob("test-context-en-question-en.json"))
    types = {}
    for article in json.loads(path.read_text("utf-8"))["data"]:
        for paragraph in article["paragraphs"]:
            for qa in paragraph["qas"]:
                types[qa["id"]] = question_type(qa["question"])
    return types


def qa_types(run: Path, data: Path, task: str) -> None:
    types = english_types(data, task)
    counts: dict[str, int] = defaultdict(int)
    table: dict[str, dict[str, list[float]]] = {}
    paths = (run / "predictions" / task).glob("*.jsonl")
    for path in sorted(paths, key=lambda p: (p.stem != "en", p.stem)):  # English first
        by_type: dict[str, list[float]] = defaultdict(list)
        for ident, value in (example_scores(path, ("exact_match",)) or {}).items():
            by_type[types[ident]].append(value)
        table[path.stem] = by_type
    for by_type in table.values():
        for kind, values in by_type.items():
            counts[kind] = max(counts[kind], len(values))
    kinds = sorted(counts, key=lambda k: -counts[k])
    print("language  " + "  ".join(f"{k} ({counts[k]})" for k in kinds))
    for language, by_type in table.items():
        cells = [
            f"{statistics.mean(by_type[k]):>{len(k) + len(str(counts[k])) + 3}.0f}"
            if by_type.get(k)
            else " " * (len(k) + len(str(counts[k])) + 3)
            for k in kinds
        ]
        print(f"{language:<8}  " + "  ".join(cells))


def seed_noise(runs: list[Path], tasks: list[str]) -> None:
    for task in tasks:
        folders = [run / "predictions" / task for run in runs]
        if not all(folder.is_dir() for folder in folders):
            continue
        languages = sorted(p.stem for p in folders[0].glob("*.jsonl") if p.stem != "en")
        scores = [
            {lang: example_scores(f / f"{lang}.jsonl", QA_METRICS) for lang in languages}
            for f in folders
        ]
        if any(None in s.values() for s in scores):  # corpus-level metric: no per-example score
            continue
        means = [
            statistics.mean(statistics.mean(s[lang].values()) for lang in languages) for s in scores
        ]
        pair_vars = []
        for a, b in itertools.combinations(scores, 2):
            total = 0.0
            for lang in languages:
                ids = sorted(a[lang].keys() & b[lang].keys())
                diffs = [a[lang][i] - b[lang][i] for i in ids]
                total += statistics.pvariance(diffs) / len(ids)
            pair_vars.append(total / len(languages) ** 2)
        sampling = math.sqrt(statistics.mean(pair_vars) / 2)
        print(f"{task:<7} zero-shot means {' '.join(f'{m:.1f}' for m in means)}: "
              f"std {statistics.stdev(means):.1f}, of which test sampling ~{sampling:.1f}")  # fmt: skip


MIXES = (
    "question L, context L",
    "question en, context L",
    "question L, context en",
    "question L with en wh-words, context L",
)
WH_WORDS = ("who", "what", "where", "when", "how_many", "whom", "which")


def with_english_wh_words(language: str, question: str) -> str:
    """`question` (toy language `language`) with its question words in their English form."""
    from stiltx.toy.languages import LANGUAGES, LEXICONS, transliterate

    lexicon, lang = LEXICONS[language], LANGUAGES[language]
    english = {transliterate(lang, lexicon[key]): LEXICONS["en"][key] for key in WH_WORDS}
    words = question.replace("?", " ?").split()
    return " ".join(english.get(word, word) for word in words).replace(" ?", "?")


def qa_mix_scores(run: Path, task: str) -> dict[tuple[str, str], tuple[float, float]]:
    """(language, one of MIXES) -> (exact match, F1) of the run's QA model (see qa-mix above)."""
    from dataclasses import replace

    from stiltx.data.load import load_split
    from stiltx.encoding import encode_split
    from stiltx.evaluation.predict import predict
    from stiltx.evaluation.zero_shot import evaluate_language
    from stiltx.plan import eval_languages, eval_split, target_stages
    from stiltx.reevaluate import load_target_stage, read_finished_run
    from stiltx.tasks.registry import get_task

    finished = read_finished_run(run)
    spec = get_task(task)
    model, tokenizer, _ = load_target_stage(finished, spec.train_task or spec.name)
    split = eval_split(spec, finished.recipe.eval.split)
    stage = next(s for s in target_stages(finished.recipe) if task in [t.name for t in s.targets])
    max_length = stage.max_length
    device = next(model.parameters()).device
    head = get_task(spec.train_task or spec.name).head_name  # xquad and mlqa: the SQuAD head
    batch_size = finished.recipe.eval.batch_size

    def predict_fn(examples):
        encoded = encode_split(spec, list(examples), tokenizer, max_length, training=False)
        return predict(model, head, encoded, batch_size=batch_size, device=device)

    def score(language, examples) -> tuple[float, float]:
        scores = evaluate_language(
            spec, language, examples, predict_fn, split=split, predictions_dir=None
        )
        values = {s.metric: s.value for s in scores}
        return values["exact_match"], values["f1"]

    def read(language):
        return {ex.id: ex for ex in load_split(spec, language, split, finished.where.data)}

    english = read("en")
    table = {("en", MIXES[0]): score("en", list(english.values()))}
    for language in eval_languages(finished.recipe, spec):
        if language == "en":
            continue
        own = read(language)
        if own.keys() != english.keys():
            raise SystemExit(f"{task}/{language}: test ids differ from English; not a toy run?")
        ids = list(own)
        table[language, MIXES[0]] = score(language, [own[i] for i in ids])
        # English question on L's context (scored against L's answers), and L's question on the
        # English context (scored against the English answers, with English normalisation).
        table[language, MIXES[1]] = score(
            language, [replace(own[i], question=english[i].question) for i in ids]
        )
        table[language, MIXES[2]] = score(
            "en", [replace(english[i], question=own[i].question) for i in ids]
        )
        table[language, MIXES[3]] = score(
            language,
            [
                replace(own[i], question=with_english_wh_words(language, own[i].question))
                for i in ids
            ],
        )
    return table


def qa_mix(run: Path, task: str) -> None:
    table = qa_mix_scores(run, task)
    print(f"{task}, exact match / F1 of the SQuAD model of {run}")
    for number, mix in enumerate(MIXES, 1):
        print(f"  ({number}) {mix}")
    print(f"{'language':<9}" + "".join(f"{f'({n})':>14}" for n in range(1, len(MIXES) + 1)))
    for language in dict.fromkeys(lang for lang, _ in table):
        cells = [
            f"{table[language, mix][0]:.1f} / {table[language, mix][1]:.1f}"
            if (language, mix) in table
            else ""
            for mix in MIXES
        ]
        print(f"{language:<9}" + "".join(f"{cell:>14}" for cell in cells))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    types = sub.add_parser("qa-types", help="exact match per question type and language")
    types.add_argument("run", type=Path)
    types.add_argument("--data", type=Path, required=True, help="the toy world's data folder")
    types.add_argument("--task", default="xquad", choices=("xquad", "mlqa"))
    noise = sub.add_parser("seed-noise", help="seed spread against test-set sampling noise")
    noise.add_argument("runs", type=Path, nargs="+")
    noise.add_argument("--tasks", nargs="+", default=["xnli", "pawsx", "xquad", "mlqa", "tydiqa"])
    mix = sub.add_parser("qa-mix", help="questions and contexts of different languages")
    mix.add_argument("run", type=Path)
    mix.add_argument("--task", default="xquad", choices=("xquad", "mlqa"))
    args = parser.parse_args(argv)
    if args.command == "qa-types":
        qa_types(args.run, args.data, args.task)
    elif args.command == "qa-mix":
        qa_mix(args.run, args.task)
    elif len(args.runs) < 2:
        parser.error("seed-noise needs at least two runs")
    else:
        seed_noise(args.runs, args.tasks)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
