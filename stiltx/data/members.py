"""Reading one mixture member's split (`mnli`, `mnli@de`, `mlm@sw`), and checking that every
member's data is there before a run starts (`stiltx validate`, `stiltx train`).

- native English data and local MLM text: `load_split`, as for any task;
- `mlm@<language>` from the Hub: Wikipedia streamed to `intermediate.mlm.tokens_per_language`;
- translated members: `stiltx.data.translated`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from stiltx.data.corpus import stream_wikipedia, whitespace_tokens
from stiltx.data.labels import member_specs
from stiltx.data.load import load_split
from stiltx.data.paths import candidate_paths
from stiltx.data.translated import HOW_TO_TRANSLATE, find_translated, load_translated
from stiltx.errors import DataError, StiltxError
from stiltx.plan import Member, intermediate_members, language_adapter_stages
from stiltx.recipe.schema import DataConfig, MLMConfig
from stiltx.tasks.registry import get_task
from stiltx.tasks.spec import TaskKind, TaskSpec


def load_member(
    member: Member,
    spec: TaskSpec,
    split: str,
    data: DataConfig,
    *,
    mlm: MLMConfig | None = None,
    count_tokens: Callable[[str], int] = whitespace_tokens,
) -> list:
    """The labelled examples of one member's split (`spec`: the member's task, labels filled)."""
    if member.source == "translated":
        return load_translated(spec, member.language, split, data)
    if spec.kind is TaskKind.MLM and data.source == "hub":
        budget = (mlm or MLMConfig()).tokens_per_language
        return stream_wikipedia(member.language, budget, count_tokens)
    return load_split(spec, member.language, split, data, require_labels=True)


def data_problems(
    members: Sequence[Member], specs: dict[str, TaskSpec], data: DataConfig
) -> list[str]:
    """What is missing before training can start, per member: translation files (with the
    expected paths), local MLM corpora (missing or empty). Hub data is not probed (no network)."""
    problems = []
    for member in members:
        spec = specs[member.task]
        try:
            if member.source == "translated":
                find_translated(spec, member.language, spec.train_split, data)
            elif spec.kind is TaskKind.MLM and data.source == "local":
                _check_corpus(spec, member.language, data)
        except StiltxError as error:
            problems.append(f"{member.name}: {error}")
    return problems


def check_member_data(
    members: Sequence[Member], specs: dict[str, TaskSpec], data: DataConfig
) -> None:
    """DataError listing every member whose data is missing (before any training starts)."""
    problems = data_problems(members, specs, data)
    if problems:
        lines = "\n".join(f"  - {p}" for p in problems)
        hint = f"\n{HOW_TO_TRANSLATE}" if "no translated data" in lines else ""
        raise DataError(
            f"intermediate data: {len(problems)} member(s) cannot be read\n{lines}{hint}"
        )


def _check_corpus(spec: TaskSpec, language: str, data: DataConfig) -> None:
    root = Path(data.data_dir or ".").expanduser()
    paths = [p for p in candidate_paths(spec, language, spec.train_split, root) if p.is_file()]
    if not paths:
        expected = candidate_paths(spec, language, spec.train_split, root)[0]
        raise DataError(
            f"no MLM text for language {language!r}: expected {expected} (one paragraph per line)"
        )
    if not load_split(spec, language, spec.train_split, data):
        raise DataError(f"{paths[0]}: empty corpus (no non-blank line)")


def token_counter(tokenizer) -> Callable[[str], int]:
    """Tokens of a text as the model counts them (for the Hub MLM budget)."""

    def count(text: str) -> int:
        return len(tokenizer(text, add_special_tokens=False)["input_ids"])

    return count


def check_recipe_data(recipe, data: DataConfig) -> None:
    """`stiltx validate` / `train`: every non-English member's data is there (`data`: resolved),
    and the text of every MAD-X language adapter."""
    check_language_text(recipe, data)
    members = [m for m in intermediate_members(recipe) if m != Member(m.task)]
    if members:
        check_member_data(members, member_specs(tuple(members), data), data)


def needs_data_check(recipe) -> bool:
    """Whether the recipe has members beyond the English tasks or language adapters (whose data
    validate can check)."""
    members = any(m != Member(m.task) for m in intermediate_members(recipe))
    return members or bool(language_adapter_stages(recipe))


def check_language_text(recipe, data: DataConfig) -> None:
    """One line naming every MAD-X language without MLM text (local files; the Hub's Wikipedia is
    only known when streamed, where a missing language fails naming its config)."""
    if data.source != "local":
        return
    spec = get_task("mlm")
    problems = {}
    for stage in language_adapter_stages(recipe):
        try:
            _check_corpus(spec, stage.language, data)
        except StiltxError as error:
            problems[stage.language] = str(error)
    if len(problems) == 1:
        raise DataError(f"madx: {next(iter(problems.values()))}")
    if problems:
        names = ", ".join(repr(language) for language in problems)
        example = candidate_paths(spec, "<language>", spec.train_split, Path(data.data_dir or "."))
        raise DataError(
            f"madx: no MLM text for languages {names}: expected {example[0]} for each "
            "(one paragraph per line)"
        )


def licensed_data_warnings(recipe) -> list[str]:
    """`stiltx validate`: one line per task of the recipe whose data is licensed (no download:
    `how_to_get`, e.g. CCGbank) and whose files are not under data.data_dir, naming the fix.
    A warning, not an error: the files may be put in place before the run starts."""
    if recipe.data.source == "toy":  # the toy world generates its own
        return []
    root = Path(recipe.data.data_dir).expanduser() if recipe.data.data_dir else None
    warnings = []
    names = dict.fromkeys(m.task for m in intermediate_members(recipe) if m.source == "native")
    for name in names:
        spec = get_task(name)
        if not spec.source.how_to_get or spec.source.hub_id is not None:
            continue
        wanted = [spec.train_split, *(s for s in ("dev",) if s in spec.splits)]
        paths = [p for s in wanted for p in candidate_paths(spec, "en", s, root or Path("."))]
        if spec.labels_file:
            paths.append((root or Path(".")) / spec.labels_file)
        absent = [p for p in paths if root is None or not p.is_file()]
        if not absent:
            continue
        where = f"under {root}" if root else "(data.data_dir is not set)"
        others = [t for t in recipe.intermediate.tasks if t != name]
        drop = f", or drop {name} with --set 'intermediate.tasks=[{','.join(others)}]'"
        warnings.append(
            f"{name}: its files are absent {where}. {spec.source.how_to_get}; then "
            f"--set data.data_dir=DIR{drop if others else ''}"
        )
    return warnings
