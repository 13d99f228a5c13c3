"""`stiltx score TASK`: score another system's predictions with stiltx's metric code."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from stiltx.commands.options import console
from stiltx.errors import StiltxError


def score(
    task: Annotated[str, typer.Argument(help="Task name, e.g. xquad.")],
    gold: Annotated[
        str | None, typer.Option("--gold", help="Gold file in the task's native format.")
    ] = None,
    predictions: Annotated[
        str | None,
        typer.Option(
            "--predictions",
            help="QA: JSON {question_id: answer}; else jsonl {id?, prediction} per example.",
        ),
    ] = None,
    embeddings: Annotated[
        str | None,
        typer.Option("--embeddings", help="Tatoeba: .npy of the xx sentences' embeddings."),
    ] = None,
    english_embeddings: Annotated[
        str | None,
        typer.Option("--english-embeddings", help="Tatoeba: .npy of their English translations."),
    ] = None,
    language: Annotated[
        str | None,
        typer.Option(help="Language (default: from the gold file name; required for MLQA)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Score another system's predictions (or Tatoeba embeddings) with stiltx's metric code."""
    if embeddings or english_embeddings:
        from stiltx.evaluation.score_embeddings import score_embeddings  # numpy: on use

        if not (embeddings and english_embeddings) or gold or predictions:
            raise StiltxError(
                "give --embeddings and --english-embeddings together (and neither --gold nor "
                "--predictions)"
            )
        result = score_embeddings(task, language, embeddings, english_embeddings)
    else:
        from stiltx.evaluation.score_files import score_files  # start-up time: metrics on use

        if not (gold and predictions):
            raise StiltxError(
                "give --gold and --predictions (or, for tatoeba, --embeddings and "
                "--english-embeddings)"
            )
        result = score_files(task, gold, predictions, language=language)
    if as_json:
        print(json.dumps(result.as_json(), ensure_ascii=False))
        return
    table = Table(
        title=f"{result.task} ({result.language or 'language not given'})",
        caption=f"{result.num_predictions} predictions, {result.num_examples} gold examples",
    )
    table.add_column("metric", style="bold cyan")
    table.add_column("value (%)", justify="right")
    for name, value in result.metrics.items():
        table.add_row(name, f"{value:.2f}")
    console.print(table)
