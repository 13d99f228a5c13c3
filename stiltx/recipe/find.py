"""Find bundled recipes and presets by name, from a source checkout or an installed wheel.

The top-level `recipes/` folder is the single source of truth; `stiltx/recipes` is a symlink to it
so the YAML files also ship inside the wheel (package data).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stiltx.errors import UnknownNameError, did_you_mean


def bundled_dir() -> Path:
    """The folder holding the bundled recipes (checkout: ../recipes; wheel: stiltx/recipes)."""
    here = Path(__file__).resolve().parent.parent  # stiltx/
    for candidate in (here.parent / "recipes", here / "recipes"):
        if (candidate / "multitask9.yaml").is_file():
            return candidate
    raise UnknownNameError(f"bundled recipes not found next to {here} (a broken install?)")


@dataclass(frozen=True)
class RecipeInfo:
    name: str  # e.g. "multitask9", "single/mnli", "presets/tiny"
    path: Path
    summary: str  # the first comment line of the file: a title that fits `stiltx recipes`


def list_recipes(include_presets: bool = False) -> list[RecipeInfo]:
    root = bundled_dir()
    found = []
    for path in sorted(root.rglob("*.yaml")):
        name = path.relative_to(root).with_suffix("").as_posix()
        if name.startswith("presets/") and not include_presets:
            continue
        found.append(RecipeInfo(name, path, _summary(path)))
    return found


def find_recipe(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A path that exists wins; otherwise a bundled name like 'multitask9' or 'single/mnli'."""
    for base in ([relative_to] if relative_to else []) + [Path.cwd()]:
        candidate = (base / name_or_path).expanduser()
        if candidate.is_file():
            return _recipe_file(candidate, name_or_path)
        if candidate.with_suffix(".yaml").is_file() and not candidate.suffix:
            return candidate.with_suffix(".yaml")
    root = bundled_dir()
    name = name_or_path.removesuffix(".yaml")
    path = root / f"{name}.yaml"
    if path.is_file() and ".." not in Path(name).parts:
        return path
    names = [r.name for r in list_recipes()]
    raise UnknownNameError(
        f"recipe {name_or_path!r} not found: not a file, and not a bundled recipe"
        f"{did_you_mean(name, names)}. Bundled: {', '.join(names)}"
    )


def _recipe_file(path: Path, given: str) -> Path:
    """A user's file is a recipe only when it is YAML by name (never /etc/passwd and the like)."""
    if path.suffix not in (".yaml", ".yml"):
        raise UnknownNameError(
            f"recipe {given!r}: {path} is a file but not a recipe (expected a .yaml file or a "
            "bundled recipe name; `stiltx recipes list` shows them)"
        )
    return path


def find_preset(name: str) -> Path:
    root = bundled_dir() / "presets"
    path = Path(name).expanduser()
    if path.is_file():
        return _recipe_file(path, name)
    path = root / f"{name.removesuffix('.yaml')}.yaml"
    if path.is_file() and ".." not in Path(name).parts:
        return path
    names = sorted(p.stem for p in root.glob("*.yaml"))
    raise UnknownNameError(
        f"preset {name!r} not found{did_you_mean(name, names)}; presets: {', '.join(names)}"
    )


def _summary(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
        if line.strip():
            break
    return ""
