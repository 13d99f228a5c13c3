"""Semantic recipe checks: value ranges, task names, files, and how the stages fit together.

Each check returns messages of the form "<key path>: got <value>, expected <what>"; `load.py`
collects them all before anything runs.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from stiltx.errors import did_you_mean
from stiltx.plan import TRAIN_LANGUAGE, eval_languages, madx_languages
from stiltx.recipe import schema
from stiltx.tasks.registry import get_task, task_names

# Far beyond any real setting, yet small enough not to exhaust memory or overflow: a value past
# these is a typo (1e30 for 1e-3, an extra zero group) that would otherwise fail hours later.
MAX_BATCH = 65_536
MAX_LENGTH = 131_072
MAX_STEPS = 1_000_000_000
MAX_EPOCHS = 10_000
MAX_PARALLEL = 1024  # target stages side by side (processes)
MAX_SEED = 2**32 - 1  # numpy's seed range
EVAL_SPLITS = ("test", "dev")  # each task maps them to its own split names (TyDiQA: dev)

# `adapters` config ids (adapters.ADAPTER_CONFIG_MAP), kept here so that validating a recipe
# does not import adapters/torch; tests/recipe/test_checks.py keeps the list in sync.
ADAPTER_IDS = (
    "compacter", "compacter++", "direft", "dora", "double_seq_bn", "double_seq_bn_inv", "dvora",
    "houlsby", "houlsby+inv", "ia3", "lora", "loreft", "mam", "mtl_lora", "noreft", "par_bn",
    "parallel", "pfeiffer", "pfeiffer+inv", "prefix_tuning", "prefix_tuning_flat",
    "prompt_tuning", "scaled_par_bn", "scaled_parallel", "seq_bn", "seq_bn_inv", "unipelt", "vera",
)  # fmt: skip

# accelerate's trackers (accelerate.utils.LoggerType): the modules that make one available
# (accelerate/utils/imports.py: is_tensorboard_available, ...) and the pip package to install.
TRACKERS: dict[str, tuple[tuple[str, ...], str]] = {
    "tensorboard": (("tensorboard", "tensorboardX"), "tensorboard"),
    "wandb": (("wandb",), "wandb"),
    "mlflow": (("mlflow",), "mlflow"),
    "comet_ml": (("comet_ml",), "comet-ml"),
    "aim": (("aim",), "aim"),
    "clearml": (("clearml",), "clearml"),
    "dvclive": (("dvclive",), "dvclive"),
    "swanlab": (("swanlab",), "swanlab"),
    "trackio": (("trackio",), "trackio"),
}

# Depth (num_hidden_layers) of the Hub models the paper uses, for the retrieval.layer check.
KNOWN_DEPTHS = {
    "xlm-roberta-base": 12,
    "xlm-roberta-large": 24,
    "xlm-roberta-xl": 36,
    "xlm-roberta-xxl": 48,
}


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_recipe(recipe: schema.Recipe, tolerate_type_errors: bool = False) -> list[str]:
    """Every semantic problem of `recipe`. Each check runs on its own, so one that cannot run (a
    value of the wrong type, already reported when `tolerate_type_errors`) hides no other."""
    checks = [
        lambda: _check_name(recipe.name),
        lambda: _check_data(recipe.data),
        lambda: _check_model(recipe.model),
        lambda: _check_method(recipe.method),
        lambda: _check_language_adapters(recipe),
        lambda: _check_intermediate(recipe.intermediate),
        lambda: _check_intermediate_from(recipe),
        lambda: _check_madx(recipe),
        lambda: _check_combine(recipe),
        lambda: _check_train(recipe.target.train, "target.train"),
        lambda: _check_tasks(recipe),
        lambda: _check_overrides(recipe.target),
        lambda: _check_parallel(recipe.target.parallel),
        lambda: _check_retrieval(recipe),
        lambda: _check_eval(recipe.eval),
        lambda: _check_seeds(recipe.seed, recipe.seeds),
        lambda: _check_languages(recipe.eval.languages),
        lambda: _check_toy(recipe.toy),
    ]
    problems: list[str] = []
    for check in checks:
        try:
            problems += check()
        except (TypeError, AttributeError, ValueError):
            if not tolerate_type_errors:
                raise
    return problems


def _check_name(name: str) -> list[str]:
    if not name.strip():
        return ["name: got an empty name, expected a few words (it names the run folder)"]
    bad = sorted({repr(c) for c in name if ord(c) < 32 or c == "\x7f"})
    if bad:
        return [
            f"name: got {name!r}, expected printable text (control characters {', '.join(bad)}; "
            "it names the run folder)"
        ]
    if name.replace("/", "-").strip(".") == "" or "\\" in name:
        return [f"name: got {name!r}, expected a few words (not only dots, no '\\'; it names "
                "the run folder)"]  # fmt: skip
    return []


def _check_intermediate(inter: schema.IntermediateConfig | None) -> list[str]:
    if inter is None:
        return []
    problems = _check_sampling(inter.sampling, "intermediate.sampling")
    problems += _check_train(inter.train, "intermediate.train")
    if not inter.tasks:
        problems.append(
            "intermediate.tasks: got an empty list, expected at least one task "
            "(write `intermediate: null` for direct fine-tuning)"
        )
    return problems


def _check_intermediate_from(recipe: schema.Recipe) -> list[str]:
    if recipe.intermediate is None or recipe.intermediate.from_ is None:
        return []
    from stiltx.recipe import intermediate_from

    return intermediate_from.problems(recipe.intermediate.from_, recipe.method.kind)


def _check_madx(recipe: schema.Recipe) -> list[str]:
    """MAD-X language adapters: adapter tuning only, known languages, a bounded MLM budget."""
    madx, method = recipe.madx, recipe.method
    if madx is None:
        if method.madx2 and not method.language_adapters:
            return ["method.madx2: true, but the recipe has no language adapters (expected a "
                    "`madx` section or method.language_adapters)"]  # fmt: skip
        return []
    problems = []
    if method.kind != "adapter" and madx.languages:
        problems.append(
            f"madx: language adapters stack under task adapters; got method.kind "
            f"{method.kind!r}, expected 'adapter'"
        )
    from stiltx.tasks.languages import GROUPS, lookup

    for i, name in enumerate(madx.languages):
        if name.lower() not in ("target", *GROUPS) and lookup(name) is None:
            options = ["target", *sorted(GROUPS)]
            problems.append(
                f"madx.languages[{i}]: unknown language or group {name!r}"
                f"{did_you_mean(name, options)}; expected a code, a group or 'target'"
            )
    base = madx.adapter.split("[", 1)[0].strip()
    if base not in ADAPTER_IDS:
        problems.append(
            f"madx.adapter: got {madx.adapter!r}, expected an adapters config id such as "
            f"seq_bn_inv (MAD-X's pfeiffer+inv){did_you_mean(base, ADAPTER_IDS)}"
        )
    problems += _check_train(madx.train, "madx.train")
    if madx.train.max_steps is None and madx.train.epochs is None:
        problems.append("madx.train: max_steps and epochs both null, expected one of them")
    if not 0.0 < madx.mlm.probability < 1.0:
        problems.append(f"madx.mlm.probability: got {madx.mlm.probability}, expected 0 < p < 1")
    if madx.mlm.tokens_per_language <= 0:
        problems.append(
            f"madx.mlm.tokens_per_language: got {madx.mlm.tokens_per_language}, expected > 0"
        )
    return problems + _limit("madx.seed", madx.seed, 0, MAX_SEED)


def _check_combine(recipe: schema.Recipe) -> list[str]:
    from stiltx.recipe import combine  # reads run folders' files, like intermediate.from

    return combine.problems(recipe)


def _check_method(method: schema.MethodConfig) -> list[str]:
    problems = []
    if method.freeze and method.kind != "full":
        problems.append(
            f"method.freeze: got {list(method.freeze)}, expected [] with method.kind "
            f"{method.kind!r} (adapter tuning already trains only the adapters and heads)"
        )
    problems += [
        f"method.freeze[{i}]: got {pattern!r}, expected a parameter-name glob such as "
        "'roberta.embeddings.*'"
        for i, pattern in enumerate(method.freeze)
        if not isinstance(pattern, str) or not pattern.strip()
    ]
    adapter = method.adapter
    base = adapter.split("[", 1)[0].strip()  # adapters also reads "lora[r=8]"
    if base in ADAPTER_IDS or Path(adapter).expanduser().is_file():
        return problems
    return problems + [
        f"method.adapter: got {adapter!r}, expected an adapters config id "
        f"({', '.join(ADAPTER_IDS)}) or a config file{did_you_mean(base, ADAPTER_IDS)}"
    ]


def _check_language_adapters(recipe: schema.Recipe) -> list[str]:
    """MAD-X: a language adapter for English (the training language) and for every language a
    target task is evaluated on, each a saved adapter folder or an AdapterHub id. Without this,
    a missing one would stop the run at evaluation, after its training."""
    adapters, key = recipe.method.language_adapters, "method.language_adapters"
    if not adapters:
        return []
    if recipe.method.kind != "adapter":
        return [f"{key}: given with method.kind {recipe.method.kind!r}, expected method.kind "
                "'adapter' (MAD-X stacks the task adapter on a language adapter)"]  # fmt: skip
    problems = []
    for language, where in adapters.items():
        path = Path(str(where)).expanduser()
        if path.is_dir() and not (path / "adapter_config.json").is_file():
            problems.append(f"{key}.{language}: {where} has no adapter_config.json; expected a "
                            "saved adapter folder or an AdapterHub id")  # fmt: skip
        elif not path.is_dir() and str(where).startswith((".", "/", "~")):
            problems.append(f"{key}.{language}: {where}: no such folder; expected a saved "
                            "adapter folder or an AdapterHub id")  # fmt: skip
    named = (*recipe.target.tasks, *recipe.retrieval.tasks)  # retrieval reads each side's too
    tasks = [get_task(t) for t in named if t in task_names()]
    needed = [TRAIN_LANGUAGE, *(lang for spec in tasks for lang in eval_languages(recipe, spec))]
    trained = set(madx_languages(recipe.madx, recipe)) if recipe.madx is not None else set()
    missing = [
        lang for lang in dict.fromkeys(needed) if lang not in adapters and lang not in trained
    ]
    if missing:
        problems.append(
            f"{key}: no adapter for {', '.join(missing)} (one is needed for {TRAIN_LANGUAGE}, the "
            "training language, and for each language the target and retrieval tasks are evaluated "
            "on); add "
            "them, or leave those languages out of eval.languages"
        )
    return problems


def _check_retrieval(recipe: schema.Recipe) -> list[str]:
    retrieval = recipe.retrieval
    problems = _limit("retrieval.batch_size", retrieval.batch_size, 1, MAX_BATCH)
    if retrieval.layer is None:
        return problems
    depth = model_depth(recipe.model.name_or_path, recipe.toy.size)
    if depth is not None and not -(depth + 1) <= retrieval.layer <= depth:
        problems.append(
            f"retrieval.layer: got {retrieval.layer}, expected 0..{depth} or -{depth + 1}..-1 "
            f"({recipe.model.name_or_path} has {depth} layers; 0 = embeddings, -1 = the last)"
        )
    return problems


def model_depth(name_or_path: str, toy_size: str) -> int | None:
    """num_hidden_layers when knowable without loading the model: the toy model, a known Hub id,
    or a local folder's config.json; None otherwise."""
    import json

    if name_or_path == "toy":
        from stiltx.toy.pretrain import NAMED_MODELS  # only for toy recipes

        model = NAMED_MODELS.get(toy_size)
        return model.num_layers if model is not None else None
    known = KNOWN_DEPTHS.get(name_or_path.rsplit("/", 1)[-1].lower())
    if known is not None:
        return known
    config = Path(name_or_path).expanduser() / "config.json"
    try:
        depth = json.loads(config.read_text(encoding="utf-8")).get("num_hidden_layers")
    except (OSError, ValueError, AttributeError):
        return None
    return depth if isinstance(depth, int) else None


