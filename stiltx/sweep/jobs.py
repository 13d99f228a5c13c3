"""Recipe patterns x seeds -> jobs; the sweep manifest (`sweep.json`). Torch-free.

A job is one ordinary run directory, `<sweep dir>/<recipe name>/seed-<s>`, produced by
`stiltx train --recipe R [--preset P] [--set k=v]... --set seed=S --out <run dir> [--resume]`,
so any job can be re-run or resumed alone, by hand, with the same command. A combining job
(merge/*, fusion/*) whose per-task models the sweep's single-task jobs of its seed train already
takes theirs (`reuse`, stiltx.sweep.reuse): its command adds `--set intermediate.combine.from=[their
run folders]`, and it runs after them.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import glob
import sys
from dataclasses import asdict, dataclass, is_dataclass, replace
from pathlib import Path
from typing import Any

from stiltx import atomic, run_files
from stiltx.errors import StiltxError, UnknownNameError, did_you_mean
from stiltx.plan import intermediate_stage, language_adapter_stages, target_stages
from stiltx.recipe.schema import Recipe
from stiltx.sweep.reuse import from_override, reused_models

MANIFEST = "sweep.json"
CONTROL, INTERMEDIATE, BASELINE = "control", "intermediate", "baseline"


@dataclass(frozen=True)
class Job:
    id: str  # "<recipe name>/seed-<s>": also the run directory, relative to the sweep folder
    recipe: str  # the recipe's name (what results.json calls it)
    ref: str  # a bundled recipe name or an absolute path
    seed: int
    role: str  # control (no intermediate stage) / intermediate / baseline (recipes/baselines/*)
    preset: str | None
    overrides: tuple[str, ...]  # the --set overrides that apply to this recipe, seed last
    stages: str  # one line for --dry-run: what the run trains and for how many steps
    # ids of the single-task jobs whose models it combines (one per task, in order): run first
    reuse: tuple[str, ...] = ()

    def run_dir(self, sweep_dir: Path) -> Path:
        return Path(sweep_dir) / self.id

    def run_overrides(self, sweep_dir: Path) -> tuple[str, ...]:
        """The --set overrides of its run: `overrides`, and the models it takes (`reuse`)."""
        if not self.reuse:
            return self.overrides
        return (*self.overrides, from_override(sweep_dir, self.reuse))

    def train_args(self, sweep_dir: Path, resume: bool) -> list[str]:
        """The `stiltx train` arguments of this job (after `python -m stiltx`)."""
        args = ["train", "--recipe", self.ref]
        if self.preset:
            args += ["--preset", self.preset]
        for item in self.run_overrides(sweep_dir):
            args += ["--set", item]
        args += ["--out", str(self.run_dir(Path(sweep_dir)).resolve())]
        return args + (["--resume"] if resume else [])

    @property
    def slug(self) -> str:
        return self.id.replace("/", "__")


@dataclass(frozen=True)
class SweepSpec:
    """What the user asked for (the command line), stored in the manifest."""

    recipes: tuple[str, ...]  # patterns as given: direct, single/*, my/*.yaml
    seeds: tuple[int, ...]
    preset: str | None = None
    overrides: tuple[str, ...] = ()


def _is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def expand_recipes(patterns: tuple[str, ...] | list[str]) -> list[str]:
    """Bundled names and paths for comma-separated patterns; globs match both (in order, unique)."""
    from stiltx.recipe.find import find_recipe, list_recipes

    bundled = [r.name for r in list_recipes()]
    refs: list[str] = []
    for raw in patterns:
        for item in (p.strip() for p in raw.split(",")):
            if not item:
                continue
            if _is_glob(item):
                found = [n for n in bundled if fnmatch.fnmatchcase(n, item.removesuffix(".yaml"))]
                found += [
                    str(Path(p).resolve()) for p in sorted(glob.glob(item)) if p.endswith(".yaml")
                ]
                if not found:
                    raise UnknownNameError(
                        f"--recipes '{item}' matches no bundled recipe and no file; "
                        f"bundled: {', '.join(bundled)}"
                    )
                refs += found
            elif Path(item).expanduser().is_file():
                refs.append(str(Path(item).expanduser().resolve()))
            elif item.removesuffix(".yaml") in bundled:
                refs.append(item.removesuffix(".yaml"))
            else:
                find_recipe(item)  # raises with a did-you-mean
                refs.append(item)
    return list(dict.fromkeys(refs))


def role_of(ref: str, recipe: Recipe) -> str:
    """control: direct fine-tuning; baseline: recipes/baselines/* and MAD-X (no intermediate
    task, language adapters instead: compared with direct, not the control itself)."""
    if recipe.intermediate is None:
        return CONTROL if recipe.madx is None else BASELINE
    if ref.startswith("baselines/") or Path(ref).parent.name == "baselines":
        return BASELINE
    return INTERMEDIATE


def _applicable(recipe: Recipe, overrides: tuple[str, ...]) -> tuple[str, ...]:
    """Overrides of a section the recipe switched off or lacks (`intermediate` of direct,
    `intermediate.combine` of a mixture) do not apply."""
    out = []
    for item in overrides:
        node: Any = recipe
        for part in item.split("=", 1)[0].strip().split(".")[:-1]:
            if not is_dataclass(node):
                break
            node = getattr(node, "from_" if part == "from" else part, {})
            if node is None:
                break
        if node is not None:
            out.append(item)
    return tuple(out)


def describe_stages(recipe: Recipe, reuse: tuple[str, ...] = ()) -> str:
    """'intermediate anli + mnli (300 steps) -> targets mnli, pawsx (150 steps each) -> retrieval'
    (spaces between names: the line wraps on them at 80 columns); a combining job that takes
    its models from the jobs `reuse` says so."""

    def length(train) -> str:
        if train.max_steps is not None:
            return f"{train.max_steps} steps"
        return f"{train.epochs:g} epochs" if train.epochs is not None else "? steps"

    parts = []
    adapters = language_adapter_stages(recipe)
    if adapters:
        languages = ", ".join(stage.language for stage in adapters)
        parts.append(f"language adapters {languages} ({length(adapters[0].train)} each)")
    inter = intermediate_stage(recipe)
    if inter is not None and inter.from_:
        parts.append(f"intermediate from {inter.from_} (not trained)")
    elif inter is not None and recipe.intermediate.combine is not None:
        combine = recipe.intermediate.combine
        how = combine.merge if combine.kind == "merge" else "fusion"
        if reuse or combine.from_:
            source = f"from {', '.join(reuse or combine.from_)} (not trained again)"
        else:
            source = f"({length(inter.train)} each)"
        parts.append(f"intermediate {', '.join(recipe.intermediate.tasks)} {source} -> {how}")
    elif inter is not None:
        parts.append(
            f"intermediate {' + '.join(recipe.intermediate.tasks)} ({length(inter.train)})"
        )
    # "xquad/mlqa" (one stage on SQuAD) -> its length
    groups = {
        "/".join(t.name for t in stage.targets): length(stage.train)
        for stage in target_stages(recipe)
    }
    if len(set(groups.values())) == 1:
        parts.append(f"targets {', '.join(groups)} ({next(iter(groups.values()))} each)")
    elif groups:
        parts.append("targets " + ", ".join(f"{g} ({n})" for g, n in groups.items()))
    if recipe.retrieval.tasks:
        parts.append("retrieval " + ", ".join(recipe.retrieval.tasks))
    return " -> ".join(parts) or "nothing to train"


def plan_jobs(spec: SweepSpec) -> list[Job]:
    """Every (recipe, seed) job, each recipe validated; all problems reported at once."""
    from stiltx.recipe.load import load_recipe

    if not spec.seeds:
        raise StiltxError("--seeds: give at least one seed, e.g. --seeds 1,2,3")
    problems: list[str] = []
    jobs: list[Job] = []
    recipes: dict[str, Recipe] = {}
    names: dict[str, str] = {}
    for ref in expand_recipes(spec.recipes):
        try:
            bare = load_recipe(ref, preset=spec.preset)
            overrides = _applicable(bare, spec.overrides)
            recipe = load_recipe(ref, preset=spec.preset, overrides=overrides)
        except StiltxError as error:
            problems.append(str(error))
            continue
        try:
            name = run_files.component(recipe.name.replace("/", "-"), "recipe name")
        except StiltxError as error:
            problems.append(f"{ref}: {error}")
            continue
        if names.setdefault(name, ref) != ref:
            problems.append(
                f"recipes {names[name]} and {ref} are both named '{name}'; give one a distinct "
                "`name:` (runs are grouped by name)"
            )
            continue
        stages = describe_stages(recipe)
        for seed in spec.seeds:
            jobs.append(
                Job(
                    id=f"{name}/seed-{seed}",
                    recipe=recipe.name,
                    ref=ref,
                    seed=seed,
                    role=role_of(ref, recipe),
                    preset=spec.preset,
                    overrides=(*overrides, f"seed={seed}", "seeds=[]"),
                    stages=stages,
                )
            )
            recipes[jobs[-1].id] = replace(recipe, seed=seed, seeds=())
    if problems:
        raise StiltxError("the sweep cannot start:\n" + "\n".join(f"- {p}" for p in problems))
    return link_reuse(jobs, recipes)


def link_reuse(jobs: list[Job], recipes: dict[str, Recipe]) -> list[Job]:
    """`jobs` with each combining job linked to the single-task jobs (same seed) that train the
    very models it needs (stiltx.sweep.reuse); linked jobs go last, after every job they take
    from, the others keep their order."""
    linked = []
    for job in jobs:
        singles = [(o.id, recipes[o.id]) for o in jobs if o.seed == job.seed and o is not job]
        reuse = reused_models(recipes[job.id], singles)
        if reuse:
            job = replace(job, reuse=reuse, stages=describe_stages(recipes[job.id], reuse))
        linked.append(job)
    return [j for j in linked if not j.reuse] + [j for j in linked if j.reuse]


def relink(jobs: list[Job]) -> list[Job]:
    """`link_reuse` again over a subset of a sweep's jobs (a budgeted sweep drops some): a
    combining job whose single-task jobs are not all among them trains its own models."""
    from stiltx.recipe.load import load_recipe

    recipes = {j.id: load_recipe(j.ref, preset=j.preset, overrides=j.overrides) for j in jobs}
    unlinked = [replace(j, reuse=(), stages=describe_stages(recipes[j.id])) for j in jobs]
    return link_reuse(unlinked, recipes)


def parse_seeds(text: str) -> tuple[int, ...]:
    """'1,2,3' or '1-3' -> (1, 2, 3)."""
    seeds: list[int] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        try:
            if "-" in part[1:]:
                low, high = part.split("-", 1) if not part.startswith("-") else (part, part)
                seeds += range(int(low), int(high) + 1)
            else:
                seeds.append(int(part))
        except ValueError:
            raise StiltxError(f"--seeds '{text}': expected integers like 1,2,3 or 1-3") from None
    if len(set(seeds)) != len(seeds):
        raise StiltxError(f"--seeds '{text}': seeds repeat")
    return tuple(seeds)


# ---- the manifest -----------------------------------------------------------------------------------


def write_manifest(
    sweep_dir: Path, spec: SweepSpec, jobs: list[Job], selection: dict | None = None
) -> Path:
    """sweep.json: the request and every job. Jobs of an earlier request into the same folder stay
    listed (a sweep can grow: add the baselines later with --resume). A budgeted sweep's
    `selection` (sweep.budget.Choice) is recorded as such."""
    old = read_manifest(sweep_dir) if (Path(sweep_dir) / MANIFEST).is_file() else None
    merged = {j.id: j for j in (old[1] if old else [])}
    merged.update({j.id: j for j in jobs})
    body: dict[str, Any] = {
        "updated": dt.datetime.now().isoformat(timespec="seconds"),
        "command": sys.argv,
        "request": asdict(spec),
        "jobs": [asdict(j) for j in merged.values()],
    }
    if selection is not None:
        body["selection"] = selection
    return atomic.write_json(Path(sweep_dir) / MANIFEST, body)


def read_manifest(sweep_dir: Path) -> tuple[SweepSpec, list[Job]]:
    path = Path(sweep_dir) / MANIFEST
    if not path.is_file():
        raise StiltxError(
            f"{sweep_dir}: not a sweep folder (no {MANIFEST}); start one with "
            "`stiltx sweep --recipes ... --out DIR`"
        )
    try:
        raw = run_files.read_json(path)
        request = raw["request"]
        spec = SweepSpec(
            recipes=tuple(request["recipes"]),
            seeds=tuple(request["seeds"]),
            preset=request.get("preset"),
            overrides=tuple(request.get("overrides", ())),
        )
        jobs = [
            replace(Job(**j), overrides=tuple(j["overrides"]), reuse=tuple(j.get("reuse", ())))
            for j in raw["jobs"]
        ]
        for job in jobs:
            for job_id in (job.id, *job.reuse):
                check_job_id(job_id)
    except (KeyError, TypeError, AttributeError, StiltxError) as error:
        raise StiltxError(f"{path}: not a valid sweep manifest ({error})") from None
    return spec, jobs


def check_job_id(job_id: object) -> str:
    """A job id is '<recipe name>/seed-<s>': two plain components, so its run folder stays in the
    sweep folder whatever sweep.json says."""
    parts = job_id.split("/") if isinstance(job_id, str) else []
    if len(parts) != 2 or not parts[1].startswith("seed-"):
        raise StiltxError(f"job id {job_id!r}: expected '<recipe name>/seed-<s>'")
    for part in parts:
        run_files.component(part, f"job id {job_id!r}: part")
    return job_id


def select(jobs: list[Job], names: tuple[str, ...]) -> list[Job]:
    """Jobs whose id or recipe matches one of `names` (globs allowed); all when `names` is empty."""
    if not names:
        return jobs
    chosen = [j for j in jobs if any(fnmatch.fnmatchcase(j.id, n) or j.recipe == n for n in names)]
    if not chosen:
        ids = [j.id for j in jobs]
        raise StiltxError(f"no job matches {', '.join(names)}{did_you_mean(names[0], ids)}")
    return chosen
