"""Limits and defaults shared by the params checks, the build runner and the command line."""

from __future__ import annotations

import os

from analysis.core.errors import ParameterError

DEFAULT_TIMEOUT_SECONDS = 900  # a report's notebook, all cells together (shipped ones: ~5 s)
MAX_TIMEOUT_SECONDS = 86_400


def bytes_from_environment(name: str, default: int, example: str) -> int:
    """A number of bytes set in the environment variable ``name``, or ``default`` when it is
    unset or empty.

    Raises
    ------
    ParameterError
        When the value is not a whole number of bytes (the message names the variable and
        gives ``example``).
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ParameterError(f"{name}={raw!r} is not a whole number of bytes; unset it or give "
                             f"e.g. {example}")
    return value
