"""Errors a user can act on.

Every error stiltx raises on bad input is a `StiltxError`: the CLI prints its message (no traceback)
and exits with code 2. Messages name the file / line / key path, the bad value and what was expected.
"""

from __future__ import annotations

EXIT_CODE = 2


class StiltxError(Exception):
    """A problem with the user's input or environment, explained in one clean message."""

    exit_code = EXIT_CODE


class RecipeError(StiltxError):
    """A recipe failed validation. Holds every problem found, not just the first."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = list(problems)
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"recipe {source}: {len(self.problems)} {noun}\n{lines}")


class DataError(StiltxError):
    """A data file is missing or malformed (the message names the file and line or position)."""


class UnknownNameError(StiltxError):
    """A task, language, recipe or preset name that is not known (the message lists what is)."""


def did_you_mean(name: str, options: list[str] | tuple[str, ...]) -> str:
    """' (did you mean 'x'?)' for the closest option, or '' when nothing is close."""
    import difflib

    close = difflib.get_close_matches(name, list(options), n=1, cutoff=0.5)
    return f" (did you mean '{close[0]}'?)" if close else ""
