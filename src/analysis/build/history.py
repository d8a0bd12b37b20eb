"""The history of an output folder's editions: ``history.json`` and ``history.html`` in each.

Every build that publishes an edition appends one entry to the history it copied from the
published edition (:func:`record_history`): the edition's folder name, when it was built, the
commit, its status, the registries the reports were made from with their checksums, and each
report's status in that build (built, with warnings, unchanged or failed). The list tells
:mod:`analysis.build.editions` which editions were published (those of killed builds never
are) and which to keep; :mod:`analysis.render.history` shows it as a page, linked from the
portal. At most :data:`HISTORY_LIMIT` entries are kept (more when ``--keep-editions`` keeps
more editions).

Light, like the build's records: a build with nothing to do writes its entry too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.build import editions
from analysis.build.changes import CHANGES_DIR
from analysis.build.records import BuildOptions, ReportResult
from analysis.core.files import atomic_write

HISTORY_LIMIT = 100  # entries kept in history.json (the editions themselves: --keep-editions)


def read_history(edition: Path | None) -> list[dict[str, Any]]:
    """The entries of ``edition``'s ``history.json``, oldest first (``[]`` without one)."""
    if edition is None:
        return []
    try:
        entries = json.loads((edition / editions.HISTORY_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def data_checksums(edition: Path, names: Sequence[str]) -> list[dict[str, str]]:
    """The registries the reports ``names`` were made from, each with its SHA-256, as their
    records in ``_changes/`` give them (one entry per registry, in name order)."""
    found: dict[str, str] = {}
    for name in names:
        try:
            saved = json.loads((edition / CHANGES_DIR / f"{name}.json").read_text(
                encoding="utf-8"))
        except (OSError, ValueError):
            continue
        registry, digest = saved.get("registry"), saved.get("registry_sha256")
        if isinstance(registry, str) and isinstance(digest, str):
            found.setdefault(registry, digest)
    return [{"registry": r, "sha256": found[r]} for r in sorted(found)]


def history_entry(edition: Path, options: BuildOptions, results: Sequence[ReportResult],
                  status: str) -> dict[str, Any]:
    """The entry of the build that made ``edition``."""
    present = [r.name for r in results if r.status in ("ok", "warning", "skipped")]
    return {
        "edition": edition.name, "built_at": options.built_at, "commit": options.commit,
        "status": status, "data": data_checksums(edition, present),
        "reports": [{"name": r.name, "title": r.title, "status": r.status,
                     "lang": str(r.parameters.get("lang") or "en")} for r in results],
    }


def record_history(edition: Path, options: BuildOptions, results: Sequence[ReportResult],
                   status: str) -> list[dict[str, Any]]:
    """Append this build's entry to ``edition``'s ``history.json`` (copied from the published
    edition) and return the history, oldest first.

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    entries = [e for e in read_history(edition) if e.get("edition") != edition.name]
    entries.append(history_entry(edition, options, results, status))
    entries = entries[-max(HISTORY_LIMIT, options.keep_editions):]  # every kept one listed
    atomic_write(edition / editions.HISTORY_NAME,
                 json.dumps(entries, indent=1, ensure_ascii=False))
    return entries
