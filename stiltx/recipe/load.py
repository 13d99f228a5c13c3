"""Load a recipe: YAML -> `extends` inheritance -> preset -> `--set` overrides -> strict validation.

Validation walks the YAML tree against the dataclasses of `schema.py` and collects EVERY problem
(key path, bad value, what was expected, did-you-mean) before raising one `RecipeError`, so a bad
recipe never starts a run and the user fixes everything in one go.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

import yaml

from stiltx import run_files
from stiltx.errors import RecipeError, StiltxError
from stiltx.recipe import schema
from stiltx.recipe.checks import check_recipe
from stiltx.recipe.convert import BAD, convert, yaml_key
from stiltx.recipe.find import find_preset, find_recipe

MAX_EXTENDS_DEPTH = 10

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
        tree = deep_merge(tree, _tuned_sections(preset_tree, tree), keep_null=True)
    for item in overrides:
        try:
            key, value = parse_override(item)
        except StiltxError as error:
            problems.append(str(error))
            continue
        if _is_null_section(tree, key):
            problems.append(_null_section_problem(item, key, tree.get("name") or path.stem))
            continue
        tree = set_path(tree, key, value)
        tree = _through_overrides(tree, key, value)
    tree.setdefault("name", path.stem if path.parent.name != "single" else f"single-{path.stem}")
    return build_recipe(tree, source=str(path), problems=problems)


def read_tree(path: Path, _depth: int = 0, problems: list[str] | None = None) -> dict[str, Any]:
    """Read one YAML file and resolve its `extends:` chain (child keys win, dicts merge deeply).

    A key written twice in one mapping is a problem (YAML would silently keep the last one):
    appended to `problems` when given, else raised."""
    try:
        text = run_files.guard(path).read_text(encoding="utf-8")  # a run's recipe: no link out
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


def _through_overrides(tree: dict[str, Any], dotted: str, value: Any) -> dict[str, Any]:
    """`--set target.train.<key>=v` applies to every target task: `v` also replaces `<key>` in
    each `target.overrides.<task>` that sets it (a per-task value never silently wins over the
    command line). A later `--set target.overrides.<task>.<key>` still wins for that task."""
    prefix = "target.train."
    key = dotted.removeprefix(prefix)
    target = tree.get("target")
    if not dotted.startswith(prefix) or "." in key or not isinstance(target, dict):
        return tree
    overrides = target.get("overrides")
    if not isinstance(overrides, dict):
        return tree
    for task, values in overrides.items():
        if isinstance(values, dict) and key in values:
            tree = set_path(tree, f"target.overrides.{task}.{key}", value)
    return tree


def _is_null_section(tree: dict[str, Any], dotted: str) -> bool:
    head, _, rest = dotted.partition(".")
    return bool(rest) and head in tree and tree[head] is None


def _null_section_problem(item: str, key: str, recipe: str) -> str:
    """`--set intermediate.tasks=...` on direct: the recipe has no such stage (not 'is null')."""
    section = key.split(".")[0]
    what = f"no {section} stage" if section == "intermediate" else f"no {section} section"
    return f"--set {item}: {recipe} has {what} ({section}: null); drop this --set or pick a recipe with one"


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
        if isinstance(value, schema.TrainOverride):  # only the keys the recipe gave
            return plain(value.as_dict())
        if dataclasses.is_dataclass(value):
            return {
                yaml_key(f): plain(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if "omit_if" not in f.metadata or getattr(value, f.name) != f.metadata["omit_if"]
            }
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
    recipe = convert(schema.Recipe, tree, "", problems)
    if recipe is BAD or recipe is None:
        recipe = None
    else:
        # A value of the wrong type was reported and replaced by its default, so the semantic
        # checks still run on everything else: every problem is reported at once.
        problems.extend(semantic_problems(recipe, structural=bool(problems)))
    if problems:
        raise RecipeError(source, problems)
    assert recipe is not None
    return recipe


# ---- tree helpers ---------------------------------------------------------------------------------


def _tuned_sections(preset: dict[str, Any], tree: dict[str, Any]) -> dict[str, Any]:
    """What a preset sets in this recipe: not its identity, and no optional section (one that is
    null by default, e.g. `madx`) the recipe does not have: the preset tunes it, never adds it."""
    optional = {yaml_key(f) for f in dataclasses.fields(schema.Recipe) if f.default is None}
    return {k: v for k, v in _without_meta(preset).items() if k in tree or k not in optional}


def _without_meta(tree: dict[str, Any]) -> dict[str, Any]:
    """A parent recipe or preset contributes settings, not its identity."""
    return {k: v for k, v in tree.items() if k not in ("name", "description")}


# ---- semantic validation --------------------------------------------------------------------------


def semantic_problems(recipe: schema.Recipe, structural: bool = False) -> list[str]:
    """Checks that need more than types: value ranges, task names, files, consistency.
    `structural`: type problems were found (and replaced by defaults) before these checks."""
    return check_recipe(recipe, tolerate_type_errors=structural)
