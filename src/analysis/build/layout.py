"""The names the build itself writes into an output folder, and the report names they reserve.

An output folder holds, beside the reports (``NAME.html``, ``NAME.pdf``, ``NAME.ipynb``): the
portal page (:data:`analysis.render.portal.INDEX_NAME`), the history of editions
(``history.json``, ``history.html``) and each report's "what changed" page and record
(``_changes/``), the summary for schedulers (:data:`SUMMARY_NAME`), failed reports' notebooks
(:data:`FAILED_DIR`), the reports' work folders while a build runs (:data:`WORK_DIR`), the lock
(:data:`LOCK_NAME`), and the editions with their marker and ``current`` link
(:mod:`analysis.build.editions`). A report may not be named like any of them
(:func:`reserved_names`).
"""

from __future__ import annotations

from pathlib import Path

from analysis.build.editions import HISTORY_NAME, OWN_NAMES

WORK_DIR = ".coopreport-work"  # reports' work folders, inside the output folder
FAILED_DIR = "_failed"
LOCK_NAME = ".coopreport.lock"
SUMMARY_NAME = "build-summary.json"
# the portal page, analysis.render.portal.INDEX_NAME (not imported: the portal module takes a
# second to import, which coopreport list and a build with nothing to do never need)
PORTAL_NAME = "index.html"
# the history page, analysis.render.history.HISTORY_PAGE (not imported, for the same reason)
HISTORY_PAGE = "history.html"
# each report's "what changed" page and record: _changes/NAME.html, _changes/NAME.json
CHANGES_DIR = "_changes"


def reserved_names() -> set[str]:
    """Lower-case names a report may not take: what the build itself writes in the output
    folder (``index.html``, ``build-summary.json``, ``_failed/``, its work folder, the lock
    file, the editions and the ``current`` link), with and without their extension."""
    made = {PORTAL_NAME, SUMMARY_NAME, FAILED_DIR, WORK_DIR, LOCK_NAME, *OWN_NAMES,
            HISTORY_NAME, HISTORY_PAGE, CHANGES_DIR}
    return {n.lower() for n in made} | {Path(n).stem.lower() for n in made}