def _check_eval(evaluation: schema.EvalConfig) -> list[str]:
    problems = _limit("eval.batch_size", evaluation.batch_size, 1, MAX_BATCH)
    if evaluation.split not in EVAL_SPLITS:
        problems.append(
            f"eval.split: got {evaluation.split!r}, expected one of {', '.join(EVAL_SPLITS)}"
            f"{did_you_mean(evaluation.split, EVAL_SPLITS)}"
        )
    return problems


def _check_seeds(seed: int, seeds: tuple[int, ...]) -> list[str]:
    problems = _limit("seed", seed, 0, MAX_SEED)
    for i, value in enumerate(seeds):
        problems += _limit(f"seeds[{i}]", value, 0, MAX_SEED)
    if seeds and len(set(seeds)) != len(seeds):
        problems.append(f"seeds: got {list(seeds)}, expected distinct seeds")
    return problems


def _limit(where: str, value: float | None, low: float, high: float) -> list[str]:
    """'<where>: got v, expected low..high' when a number is out of range, NaN or infinite."""
    import math

    if value is None or not _number(value):
        return []
    if not math.isfinite(value) or not low <= value <= high:
        return [f"{where}: got {value}, expected a number in {low:,}..{high:,}"]
    return []


def _check_toy(toy: schema.ToyConfig) -> list[str]:
    if _number(toy.mt_noise) and 0 <= toy.mt_noise <= 1:
        return []
    return [f"toy.mt_noise: got {toy.mt_noise!r}, expected a number in [0, 1]"]


