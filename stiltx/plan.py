"""What a recipe will do, without doing it: the stages it trains (`IntermediateStage`,
`TargetStage`: members, sampling, the resolved TrainConfig and max length, what to evaluate),
evaluation languages and splits.

Torch-free and I/O-free (label sets that live in the data are filled in by `stiltx.data.labels`).
The pipeline, `stiltx data prepare`, the sweep, re-evaluation and --dry-run all read the stages
from here, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from stiltx.errors import StiltxError, did_you_mean
from stiltx.recipe.convert import target_train_config
from stiltx.recipe.schema import MadxConfig, MLMConfig, Recipe, SamplingConfig, TrainConfig
from stiltx.tasks.benchmarks import get_benchmark
from stiltx.tasks.languages import GROUPS, resolve_languages
from stiltx.tasks.registry import get_task, task_names
from stiltx.tasks.spec import Selection, TaskKind, TaskSpec

TRAIN_LANGUAGE = "en"  # the language of the native training data of every intermediate task
SEPARATOR = "@"
TARGET_LANGUAGES = "target"  # `mlm@target`: the recipe's evaluation languages
RELEASED = "released"  # translate.languages: XTREME's released translate-train languages per task

Source = Literal["native", "translated"]


@dataclass(frozen=True)
class Member:
    """One stream of the intermediate mixture: a task's training data in one language.

    `native`: the task's own data (English for every intermediate task; raw text for `mlm`).
    `translated`: the English data machine-translated into `language`
    (`<translated root>/<task>/<language>/`, see `stiltx.data.translated`).
    """

    task: str
    language: str = TRAIN_LANGUAGE
    source: Source = "native"

    @property
    def name(self) -> str:
        """How recipes, mixture.json and sampling.weights write it: `mnli`, `mnli@de`, `mlm@sw`."""
        if self.language == TRAIN_LANGUAGE and self.source == "native":
            return self.task
        return f"{self.task}{SEPARATOR}{self.language}"


def parse_member(text: str) -> tuple[str, str | None]:
    """`mnli` -> ("mnli", None); `mlm@sw` -> ("mlm", "sw"); `mlm@xtreme` -> ("mlm", "xtreme")."""
    task, sep, where = str(text).strip().partition(SEPARATOR)
    if not sep:
        return task, None
    if not task or not where or SEPARATOR in where or " " in text.strip():
        raise StiltxError(
            f"mixture member {text!r}: expected TASK or TASK@LANGUAGE (a code, a group such as "
            f"'xtreme', or '{TARGET_LANGUAGES}'), e.g. 'mnli', 'mnli@de', 'mlm@sw', 'mlm@xtreme'"
        )
    return task, where


def intermediate_members(recipe: Recipe) -> tuple[Member, ...]:
    """Every member of the intermediate mixture, in recipe order, groups expanded.

    `intermediate.translate.languages` adds `task@language` for each English member of a task that
    can be translated (classification, multiple choice, QA); `translate.english: false` then drops
    the English members of those tasks (translated-only). A group keeps the languages a member can
    have: any known language for MLM text, every non-English language for translations.
    """
    inter = recipe.intermediate
    if inter is None:
        return ()
    entries = list(inter.tasks)
    if inter.translate.languages:
        entries = []
        for entry in inter.tasks:
            task, where = parse_member(entry)
            if where is not None or not translatable(get_task(task)):
                entries.append(entry)
                continue
            if inter.translate.english:
                entries.append(entry)
            for lang in inter.translate.languages:
                if lang.lower() != RELEASED:
                    entries.append(f"{task}{SEPARATOR}{lang}")
                    continue
                entries += [f"{task}{SEPARATOR}{code}" for code in released_languages(recipe, task)]
    members: list[Member] = []
    for entry in entries:
        task, where = parse_member(entry)
        spec = get_task(task)
        if where is None:
            members.append(Member(task))
            continue
        if where.lower() == TARGET_LANGUAGES:
            languages = target_languages(recipe)
        else:
            languages = resolve_languages([where])
        single = where.lower() not in (TARGET_LANGUAGES, *GROUPS)
        for language in languages:
            if language == TRAIN_LANGUAGE and spec.kind is not TaskKind.MLM and not single:
                continue  # a group means the task's other languages: English is `task` itself
            native = spec.kind is TaskKind.MLM or language in spec.languages
            members.append(Member(task, language, "native" if native else "translated"))
    unique = list(dict.fromkeys(members))
    return tuple(unique)


def released_languages(recipe: Recipe, task: str) -> tuple[str, ...]:
    """The languages XTREME released `task`'s training data machine-translated into: those of the
    targets it trains, in the benchmark's lists (MNLI -> XNLI's, SQuAD v1.1 -> XQuAD's and MLQA's;
    XTREME README "Translations"), among the recipe's evaluation languages. Other tasks: none."""
    if get_task(task).source.translated_release is None:
        return ()
    found = [
        code
        for spec in (get_task(name) for name in task_names())
        if spec.train_task == task
        for code in eval_languages(recipe, spec)  # the benchmark's list: XTREME's XQuAD has no ro
        if code != TRAIN_LANGUAGE
    ]
    return tuple(dict.fromkeys(found))


