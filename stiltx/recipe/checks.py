"""Semantic recipe checks: value ranges, task names, files, and how the stages fit together.

Each check returns messages of the form "<key path>: got <value>, expected <what>"; `load.py`
collects them all before anything runs.
"""

from __future__ import annotations

from pathlib import Path

from stiltx.errors import did_you_mean
from stiltx.recipe import schema


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_recipe(recipe: schema.Recipe) -> list[str]:
    problems: list[str] = []
    problems += _check_data(recipe.data)
    problems += _check_model(recipe.model)
    if recipe.intermediate is not None:
        problems += _check_sampling(recipe.intermediate.sampling, "intermediate.sampling")
        problems += _check_train(recipe.intermediate.train, "intermediate.train")
        if not recipe.intermediate.tasks:
            problems.append(
                "intermediate.tasks: got an empty list, expected at least one task "
                "(write `intermediate: null` for direct fine-tuning)"
            )
    problems += _check_train(recipe.target.train, "target.train")
    problems += _check_tasks(recipe)
    problems += _check_overrides(recipe.target)
    if recipe.retrieval.layer is not None and recipe.retrieval.layer < 0:
        problems.append(
            f"retrieval.layer: got {recipe.retrieval.layer}, expected >= 0 (0 = embeddings)"
        )
    if recipe.seeds and len(set(recipe.seeds)) != len(recipe.seeds):
        problems.append(f"seeds: got {list(recipe.seeds)}, expected distinct seeds")
    problems += _check_languages(recipe.eval.languages)
    return problems


def _check_data(data: schema.DataConfig) -> list[str]:
    if data.source != "local":
        return []
    if not data.data_dir:
        return ["data.data_dir: missing, expected a folder when data.source is 'local'"]
    if not Path(data.data_dir).expanduser().is_dir():
        return [f"data.data_dir: got {data.data_dir!r}, expected an existing folder (not found)"]
    return []


def _check_model(model: schema.ModelConfig) -> list[str]:
    problems = []
    if model.max_length < 8:
        problems.append(f"model.max_length: got {model.max_length}, expected >= 8")
    path = Path(model.name_or_path).expanduser()
    looks_local = model.name_or_path.startswith((".", "/", "~")) or path.exists()
    if looks_local and not (path / "config.json").is_file():
        problems.append(
            f"model.name_or_path: got {model.name_or_path!r}, expected a Hub id or a folder with "
            "config.json (file not found)"
        )
    return problems


def _check_train(train: schema.TrainConfig, where: str) -> list[str]:
    problems = []
    positive = {
        "lr": train.lr,
        "batch_size": train.batch_size,
        "grad_accum": train.grad_accum,
        "eval_every": train.eval_every,
        "save_every": train.save_every,
        "log_every": train.log_every,
        "keep_checkpoints": train.keep_checkpoints,
    }
    for key, value in positive.items():
        if _number(value) and value <= 0:
            problems.append(f"{where}.{key}: got {value}, expected a positive number")
    if not all(_number(v) for v in (train.warmup_ratio, train.weight_decay, train.max_grad_norm)):
        return problems  # a wrong type is already reported by the structural pass
    if train.max_steps is not None and train.max_steps <= 0:
        problems.append(f"{where}.max_steps: got {train.max_steps}, expected a positive integer")
    if train.epochs is not None and train.epochs <= 0:
        problems.append(f"{where}.epochs: got {train.epochs}, expected a positive number")
    if not 0 <= train.warmup_ratio < 1:
        problems.append(f"{where}.warmup_ratio: got {train.warmup_ratio}, expected 0 <= x < 1")
    if train.weight_decay < 0:
        problems.append(f"{where}.weight_decay: got {train.weight_decay}, expected >= 0")
    if train.max_grad_norm < 0:
        problems.append(
            f"{where}.max_grad_norm: got {train.max_grad_norm}, expected >= 0 (0 = off)"
        )
    if train.patience is not None and train.patience <= 0:
        problems.append(
            f"{where}.patience: got {train.patience}, expected a positive integer or null"
        )
    for tracker in train.log_with:
        if tracker not in ("tensorboard", "wandb", "mlflow", "comet_ml", "aim", "clearml"):
            problems.append(
                f"{where}.log_with: got {tracker!r}, expected an accelerate tracker "
                "(tensorboard, wandb, mlflow, ...)"
            )
    return problems