def _check_data(data: schema.DataConfig) -> list[str]:
    if data.max_examples is not None and data.max_examples <= 0:
        return [f"data.max_examples: got {data.max_examples}, expected a positive integer or null"]
    if data.source != "local":
        return []
    if not data.data_dir:
        return ["data.data_dir: missing, expected a folder when data.source is 'local'"]
    if not Path(data.data_dir).expanduser().is_dir():
        return [f"data.data_dir: got {data.data_dir!r}, expected an existing folder (not found)"]
    return []


def _check_model(model: schema.ModelConfig) -> list[str]:
    problems = _limit("model.max_length", model.max_length, 8, MAX_LENGTH)
    if model.name_or_path == "toy":  # the toy world's tiny model, never a folder of that name
        return problems
    path = Path(model.name_or_path).expanduser()
    looks_local = model.name_or_path.startswith((".", "/", "~")) or path.exists()
    if looks_local and not (path / "config.json").is_file():
        problems.append(
            f"model.name_or_path: got {model.name_or_path!r}, expected a Hub id or a folder with "
            "config.json (file not found)"
        )
    return problems


def _check_train(train: schema.TrainConfig, where: str) -> list[str]:
    import math

    problems = []
    finite = {
        "lr": train.lr,
        "epochs": train.epochs,
        "warmup_ratio": train.warmup_ratio,
        "weight_decay": train.weight_decay,
        "max_grad_norm": train.max_grad_norm,
    }
    for key, value in finite.items():
        if _number(value) and not math.isfinite(value):
            problems.append(f"{where}.{key}: got {value}, expected a finite number")
    if problems:
        return problems  # NaN / inf make the comparisons below meaningless
    positive = {
        "lr": train.lr,
        "batch_size": train.batch_size,
        "grad_accum": train.grad_accum,
        "eval_every": train.eval_every,
        "save_every": train.save_every,
        "log_every": train.log_every,
        "keep_checkpoints": train.keep_checkpoints,
        "eval_examples": train.eval_examples,
    }
    for key, value in positive.items():
        if _number(value) and value <= 0:
            problems.append(f"{where}.{key}: got {value}, expected a positive number")
    upper = {
        "batch_size": MAX_BATCH,
        "grad_accum": MAX_BATCH,
        "max_length": MAX_LENGTH,
        "max_steps": MAX_STEPS,
        "eval_every": MAX_STEPS,
        "save_every": MAX_STEPS,
        "log_every": MAX_STEPS,
        "eval_examples": MAX_STEPS,
        "keep_checkpoints": 1000,
        "epochs": MAX_EPOCHS,
        "lr": 10.0,
    }
    for key, high in upper.items():
        value = getattr(train, key)
        if _number(value) and value > high:
            problems.append(f"{where}.{key}: got {value}, expected at most {high:,}")
    if train.max_length is not None and train.max_length < 8:
        problems.append(f"{where}.max_length: got {train.max_length}, expected >= 8 or null")
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
    if _number(train.length_buckets) and not 0 <= train.length_buckets <= 64:
        problems.append(
            f"{where}.length_buckets: got {train.length_buckets}, expected 0 (off) to 64"
        )
    if train.patience is not None and train.patience <= 0:
        problems.append(
            f"{where}.patience: got {train.patience}, expected a positive integer or null"
        )
    for tracker in train.log_with:
        problems += _check_tracker(tracker, f"{where}.log_with")
    return problems