def translatable(spec: TaskSpec) -> bool:
    """Kinds whose fields can be translated one by one (tags cannot: words do not align)."""
    return spec.kind in (TaskKind.CLASSIFICATION, TaskKind.MULTIPLE_CHOICE, TaskKind.EXTRACTIVE_QA)


def target_languages(recipe: Recipe) -> tuple[str, ...]:
    """The languages the recipe evaluates on, over every target and retrieval task, English first."""
    found: list[str] = []
    for name in (*target_tasks(recipe), *recipe.retrieval.tasks):
        found += eval_languages(recipe, get_task(name))
    unique = dict.fromkeys(found)
    return tuple(sorted(unique, key=lambda code: (code != TRAIN_LANGUAGE, found.index(code))))


def target_tasks(recipe: Recipe) -> tuple[str, ...]:
    """The recipe's target tasks: `target.tasks`, else every trainable task of the benchmark."""
    if recipe.target.tasks:
        return recipe.target.tasks
    return tuple(
        t for t in get_benchmark(recipe.target.benchmark).task_names if get_task(t).fine_tuned
    )


def target_groups(recipe: Recipe) -> dict[str, list[TaskSpec]]:
    """English training task -> the targets it serves (xquad and mlqa share one SQuAD stage)."""
    groups: dict[str, list[TaskSpec]] = {}
    for name in target_tasks(recipe):
        spec = get_task(name)
        groups.setdefault(spec.train_task or spec.name, []).append(spec)
    # Targets that share training data share a stage only if they also share its settings.
    for train, specs in groups.items():
        configs = {target_train_config(recipe.target, s.name) for s in specs}
        if len(configs) != 1:
            raise StiltxError(
                f"target.overrides: {', '.join(s.name for s in specs)} all train on {train} but "
                "have different overrides; give them the same settings"
            )
    return groups


# ---- stages: what each training stage reads and how, resolved once ------------------------------


@dataclass(frozen=True)
class IntermediateStage:
    """Phase (ii): train on the mixture `members` (skipped, the model reused, when `from_` is set)."""

    members: tuple[Member, ...]
    sampling: SamplingConfig
    train: TrainConfig
    max_length: int  # train.max_length, else model.max_length
    dev_tasks: tuple[str, ...]  # English dev splits that model selection reads
    mlm: MLMConfig | None
    from_: str | None = None  # intermediate.from: a trained model to reuse instead


@dataclass(frozen=True)
class TargetEvaluation:
    """One target task scored zero-shot after its stage: languages, split and prediction head."""

    spec: TaskSpec
    languages: tuple[str, ...]
    split: str
    head: str  # the head it was trained with (xnli predicts with mnli's)


@dataclass(frozen=True)
class TargetStage:
    """Phase (iii): fine-tune on `train_task`'s English data, then evaluate every target it serves
    (xquad and mlqa share one SQuAD stage). `train` has `target.overrides` applied."""

    train_task: str
    targets: tuple[TaskSpec, ...]
    train: TrainConfig
    max_length: int  # train.max_length, else model.max_length
    dev_tasks: tuple[str, ...]
    evaluations: tuple[TargetEvaluation, ...]
    members: tuple[Member, ...]  # the one English member: `train_task`
    sampling: SamplingConfig = SamplingConfig(policy="proportional")
    mlm: MLMConfig | None = None
    select: Selection = "best"  # "last": no dev evaluation, the whole train split, final weights
    # Stages this one trains first, in order, on the same model (XCOPA: SocialIQA, then COPA, as
    # XTREME-R's scripts/train_xcopa.sh:56-100); each has no targets of its own.
    before: tuple[TargetStage, ...] = ()


def intermediate_stage(recipe: Recipe) -> IntermediateStage | None:
    """The intermediate stage, or None for direct fine-tuning (`intermediate: null`)."""
    inter = recipe.intermediate
    if inter is None:
        return None
    members = intermediate_members(recipe)
    return IntermediateStage(
        members=members,
        sampling=inter.sampling,
        train=inter.train,
        max_length=inter.train.max_length or recipe.model.max_length,
        dev_tasks=() if inter.train.select == "last" else dev_tasks(members),
        mlm=inter.mlm,
        from_=inter.from_,
    )


