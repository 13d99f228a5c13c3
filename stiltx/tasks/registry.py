"""Every task stiltx knows, collected from the per-kind modules, checked once at import.

The registry is an explicit tuple (not filled by import side effects): to add a task, declare its
`TaskSpec` in the module of its kind and add it to that module's `TASKS`.
"""

from __future__ import annotations

from stiltx.errors import UnknownNameError, did_you_mean
from stiltx.tasks import classification, extractive_qa, mlm, multiple_choice, retrieval, tagging
from stiltx.tasks.spec import Role, TaskKind, TaskSpec

_ALL: tuple[TaskSpec, ...] = (
    *classification.TASKS,
    *multiple_choice.TASKS,
    *extractive_qa.TASKS,
    *tagging.TASKS,
    *retrieval.TASKS,
    *mlm.TASKS,
)


# How the papers write each task (XTREME, Hu et al. 2020 Table 1; XTREME-R, Ruder et al. 2021;
# Phang et al. 2020 Tables 1-3), and the benchmarks: paper-ready exports (LaTeX) print these;
# commands, recipes and the other formats keep the registry names a user types.
PAPER_NAMES: dict[str, str] = {
    "anli": "ANLI", "mnli": "MNLI", "qqp": "QQP", "xnli": "XNLI", "pawsx": "PAWS-X",
    "squad": "SQuAD", "squad_v2": "SQuAD 2.0", "xquad": "XQuAD", "mlqa": "MLQA",
    "tydiqa": "TyDiQA-GoldP", "mlm": "MLM", "hellaswag": "HellaSwag", "cosmosqa": "CosmosQA",
    "commonsenseqa": "CommonsenseQA", "socialiqa": "SocialIQA", "copa": "COPA", "xcopa": "XCOPA",
    "bucc2018": "BUCC", "tatoeba": "Tatoeba", "lareqa": "LAReQA", "mewsli_x": "Mewsli-X",
    "lareqa_squad": "SQuAD (LAReQA pairs)", "mewsli_x_wikipedia": "Mewsli-X (Wikipedia pairs)",
    "ccg": "CCG", "udpos": "UD-POS", "panx": "PAN-X",
    "xtreme": "XTREME", "xtreme-r": "XTREME-R",
}  # fmt: skip


def paper_name(name: str) -> str:
    """'xnli' -> 'XNLI', 'xtreme-r' -> 'XTREME-R'; any other name (a recipe, 'toy') as it is."""
    return PAPER_NAMES.get(name, name)


def check_tasks(tasks: tuple[TaskSpec, ...]) -> list[str]:
    """Every inconsistency in a task list (empty when fine): duplicate names, dangling train tasks,
    shared heads whose kind or labels differ, missing paths for declared splits, no paper name."""
    problems: list[str] = []
    by_name: dict[str, TaskSpec] = {}
    for spec in tasks:
        if spec.name in by_name:
            problems.append(f"task '{spec.name}' is declared twice")
        by_name[spec.name] = spec
    heads: dict[str, TaskSpec] = {}
    for spec in tasks:
        if spec.name not in PAPER_NAMES:
            problems.append(f"task '{spec.name}': no entry in PAPER_NAMES (how papers write it)")
        if spec.train_task is not None and spec.train_task not in by_name:
            problems.append(f"task '{spec.name}': train_task '{spec.train_task}' is not a task")
        for before in spec.train_before:
            if before not in by_name or not by_name[before].trainable:
                problems.append(f"task '{spec.name}': train_before '{before}' is no trainable task")
        if spec.kind is TaskKind.MULTIPLE_CHOICE and spec.num_choices < 2:
            problems.append(f"task '{spec.name}': multiple choice needs num_choices >= 2")
        if (spec.kind is TaskKind.RETRIEVAL) != (spec.retrieval_scoring is not None):
            problems.append(
                f"task '{spec.name}': retrieval_scoring is set for retrieval tasks only"
            )
        missing = [s for s in spec.splits if s not in spec.source.local_paths]
        if missing:
            problems.append(f"task '{spec.name}': no local path for split(s) {missing}")
        other = heads.setdefault(spec.head_name, spec)
        if other is not spec and (other.kind, other.labels, other.num_choices) != (
            spec.kind,
            spec.labels,
            spec.num_choices,
        ):
            problems.append(
                f"tasks '{other.name}' and '{spec.name}' share head '{spec.head_name}' but differ"
            )
    return problems


_PROBLEMS = check_tasks(_ALL)
if _PROBLEMS:  # a programming error in the declarations: fail loudly at import
    raise RuntimeError("task registry is inconsistent:\n" + "\n".join(_PROBLEMS))

_BY_NAME = {spec.name: spec for spec in _ALL}


def all_tasks() -> tuple[TaskSpec, ...]:
    """Every registered task, in declaration order (classification, MC, QA, tagging, retrieval, mlm)."""
    return _ALL


def task_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def get_task(name: str) -> TaskSpec:
    """The task called `name`; UnknownNameError lists the known tasks with a did-you-mean."""
    try:
        return _BY_NAME[name]
    except KeyError:
        known = ", ".join(_BY_NAME)
        raise UnknownNameError(
            f"unknown task '{name}'{did_you_mean(name, list(_BY_NAME))}; known tasks: {known}"
        ) from None


def tasks_of(
    kind: TaskKind | str | None = None, role: Role | str | None = None
) -> tuple[TaskSpec, ...]:
    """Tasks filtered by kind and / or role (enum members or their string values)."""
    try:
        kind = TaskKind(kind) if kind is not None else None
        role = Role(role) if role is not None else None
    except ValueError as error:
        kinds, roles = [k.value for k in TaskKind], [r.value for r in Role]
        raise UnknownNameError(
            f"{error}; kinds: {', '.join(kinds)}; roles: {', '.join(roles)}"
        ) from None
    return tuple(
        s for s in _ALL if (kind is None or s.kind is kind) and (role is None or s.role is role)
    )