def _check_tracker(tracker: str, where: str) -> list[str]:
    """A known accelerate tracker whose package is installed: accelerate would otherwise skip a
    missing one without a word (its is_<tracker>_available), and the run would log nothing."""
    if tracker not in TRACKERS:
        return [
            f"{where}: got {tracker!r}, expected an accelerate tracker{did_you_mean(tracker, list(TRACKERS))} "
            f"({', '.join(TRACKERS)})"
        ]
    modules, package = TRACKERS[tracker]
    if any(importlib.util.find_spec(module) is not None for module in modules):
        return []
    return [f"{where}: tracker {tracker!r} is not installed; pip install {package}"]


def _check_sampling(sampling: schema.SamplingConfig, where: str) -> list[str]:
    import math

    problems = []
    if not math.isfinite(sampling.temperature):
        problems.append(
            f"{where}.temperature: got {sampling.temperature}, expected a finite number"
        )
    elif sampling.temperature <= 0:
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
        if not math.isfinite(weight) or weight < 0:
            problems.append(f"{where}.weights.{task}: got {weight}, expected a finite number >= 0")
    if sampling.weights and not sum(sampling.weights.values()) > 0:
        problems.append(f"{where}.weights: all zero, expected at least one positive weight")
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
        from stiltx.plan import member_problems  # plan reads the recipe: a back-edge, kept lazy

        problems += member_problems(recipe)
    for i, name in enumerate(recipe.target.tasks):
        spec = lookup(name, f"target.tasks[{i}]")
        if spec is not None and not spec.fine_tuned:
            problems.append(
                f"target.tasks[{i}]: {name!r} is a retrieval task; expected it under retrieval.tasks"
            )
        if spec is not None and name in recipe.retrieval.tasks:
            problems.append(
                f"target.tasks[{i}]: {name!r} is under retrieval.tasks too; expected one of the "
                "two (target: XTREME-R's dual encoder; retrieval: zero-shot from the encoder)"
            )
    for i, name in enumerate(recipe.retrieval.tasks):
        spec = lookup(name, f"retrieval.tasks[{i}]")
        if spec is not None and spec.kind is not TaskKind.RETRIEVAL:
            problems.append(
                f"retrieval.tasks[{i}]: {name!r} is a {spec.kind.value} task; expected a retrieval task"
            )
    return problems


