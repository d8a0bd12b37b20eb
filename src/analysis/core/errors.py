"""One exception hierarchy for the whole toolkit, and the exit code of each kind of failure.

Every error says what went wrong, where, and what to do about it. Entry points (the CLI, the
build runner) catch :class:`CoopReportError` and turn it into a message and the error's
``exit_code``; anything else is a bug, keeps its traceback and exits :data:`EXIT_INTERNAL`.

The exit codes tell a scheduler what to do next:

====  =====================  ===========================================================
code  name                   meaning
====  =====================  ===========================================================
0     EXIT_OK                done (reports with warnings included)
1     EXIT_FAILED            the work failed: a report did not build, a source or a
                             renderer failed (fix the report or the source, run again)
2     EXIT_USAGE             bad input: usage, data, params, an output folder that is
                             not coopreport's (fix the input; running again won't help)
69    EXIT_UNAVAILABLE       a tool or service is missing or unreachable: Quarto, Dask's
                             ``distributed``, a Dask scheduler, the extraction libraries,
                             apprise (``--notify``)
70    EXIT_INTERNAL          a bug in coopreport (the traceback is printed; report it)
74    EXIT_IO                cannot write: a full disk, no permission (free space, fix
                             permissions)
75    EXIT_LOCKED            another build holds the output folder (try again later)
128+N                        stopped by signal N (130 Ctrl-C, 143 SIGTERM, 129 SIGHUP)
====  =====================  ===========================================================

69, 70, 74 and 75 are the BSD ``sysexits.h`` codes of those situations.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from analysis.core.textsafety import escape_controls

MAX_SHOWN = 80  # characters of a value quoted in an error message


EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 69
EXIT_INTERNAL = 70
EXIT_IO = 74
EXIT_LOCKED = 75


class CoopReportError(Exception):
    """Base class of every error this toolkit raises on purpose."""

    exit_code: int = EXIT_FAILED


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


def _show(value: str, limit: int = MAX_SHOWN) -> str:
    """Render a value on one line: empty as ``""``, control characters escaped, long ones cut."""
    return '""' if value == "" else show_text(value, limit)


def show_value(value: Any, limit: int = MAX_SHOWN) -> str:
    """A value as error messages quote it: its ``repr``, cut to ``limit`` characters with "…".

    Never builds the full ``repr`` of a huge value: long strings are cut before quoting, and
    nested containers are abbreviated (``[1, 2, ...]``) first. Characters that do not print
    are escaped (:func:`~analysis.core.textsafety.escape_controls`).
    """
    if isinstance(value, str):
        shown = repr(value[: limit + 1])
        if len(value) > limit:
            shown = shown[:-1]  # an unfinished string: no closing quote, the "…" says so
    elif isinstance(value, int) and value.bit_length() > 3 * limit:  # str() may even refuse
        shown = f"<a number of {value.bit_length()} bits>"
    else:
        shortener = reprlib.Repr()
        shortener.maxlevel, shortener.maxstring, shortener.maxother = 3, limit, 10 * limit
        shortener.maxlist = shortener.maxdict = shortener.maxtuple = shortener.maxset = 6
        shown = shortener.repr(value)
    shown = escape_controls(shown)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def show_text(value: Any, limit: int = MAX_SHOWN) -> str:
    """Like :func:`show_value`, but a string is shown without quotes."""
    if isinstance(value, str):
        text = escape_controls(value[: limit + 1])
        return text if len(text) <= limit else text[: limit - 1] + "…"
    return show_value(value, limit)


class DataValidationError(CoopReportError):
    """An input data file breaks the registry's format. ``problems`` lists every problem found."""

    exit_code = EXIT_USAGE

    def __init__(self, problems: Iterable[Problem]):
        self.problems: list[Problem] = sorted(problems)
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the data:"
        super().__init__("\n".join([head, *(str(p) for p in self.problems)]))


class ParameterError(CoopReportError):
    """A report definition (params file), a notebook parameter or a command's argument is
    wrong."""

    exit_code = EXIT_USAGE


class ProjectNotFoundError(CoopReportError):
    """No coopreport project here: the working folder is not inside one and
    ``COOPREPORT_ROOT`` is not set."""

    exit_code = EXIT_USAGE


class BuildError(CoopReportError):
    """A report or a build could not be made."""


class OutputFolderError(BuildError):
    """The output folder cannot be coopreport's: a file, or a folder of someone else's files."""

    exit_code = EXIT_USAGE


class BuildLockedError(BuildError):
    """Another build is writing to the output folder (try again when it has finished)."""

    exit_code = EXIT_LOCKED


class StorageError(BuildError):
    """Files cannot be written: a full disk, no permission. Nothing half-written is left."""

    exit_code = EXIT_IO


class UnavailableError(CoopReportError):
    """A tool or service the command needs is missing or cannot be reached (Quarto, Dask's
    ``distributed`` or its scheduler, the extraction libraries, apprise for ``--notify``). The
    message says how to get it."""

    exit_code = EXIT_UNAVAILABLE


class RenderError(CoopReportError):
    """An executed notebook could not be rendered to HTML or PDF."""


class TaxonomyError(CoopReportError):
    """A vocabulary file under ``data/taxonomy/`` is malformed."""

    exit_code = EXIT_USAGE


class ConnectorError(CoopReportError):
    """A partner's data could not be fetched or read (network, HTTP, malformed responses or files).

    The message names the URL or the file concerned.
    """


class ExtractError(CoopReportError):
    """A press text could not be read or turned into draft rows, or drafts could not be appended.

    The message names the file (and line or field where there is one) and what to do.
    """

    exit_code = EXIT_USAGE
