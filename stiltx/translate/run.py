"""`stiltx translate`: every translated member of a recipe, through an MT model, onto disk.

For each (task, language): read the English training split, collect the texts to translate
(`fields.py`), translate those the cache does not hold yet (`engine.py`, batch by batch, each
batch cached at once: a killed run resumes), rebuild the examples (QA answers relocated; the
unrecoverable ones dropped) and write

    <translated root>/<task>/<language>/<split>.examples.jsonl   (read back by data/examples_jsonl.py)
    <translated root>/<task>/<language>/report.json              (counts, model, dropped examples)

The cache lives under `$STILTX_CACHE/translate` (default `~/.cache/stiltx/translate`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stiltx import atomic
from stiltx.data.labels import task_with_labels
from stiltx.errors import StiltxError
from stiltx.plan import Member, intermediate_members
from stiltx.recipe.schema import DataConfig, Recipe
from stiltx.translate.cache import TranslationCache, cache_file
from stiltx.translate.engine import default_model
from stiltx.translate.fields import rebuild, source_texts

EXAMPLES_SUFFIX = ".examples.jsonl"
REPORT_FILE = "report.json"

TranslatorFactory = Callable[[str, str], Any]  # (model id, language) -> .translate(texts, on_batch)


@dataclass(frozen=True)
class PairReport:
    task: str
    language: str
    model: str
    split: str
    examples: int
    written: int
    dropped: int  # QA examples whose answer was not found in the translation
    texts: int  # distinct texts
    from_cache: int
    translated_now: int
    dropped_ids: list[str] = field(default_factory=list)


def cache_root() -> Path:
    root = os.environ.get("STILTX_CACHE")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "stiltx"
    return base / "translate"


def plan_pairs(
    recipe: Recipe, tasks: tuple[str, ...] = (), languages: tuple[str, ...] = ()
) -> list[Member]:
    """The recipe's translated members, narrowed to `tasks` / `languages` when given."""
    members = [m for m in intermediate_members(recipe) if m.source == "translated"]
    if not members:
        raise StiltxError(
            f"recipe {recipe.name}: no translated members to translate; add "
            "intermediate.translate.languages (or members like mnli@de)"
        )
    chosen = [
        m
        for m in members
        if (not tasks or m.task in tasks) and (not languages or m.language in languages)
    ]
    if not chosen:
        names = ", ".join(m.name for m in members)
        raise StiltxError(f"--tasks / --languages select none of the translated members: {names}")
    return chosen


def translate_member(
    member: Member,
    data: DataConfig,
    out_root: Path,
    model_id: str,
    make_translator: TranslatorFactory,
    *,
    on_progress: Callable[[int], None] | None = None,
) -> PairReport:
    """Translate one member's English training split into `out_root/<task>/<lang>/`."""
    from stiltx.data.load import load_split

    spec = task_with_labels(member.task, data)
    split = spec.train_split
    examples = load_split(spec, "en", split, data, require_labels=True)
    sources = [source_texts(example) for example in examples]
    cache = TranslationCache(cache_file(cache_root(), model_id, member.task, member.language))
    todo = cache.missing(text for texts in sources for text in texts)
    distinct = len({t for texts in sources for t in texts})
    if todo:
        translator = make_translator(model_id, member.language)

        def store(batch: list[str], translations: list[str]) -> None:
            cache.add(zip(batch, translations, strict=True))
            if on_progress is not None:
                on_progress(len(batch))

        translator.translate(todo, on_batch=store)
    rows, dropped = [], []
    for example, texts in zip(examples, sources, strict=True):
        translated = rebuild(example, [cache.get(t) or "" for t in texts])
        if translated is None:
            dropped.append(example.id)
        else:
            rows.append({"kind": spec.kind.value, **asdict(translated)})
    folder = out_root / member.task / member.language
    atomic.write_jsonl(folder / f"{split}{EXAMPLES_SUFFIX}", rows)
    report = PairReport(
        member.task, member.language, model_id, split, len(examples), len(rows), len(dropped),
        distinct, distinct - len(todo), len(todo), dropped,
    )  # fmt: skip
    atomic.write_json(folder / REPORT_FILE, asdict(report))
    return report


def model_for(recipe: Recipe, override: str | None, language: str) -> str:
    return override or recipe.intermediate.translate.model or default_model(language)


def translate_recipe(
    recipe: Recipe,
    data: DataConfig,
    *,
    tasks: tuple[str, ...] = (),
    languages: tuple[str, ...] = (),
    model: str | None = None,
    console: Any = None,
    make_translator: TranslatorFactory | None = None,
) -> list[PairReport]:
    """Translate every selected member of `recipe` (see the module docstring); a rich progress
    bar counts the texts sent to the model."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from stiltx.data.translated import translated_root
    from stiltx.translate.engine import Translator

    console = console or Console()
    if recipe.data.source == "toy":  # synthetic languages: no real MT model knows them
        return toy_translations(recipe, data, tasks, languages, model, console)
    inter = recipe.intermediate
    if make_translator is None:

        def make_translator(model_id: str, language: str) -> Translator:
            return Translator(
                model_id,
                language,
                batch_size=inter.translate.batch_size,
                max_length=inter.translate.max_length,
            )

    members = plan_pairs(recipe, tasks, languages)
    out_root = translated_root(data)
    reports = []
    columns = ("{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        for member in members:
            model_id = model_for(recipe, model, member.language)
            bar = progress.add_task(f"{member.name} ({model_id})", total=None)
            report = translate_member(
                member,
                data,
                out_root,
                model_id,
                make_translator,
                on_progress=lambda n, bar=bar: progress.advance(bar, n),
            )
            progress.remove_task(bar)
            console.print(
                f"{member.name}: {report.written}/{report.examples} examples written "
                f"({report.dropped} dropped: answer not found), {report.translated_now} texts "
                f"translated, {report.from_cache} from the cache -> {out_root / member.task / member.language}"
            )
            reports.append(report)
    return reports


def toy_translations(
    recipe: Recipe,
    data: DataConfig,
    tasks: tuple[str, ...],
    languages: tuple[str, ...],
    model: str | None,
    console: Any,
) -> list[PairReport]:
    """The toy world's translations come from its own MT system (stiltx.toy.translated, noise
    `toy.mt_noise`), written when the world was built (`resolve` builds them for a recipe with
    translated members); report what each member reads, translate nothing."""
    from stiltx.data.translated import load_translated, translated_root

    if model or recipe.intermediate.translate.model:
        raise StiltxError(
            f"--model / intermediate.translate.model {model or recipe.intermediate.translate.model!r}"
            ": the toy world's languages are synthetic and it translates with its own MT system "
            "(toy.mt_noise); drop the MT model, or leave --preset tiny"
        )
    system = f"toy MT (mt_noise {recipe.toy.mt_noise})"
    reports = []
    for member in plan_pairs(recipe, tasks, languages):
        spec = task_with_labels(member.task, data)
        count = len(load_translated(spec, member.language, spec.train_split, data))
        folder = translated_root(data) / member.task / member.language
        console.print(
            f"{member.name}: {count} examples from the toy world's MT system "
            f"(toy.mt_noise {recipe.toy.mt_noise}) -> {folder}",
            highlight=False,
        )
        reports.append(
            PairReport(
                member.task, member.language, system, spec.train_split, count, count, 0, 0, 0, 0
            )  # fmt: skip
        )
    return reports
