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


def is_toy(recipe: dict) -> bool:
    """A model of the toy world: its 'languages' are synthetic, not the real ones of their codes."""
    return recipe.get("model", {}).get("name_or_path") == "toy" or (
        recipe.get("data", {}).get("source") == "toy"
    )


def _metadata(plan, results: dict | None, adapter: bool) -> dict[str, Any]:
    base = str(plan.recipe.get("model", {}).get("name_or_path", ""))
    toy = is_toy(plan.recipe)
    languages = sorted({s["language"] for s in (results or {}).get("scores", [])})
    meta: dict[str, Any] = {
        "library_name": "adapters" if adapter else "transformers",
        "tags": list(TAGS)
        + (["adapter-transformers"] if adapter else [])
        + (["toy"] if toy else []),
    }
    if base and base != "toy" and not Path(base).exists():  # a Hub id, e.g. xlm-roberta-large
        meta["base_model"] = base
    if languages and not toy:  # the toy world's `de` is a synthetic language, not German
        meta["language"] = languages
    return meta


def number(value: Any) -> str:
    """A count as people write it: 1,200; a fraction to one decimal (3.3, not 3.333333333333333)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.1f}"


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
            lines.append(f"| {task} | {number(entry.get('intended_steps', '–'))} | "
                         f"{number(entry.get('realized_steps', '–'))} |")  # fmt: skip
    return lines


def _data_lines(tasks: list[str], toy: bool = False) -> list[str]:
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
        where = "the toy world's synthetic version" if toy else where
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


def trained_on(plan) -> str | None:
    """The English task of a target card (`target:mnli` -> mnli); None for the intermediate one."""
    return plan.what.split(":", 1)[1] if plan.what.startswith("target:") else None


def _serves(task: str, train: str) -> bool:
    try:
        return (get_task(task).train_task or task) == train
    except Exception:  # a task this version does not know: its own name decides
        return task == train


def own_results(plan, results: dict | None) -> dict | None:
    """What the card's model scored: a target model's own tasks (mnli -> xnli), no averages over
    tasks it did not serve; the intermediate model: the whole run (every target started from it)."""
    train = trained_on(plan)
    if not results or train is None:
        return results
    agg = results.get("aggregates") or {}
    keep = lambda task: _serves(task, train)  # noqa: E731
    return {
        **results,
        "scores": [s for s in results.get("scores", []) if keep(s["task"])],
        "aggregates": {
            "benchmark": agg.get("benchmark", results.get("benchmark", "?")),
            "tasks": {t: v for t, v in (agg.get("tasks") or {}).items() if keep(t)},
            "missing_languages": {
                t: v for t, v in (agg.get("missing_languages") or {}).items() if keep(t)
            },
        },
    }


def _safe_results(plan, results: dict | None) -> list[str]:
    try:
        return _results_table(own_results(plan, results))
    except (AttributeError, TypeError, ValueError, KeyError) as error:  # odd values inside
        return _damaged("results.json", f"{type(error).__name__}: {error}")


def _base(plan) -> str:
    return str(plan.recipe.get("model", {}).get("name_or_path", "xlm-roberta-large"))


def _adapter_lines(plan, repo_id: str, heads: str = "") -> list[str]:
    return [
        "from huggingface_hub import snapshot_download",
        "from adapters import AutoAdapterModel",
        "",
        f"path = snapshot_download({repo_id!r})",
        f"model = AutoAdapterModel.from_pretrained({_base(plan)!r})",
        'name = model.load_adapter(f"{path}/adapter")',
        "model.set_active_adapters(name)",
        heads or '# heads: model.load_head(f"{path}/heads/<name>")',
    ]


def _load_lines(plan, repo_id: str, adapter: bool) -> list[str]:
    if trained_on(plan) is not None:
        return _predict_lines(plan, repo_id, adapter)
    lines = ["As the intermediate model of a stiltx recipe (target stages start from it):", "",
             "```yaml", "intermediate:", f"  from: {repo_id}", "```", "",
             "With the `adapters` library:", "", "```python"]  # fmt: skip
    if adapter:
        lines += _adapter_lines(plan, repo_id)
    else:
        lines += [
            "from adapters import AutoAdapterModel",
            "",
            f"model = AutoAdapterModel.from_pretrained({repo_id!r})  # encoder + task heads",
        ]
    return [*lines, "```"]


def _predict_lines(plan, repo_id: str, adapter: bool) -> list[str]:
    """A target model is used for prediction: tokenizer, model, its head, its labels."""
    train = trained_on(plan) or "?"
    try:
        spec = get_task(train)
        head, labels, kind = spec.head_name, spec.labels, spec.kind.value
    except Exception:  # a task this version does not know
        head, labels, kind = train, (), "?"
    lines = [f"For prediction ({kind}, head `{head}`), with `transformers` and `adapters`:", "",
             "```python", "from transformers import AutoTokenizer"]  # fmt: skip
    if adapter:
        lines += _adapter_lines(plan, repo_id, f'model.load_head(f"{{path}}/heads/{head}")')
        lines += ["tokenizer = AutoTokenizer.from_pretrained(path)"]
    else:
        lines += [
            "from adapters import AutoAdapterModel",
            "",
            f"tokenizer = AutoTokenizer.from_pretrained({repo_id!r})",
            f"model = AutoAdapterModel.from_pretrained({repo_id!r}).eval()  # encoder + head",
        ]
    lines += [
        'inputs = tokenizer("first text", "second text", return_tensors="pt")  # pairs; else one',
        f'output = model(**inputs, head="{head}")',
    ]
    if labels and kind == "classification":
        lines += [f"labels = {list(labels)!r}", "print(labels[output.logits.argmax(-1).item()])"]
    elif labels:
        lines += [f"labels = {list(labels)!r}  # per token: output.logits.argmax(-1)"]
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
    train = trained_on(plan)
    own = own_results(plan, results) if not results_problem else None
    served = sorted(((own or {}).get("aggregates") or {}).get("tasks") or {}) if train else []
    stage = (
        f"target** model for **{', '.join(served) or train}** (fine-tuned on {train}'s English "
        "training data, zero-shot on other languages)"
        if train
        else "intermediate** model"
    )
    toy = " A model of stiltx's synthetic toy world: its languages are not real ones."
    toy *= is_toy(plan.recipe)
    meta = yaml.safe_dump(_metadata(plan, results, adapter), sort_keys=False, allow_unicode=True)
    method = plan.recipe.get("method", {})
    parts = [
        "---",
        meta.rstrip(),
        "---",
        "",
        f"# {repo_id}",
        "",
        f"The **{stage} of the stiltx run `{run.name}` (recipe "
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
        + f", seed {plan.recipe.get('seed', '?')}.{toy}",
        "",
        "## How to load",
        "",
        *_load_lines(plan, repo_id, adapter),
        "",
        "## Intermediate training data" + (" (before the target stage)" if train else ""),
        "",
        *(_data_lines(tasks, is_toy(plan.recipe)) or ["(no intermediate stage)"]),
        "",
        "## Intermediate mixture (intended vs realized steps)",
        "",
        *(
            _damaged("mixture.json", mixture_problem)
            if mixture_problem
            else _mixture_table(mixture)
        ),
        "",
        "## Results (from results.json" + (f"; the tasks {train} serves)" if train else ")"),
        "",
        *(
            _damaged("results.json", results_problem)
            if results_problem
            else _safe_results(plan, results)
        ),
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
