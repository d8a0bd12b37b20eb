"""Write imported rows as a registry CSV: cleaned, validated, then moved into place atomically.

An importer never leaves a half-written or invalid file behind, and never touches an existing
file unless the new one is complete and valid. The rules every importer follows here:

- **Text is cleaned, not refused** (:mod:`analysis.data.cleaning`): unsafe characters are
  removed, tabs and line breaks become spaces, and a formula-like ``title``, ``counterpart``
  or ``source`` gets an apostrophe in front; each change is logged.
- **Only its own files are replaced** (:mod:`analysis.data.outputs`): each output gets a
  sidecar ``FILE.provenance.json`` (command, input, time, rows, SHA-256), and an existing
  file is replaced only when that sidecar still matches it. Curated files are never
  replaced. ``force`` (``--force``) overrides both; a file that is not a registry CSV, and a
  folder, link, device, pipe or socket, are never replaced. Refusals are
  :class:`~analysis.core.errors.ParameterError` (exit 2) and leave the file as it was.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import DataValidationError, ParameterError
from analysis.core.version import __version__
from analysis.data.cleaning import clean_rows
from analysis.data.outputs import (
    NOTHING_WRITTEN,
    absolute,
    check_plain_output,
    is_curated,
    sidecar_problem,
    write_with_sidecar,
)
from analysis.data.registry import read_activities
from analysis.data.registry_format import IMPORT_COLUMNS

log = logging.getLogger(__name__)

WRITER = "coopreport"


def write_registry_rows(rows: Iterable[Mapping[str, str]], output: Path, *, origin: str = "",
                        command: str = "import", force: bool = False) -> int:
    """Write ``rows`` (registry columns) to ``output`` and return how many were written.

    The rows are cleaned (:func:`~analysis.data.cleaning.clean_rows`), written to a temporary
    file beside ``output``, validated exactly as ``coopreport validate`` would, and only then
    renamed over ``output`` (:func:`~analysis.core.files.atomic_write`), followed by its
    provenance sidecar.

    Parameters
    ----------
    rows
        Registry rows, as dicts of column → text.
    output
        The registry CSV to write.
    origin
        The input file or URL, for log messages and the sidecar.
    command
        What wrote the file (e.g. ``import worldbank``), recorded in the sidecar.
    force
        Replace an existing registry CSV the importer did not write (see the module notes).

    Raises
    ------
    ParameterError
        When ``output`` may not be replaced (:func:`check_replaceable`); nothing is written.
    DataValidationError
        When the rows do not form a valid registry; ``output`` is left as it was.
    """
    output = absolute(output)
    check_replaceable(output, force)
    output.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(IMPORT_COLUMNS), lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in clean_rows(rows, origin or paths.display_path(output)):
        writer.writerow(row)
        count += 1

    def check(temporary: Path) -> None:
        _, checked = read_activities(temporary)
        if checked.problems:  # name the intended file: the temporary one is about to go
            raise DataValidationError(replace(p, file=f"{output} (not written)")
                                      for p in checked.problems)

    write_with_sidecar(output, buffer.getvalue(), {
        "written_by": f"{WRITER} {__version__}", "command": command, "input": origin,
        "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "rows": count,
    }, before_replace=check)
    return count


def check_replaceable(output: Path, force: bool = False) -> None:
    """Refuse (ParameterError, exit 2) to replace a file the importer may not replace.

    See :mod:`analysis.data.outputs` for the rules. Nothing is read but the first line of a
    plain file and the sidecar.
    """
    output = absolute(output)
    check_plain_output(output)  # a folder, link, device, pipe or socket: never, not even forced
    if not output.exists():
        return
    shown = paths.display_path(output)
    if not force and is_curated(output):
        raise ParameterError(
            f"--output {shown}: is curated data (the registry or its commitments, or a file "
            "listed with 'curated: true' in data/sources.yaml); importers never replace it. "
            "Write the imported rows to their own file (the default under data/sources/) and "
            "list it in data/sources.yaml; --force replaces the curated file anyway"
            + NOTHING_WRITTEN)
    try:
        with output.open("rb") as handle:
            first = handle.readline(4096).decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise ParameterError(f"--output {shown}: cannot read the existing file ({exc})") from exc
    if first.strip().split(",")[:1] != [IMPORT_COLUMNS[0]]:
        raise ParameterError(f"--output {shown}: the file exists and is not a registry CSV; "
                             "choose another --output or move that file away" + NOTHING_WRITTEN)
    if force:
        log.warning("--force: replacing %s, which the importer may not have written", shown)
        return
    problem = sidecar_problem(output)
    if problem is not None:
        raise ParameterError(f"--output {shown}: the file exists and {problem}; keep it by "
                             "choosing another --output, or add --force to replace it"
                             + NOTHING_WRITTEN)
