"""The table a finished run prints: task x language scores, task means, categories, overall.

Reads only the `results.json` dict (no torch), so `stiltx evaluate` and `stiltx train` print the
same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table


def run_table(results: dict[str, Any], max_languages_as_columns: int = 8) -> Table:
    agg = results.get("aggregates", {})
    per_language: dict[str, dict[str, float]] = dict(agg.get("languages", {}))
    # Tasks outside the benchmark (or retrieval extras) still show, from their first metric.
    for row in results.get("scores", []):
        task = row["task"]
        if task in agg.get("languages", {}):
            continue
        if row["metric"] in ("accuracy", "f1", "map_at_20"):
            per_language.setdefault(task, {}).setdefault(row["language"], row["value"])
    languages = sorted({lang for values in per_language.values() for lang in values})
    if "en" in languages:
        languages.remove("en")
        languages.insert(0, "en")
    title = f"{results.get('recipe')} (seed {results.get('seed')}) on {agg.get('benchmark', '?')}"
    caption = "QA: (EM+F1)/2; POS/NER: seqeval F1; BUCC: F1; in percent"
    means = {}
    for task, values in per_language.items():
        mean = agg.get("tasks", {}).get(task)
        means[task] = mean if mean is not None else sum(values.values()) / len(values)
    tasks = list(per_language)
    if len(languages) <= max_languages_as_columns:  # task x language
        table = Table(title=title, caption=caption)
        table.add_column("task", style="bold")
        for lang in languages:
            table.add_column(lang, justify="right")
        table.add_column("avg", justify="right", style="bold")
        for task in tasks:
            cells = [_cell(per_language[task].get(lang)) for lang in languages]
            table.add_row(task, *cells, _cell(means[task]))
        return table
    # Many languages (real XTREME has 40): one row per language keeps 80 columns readable.
    table = Table(title=title, caption=caption)
    table.add_column("language", style="bold")
    for task in tasks:
        table.add_column(task, justify="right")
    for lang in languages:
        table.add_row(lang, *[_cell(per_language[task].get(lang)) for task in tasks])
    table.add_row("[bold]avg[/]", *[f"[bold]{_cell(means[t])}[/]" for t in tasks], end_section=True)
    return table


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def aggregate_table(results: dict[str, Any]) -> Table:
    agg = results.get("aggregates", {})
    table = Table(title="aggregates")
    table.add_column("category")
    table.add_column("score", justify="right")
    for category, value in agg.get("categories", {}).items():
        table.add_row(category, f"{value:.1f}")
    if agg.get("overall") is not None:
        table.add_row("[bold]overall[/]", f"[bold]{agg['overall']:.1f}[/]")
    missing = agg.get("missing_tasks") or []
    if missing:
        table.caption = f"not run: {', '.join(missing)} (overall covers the tasks above)"
    return table


def print_run_results(results: dict[str, Any], missing: Sequence[Any], console: Console) -> None:
    console.print(run_table(results))
    console.print(aggregate_table(results))
    if missing:
        console.print(f"[yellow]{len(missing)} (task, language) pairs could not be scored:[/]")
        for item in missing:
            console.print(
                f"  {item.task}/{item.language}: {item.reason}", markup=False, highlight=False
            )
