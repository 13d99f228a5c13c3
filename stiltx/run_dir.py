"""The run directory: where a run writes its resolved recipe, environment, logs and results.

    runs/<name>-<timestamp>/  recipe.resolved.yaml  env.json  mixture.json  train_log.jsonl
                              intermediate/  target/<task>/  predictions/<task>/<language>.jsonl
                              results.json  report.md
Every file is written atomically (stiltx.atomic); the names are defined in stiltx.layout.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import fcntl
import json
import os
import platform
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from stiltx import atomic, run_files
from stiltx.errors import StiltxError
from stiltx.layout import ENV_FILE, INPUTS_FILE, RESOLVED_RECIPE
from stiltx.recipe.load import recipe_to_yaml
from stiltx.recipe.schema import Recipe

LOCK_FILE = ".stiltx.lock"
_STALE = re.compile(r"^\..+\.(tmp|old)$")  # stiltx.atomic's temporary names
PACKAGES = ("stiltx", "torch", "transformers", "adapters", "datasets", "accelerate", "tokenizers")


def new_run_dir(
    recipe: Recipe, out: str | Path | None = None, now: dt.datetime | None = None
) -> Path:
    """`out` if given, else a new, empty <recipe.output_dir>/<name>-<timestamp>[-n] folder.

    The folder is created here (mkdir fails when the name is taken), so two launches in the same
    second get two folders instead of one shared one."""
    if out is not None:
        return Path(out)
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        # Each process would stamp its own time: the processes must agree on one folder.
        raise StiltxError("several processes (accelerate launch): pass --out RUN_DIR")
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    base = Path(recipe.output_dir) / f"{recipe.name.replace('/', '-')}-{stamp}"
    try:
        base.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StiltxError(
            f"output_dir {base.parent}: cannot create it ({error.strerror})"
        ) from None
    for n in range(1, 10_000):
        path = base if n == 1 else base.with_name(f"{base.name}-{n}")
        try:
            path.mkdir()
        except FileExistsError:
            continue
        except OSError as error:
            raise StiltxError(f"{path}: cannot create the run folder ({error.strerror})") from None
        return path
    raise StiltxError(f"{base}: 10,000 run folders with this name and time; clean up {base.parent}")


@contextlib.contextmanager
def claim(run_dir: Path, *, resume: bool, recipe: Recipe) -> Iterator[None]:
    """Hold `run_dir` for one run: check it may be used, lock it, clear stale temporary files.

    A fresh run needs an empty (or new) folder; `--resume` needs a folder a run wrote (its
    recipe.resolved.yaml is the marker) with the same recipe. An exclusive lock (flock on
    RUN_DIR/.stiltx.lock) refuses a second process. Under `accelerate launch` the processes of
    one run are one run: the main process (RANK 0) takes the lock and checks the folder, the
    others wait for it at a barrier and take no lock.
    """
    run_dir = Path(run_dir)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if int(os.environ.get("RANK", "0")) != 0:
        _barrier(world)
        with run_files.guarded(run_dir):
            yield
        return
    with _locked(run_dir, resume) as created:
        try:
            run_files.check_tree(run_dir)  # a linked sub-folder would carry writes elsewhere
            _check_contents(run_dir, resume, recipe)
        except StiltxError:
            if created:  # refused before any work: leave the folder as it was found
                (run_dir / LOCK_FILE).unlink(missing_ok=True)
            raise
        remove_stale_temp_files(run_dir)
        _barrier(world)
        with run_files.guarded(run_dir):  # a link made while the run runs: refused at use
            yield


def _barrier(world: int) -> None:
    if world > 1:
        from accelerate import PartialState

        PartialState().wait_for_everyone()


@contextlib.contextmanager
def _locked(run_dir: Path, resume: bool) -> Iterator[bool]:
    if run_dir.exists() and not run_dir.is_dir():
        raise StiltxError(f"--out {run_dir}: is a file, expected a run folder")
    if resume and not run_dir.exists():
        raise StiltxError(f"--resume: {run_dir} does not exist (nothing to resume)")
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        fd, created = open_lock(run_dir / LOCK_FILE)
    except OSError as error:
        raise StiltxError(
            f"--out {run_dir}: cannot create or write the run folder ({error.strerror})"
        ) from None
    with os.fdopen(fd, "r+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise StiltxError(
                f"{run_dir} is in use by another stiltx process (pid {holder}); wait for it to "
                "finish, or choose another --out"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        try:
            yield created
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def open_lock(path: Path) -> tuple[int, bool]:
    """Open (creating, never truncating) the lock file without following a link: a link in its
    place would make the pid write land on the file it points to. Returns (fd, created)."""
    flags = os.O_RDWR | os.O_NOFOLLOW | os.O_CLOEXEC
    try:
        return os.open(path, flags | os.O_CREAT | os.O_EXCL, 0o644), True
    except FileExistsError:
        pass
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise StiltxError(
                f"{path}: is a symbolic link, expected stiltx's lock file; remove it and retry"
            ) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise StiltxError(f"{path}: is not a regular file, expected stiltx's lock file")
    return fd, False


@dataclass(frozen=True)
class LockHolder:
    """The live process holding a run folder's lock: its pid (as it wrote it) and since when."""

    pid: str
    since: str  # when it took the lock (the lock file's mtime), ISO seconds

    def __str__(self) -> str:
        return f"pid {self.pid}, since {self.since}"


