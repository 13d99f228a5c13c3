"""The model card (README.md) of a pushed stiltx model: what it is, how it was made, how it scores,
how to load it. YAML metadata that the Hub and `huggingface_hub.ModelCard` read, then Markdown.
Torch-free; pure text from the run's files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from stiltx import __version__, run_files
from stiltx.errors import StiltxError
from stiltx.tasks.registry import get_task

TAGS = ("stiltx", "intermediate-task-training", "stilts", "cross-lingual-transfer", "xtreme")


def _json(path: Path) -> tuple[dict | None, str]:
    """A run's JSON object, or None and why: '' when the file is absent, else what is wrong."""
    if not path.exists() and not path.is_symlink():
        return None, ""
    try:
        value = run_files.read_json(path)
    except (OSError, StiltxError) as error:
        return None, str(error)
    if not isinstance(value, dict):
        return None, f"{path}: expected a JSON object, got {type(value).__name__}"
    return value, ""


def _damaged(name: str, problem: str) -> list[str]:
    return [f"**{name} is damaged; not shown here** ({problem})."]


def _metadata(plan, results: dict | None, adapter: bool) -> dict[str, Any]:
    base = str(plan.recipe.get("model", {}).get("name_or_path", ""))
    languages = sorted({s["language"] for s in (results or {}).get("scores", [])})
    meta: dict[str, Any] = {
        "library_name": "adapters" if adapter else "transformers",
        "tags": list(TAGS) + (["adapter-transformers"] if adapter else []),
    }
    if base and base != "toy" and not Path(base).exists():  # a Hub id, e.g. xlm-roberta-large
        meta["base_model"] = base
    if languages:
        meta["language"] = languages
    return meta


def _mixture_table(mixture: dict | None) -> list[str]:
    if not mixture:
        return ["(no mixture.json: a single task or no intermediate stage)"]
    tasks = mixture.get("tasks") if isinstance(mixture.get("tasks"), dict) else None
    if tasks is None:
        return ["```json", json.dumps(mixture, indent=2), "```"]
    lines = [f"Policy: `{mixture.get('policy', '?')}`.", "",
             "| task | intended steps | realized steps |", "| --- | ---: | ---: |"]  # fmt: skip
    for task, entry in tasks.items():
        if isinstance(entry, dict):
            lines.append(f"| {task} | {entry.get('intended_steps', '–')} | "
                         f"{entry.get('realized_steps', '–')} |")  # fmt: skip
    return lines


def _data_lines(tasks: list[str]) -> list[str]:
    lines = []
    for name in tasks:
        try:
            spec = get_task(name.split("@")[0])
        except Exception:  # an unknown member name still gets a line
            lines.append(f"- `{name}`")
            continue
        source = spec.source
        hub = f"Hub `{source.hub_id}`" + (f" (`{source.hub_config}`)" if source.hub_config else "")
        where = hub if source.hub_id else f"local files ({source.local_format})"
        ref = f"; {spec.reference}" if spec.reference else ""
        lines.append(f"- `{name}`: {spec.description} — {where}{ref}")
    return lines


def _results_table(results: dict | None) -> list[str]:
    if not results:
        return ["(no results.json)"]
    agg = results.get("aggregates", {}) or {}
    tasks = agg.get("tasks") or {}
    lines = [f"Benchmark: `{agg.get('benchmark', results.get('benchmark', '?'))}`; metrics in "
             "percent, zero-shot from English (QA: (EM+F1)/2).", "",
             "| task | score | languages missing |", "| --- | ---: | --- |"]  # fmt: skip
    missing = agg.get("missing_languages") or {}
    for task, value in tasks.items():
        gaps = ", ".join(missing.get(task, [])) or "–"
        lines.append(f"| {task} | {value:.1f} | {gaps} |")
    for category, value in (agg.get("categories") or {}).items():
        flag = " (incomplete)" if category in (agg.get("incomplete_categories") or []) else ""
        lines.append(f"| *{category}*{flag} | {value:.1f} | |")
    if agg.get("overall") is not None:
        flag = "" if agg.get("complete", True) else " (incomplete: see missing tasks / languages)"
        lines.append(f"| **average**{flag} | {agg['overall']:.1f} | |")
    if agg.get("missing_tasks"):
        lines += ["", f"Not run: {', '.join(agg['missing_tasks'])}."]
    return lines


