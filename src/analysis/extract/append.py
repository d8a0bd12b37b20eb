"""Append reviewed drafts to a registry: only valid rows, never touching the existing ones.

This is the one path by which extracted rows enter a curated registry, and it is explicit
(``coopreport extract ... --append-to FILE``). Importers (:mod:`analysis.connectors.output`)
replace whole files they wrote and refuse curated ones; appending is different and follows
its own rules:

1. the registry must be valid before anything is appended (else: fix it first);
2. each draft is checked on its own as a registry row; an invalid one is skipped with its
   problems;
3. a draft that is a likely duplicate of an existing row (same country, a shared partner,
   start dates at most :data:`DUPLICATE_DAYS` apart; the title similarity of
   :func:`analysis.data.sources.find_likely_duplicates` is reported, not required, since draft
   titles are generated) is skipped unless ``include_duplicates``;
4. the combined file (existing bytes + new lines) is validated in memory exactly as
   ``coopreport validate`` would (ids unique across old and new rows...); rows it rejects are
   skipped;
5. the new file is the old file's bytes unchanged, followed by the new lines (same line
   ending), written to a temporary file beside it and renamed over it, after checking that
   the file did not change meanwhile. Existing rows are never rewritten.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataValidationError, ExtractError, Problem
from analysis.core.files import atomic_write, scratch_folder
from analysis.core.textsafety import clean_text, neutralise_formula
from analysis.data.registry import read_activities
from analysis.data.registry_format import FREE_TEXT
from analysis.data.sources import find_likely_duplicates

DUPLICATE_DAYS = 14


@dataclass
class AppendResult:
    """What happened to each draft: appended ids, skipped ids with the reason, duplicates."""

    appended: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    duplicates: pd.DataFrame | None = None


def _cell(row: Mapping[str, str], column: str) -> str:
    """A value as it will be written: unsafe characters removed, formula starts neutralised."""
    value, _ = clean_text(str(row.get(column, "") or ""))
    return neutralise_formula(value) if column in FREE_TEXT else value


def line_ending(content: bytes) -> str:
    """The line ending a file uses: ``\\r\\n``, ``\\r`` (old Mac files, which the csv module
    reads) or ``\\n``; appended lines use the same, so the file keeps one kind."""
    if b"\r\n" in content:
        return "\r\n"
    if b"\r" in content and b"\n" not in content:
        return "\r"
    return "\n"


def _lines(rows: Sequence[Mapping[str, str]], header: list[str], ending: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=ending)
    for row in rows:
        writer.writerow([_cell(row, column) for column in header])
    return buffer.getvalue().encode("utf-8")


def _check(folder: Path, content: bytes, name: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Read ``content`` as a registry (written to ``folder/name``): its frame and problems."""
    probe = folder / name
    probe.write_bytes(content)
    frame, checked = read_activities(probe)
    return frame, checked.problems


def append_drafts(rows: Sequence[Mapping[str, str]], registry: Path, *,
                  include_duplicates: bool = False) -> AppendResult:
    """Append the valid, non-duplicate ``rows`` to ``registry`` (see the module notes).

    Parameters
    ----------
    rows
        Draft rows (registry columns; extra columns are ignored, and a column the registry's
        header has, such as ``title_ru`` once the registry carries it, is filled from them).
    registry
        The registry CSV to append to.
    include_duplicates
        Append likely duplicates too (they are still reported).

    Raises
    ------
    DataValidationError
        When the registry itself is invalid; nothing is written.
    ExtractError
        When the registry cannot be read or changed while appending; nothing is written.
    """
    registry = registry.resolve()
    shown = paths.display_path(registry)
    try:
        original = registry.read_bytes()
    except OSError as exc:
        raise ExtractError(f"--append-to {shown}: cannot read the registry "
                           f"({exc.strerror or exc}); give an existing registry CSV") from exc
    existing, checked = read_activities(registry)
    if checked.problems:
        raise DataValidationError(checked.problems)
    header = checked.header
    ending = line_ending(original)
    prefix = original if original.endswith((b"\n", b"\r")) else original + ending.encode()
    first_new = len(prefix.splitlines()) + 1  # the first appended row's line
    head = (",".join(header) + ending).encode("utf-8")
    result = AppendResult()
    with scratch_folder("coopreport-append") as folder:
        candidates: list[Mapping[str, str]] = []
        for row in rows:
            _, problems = _check(folder, head + _lines([row], header, ending), registry.name)
            if problems:
                result.skipped.append((row.get("activity_id", ""), "; ".join(
                    f"{p.column}: {p.value}: {p.reason}" for p in problems)))
            else:
                candidates.append(row)
        candidates = _drop_duplicates(candidates, existing, folder, head, header, ending,
                                      registry.name, include_duplicates, result)
        while candidates:  # the combined file, as validate sees it
            content = prefix + _lines(candidates, header, ending)
            _, problems = _check(folder, content, registry.name)
            bad = {p.line - first_new for p in problems
                   if 0 <= p.line - first_new < len(candidates)}
            if problems and not bad:
                raise ExtractError(f"--append-to {shown}: the combined file does not validate "
                                   f"({problems[0]}); nothing was appended")
            if not bad:
                break
            for index in sorted(bad, reverse=True):
                reasons = [f"{p.column}: {p.value}: {p.reason}" for p in problems
                           if p.line - first_new == index]
                result.skipped.append((candidates[index].get("activity_id", ""),
                                       "; ".join(reasons)))
                del candidates[index]
    if candidates:
        _replace(registry, original, prefix + _lines(candidates, header, ending), shown)
        result.appended = [row.get("activity_id", "") for row in candidates]
    return result


def _drop_duplicates(candidates: list[Mapping[str, str]], existing: pd.DataFrame,
                     folder: Path, head: bytes, header: list[str], ending: str, name: str,
                     include: bool, result: AppendResult) -> list[Mapping[str, str]]:
    if not candidates or existing.empty:
        return candidates
    drafts, _ = _check(folder, head + _lines(candidates, header, ending), name)
    combined = pd.concat([existing.assign(source_file="registry"),
                          drafts.assign(source_file="drafts")], ignore_index=True)
    pairs = find_likely_duplicates(combined, max_days=DUPLICATE_DAYS, min_similarity=0.0)
    pairs = pairs[pairs["first_file"] != pairs["second_file"]]
    result.duplicates = pairs
    flagged: dict[str, str] = {}
    for pair in pairs.itertuples():
        draft, other = ((pair.first, pair.second) if pair.first_file == "drafts"
                        else (pair.second, pair.first))
        flagged.setdefault(str(draft), str(other))
    if include:
        return candidates
    kept = []
    for row in candidates:
        other = flagged.get(row.get("activity_id", ""))
        if other is None:
            kept.append(row)
        else:
            result.skipped.append((row.get("activity_id", ""), f"likely duplicate of {other} "
                                   "(same country and partner, dates close); check it, and "
                                   "append with --include-duplicates if it is another activity"))
    return kept


def _replace(registry: Path, original: bytes, content: bytes, shown: str) -> None:
    """Write ``content`` over ``registry`` atomically if the file still holds ``original``."""
    def unchanged(temporary: Path) -> None:
        if registry.read_bytes() != original:
            raise ExtractError(f"--append-to {shown}: the file changed while the drafts were "
                               "checked; nothing was appended. Run the command again")

    atomic_write(registry, content, mode=registry.stat().st_mode & 0o777,
                 before_replace=unchanged)
