"""Each report's "what changed" page, made when the build publishes the report.

A report's notebook records its activities, key figures, findings and reference values
(:mod:`analysis.report.edition_record`). When the build moves a built report into the new
edition, :func:`update_changes` reads that record from the executed notebook, compares it with
the record the report's previous build left in the edition (:mod:`analysis.report.changes`),
and writes into the edition's ``_changes/`` folder:

- ``NAME.json``: the record with the build it comes from (time, commit, registry checksum),
  for the next build to compare with;
- ``NAME.html``: the page, in the report's language (:mod:`analysis.render.changes_page`).

A report that is skipped or fails keeps both files as the previous edition had them (the new
edition starts as a copy of the published one). A report whose notebook records nothing (a
notebook of the project's own without the call) has neither: an older page would be wrong.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from analysis.build.layout import CHANGES_DIR
from analysis.core.files import atomic_write
from analysis.report.changes import RECORD_MIMETYPE, record_problem

log = logging.getLogger(__name__)



def read_record(notebook: Path) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The record an executed notebook carries (the last one wins; None when it has none or
    it is malformed) and the notebook's ``coopreport`` metadata (title, provenance)."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, {}
    found = None
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        for output in cell.get("outputs", []) if isinstance(cell, dict) else []:
            data = output.get("data", {}) if isinstance(output, dict) else {}
            if isinstance(data, dict) and RECORD_MIMETYPE in data:
                found = data[RECORD_MIMETYPE]
    meta = nb.get("metadata", {}).get("coopreport", {}) if isinstance(nb, dict) else {}
    meta = meta if isinstance(meta, dict) else {}
    if found is not None and record_problem(found) is not None:
        log.warning("%s: the record of what the report says is malformed (%s); no 'what "
                    "changed' page for it this time", notebook.name, record_problem(found))
        return None, meta
    return found, meta


def saved_record(path: Path) -> dict[str, Any] | None:
    """A record saved by an earlier build (``_changes/NAME.json``), or None when there is none
    or it cannot be read (it is then treated as the first edition, and said so in the log)."""
    if not path.is_file():
        return None
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("%s cannot be read (%s); the report is compared with nothing this time",
                    path, exc)
        return None
    if not isinstance(saved, dict) or record_problem(saved.get("record")) is not None:
        log.warning("%s is not a report record; the report is compared with nothing this time",
                    path)
        return None
    return saved


def update_changes(edition: Path, name: str) -> Path | None:
    """Record the built report ``name`` (its notebook already in ``edition``) and write its
    "what changed" page; returns the page, or None when the notebook records nothing.

    Raises
    ------
    OSError
        When the files cannot be written (a full disk): the build's caller handles it.
    """
    from analysis.render.changes_page import render_changes

    folder = edition / CHANGES_DIR
    record, meta = read_record(edition / f"{name}.ipynb")
    saved_path, page = folder / f"{name}.json", folder / f"{name}.html"
    if record is None:
        saved_path.unlink(missing_ok=True)
        page.unlink(missing_ok=True)
        return None
    provenance = meta.get("provenance", {}) if isinstance(meta.get("provenance"), dict) else {}
    lang = str((provenance.get("parameters") or {}).get("lang") or record.get("lang") or "en")
    now = {"name": name, "title": str(meta.get("title") or name), "lang": lang,
           "built_at": str(provenance.get("built_at") or ""),
           "commit": provenance.get("git_commit"),
           "registry": provenance.get("registry"),
           "registry_sha256": provenance.get("registry_sha256"),
           "edition": edition.name, "record": record}
    before = saved_record(saved_path)
    folder.mkdir(exist_ok=True)
    atomic_write(page, render_changes(now, before))
    atomic_write(saved_path, json.dumps(now, ensure_ascii=False, indent=1))
    return page