def _safe_results(results: dict | None) -> list[str]:
    try:
        return _results_table(results)
    except (AttributeError, TypeError, ValueError, KeyError) as error:  # odd values inside
        return _damaged("results.json", f"{type(error).__name__}: {error}")


def _load_lines(plan, repo_id: str, adapter: bool) -> list[str]:
    lines = ["As the intermediate model of a stiltx recipe (target stages start from it):", "",
             "```yaml", "intermediate:", f"  from: {repo_id}", "```", "",
             "With the `adapters` library:", "", "```python"]  # fmt: skip
    if adapter:
        lines += [
            "from huggingface_hub import snapshot_download",
            "from adapters import AutoAdapterModel",
            "",
            f"path = snapshot_download({repo_id!r})",
            f"model = AutoAdapterModel.from_pretrained({plan.recipe.get('model', {}).get('name_or_path', 'xlm-roberta-large')!r})",
            'name = model.load_adapter(f"{path}/adapter")',
            "model.set_active_adapters(name)",
            "# heads: model.load_head(f\"{path}/heads/<name>\")",
        ]  # fmt: skip
    else:
        lines += [
            "from adapters import AutoAdapterModel",
            "",
            f"model = AutoAdapterModel.from_pretrained({repo_id!r})  # encoder + task heads",
        ]
    return [*lines, "```"]


def card_text(plan, repo_id: str, folder: Path) -> str:
    """README.md of the pushed folder (loads with `huggingface_hub.ModelCard`)."""
    run = plan.run_dir
    results, results_problem = _json(run / "results.json")
    mixture, mixture_problem = _json(run / "mixture.json")
    adapter = (folder / "adapter").is_dir()
    recipe_text = run_files.read_text(run / "recipe.resolved.yaml")
    inter = plan.recipe.get("intermediate") or {}
    tasks = list(inter.get("tasks") or [])
    stage = "intermediate" if plan.what == "intermediate" else plan.what
    meta = yaml.safe_dump(_metadata(plan, results, adapter), sort_keys=False, allow_unicode=True)
    method = plan.recipe.get("method", {})
    parts = [
        "---",
        meta.rstrip(),
        "---",
        "",
        f"# {repo_id}",
        "",
        f"The **{stage}** model of the stiltx run `{run.name}` (recipe "
        f"`{plan.recipe.get('name', '?')}`): English intermediate-task training (STILTs) for "
        "zero-shot cross-lingual transfer (Phang et al., 2020). Base model "
        f"`{plan.recipe.get('model', {}).get('name_or_path', '?')}`, method "
        f"`{method.get('kind', '?')}`"
        + (f" (`{method.get('adapter')}`)" if method.get("kind") == "adapter" else "")
        + (
            " with " + ", ".join(f"`{g}`" for g in method["freeze"]) + " frozen"
            if method.get("kind") == "full" and method.get("freeze")
            else ""
        )
        + f", seed {plan.recipe.get('seed', '?')}.",
        "",
        "## How to load",
        "",
        *_load_lines(plan, repo_id, adapter),
        "",
        "## Intermediate training data",
        "",
        *(_data_lines(tasks) or ["(no intermediate stage)"]),
        "",
        "## Mixture (intended vs realized steps)",
        "",
        *(
            _damaged("mixture.json", mixture_problem)
            if mixture_problem
            else _mixture_table(mixture)
        ),
        "",
        "## Results (from results.json)",
        "",
        *(_damaged("results.json", results_problem) if results_problem else _safe_results(results)),
        "",
        "## Recipe (recipe.resolved.yaml)",
        "",
        "```yaml",
        recipe_text.rstrip(),
        "```",
        "",
        "## Provenance",
        "",
        f"- stiltx {(results or {}).get('stiltx_version', '?')} (card written by stiltx "
        f"{__version__}), git commit `{(results or {}).get('git_commit') or 'unknown'}`",
        f"- run started {(results or {}).get('started', '?')}, finished "
        f"{(results or {}).get('finished', '?')}, device {(results or {}).get('device', '?')}",
        "- the run's recipe, mixture, results and environment are in `stiltx/`",
        "",
    ]
    return "\n".join(parts)
