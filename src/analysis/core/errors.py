"""One exception hierarchy for the whole toolkit.

Every error says what went wrong, where, and what to do about it. Entry points (the CLI, the
build runner) catch :class:`CoopReportError` and turn it into a message and an exit code;
anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class CoopReportError(Exception):
    """Base class of every error this toolkit raises on purpose."""


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in an input file, pointing at the exact place.

    ``line`` is the line in the file (the header is line 1); ``column`` is the field name, or a
    label in parentheses such as ``(file)`` or ``(header)`` for problems that are not in a field.
    """

    file: str
    line: int
    column: str
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {_show(self.value)}: {self.reason}"


def _show(value: str, limit: int = 80) -> str:
    """Render a value on one line: empty as ``""``, control characters escaped, long ones cut."""
    if value == "":
        return '""'
    # keep non-ASCII letters readable; escape only control characters such as newlines
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


class DataValidationError(CoopReportError):
    """An input data file breaks the registry's format. ``problems`` lists every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the data:"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class ParameterError(CoopReportError):
    """A report definition (params file) or a notebook parameter is wrong."""


class BuildError(CoopReportError):
    """A report could not be built."""


class RenderError(CoopReportError):
    """An executed notebook could not be rendered to HTML or PDF."""


class TaxonomyError(CoopReportError):
    """A vocabulary file under ``data/taxonomy/`` is malformed."""


class ConnectorError(CoopReportError):
    """A partner's data could not be fetched or read (network, HTTP, malformed responses or files).

    The message names the URL or the file concerned.
    """


class ExtractError(CoopReportError):
    """A press text could not be read or turned into draft rows, or drafts could not be appended.

    The message names the file (and line or field where there is one) and what to do.
    """
