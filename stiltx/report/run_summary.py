"""The table a finished run prints: task x language scores, task means, categories, overall.

Reads only the `results.json` dict (no torch), so `stiltx evaluate` and `stiltx train` print the
same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table


def run_table(results: dict[str, Any]) -> Table:
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
    table = Table(title=title, caption="QA: (EM+F1)/2; POS/NER: seqeval F1; BUCC: F1; in percent")
    table.add_column("task", style="bold")
    for lang in languages:
        table.add_column(lang, justify="right")
    table.add_column("avg", justify="right", style="bold")
    for task, values in per_language.items():
        cells = [f"{values[lang]:.1f}" if lang in values else "–" for lang in languages]
        mean = agg.get("tasks", {}).get(task)
        if mean is None and values:
            mean = sum(values.values()) / len(values)
        table.add_row(task, *cells, f"{mean:.1f}" if mean is not None else "–")
    return table


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