def _check_sampling(sampling: schema.SamplingConfig, where: str) -> list[str]:
    problems = []
    if sampling.temperature <= 0:
        problems.append(f"{where}.temperature: got {sampling.temperature}, expected > 0")
    if sampling.cap is not None and sampling.cap <= 0:
        problems.append(f"{where}.cap: got {sampling.cap}, expected a positive integer or null")
    if sampling.policy == "capped" and sampling.cap is None:
        problems.append(f"{where}.cap: missing, expected an integer K for policy 'capped'")
    if sampling.policy == "fixed" and not sampling.weights:
        problems.append(f"{where}.weights: missing, expected task -> weight for policy 'fixed'")
    if not sampling.with_replacement and sampling.policy != "proportional":
        problems.append(
            f"{where}.with_replacement: false visits every batch once per epoch, which is "
            f"proportional sampling; got policy {sampling.policy!r} (use policy: proportional, "
            "or with_replacement: true)"
        )
    for task, weight in sampling.weights.items():
        if weight < 0:
            problems.append(f"{where}.weights.{task}: got {weight}, expected >= 0")
    if sampling.anneal_steps is not None and sampling.anneal_steps <= 0:
        problems.append(
            f"{where}.anneal_steps: got {sampling.anneal_steps}, expected a positive integer"
        )
    return problems


def _registry():
    from stiltx.tasks import registry

    return registry


def _check_tasks(recipe: schema.Recipe) -> list[str]:
    from stiltx.tasks.spec import TaskKind

    registry = _registry()
    names = [t.name for t in registry.all_tasks()]
    problems = []

    def lookup(name: str, where: str):
        if name not in names:
            problems.append(f"{where}: unknown task {name!r}{did_you_mean(name, names)}")
            return None
        return registry.get_task(name)

    if recipe.intermediate is not None:
        from stiltx.plan import member_problems

        problems += member_problems(recipe)
    for i, name in enumerate(recipe.target.tasks):
        spec = lookup(name, f"target.tasks[{i}]")
        if spec is not None and spec.kind is TaskKind.RETRIEVAL:
            problems.append(
                f"target.tasks[{i}]: {name!r} is a retrieval task; expected it under retrieval.tasks"
            )
    for i, name in enumerate(recipe.retrieval.tasks):
        spec = lookup(name, f"retrieval.tasks[{i}]")
        if spec is not None and spec.kind is not TaskKind.RETRIEVAL:
            problems.append(
                f"retrieval.tasks[{i}]: {name!r} is a {spec.kind.value} task; expected a retrieval task"
            )
    return problems


def _check_overrides(target: schema.TargetConfig) -> list[str]:
    import dataclasses

    keys = [f.name for f in dataclasses.fields(schema.TrainConfig)]
    problems = []
    names = [t.name for t in _registry().all_tasks()]
    for task, values in target.overrides.items():
        # An override for a real task that this recipe does not run is harmless (recipes that
        # narrow target.tasks inherit the full override table); an unknown name is a typo.
        if task not in names:
            problems.append(f"target.overrides.{task}: unknown task{did_you_mean(task, names)}")
        if not isinstance(values, dict):
            problems.append(
                f"target.overrides.{task}: got {values!r}, expected a mapping of train keys"
            )
            continue
        for key in values:
            if key not in keys:
                problems.append(
                    f"target.overrides.{task}.{key}: unknown key{did_you_mean(key, keys)}"
                )
    return problems


def _check_languages(languages: tuple[str, ...]) -> list[str]:
    from stiltx.tasks.languages import GROUPS, LANGUAGES, lookup

    options = ["all", *sorted(GROUPS), *sorted(LANGUAGES)]
    return [
        f"eval.languages[{i}]: unknown language or group {name!r}{did_you_mean(name, options)}"
        for i, name in enumerate(languages)
        if name.lower() != "all" and name.lower() not in GROUPS and lookup(name) is None
    ]
