"""Typed conversion of a YAML tree into the frozen dataclasses of `schema.py`.

Every mismatch (key path, bad value, what was expected, did-you-mean) is appended to a list of
problems instead of raised, so `load.build_recipe` and `checks` report every problem at once.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, Literal, Union

from stiltx.errors import did_you_mean
from stiltx.recipe import schema

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


BAD = object()  # a value that failed conversion (already reported); its field keeps the default


def convert(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    """Convert a YAML value to `tp`, appending a message to `problems` for each mismatch.
    A value that cannot be converted comes back as `BAD` (dropped by the caller)."""
    where = path or "<top>"
    origin = typing.get_origin(tp)
    if origin in (Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        inner = [a for a in args if a is not type(None)]
        if len(inner) == 1:
            return convert(inner[0], value, path, problems)
        for arg in inner:
            trial: list[str] = []
            out = convert(arg, value, path, trial)
            if not trial:
                return out
        problems.append(f"{where}: got {value!r}, expected {_describe(tp)}")
        return BAD
    if origin is Literal:
        allowed = typing.get_args(tp)
        if value not in allowed:
            hint = did_you_mean(str(value), [str(a) for a in allowed])
            problems.append(f"{where}: got {value!r}, expected {_describe(tp)}{hint}")
            return BAD
        return value
    if tp is schema.TrainOverride:
        return _convert_override(value, path, problems)
    if dataclasses.is_dataclass(tp):
        return _convert_dataclass(tp, value, path, problems)
    if origin is tuple:
        item_type = typing.get_args(tp)[0]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple):
            problems.append(f"{where}: got {value!r}, expected {_describe(tp)}")
            return BAD
        items = (convert(item_type, v, f"{path}[{i}]", problems) for i, v in enumerate(value))
        return tuple(item for item in items if item is not BAD)
    if origin is dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            problems.append(f"{where}: got {value!r}, expected a mapping")
            return BAD
        _, value_type = typing.get_args(tp)
        pairs = (
            (str(k), convert(value_type, v, f"{path}.{k}", problems)) for k, v in value.items()
        )
        return {k: v for k, v in pairs if v is not BAD}
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
    return BAD


def yaml_key(field: dataclasses.Field) -> str:
    """The recipe key of a schema field (`from_` is written `from` in YAML)."""
    return field.metadata.get("key", field.name)


def _convert_dataclass(tp: Any, value: Any, path: str, problems: list[str]) -> Any:
    where = path or "<top>"
    if value is None:
        value = {}
    if not isinstance(value, dict):
        problems.append(f"{where}: got {value!r}, expected a mapping")
        return BAD
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
            converted = convert(hints[field.name], value[key], full, problems)
            if converted is BAD:
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
        return BAD
    return tp(**kwargs)


def _convert_override(value: Any, path: str, problems: list[str]) -> Any:
    """`target.overrides.<task>`: a mapping of TrainConfig keys -> a typed `TrainOverride`.
    An unknown key or a value of the wrong type is reported and dropped; the rest still apply."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        problems.append(f"{path}: got {value!r}, expected a mapping")
        return BAD
    hints = typing.get_type_hints(schema.TrainConfig)
    good: dict[str, Any] = {}
    for key, raw in value.items():
        if key not in hints:
            problems.append(f"{path}.{key}: unknown key{did_you_mean(str(key), list(hints))}")
            continue
        converted = convert(hints[key], raw, f"{path}.{key}", problems)
        if isinstance(converted, float) and type(raw) is int:
            # `epochs: 2` stays 2 (an int is a float here): resolved YAML and recipe hashes
            # read as before overrides were typed
            converted = raw
        if converted is not BAD:
            good[key] = converted
    return schema.TrainOverride(schema.TrainConfig(**good), tuple(good))


def target_train_config(target: schema.TargetConfig, task: str) -> schema.TrainConfig:
    """The TrainConfig of one target task: `target.train` with `target.overrides.<task>` applied."""
    override = target.overrides.get(task)
    return override.apply(target.train) if override is not None else target.train