def lock_holder(run_dir: Path) -> LockHolder | None:
    """Who holds `run_dir`'s lock now, or None. A flock ends with its process, so a held lock has
    a live holder and a stale lock file (its process gone) reads as free. The probe takes a shared
    lock and drops it at once; it creates nothing."""
    try:
        fd = os.open(Path(run_dir) / LOCK_FILE, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return None
    with os.fdopen(fd, "r", encoding="utf-8", errors="replace") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            since = dt.datetime.fromtimestamp(os.fstat(handle.fileno()).st_mtime)
            pid = handle.read().strip() or "unknown"
            return LockHolder(pid, since.isoformat(timespec="seconds"))
        except OSError:
            return None  # a file system without flock: nothing to tell
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
    return None


def _check_contents(run_dir: Path, resume: bool, recipe: Recipe) -> None:
    """A fresh run needs an empty folder; a resumed one needs a run marker and the same recipe."""
    from stiltx.recipe.load import recipe_to_dict

    contents = [p for p in run_dir.iterdir() if p.name != LOCK_FILE and not _STALE.match(p.name)]
    marker = run_dir / RESOLVED_RECIPE
    if contents and not resume:
        raise StiltxError(
            f"{run_dir} is not empty; pass --resume to continue that run, or choose another --out"
        )
    if not resume or not contents:
        return
    if not marker.is_file():
        names = ", ".join(sorted(p.name for p in contents)[:5])
        raise StiltxError(
            f"--resume: {run_dir} is not a stiltx run (expected {RESOLVED_RECIPE}, found: "
            f"{names}); nothing was changed. Resume a run folder, or choose an empty --out"
        )
    before, moved = _marker_recipe(marker, recipe)
    changed = _changed_keys(recipe_to_dict(before), recipe_to_dict(recipe))
    changed += [key for key in moved if not _same_models(key, run_dir, recipe)]
    if changed:
        raise StiltxError(
            f"--resume: the recipe differs from the one {run_dir} was started with "
            f"(changed: {', '.join(sorted(changed))}); resume with the same recipe, or start a "
            "new run"
        )


def _marker_recipe(marker: Path, recipe: Recipe) -> tuple[Recipe, list[str]]:
    """The recipe a run was started with, its model paths (`from_entries`) replaced by the new
    recipe's so that it loads even when those folders moved; and the keys whose paths differ."""
    from stiltx.recipe.load import build_recipe, read_tree, set_path

    tree = read_tree(marker)
    moved = []
    for key, values in from_entries(recipe).items():
        old = _get(tree, key)
        if old is None:
            continue  # the marker has none: the comparison below names the key
        if (list(old) if isinstance(old, list) else [old]) != values:
            moved.append(key)
        tree = set_path(tree, key, values if isinstance(old, list) else values[0])
    return build_recipe(tree, source=str(marker)), moved


def _get(tree: dict[str, Any], dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(tree, dict):
            return None
        tree = tree.get(part)
    return tree


def _same_models(key: str, run_dir: Path, recipe: Recipe) -> bool:
    """`intermediate.from` / `intermediate.combine.from` name, by other paths, the models the run
    started from (a sweep folder moved before `--resume`): the new entries' recorded files equal
    those in the run's inputs.json (`write_inputs`). Paths to anything but a finished run, or a
    run started before inputs.json, compare as paths only."""
    new = from_entries(recipe).get(key)
    if new is None:
        return False
    try:
        recorded = json.loads(run_files.read_text(run_dir / INPUTS_FILE))
    except (OSError, ValueError, StiltxError):
        return False
    return isinstance(recorded, dict) and recorded.get(key) == _identities(new)


def from_entries(recipe: Recipe) -> dict[str, list[str]]:
    """The recipe's entries naming models it starts from, by key."""
    inter = recipe.intermediate
    entries: dict[str, list[str]] = {}
    if inter is None:  # direct: no intermediate phase
        return entries
    if inter.from_:
        entries["intermediate.from"] = [inter.from_]
    if inter.combine is not None and inter.combine.from_:
        entries["intermediate.combine.from"] = list(inter.combine.from_)
    return entries


def write_inputs(run_dir: Path, recipe: Recipe) -> Path | None:
    """inputs.json: each model the run starts from, by content (`intermediate_from.identity`),
    so that `--resume` accepts the same models at new paths. None when it starts from none."""
    entries = from_entries(recipe)
    if not entries:
        (run_dir / INPUTS_FILE).unlink(missing_ok=True)
        return None
    return atomic.write_json(
        run_dir / INPUTS_FILE, {key: _identities(values) for key, values in entries.items()}
    )


def _identities(values: list[str]) -> list[str]:
    from stiltx.recipe import intermediate_from

    return [intermediate_from.identity(value) for value in values]


def _changed_keys(old: dict[str, Any], new: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            keys += _changed_keys(a, b, f"{prefix}{key}.")
        elif a != b and key != "output_dir":
            keys.append(f"{prefix}{key}")
    return keys


def remove_stale_temp_files(run_dir: Path) -> list[Path]:
    """Delete what interrupted atomic writes left (`.<name>.*.tmp`, `.<name>.old`); run under the
    lock, so no live write of this run can be hit. Returns what was removed."""
    removed = []
    for root, dirs, files in os.walk(run_dir):
        for name in [*dirs, *files]:
            if _STALE.match(name):
                path = Path(root) / name
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
        dirs[:] = [d for d in dirs if not _STALE.match(d)]
    return removed


def latest_run_dir(recipe: Recipe) -> Path | None:
    """The newest run folder of this recipe under its output_dir (for a bare `--resume`)."""
    base = Path(recipe.output_dir)
    prefix = f"{recipe.name.replace('/', '-')}-"
    runs = [p for p in base.glob(f"{prefix}*") if p.is_dir() and (p / RESOLVED_RECIPE).is_file()]
    return max(runs, key=lambda p: p.stat().st_mtime) if runs else None


def write_resolved_recipe(run_dir: Path, recipe: Recipe) -> Path:
    header = f"# Resolved recipe (re-runnable: stiltx train --recipe {run_dir / RESOLVED_RECIPE})\n"
    return atomic.write_text(run_dir / RESOLVED_RECIPE, header + recipe_to_yaml(recipe))


def environment(seed: int) -> dict[str, Any]:
    """Package versions, git commit, device names and seed (torch is imported only if present)."""
    env: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": platform.processor() or platform.machine(),
        "seed": seed,
        "git_commit": git_commit(),
        "packages": {},
    }
    for name in PACKAGES:
        try:
            env["packages"][name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            env["packages"][name] = None
    try:
        import torch

        env["device"] = "cuda" if torch.cuda.is_available() else "cpu"
        env["gpus"] = [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
        env["torch_threads"] = torch.get_num_threads()
    except ImportError:
        env["device"] = None
    return env


def write_env(run_dir: Path, seed: int) -> Path:
    return atomic.write_json(run_dir / ENV_FILE, environment(seed))


def git_commit() -> str | None:
    """The commit of the stiltx checkout, if running from one (None for an installed wheel)."""
    root = Path(__file__).resolve().parent.parent
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None
