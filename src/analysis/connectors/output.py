"""Write imported rows as a registry CSV: validated first, then moved into place atomically.

An importer never leaves a half-written or invalid file behind, and never touches an existing
file unless the new one is complete and valid.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path

from analysis.errors import DataValidationError, ParameterError
from analysis.registry import COLUMNS, read_activities


def write_registry_rows(rows: Iterable[Mapping[str, str]], output: Path) -> int:
    """Write ``rows`` (registry columns) to ``output`` and return how many were written.

    The rows are written to a temporary file beside ``output``, validated exactly as
    ``coopreport validate`` would, and only then renamed over ``output``.

    Raises
    ------
    DataValidationError
        When the rows do not form a valid registry; ``output`` is left as it was.
    """
    output = output.resolve()
    _refuse_foreign_file(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile("w", dir=output.parent, prefix=f".{output.stem}-",
                                         suffix=".csv", delete=False, encoding="utf-8",
                                         newline="")
    temporary = Path(handle.name)
    try:
        with handle:
            writer = csv.DictWriter(handle, fieldnames=list(COLUMNS), lineterminator="\n")
            writer.writeheader()
            count = 0
            for row in rows:
                writer.writerow({column: row.get(column, "") for column in COLUMNS})
                count += 1
        _, checked = read_activities(temporary)
        if checked.problems:  # name the intended file: the temporary one is about to go
            raise DataValidationError(replace(p, file=f"{output} (not written)")
                                      for p in checked.problems)
        os.chmod(temporary, 0o644)
        os.replace(temporary, output)
        return count
    finally:
        temporary.unlink(missing_ok=True)


def _refuse_foreign_file(output: Path) -> None:
    """Only a registry CSV (or nothing) may be replaced: never another kind of file."""
    if output.is_dir():
        raise ParameterError(f"--output {output}: is a folder; name a .csv file")
    if not output.exists():
        return
    try:
        with output.open("rb") as handle:
            first = handle.readline(4096).decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise ParameterError(f"--output {output}: cannot read the existing file ({exc})") from exc
    if first.strip().split(",")[:1] != [COLUMNS[0]]:
        raise ParameterError(f"--output {output}: the file exists and is not a registry CSV; "
                             "choose another --output or move that file away (nothing written)")
