"""The table a finished run prints: task x language scores, task means, categories, overall,
and next to English the zero-shot mean (the other languages) and the transfer gap (en - zero-shot).

Reads only the `results.json` dict (no torch), so `stiltx evaluate` and `stiltx train` print the
same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from stiltx.report.coverage import GAP, SOURCE, ZERO_SHOT


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
    zero_shot, gap = transfer_split(per_language)
    if zero_shot:
        caption += (
            f"; {ZERO_SHOT}: mean over the languages but {SOURCE}; {GAP} = {SOURCE} - {ZERO_SHOT}"
        )
    extra = (ZERO_SHOT, GAP) if zero_shot else ()
    if len(languages) <= max_languages_as_columns:  # task x language
        table = Table(title=title, caption=caption)
        table.add_column("task", style="bold")
        for lang in languages:
            table.add_column(lang, justify="right")
            if lang == SOURCE:  # English, then what transfer reaches, then the gap
                for name in extra:
                    table.add_column(name, justify="right", style="italic")
        table.add_column("avg", justify="right", style="bold")
        for task in tasks:
            cells = []
            for lang in languages:
                cells.append(_cell(per_language[task].get(lang)))
                if lang == SOURCE and extra:
                    cells += [_cell(zero_shot.get(task)), _cell(gap.get(task))]
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
    if zero_shot:
        table.add_row(f"[italic]{ZERO_SHOT}[/]", *[_cell(zero_shot.get(t)) for t in tasks])
        table.add_row(f"[italic]{GAP}[/]", *[_cell(gap.get(t)) for t in tasks])
    return table


def transfer_split(
    per_language: dict[str, dict[str, float]],
) -> tuple[dict[str, float], dict[str, float]]:
    """({task: zero-shot mean over its languages but English}, {task: English - zero-shot});
    both empty when no task has English and another language."""
    zero_shot, gap = {}, {}
    for task, values in per_language.items():
        others = [v for lang, v in values.items() if lang != SOURCE]
        if others:
            zero_shot[task] = sum(others) / len(others)
            if SOURCE in values:
                gap[task] = values[SOURCE] - zero_shot[task]
    return (zero_shot, gap) if gap else ({}, {})


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
