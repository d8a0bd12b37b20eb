"""The history page of an output folder: ``history.html`` in each edition, linked from the portal.

One row per edition, newest first (from :mod:`analysis.build.history`): when it was built, the
commit, the checksum of each registry its reports were made from, and its reports: built (with
a link to each one's "what changed" page), unchanged, failed. Where the edition is still kept
(``--keep-editions``), each report links to that edition's copy of it. Self-contained like the
portal (no script, nothing loaded, every value escaped), with headings in every report
language.

Links to other editions are relative to the output folder (``.editions/e-.../NAME.html``): they
work from the page as the portal links it (``OUTPUT/history.html``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.core.files import atomic_write
from analysis.core.version import DIRTY
from analysis.data.taxonomy import LANGUAGES
from analysis.render.changes_page import standalone_page
from analysis.report.i18n import translate

HISTORY_PAGE = "history.html"
EDITIONS_DIR = ".editions"  # analysis.build.editions.EDITIONS (render may not import build)
CHANGES_DIR = "_changes"  # analysis.build.changes.CHANGES_DIR
FAILED_DIR = "_failed"  # analysis.build.layout.FAILED_DIR
SHORT = 12  # hex digits of a commit or checksum shown


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _every(key: str, **values: object) -> str:
    """A text in every report language, " · " between (once when they agree)."""
    return " · ".join(dict.fromkeys(translate(key, lang, **values) for lang in LANGUAGES))


def _when(stamp: object) -> str:
    """``2026-12-07T14:03:55Z`` → ``2026-12-07 14:03 UTC``: one form for every language."""
    text = str(stamp or "")
    if len(text) >= 16 and text[10] == "T":
        return f"{text[:10]} {text[11:16]}" + (" UTC" if text.endswith(("Z", "+00:00")) else "")
    return text or "—"


def _commit(commit: object) -> str:
    if not isinstance(commit, str) or not commit:
        return "—"
    dirty = commit.endswith(DIRTY)
    return commit.removesuffix(DIRTY)[:SHORT] + (DIRTY if dirty else "")


def _link(text: str, href: str | None) -> str:
    return f'<a href="{_e(href)}">{_e(text)}</a>' if href else _e(text)


class _Files:
    """Where a file of an edition is, as a link from the page, and whether it exists."""

    def __init__(self, this: Path, kept: set[str]):
        self.this, self.kept = this, kept

    def href(self, edition: str, name: str) -> str | None:
        if edition == self.this.name:
            return name if (self.this / name).is_file() else None
        if edition not in self.kept:
            return None
        folder = self.this.parent / edition
        return f"{EDITIONS_DIR}/{edition}/{name}" if (folder / name).is_file() else None


def _reports(entry: Mapping[str, Any], statuses: Sequence[str], files: _Files,
             failed: bool = False) -> str:
    edition = str(entry.get("edition", ""))
    items = []
    for report in entry.get("reports", []):
        if not isinstance(report, dict) or report.get("status") not in statuses:
            continue
        name = str(report.get("name", ""))
        if failed:
            items.append(_link(name, files.href(edition, f"{FAILED_DIR}/{name}.html")))
            continue
        item = _link(name, files.href(edition, f"{name}.html"))
        if report.get("status") == "warning":
            item += f' <span class="muted">({_e(_every("history.with_warnings"))})</span>'
        changes = files.href(edition, f"{CHANGES_DIR}/{name}.html")
        if changes and report.get("status") != "skipped":  # in the report's language
            lang = report.get("lang")
            label = (translate("history.changes", lang) if lang in LANGUAGES
                     else _every("history.changes"))
            item += f' · <a href="{_e(changes)}">{_e(label)}</a>'
        items.append(f"<li>{item}</li>")
    if not items:
        return '<span class="muted">—</span>'
    return f"<ul>{''.join(items)}</ul>" if not failed else ", ".join(items)


def render_history(entries: Sequence[Mapping[str, Any]], this: Path, kept: set[str]) -> str:
    """The history page of the edition ``this`` as HTML text.

    Parameters
    ----------
    entries
        The history, oldest first (:func:`analysis.build.history.read_history`).
    this
        The edition the page is written into (its reports are linked beside the page).
    kept
        The names of the editions that stay after this build (their reports are linked).
    """
    files = _Files(this, kept)
    rows = []
    for entry in reversed(entries):
        edition = str(entry.get("edition", ""))
        data = "<br>".join(f'{_e(d.get("registry", ""))}: <span class="id">'
                           f'{_e(str(d.get("sha256", ""))[:SHORT])}</span>'
                           for d in entry.get("data", []) if isinstance(d, dict)) or "—"
        state = ("history.current" if edition == this.name else
                 "history.kept" if edition in kept else "history.gone")
        rows.append(
            f"<tr><td>{_e(_when(entry.get('built_at')))}<br>"
            f'<span class="muted">{_e(_every(state))}</span></td>'
            f'<td class="id">{_e(_commit(entry.get("commit")))}</td><td>{data}</td>'
            f"<td>{_reports(entry, ('ok', 'warning'), files)}</td>"
            f"<td>{_reports(entry, ('skipped',), files)}</td>"
            f"<td>{_reports(entry, ('failed',), files, failed=True)}</td></tr>")
    head = "".join(f"<th>{_e(_every(k))}</th>" for k in (
        "history.date", "history.commit", "history.data", "history.built",
        "history.skipped", "history.failed"))
    header = (f'<p>{_e(_every("history.intro"))}</p>\n'
              f'<p><a href="index.html">{_e(_every("changes.portal"))}</a></p>')
    table = f'<table><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    return standalone_page("en", _every("history.title"), header, table)


def write_history(edition: Path, entries: Sequence[Mapping[str, Any]], kept: set[str]) -> Path:
    """(Re)write ``edition/history.html`` atomically."""
    return atomic_write(edition / HISTORY_PAGE, render_history(entries, edition, kept))