def _check_parallel(parallel: int | str) -> list[str]:
    if parallel == "auto" or (_number(parallel) and 1 <= parallel <= MAX_PARALLEL):
        return []
    return [
        f"target.parallel: got {parallel!r}, expected 'auto' or a whole number of target "
        f"stages at a time in [1, {MAX_PARALLEL}]"
    ]


def _check_overrides(target: schema.TargetConfig) -> list[str]:
    """Task names and value ranges of `target.overrides` (keys and types: `convert.py`)."""
    problems = []
    names = [t.name for t in _registry().all_tasks()]
    for task, override in target.overrides.items():
        # An override for a real task that this recipe does not run is harmless (recipes that
        # narrow target.tasks inherit the full override table); an unknown name is a typo.
        if task not in names:
            problems.append(f"target.overrides.{task}: unknown task{did_you_mean(task, names)}")
        where = f"target.overrides.{task}"
        merged = override.apply(target.train)
        given = set(override.keys)
        problems += [
            p for p in _check_train(merged, where) if p.split(":")[0].rsplit(".", 1)[-1] in given
        ]
    return problems


def _check_languages(languages: tuple[str, ...]) -> list[str]:
    from stiltx.tasks.languages import GROUPS, LANGUAGES, lookup

    options = ["all", *sorted(GROUPS), *sorted(LANGUAGES)]
    return [
        f"eval.languages[{i}]: unknown language or group {name!r}{did_you_mean(name, options)}"
        for i, name in enumerate(languages)
        if name.lower() != "all" and name.lower() not in GROUPS and lookup(name) is None
    ]
