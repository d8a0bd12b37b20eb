"""What a report depends on beyond its files: its day, the versions of the tools that shape it,
and the environment variables that change it (inputs of an incremental build,
:mod:`analysis.build.incremental`).

- The day: a report is written as of its ``as_of`` parameter, or of the build day when that
  is empty (:func:`analysis.report.context.report_date`, which uses the local calendar: ``TZ``
  counts through it). A commitment past due, a year still unfinished, the date printed: each
  may change overnight, so the effective day is an input, at a day's granularity.
- Versions: the packages that compute, draw and render the report (:data:`DISTRIBUTIONS`,
  read with :mod:`importlib.metadata`; pandoc comes inside ``pypandoc-binary``, the Typst
  compiler inside ``typst``) and, for the Quarto renderer, ``quarto --version``, asked once per
  process.
- The environment: :data:`ENVIRONMENT`, the variables :mod:`analysis` reads that change what a
  report shows (the variables that only change where or how it runs, such as
  ``COOPREPORT_ROOT``, ``COOPREPORT_QUARTO_TMP`` or ``COOPREPORT_FORK_KERNELS``, are not: the
  project's paths are inputs already).

Standard library only: a build with nothing to do reads these too.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import subprocess
from collections.abc import Mapping
from importlib import metadata
from typing import Any

# distributions whose version changes what a report computes, draws or renders
DISTRIBUTIONS = (
    "pandas", "numpy", "altair", "vl-convert-python", "babel", "pycountry", "pymorphy3",
    "pymorphy3-dicts-ru", "duckdb", "nbconvert", "nbformat", "papermill", "nh3",
    "pypandoc-binary", "typst",
)
# environment variables that change a report's content (each is read where its constant is
# defined: tests check the names agree)
ENVIRONMENT = (
    "COOPREPORT_DATA_PATH",  # analysis.core.paths.DATA_PATH_ENV: the default registry
    "COOPREPORT_EMBED_LIMIT",  # analysis.report.attachments: attachment inside or beside
    "COOPREPORT_OUTPUT_LIMIT",  # analysis.report.output_budget: outputs kept or cut
    "SOURCE_DATE_EPOCH",  # dates the PDF tools (Typst, Quarto, pandoc) write into a file
)
NOT_INSTALLED = "not installed"
NOT_SET = "unset"


def today() -> dt.date:
    """The build day, in the local calendar (as :func:`analysis.report.context.report_date`)."""
    return dt.date.today()


def effective_as_of(parameter: object) -> str:
    """The day a report is written as of: its ``as_of`` parameter when given (``YYYY-MM-DD``),
    else the build day."""
    text = str(parameter).strip() if parameter is not None else ""
    return text or today().isoformat()


@functools.cache
def _distribution(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return NOT_INSTALLED


@functools.cache
def quarto_version(executable: str | None) -> str:
    """``quarto --version`` (once per process and executable)."""
    if executable is None:
        return NOT_INSTALLED
    try:
        done = subprocess.run([executable, "--version"], capture_output=True, text=True,
                              timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return "unknown (quarto --version failed)"
    return done.stdout.strip() or "unknown"


def _find_quarto() -> str | None:
    # as analysis.render.quarto_cli.find_quarto, without importing the render stage
    import shutil

    named = os.environ.get("QUARTO_PATH")
    if named and os.path.isfile(named) and os.access(named, os.X_OK):
        return named
    return shutil.which("quarto")


def versions(renderer: str) -> dict[str, str]:
    """The versions of the tools that shape a report made with ``renderer``."""
    found = {name: _distribution(name) for name in DISTRIBUTIONS}
    if renderer == "quarto":
        found["quarto"] = quarto_version(_find_quarto())
    return found


def environment(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values of :data:`ENVIRONMENT` (``unset`` for a variable not set or empty)."""
    source = os.environ if env is None else env
    return {name: source.get(name, "").strip() or NOT_SET for name in ENVIRONMENT}


def describe(group: str, before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What changed in ``versions`` or ``environment``, in words: ``altair 6.0.1 (was 6.0.0)``,
    ``COOPREPORT_EMBED_LIMIT=5000 (was unset)``."""
    joiner = " " if group == "versions" else "="
    return [f"{key}{joiner}{now.get(key, NOT_INSTALLED if group == 'versions' else NOT_SET)} "
            f"(was {before.get(key, 'not recorded')})"
            for key in sorted(before.keys() | now.keys()) if before.get(key) != now.get(key)]