def per_task_stages(stage: IntermediateStage) -> tuple[IntermediateStage, ...]:
    """A combining recipe's stages (`intermediate.combine`): one per member, each the stage a
    `single/<task>` run trains (that member alone, selected on its own English dev)."""
    return tuple(
        replace(
            stage,
            members=(member,),
            dev_tasks=tuple(t for t in stage.dev_tasks if t == member.task),
        )
        for member in stage.members
    )


def target_stages(recipe: Recipe) -> tuple[TargetStage, ...]:
    """One stage per English training task, in target order."""
    stages = []
    for train_task, targets in target_groups(recipe).items():
        train = target_train_config(recipe.target, targets[0].name)
        members = (Member(train_task),)
        select = train.select or get_task(train_task).select
        evaluations = tuple(
            TargetEvaluation(
                spec,
                eval_languages(recipe, spec),
                eval_split(spec, recipe.eval.split),
                get_task(spec.train_task).head_name if spec.train_task else spec.head_name,
            )
            for spec in targets
        )
        stages.append(
            TargetStage(
                train_task=train_task,
                targets=tuple(targets),
                train=train,
                max_length=train.max_length or recipe.model.max_length,
                dev_tasks=() if select == "last" else dev_tasks(members),
                evaluations=evaluations,
                members=members,
                select=select,
                before=tuple(
                    _before_stage(task, train, select, recipe.model.max_length)
                    for task in _train_before(targets)
                ),
            )
        )
    return tuple(stages)


@dataclass(frozen=True)
class LanguageAdapterStage:
    """MAD-X: one language adapter trained by MLM on `language`'s text (the member `mlm@<lang>`),
    the encoder frozen, no dev selection (the last weights)."""

    language: str
    members: tuple[Member, ...]
    train: TrainConfig
    max_length: int
    mlm: MLMConfig
    sampling: SamplingConfig = SamplingConfig(policy="proportional")
    dev_tasks: tuple[str, ...] = ()


def madx_languages(madx: MadxConfig, recipe: Recipe) -> tuple[str, ...]:
    """The languages that get a language adapter: English (task adapters train on it) and
    `madx.languages` (codes, groups, `target`: every evaluation language), in that order; none
    when `madx.languages` is empty (a section that only tunes, as `--set madx.train...` makes)."""
    if not madx.languages:
        return ()
    found = [TRAIN_LANGUAGE]
    for name in madx.languages:
        if name.lower() == TARGET_LANGUAGES:
            found += target_languages(recipe)
        else:
            found += resolve_languages([name])
    return tuple(dict.fromkeys(found))


def language_adapter_stages(recipe: Recipe) -> tuple[LanguageAdapterStage, ...]:
    """One stage per language adapter the recipe trains (none without `madx`)."""
    madx = recipe.madx
    if madx is None:
        return ()
    return tuple(
        LanguageAdapterStage(
            language=language,
            members=(Member("mlm", language),),
            train=madx.train,
            max_length=madx.train.max_length or recipe.model.max_length,
            mlm=madx.mlm,
        )
        for language in madx_languages(madx, recipe)
        if language not in recipe.method.language_adapters  # given: not trained
    )


def _train_before(targets: list[TaskSpec]) -> tuple[str, ...]:
    """The tasks a stage trains first: those of its targets (targets sharing a stage agree)."""
    found = {spec.train_before for spec in targets}
    if len(found) != 1:
        names = ", ".join(spec.name for spec in targets)
        raise StiltxError(f"targets {names} share a training stage but differ in train_before")
    return found.pop()


def _before_stage(task: str, train: TrainConfig, select: Selection, max_length: int) -> TargetStage:
    """A stage trained before a target stage on `task`, with that stage's settings (XTREME-R's
    train_xcopa.sh:63-100 gives SocialIQA and COPA the same lr, epochs, batch and length)."""
    members = (Member(task),)
    return TargetStage(
        train_task=task,
        targets=(),
        train=train,
        max_length=train.max_length or max_length,
        dev_tasks=() if select == "last" else dev_tasks(members),
        evaluations=(),
        members=members,
        select=select,
    )


def stage_train_spec(stage: TargetStage, spec: TaskSpec) -> TaskSpec:
    """The spec a target stage trains `spec` with: a stage that keeps its last weights selects on
    nothing, so no dev split is held out of its training data (TyDiQA trains on all of it)."""
    if stage.select == "last" and spec.held_out is not None:
        return replace(spec, held_out=None)
    return spec


