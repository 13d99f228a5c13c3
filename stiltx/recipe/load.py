"""Load a recipe: YAML -> `extends` inheritance -> preset -> `--set` overrides -> strict validation.

Validation walks the YAML tree against the dataclasses of `schema.py` and collects EVERY problem
(key path, bad value, what was expected, did-you-mean) before raising one `RecipeError`, so a bad
recipe never starts a run and the user fixes everything in one go.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from pathlib import Path
from typing import Any, Literal, Union

import yaml

from stiltx.errors import RecipeError, StiltxError, did_you_mean
from stiltx.recipe import schema
from stiltx.recipe.find import find_preset, find_recipe

MAX_EXTENDS_DEPTH = 10

# Names users bring from `transformers` TrainingArguments / other toolkits -> our canonical key.
ALIASES = {
    "learning_rate": "lr",
    "num_train_epochs": "epochs",
    "per_device_train_batch_size": "batch_size",
    "train_batch_size": "batch_size",
    "gradient_accumulation_steps": "grad_accum",
    "warmup": "warmup_ratio",
    "model_name_or_path": "name_or_path",
    "max_seq_length": "max_length",
    "fp16": "mixed_precision",
    "bf16": "mixed_precision",
    "clip": "max_grad_norm",
    "early_stopping_patience": "patience",
}


# ---- public API -----------------------------------------------------------------------------------


def load_recipe(
    name_or_path: str | Path,
    preset: str | None = None,
    overrides: list[str] | tuple[str, ...] = (),
) -> schema.Recipe:
    """Resolve a bundled name or a path into a validated, frozen `Recipe`."""
    path = find_recipe(str(name_or_path))
    problems: list[str] = []  # every problem, reported at once (duplicate keys included)
    tree = read_tree(path, problems=problems)
    if preset:
        # A preset tunes the sections a recipe has; it never re-creates one the recipe switched off
        # (direct.yaml's `intermediate: null` stays null under --preset tiny).
        preset_tree = read_tree(find_preset(preset), problems=problems)
        tree = deep_merge(tree, _without_meta(preset_tree), keep_null=True)
    for item in overrides:
        try:
            key, value = parse_override(item)
        except StiltxError as error:
            problems.append(str(error))
            continue
        if _is_null_section(tree, key):
            problems.append(f"--set {item}: {key.split('.')[0]} is null in this recipe")
            continue
        tree = set_path(tree, key, value)
    tree.setdefault("name", path.stem if path.parent.name != "single" else f"single-{path.stem}")
    return build_recipe(tree, source=str(path), problems=problems)


def read_tree(path: Path, _depth: int = 0, problems: list[str] | None = None) -> dict[str, Any]:
    """Read one YAML file and resolve its `extends:` chain (child keys win, dicts merge deeply).

    A key written twice in one mapping is a problem (YAML would silently keep the last one):
    appended to `problems` when given, else raised."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise StiltxError(f"cannot read recipe {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise StiltxError(
            f"recipe {path}: not UTF-8 text (byte {error.start}: {error.reason}); expected a YAML file"
        ) from None
    duplicates: list[str] = []
    try:
        tree = _safe_load_strict(text, duplicates)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise StiltxError(f"recipe {path}{where}: invalid YAML ({error})") from None
    found = [f"{path}:{d}" for d in duplicates]
    if found and problems is None:
        raise RecipeError(str(path), found)
    if problems is not None:
        problems.extend(found)
    if tree is None:
        tree = {}
    if not isinstance(tree, dict):
        raise StiltxError(
            f"recipe {path}: expected a mapping at the top level, got {type(tree).__name__}"
        )
    parent = tree.pop("extends", None)
    if parent is None:
        return tree
    if _depth >= MAX_EXTENDS_DEPTH:
        raise StiltxError(
            f"recipe {path}: 'extends' chain deeper than {MAX_EXTENDS_DEPTH} (a cycle?)"
        )
    parent_path = find_recipe(str(parent), relative_to=path.parent)
    base = _without_meta(read_tree(parent_path, _depth + 1, problems))
    return deep_merge(base, tree)


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that records keys written twice in one mapping (`<<` merges may override)."""

    duplicates: list[str]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                if key in first:
                    self.duplicates.append(
                        f"{line}: duplicate key {key!r} (first at line {first[key]}); "
                        "expected each key once"
                    )
                else:
                    first[key] = line
            except TypeError:  # an unhashable key: SafeLoader reports it
                pass
        return super().construct_mapping(node, deep=deep)


def _safe_load_strict(text: str, duplicates: list[str]) -> Any:
    loader = _StrictLoader(text)
    loader.duplicates = duplicates
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_override(item: str) -> tuple[str, Any]:
    """'intermediate.train.lr=2e-5' -> ('intermediate.train.lr', 2e-05). Values are YAML-typed."""
    if "=" not in item:
        raise StiltxError(f"--set {item!r}: expected key.path=value")
    key, raw = item.split("=", 1)
    key = key.strip()
    if not key:
        raise StiltxError(f"--set {item!r}: empty key")
    try:
        value = yaml.safe_load(raw) if raw.strip() else ""
    except yaml.YAMLError:
        value = raw
    return key, value


def _is_null_section(tree: dict[str, Any], dotted: str) -> bool:
    head, _, rest = dotted.partition(".")
    return bool(rest) and head in tree and tree[head] is None


def set_path(tree: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """A copy of `tree` with `dotted` set to `value` (intermediate dicts are created)."""
    out = dict(tree)
    head, _, rest = dotted.partition(".")
    if not rest:
        out[head] = value
        return out
    child = out.get(head)
    out[head] = set_path(child if isinstance(child, dict) else {}, rest, value)
    return out


def deep_merge(
    base: dict[str, Any], over: dict[str, Any], keep_null: bool = False
) -> dict[str, Any]:
    """`over` wins; dicts merge recursively. keep_null: a section that is null in `base` stays null."""
    out = dict(base)
    for key, value in over.items():
        if keep_null and key in out and out[key] is None and isinstance(value, dict):
            continue
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value, keep_null)
        else:
            out[key] = value
    return out


def recipe_to_dict(recipe: schema.Recipe) -> dict[str, Any]:
    """Plain dict (lists, not tuples) in schema order: what `recipe.resolved.yaml` holds."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {yaml_key(f): plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(recipe)


def recipe_to_yaml(recipe: schema.Recipe) -> str:
    return yaml.safe_dump(recipe_to_dict(recipe), sort_keys=False, allow_unicode=True)


def recipe_hash(recipe: schema.Recipe) -> str:
    """Stable hash of everything that changes results (not the output folder)."""
    tree = recipe_to_dict(recipe)
    tree.pop("output_dir", None)
    return hashlib.sha256(json.dumps(tree, sort_keys=True).encode()).hexdigest()[:16]


def build_recipe(
    tree: dict[str, Any], source: str, problems: list[str] | None = None
) -> schema.Recipe:
    """Validate `tree` against the schema and the task registry; raise RecipeError with all problems."""
    problems = list(problems or [])
    recipe = _convert(schema.Recipe, tree, "", problems)
    if recipe is _BAD or recipe is None:
        recipe = None
    else:
        # A value of the wrong type was reported and replaced by its default, so the semantic
        # checks still run on everything else: every problem is reported at once.
        problems.extend(semantic_problems(recipe, structural=bool(problems)))
    if problems:
        raise RecipeError(source, problems)
    assert recipe is not None
    return recipe


# ---- structural validation (types, keys) ----------------------------------------------------------


def _without_meta(tree: dict[str, Any]) -> dict[str, Any]:
    """A parent recipe or preset contributes settings, not its identity."""
    return {k: v for k, v in tree.items() if k not in ("name", "description")}


def _describe(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(tp))
    if origin is tuple:
        return f"a list of {_describe(typing.get_args(tp)[0])}"
    if origin is dict:
        return "a mapping"
    if tp is type(None):
        return "null"
    if dataclasses.is_dataclass(tp):
        return "a mapping"
    return {int: "an integer", float: "a number", str: "a string", bool: "true or false"}.get(
        tp, getattr(tp, "__name__", str(tp))
    )


_BAD = object()  # a value that failed conversion (already reported); its field keeps the default


def _convert(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    """Convert a YAML value to `tp`, appending a message to `problems` for each mismatch.
    A value that cannot be converted comes back as `_BAD` (dropped by the caller)."""
    where = path or "<top>"
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return _convert(inner[0], value, path, problems)
        for arg in inner:
            trial: list[str] = []
            out = _convert(arg, value, path, trial)
            if not trial:
                return out
        problems.append(f"{where}: got {value!r}, expected {_describe(tp)}")
        return _BAD
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            hint = did_you_mean(str(value), [str(a) for a in allowed])
            problems.append(f"{where}: got {value!r}, expected {_describe(tp)}{hint}")
            return _BAD
        return value
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(tp, value, path, problems)
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            problems.append(f"{where}: got {value!r}, expected {_describe(tp)}")
            return _BAD
        items = (_convert(item_type, v, f"{path}[{i}]", problems) for i, v in enumerate(value))
        return tuple(item for item in items if item is not _BAD)
    if origin is dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            problems.append(f"{where}: got {value!r}, expected a mapping")
            return _BAD
        _, value_type = typing.get_args(tp)
        pairs = (
            (str(k), _convert(value_type, v, f"{path}.{k}", problems)) for k, v in value.items()
        )
        return {k: v for k, v in pairs if v is not _BAD}
    if tp is Any:
        return value
    return _convert_scalar(tp, value, where, problems)


def _convert_scalar(tp: Any, value: Any, where: str, problems: list[str]) -> Any:
    if tp is bool:
        if isinstance(value, bool):
            return value
    elif tp is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
    elif tp is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):  # YAML 1.1 reads "1e-5" as a string
            try:
                return float(value)
            except ValueError:
                pass
    elif tp is str:
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
    problems.append(f"{where}: got {value!r}, expected {_describe(tp)}")
    return _BAD


def yaml_key(field: dataclasses.Field) -> str:
    """The recipe key of a schema field (`from_` is written `from` in YAML)."""
    return field.metadata.get("key", field.name)


def _convert_dataclass(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    where = path or "<top>"
    if value is None:
        value = {}
    if not isinstance(value, dict):
        problems.append(f"{where}: got {value!r}, expected a mapping")
        return _BAD
    hints = typing.get_type_hints(tp)
    names = [yaml_key(f) for f in dataclasses.fields(tp)]
    for key in value:
        if key not in names:
            full = f"{path}.{key}" if path else str(key)
            alias = ALIASES.get(str(key))
            hint = (
                f" (did you mean '{alias}'?)" if alias in names else did_you_mean(str(key), names)
            )
            problems.append(f"{full}: unknown key{hint}; expected one of {', '.join(names)}")
    kwargs, bad = {}, []
    for field in dataclasses.fields(tp):
        key = yaml_key(field)
        if key in value:
            full = f"{path}.{key}" if path else key
            converted = _convert(hints[field.name], value[key], full, problems)
            if converted is _BAD:
                bad.append(field.name)
            else:
                kwargs[field.name] = converted
    missing = [
        f.name
        for f in dataclasses.fields(tp)
        if f.name not in kwargs
        and f.default is dataclasses.MISSING
        and f.default_factory is dataclasses.MISSING
    ]
    for name in missing:
        if name not in bad:
            problems.append(f"{path + '.' if path else ''}{name}: required key is missing")
    if missing:
        return _BAD
    return tp(**kwargs)


# ---- semantic validation --------------------------------------------------------------------------


def semantic_problems(recipe: schema.Recipe, structural: bool = False) -> list[str]:
    """Checks that need more than types: value ranges, task names, files, consistency.
    `structural`: type problems were found (and replaced by defaults) before these checks."""
    from stiltx.recipe.checks import check_recipe

    return check_recipe(recipe, tolerate_type_errors=structural)


def target_train_config(target: schema.TargetConfig, task: str) -> schema.TrainConfig:
    """The TrainConfig of one target task: `target.train` with `target.overrides.<task>` applied
    (typed and validated like the rest of the recipe)."""
    overrides = target.overrides.get(task)
    if not overrides:
        return target.train
    tree = deep_merge(recipe_to_dict(target.train), dict(overrides))
    problems: list[str] = []
    config = _convert(schema.TrainConfig, tree, f"target.overrides.{task}", problems)
    if problems:
        raise RecipeError(f"target.overrides.{task}", problems)
    return config
