"""A build with nothing to do: every report is current, so nothing runs and nothing is
imported beyond the standard library and the build's records.

When every report was last built, successfully, from exactly the inputs it has now
(:func:`analysis.build.incremental.all_up_to_date`), the run is still recorded: a new edition
whose summary lists each report as skipped is published, so schedulers read what happened.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from analysis.build import editions, incremental
from analysis.build.layout import SUMMARY_NAME
from analysis.build.lock import release_lock, take_lock
from analysis.build.publish import publish_edition
from analysis.build.records import BuildOptions, ReportResult, summary_reports
from analysis.core.errors import BuildLockedError


def nothing_to_do(sources: list[Path], out: Path, renderer: str,
                  formats: Sequence[str] | None, commit: str | None, built_at: str,
                  keep_editions: int = editions.DEFAULT_KEEP) -> str | None:
    """A build of ``sources`` in which every report is up to date: record it and say so.

    When every report was last built, successfully, from exactly the inputs it has now
    (:func:`analysis.build.incremental.all_up_to_date`), a new edition is published whose summary
    lists each report as skipped, with the build it is unchanged since; reports, index and
    manifest are carried over. Returns the message for the user, or None when anything needs
    building (or the folder is busy or not coopreport's: the full build says why).
    """
    if not out.is_dir() or not editions.is_ours(out):
        return None
    current = incremental.all_up_to_date(sources, editions.current_edition(out), renderer,
                                         formats)
    if current is None:
        return None
    try:
        lock = take_lock(out)
    except BuildLockedError:
        return None
    try:
        edition = editions.begin(out)
        known = summary_reports(edition)
        manifest = incremental.load_manifest(edition)
        for name, (_, now) in current.items():
            manifest[name]["inputs"] = now  # the same inputs; the tables' hashes of today
        results = [
            ReportResult(name, str(known.get(name, {}).get("title", name)), "skipped", 0.0,
                         outputs=[str(out / f) for f in manifest[name]["files"]],
                         renderer=renderer,
                         parameters=dict(known.get(name, {}).get("parameters", {})),
                         reason=f"unchanged since the build of {since}")
            for name, (since, _) in current.items()]
        options = BuildOptions(output_dir=out, formats=tuple(formats) if formats else None,
                               renderer=renderer, commit=commit, built_at=built_at,
                               keep_editions=keep_editions)
        publish_edition(out, edition, options, results, manifest=manifest, index=False)
    finally:
        release_lock(lock)
    return (f"{len(results)} report(s) up to date: nothing they are made from (params, "
            "notebook, selected rows, data, code, renderer, day, versions, environment) "
            "changed since their last build; summary in "
            f"{out / SUMMARY_NAME} (--force rebuilds them)")
