"""How each report's last build went, read from an output folder's records (no kernel, no
pandas): what ``coopreport list`` shows.

A build's ``build-summary.json`` lists the reports of that build only, so a report left out of
the last build is looked up in the earlier editions' summaries kept in the folder
(:mod:`analysis.build.editions`), newest first, and then in the published edition's manifest,
which keeps every report's last successful build (:mod:`analysis.build.incremental`).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.build import editions, incremental
from analysis.build.records import read_summary

DETAIL_WIDTH = 160  # characters of an error or warning shown on a report's line


@dataclass(frozen=True)
class LastBuild:
    """A report's last build: its status (ok, warning, failed, skipped...), when, and why."""

    status: str
    built_at: str
    detail: str = ""  # failed: the error; warning: the warnings; skipped: since when

    def words(self) -> str:
        """``ok, 2026-12-06T20:44:16Z`` or ``failed, 2026-12-06T20:44:16Z: NameError: ...``."""
        shown = f"{self.status}, {self.built_at or 'time not recorded'}"
        return f"{shown}: {self.detail}" if self.detail else shown


NEVER_BUILT = "never built"


def last_builds(out: Path) -> dict[str, LastBuild]:
    """Each report's last build recorded in the output folder ``out`` (report name → it);
    a report with none is absent. An absent or foreign folder has none."""
    if not out.is_dir() or not editions.is_ours(out):
        return {}
    current = editions.current_edition(out)
    found: dict[str, LastBuild] = {}
    for summary in _summaries(out, current):
        built_at = str(summary.get("built_at") or "")
        for entry in summary.get("reports") or []:
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                found.setdefault(entry["name"], _from_entry(entry, built_at))
    for name, record in incremental.load_manifest(current).items():
        if isinstance(record, dict):
            found.setdefault(name, LastBuild("ok", str(record.get("built_at") or "")))
    return found


def _summaries(out: Path, current: Path | None) -> list[dict[str, Any]]:
    """The published edition's summary, then the other kept editions', newest first."""
    folders = sorted((out / editions.EDITIONS).glob(f"{editions.EDITION_PREFIX}*"))
    read = []
    for folder in folders:
        data = read_summary(folder)
        if data:
            is_current = current is not None and folder.resolve() == current
            read.append((is_current, str(data.get("built_at") or ""), data))
    read.sort(key=lambda item: item[:2], reverse=True)
    return [data for *_, data in read]


def _from_entry(entry: dict[str, Any], built_at: str) -> LastBuild:
    status = str(entry.get("status") or "unknown")
    if status == "warning":
        detail = "; ".join(str(w) for w in entry.get("warnings") or [])
    elif status in ("ok", "skipped"):
        detail = str(entry.get("reason") or "") if status == "skipped" else ""
    else:  # failed (or another status a later version writes): its error
        error = str(entry.get("error") or "")
        detail = next((line for line in error.splitlines() if line.strip()), "")
    return LastBuild(status, built_at, _shorten(detail))


def _shorten(text: str) -> str:
    return textwrap.shorten(text, DETAIL_WIDTH, placeholder=" …") if text else ""
