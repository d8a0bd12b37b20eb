"""Moving finished reports into an edition, and publishing the edition.

The build process is the only one that writes to the output folder: workers leave each
report's files in its work folder; :func:`publish_result` moves them into the new edition (not
yet visible to readers), and :func:`publish_edition` writes the summary, the manifest and the
portal page there and makes it the published one with one atomic rename
(:mod:`analysis.build.editions`). Both hold stop signals back until they are done, so a stop
never leaves a half-updated edition behind or publishes one.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from analysis.build import editions
from analysis.build.layout import FAILED_DIR
from analysis.build.records import (
    BUILT,
    BuildOptions,
    ReportResult,
    build_status,
    write_manifest,
    write_summary,
)
from analysis.build.signals import stop_signals_deferred
from analysis.core.errors import StorageError

log = logging.getLogger(__name__)

PUBLISHED_SUFFIXES = (".ipynb", ".html", ".pdf")  # a report's own files in an edition


def publish_result(result: ReportResult, edition: Path, out: Path) -> ReportResult:
    """Move a report's staged files into ``edition`` (not yet visible to readers).

    A built report replaces all of its files from the previous edition (a format it no longer
    has is dropped) and its old failed notebook and error page; a failed report keeps its
    previous files and gains ``_failed/NAME.ipynb`` (when its kernel wrote one) and
    ``_failed/NAME.html``, the page that says what went wrong
    (:mod:`analysis.render.error_page`). Paths in the result are where readers find the files once
    the edition is published (``OUT/NAME.html``). Stop signals wait until the report's files
    are all in place.
    """
    from analysis.report.attachments import published_files

    staged = [Path(p) for p in result.staged]
    failed = edition / FAILED_DIR / f"{result.name}.ipynb"
    with stop_signals_deferred():
        if result.status in BUILT:
            # the files the previous build published beside its notebook go with it
            for beside in published_files(edition / f"{result.name}.ipynb", result.name):
                (edition / beside).unlink(missing_ok=True)
            for old in edition.glob(f"{result.name}.*"):
                if old.suffix in PUBLISHED_SUFFIXES and old.stem == result.name:
                    old.unlink()
            failed.unlink(missing_ok=True)
            failed.with_suffix(".html").unlink(missing_ok=True)
            for source in staged:
                os.replace(source, edition / source.name)
            result.outputs = [str(out / source.name) for source in staged]
            _record_changes(edition, result.name)
        else:
            from analysis.render.error_page import write_error_page

            failed.parent.mkdir(exist_ok=True)
            if staged:
                os.replace(staged[0], failed)
                result.failed_notebook = str(out / FAILED_DIR / failed.name)
            else:  # an earlier failure's notebook would show another error than this one
                failed.unlink(missing_ok=True)
            # the page the portal links: the reason and the traceback, readable in a browser
            write_error_page(failed.parent, result.name, result.title, result.error or "",
                             failed if staged else None)
    if result.workdir:
        shutil.rmtree(result.workdir, ignore_errors=True)
    result.workdir, result.staged = None, []
    return result


def _record_changes(edition: Path, name: str) -> None:
    """The report's record and "what changed" page (:mod:`analysis.build.changes`); a page
    that cannot be written is logged, never a failed report."""
    from analysis.build.changes import update_changes

    try:
        update_changes(edition, name)
    except OSError as exc:
        log.warning("%s: its 'what changed' page could not be written (%s)", name,
                    exc.strerror or exc)


def publish_edition(out: Path, edition: Path, options: BuildOptions,
                    results: Sequence[ReportResult], manifest: dict[str, Any] | None,
                    status: str | None = None, index: bool = True) -> None:
    """Write the summary (and the manifest, and the portal page when ``index``) into
    ``edition``, then publish it (one rename).

    ``manifest`` None keeps the edition's manifest as it is (a build that built nothing).
    Stop signals wait until the edition is published.

    Raises
    ------
    StorageError
        When the summary, manifest or index cannot be written (a full disk): the unfinished
        edition is removed and the previous one stays published.
    """
    with stop_signals_deferred():
        try:
            write_summary(edition, options, results, status=status)
            if manifest is not None:
                write_manifest(edition, manifest)
            _write_history(out, edition, options, results, status or build_status(results))
            if index:
                from analysis.render.portal import write_index

                write_index(edition)
        except OSError as exc:
            shutil.rmtree(edition, ignore_errors=True)  # never published; nothing stays behind
            raise StorageError(f"cannot write the build summary or index in {out} "
                               f"({exc.strerror or exc}); nothing was published and the "
                               "previous reports stay as they were: free disk space and build "
                               "again") from exc
        editions.publish(out, edition)
        editions.prune(out, options.keep_editions)


def _write_history(out: Path, edition: Path, options: BuildOptions,
                   results: Sequence[ReportResult], status: str) -> None:
    """Append the build to the edition's history and write its page; the reports of the
    editions kept after this build are linked (:func:`analysis.build.editions.prune`)."""
    from analysis.build.history import record_history
    from analysis.render.history import write_history

    entries = record_history(edition, options, results, status)
    kept = {str(e.get("edition")) for e in entries[-options.keep_editions:]}
    before = editions.current_edition(out)  # the previous edition once this one is published
    write_history(edition, entries, kept | ({before.name} if before else set()))
