"""Files the toolkit writes for users (imported registries, drafts): it replaces only its own.

Every such file gets a sidecar ``FILE.provenance.json`` (what wrote it, from what, when, its
SHA-256). The rules, for importers and ``coopreport extract`` alike:

- the output is always a plain file name: a folder, a device, a pipe, a socket or a symbolic
  link is refused, and so is a sidecar path that is not a plain file, before anything is
  written (``--force`` does not change this);
- curated data (``data/cooperation_events.csv``, ``data/commitments.csv``, every
  ``curated: true`` entry of ``data/sources.yaml``) is never replaced by the extractor, and by
  an importer only with ``--force``;
- an existing file is replaced only when its sidecar is there and still matches it (the tool
  wrote it and nobody edited it since); ``--force`` (importers) overrides this.

Refusals are :class:`~analysis.core.errors.ParameterError` (exit 2) and change nothing.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.core.files import atomic_write, sha256_file

SIDECAR_SUFFIX = ".provenance.json"
NOTHING_WRITTEN = "; nothing was written"


def provenance_path(output: Path) -> Path:
    """The sidecar beside ``output``: ``NAME.csv.provenance.json``."""
    return output.with_name(output.name + SIDECAR_SUFFIX)


def absolute(path: Path) -> Path:
    """``path`` made absolute without following a symbolic link at its end."""
    return Path(os.path.abspath(path))


def check_plain_output(output: Path, flag: str = "--output", sidecar: bool = True) -> None:
    """Refuse an output (and its sidecar, unless ``sidecar`` is false) that is not a plain file
    or a new name.

    Raises
    ------
    ParameterError
        For a folder, a symbolic link, a device, a pipe or a socket at ``output`` or at its
        sidecar's path; nothing is read from it.
    """
    checked = [(output, "the output")] + ([(provenance_path(output), "its sidecar")]
                                          if sidecar else [])
    for path, what in checked:
        shown = paths.display_path(path)
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ParameterError(f"{flag} {shown}: cannot look at {what} "
                                 f"({exc.strerror or exc}){NOTHING_WRITTEN}") from exc
        if stat.S_ISLNK(info.st_mode):
            raise ParameterError(f"{flag} {shown}: {what} is a symbolic link; name the file "
                                 f"itself (coopreport never writes through a link)"
                                 f"{NOTHING_WRITTEN}")
        if stat.S_ISDIR(info.st_mode):
            raise ParameterError(f"{flag} {shown}: {what} is a folder; name a .csv file"
                                 f"{NOTHING_WRITTEN}")
        if not stat.S_ISREG(info.st_mode):
            raise ParameterError(f"{flag} {shown}: {what} is not a plain file (a device, a pipe "
                                 f"or a socket); coopreport writes only plain files"
                                 f"{NOTHING_WRITTEN}")


def is_curated(output: Path) -> bool:
    """Whether ``output`` is curated data: the shipped registry, its commitments, or a file
    listed with ``curated: true`` in ``data/sources.yaml``."""
    from analysis.data.sources import curated_files

    protected = [paths.default_registry(), paths.default_commitments(), *curated_files()]
    for path in protected:
        try:
            if path.exists() and output.samefile(path):
                return True
        except OSError:
            continue
    return False


def sidecar_problem(output: Path) -> str | None:
    """Why ``output`` cannot be shown to be the tool's own, unchanged file, or None."""
    sidecar = provenance_path(output)
    if not sidecar.is_file():
        return f"it was not written by coopreport (no {sidecar.name} beside it)"
    try:
        recorded = json.loads(sidecar.read_text(encoding="utf-8")).get("sha256")
        current = sha256_file(output)
    except (OSError, ValueError, AttributeError) as exc:
        return f"{sidecar.name} cannot be read ({exc})"
    if recorded != current:
        return (f"it has changed since coopreport wrote it (its SHA-256 differs from "
                f"{sidecar.name}): edited by hand?")
    return None


def write_with_sidecar(output: Path, content: str, record: dict[str, Any],
                       before_replace: Any = None) -> None:
    """Write ``content`` to ``output`` atomically, then its sidecar: ``record`` plus the
    content's SHA-256 (``before_replace`` checks the complete temporary file first)."""
    atomic_write(output, content, before_replace=before_replace)
    record = {**record, "sha256": sha256_file(output)}
    atomic_write(provenance_path(output), json.dumps(record, indent=2) + "\n")
