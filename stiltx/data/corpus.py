"""MLM text for members `mlm@<language>`: a local file per language, or Wikipedia streamed.

Local: `<data_dir>/mlm/<language>.txt`, one paragraph per line (what the toy world writes).
Hub: `wikimedia/wikipedia`, config `20231101.<language>` (columns id, url, title, text), read
with `datasets` streaming until a token budget per language is spent, so a whole Wikipedia is
never downloaded. Articles are cut into paragraphs (one line each), like the local files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from stiltx.errors import DataError
from stiltx.tasks.examples import MLMExample

WIKIPEDIA_ID = "wikimedia/wikipedia"
WIKIPEDIA_DUMP = "20231101"  # the processed dump on the Hub (configs 20231101.<language>)
MIN_PARAGRAPH_CHARS = 20  # headings and list stubs are not text worth masking

TokenCounter = Callable[[str], int]


def whitespace_tokens(text: str) -> int:
    """A tokenizer-free count (words); the pipeline counts with the model's tokenizer instead."""
    return len(text.split())


def paragraphs_within_budget(
    rows: Iterable[Mapping[str, Any]],
    budget: int,
    count_tokens: TokenCounter = whitespace_tokens,
    *,
    column: str = "text",
) -> list[MLMExample]:
    """Paragraphs of the rows' `column`, in order, until `budget` tokens are collected (the
    paragraph that crosses the budget is kept). Stops reading the (streamed) rows there."""
    examples: list[MLMExample] = []
    spent = 0
    for row in rows:
        for paragraph in str(row.get(column) or "").split("\n"):
            text = " ".join(paragraph.split())
            if len(text) < MIN_PARAGRAPH_CHARS:
                continue
            examples.append(MLMExample(str(len(examples)), text))
            spent += count_tokens(text)
            if spent >= budget:
                return examples
    return examples


def wikipedia_config(language: str) -> str:
    return f"{WIKIPEDIA_DUMP}.{language}"


def stream_wikipedia(
    language: str, budget: int, count_tokens: TokenCounter = whitespace_tokens
) -> list[MLMExample]:
    """`budget` tokens of `language`'s Wikipedia, streamed from the Hub (never a full download)."""
    # datasets: heavy, needed only to stream Wikipedia
    import datasets

    config = wikipedia_config(language)
    try:
        rows = datasets.load_dataset(WIKIPEDIA_ID, config, split="train", streaming=True)
        examples = paragraphs_within_budget(rows, budget, count_tokens)
    except Exception as error:  # network, unknown config, offline mode: one clean message
        raise DataError(
            f"cannot stream Hub dataset {WIKIPEDIA_ID} (config {config}): "
            f"{type(error).__name__}: {error}; expected a Wikipedia language code, and network "
            "access (or use data.source=local with <data_dir>/mlm/<language>.txt)"
        ) from None
    if not examples:
        raise DataError(f"{WIKIPEDIA_ID} {config}: no text (empty corpus)")
    return examples