def dev_tasks(members: tuple[Member, ...]) -> tuple[str, ...]:
    """The tasks whose English dev split model selection reads: native English members with a dev
    split (translated and MLM members have none)."""
    found = []
    for member in members:
        spec = get_task(member.task)
        if (
            member == Member(member.task)
            and spec.kind not in (TaskKind.MLM, TaskKind.DUAL_ENCODER)  # no dev metric to select on
            and spec.dev_split in spec.splits
        ):
            found.append(member.task)
    return tuple(found)


def eval_split(spec: TaskSpec, split: str) -> str:
    """'test' / 'dev' name the task's own evaluation splits (TyDiQA-GoldP is scored on dev)."""
    return {"test": spec.test_split, "dev": spec.dev_split}.get(split, split)


def eval_languages(recipe: Recipe, spec: TaskSpec) -> tuple[str, ...]:
    """The languages to evaluate `spec` on: `all` means the task's languages in the recipe's
    benchmark (XTREME's 33 UD languages, XTREME-R's 38); groups and codes pick among them."""
    names = list(recipe.eval.languages)
    if any(n.lower() == "all" for n in names):
        benchmark = get_benchmark(recipe.target.benchmark)
        if spec.name in benchmark.task_names:
            listed = set(benchmark.task(spec.name).languages)
            return tuple(lang for lang in spec.languages if lang in listed)
        return spec.languages
    # Codes not offered by this task are skipped here (they may belong to other tasks).
    chosen: list[str] = []
    for name in names:
        try:
            chosen.extend(resolve_languages([name], spec.languages))
        except StiltxError:
            continue
    return tuple(lang for lang in spec.languages if lang in chosen)


def member_problems(recipe: Recipe) -> list[str]:
    """Every problem with the intermediate members that the recipe alone shows (no data read):
    unparsable specs, unknown tasks and languages, retrieval tasks, untranslatable tasks,
    `sampling.weights` keys that name no member, MLM and translate settings out of range."""
    inter = recipe.intermediate
    if inter is None:
        return []
    problems = []
    names = list(task_names())
    for i, entry in enumerate(inter.tasks):
        where = f"intermediate.tasks[{i}]"
        try:
            task, language = parse_member(entry)
        except StiltxError as error:
            problems.append(f"{where}: {error}")
            continue
        if task not in names:
            problems.append(f"{where}: unknown task {task!r}{did_you_mean(task, names)}")
            continue
        spec = get_task(task)
        if not spec.trainable:
            problems.append(
                f"{where}: {task!r} is a retrieval task (no training data); "
                "expected a trainable task — put it under retrieval.tasks"
            )
        elif language is not None:
            problems += _language_problems(spec, language, where)
    for i, language in enumerate(inter.translate.languages):
        if language.lower() not in (TARGET_LANGUAGES, RELEASED):
            problems += _known_language(language, f"intermediate.translate.languages[{i}]")
    if problems:
        return problems
    try:
        members = intermediate_members(recipe)
    except StiltxError as error:
        return [f"intermediate.tasks: {error}"]
    member_names = [m.name for m in members]
    tasks = {m.task for m in members}
    for key in inter.sampling.weights:
        if key not in member_names and key not in tasks:
            problems.append(
                f"intermediate.sampling.weights.{key}: not a member or task of the mixture "
                f"{member_names}{did_you_mean(key, [*member_names, *tasks])}"
            )
    if not 0.0 < inter.mlm.probability < 1.0:
        problems.append(
            f"intermediate.mlm.probability: got {inter.mlm.probability}, expected 0 < p < 1"
        )
    if inter.mlm.tokens_per_language <= 0:
        problems.append(
            f"intermediate.mlm.tokens_per_language: got {inter.mlm.tokens_per_language}, expected > 0"
        )
    if inter.translate.batch_size <= 0 or inter.translate.max_length < 8:
        problems.append(
            f"intermediate.translate: batch_size {inter.translate.batch_size} / max_length "
            f"{inter.translate.max_length}, expected batch_size >= 1 and max_length >= 8"
        )
    return problems


def _language_problems(spec: TaskSpec, language: str, where: str) -> list[str]:
    if language.lower() == TARGET_LANGUAGES:
        return []
    problems = _known_language(language, where)
    if problems or spec.kind is TaskKind.MLM or language in spec.languages:
        return problems
    if not translatable(spec):
        return [
            f"{where}: {spec.name} ({spec.kind.value}) is offered in {', '.join(spec.languages)} "
            f"only and cannot be machine-translated field by field; expected one of "
            f"{', '.join(spec.languages)}"
        ]
    return []


def _known_language(name: str, where: str) -> list[str]:
    try:
        resolve_languages([name])
    except StiltxError as error:
        return [f"{where}: {error}"]
    return []
