"""The activity registry: its public CSV format, validation, and loading into a DataFrame.

The format (one row per cooperation activity) is documented in the README and in
``data/README.md``. :func:`load_registry` is the one way code reads it: it validates the file
(and the commitments file that belongs to it) and raises :class:`DataValidationError` listing
**every** problem as ``file:line: column: value: reason``; it never returns half-valid data.

The activities DataFrame has one row per activity and these columns:

============== ============================================================================
activity_id    str, unique
date           str, as written (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``)
date_precision str: day, month or year
start, end     Timestamp: first and last day the date covers (equal for day precision)
year           int
country        str, ISO 3166-1 alpha-3
partners       tuple[str, ...], canonical partner names (aliases resolved)
counterpart    str
activity_type  str
themes         tuple[str, ...]
title          str
amount_usd     float, NaN where the source states no amount
source         str
source_url     str ('' where none is known)
source_language str
line           int, the row's line in the CSV file (header = 1): the source trail
============== ============================================================================
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import fields, paths
from analysis.csvfile import CsvFile, read_csv_file
from analysis.errors import DataValidationError, Problem
from analysis.taxonomy import Taxonomy, load_taxonomy, suggest

COLUMNS: tuple[str, ...] = (
    "activity_id", "date", "date_precision", "country", "partners", "counterpart",
    "activity_type", "themes", "title", "amount_usd", "source", "source_url", "source_language",
)
REQUIRED: frozenset[str] = frozenset(
    {"activity_id", "date", "date_precision", "country", "partners", "activity_type", "themes",
     "title"}
)
FRAME_COLUMNS: tuple[str, ...] = (
    "activity_id", "date", "date_precision", "start", "end", "year", "country", "partners",
    "counterpart", "activity_type", "themes", "title", "amount_usd", "source", "source_url",
    "source_language", "line",
)
KIND = "activity registry"


@dataclass(frozen=True)
class Registry:
    """A validated registry: activities, their commitments, and where they came from."""

    activities: pd.DataFrame
    commitments: pd.DataFrame
    path: Path
    sha256: str
    commitments_path: Path | None = None
    commitments_sha256: str | None = None


def read_activities(path: Path, taxonomy: Taxonomy | None = None) -> tuple[pd.DataFrame, CsvFile]:
    """Read and check one registry file. Problems are in the returned ``CsvFile``, not raised."""
    vocab = taxonomy or load_taxonomy()
    csv_file = read_csv_file(path, COLUMNS, KIND)
    if not csv_file.readable:
        return empty_activities(), csv_file
    if not csv_file.records:
        csv_file.problem(1, "(file)", "", "the registry has a header but no activities; "
                         "add one row per activity")
    rows: list[dict[str, object]] = []
    first_line_of: dict[str, int] = {}
    for line, record in csv_file.records:
        row = _check_row(csv_file, line, record, vocab)
        activity_id = record.get("activity_id", "")
        if activity_id in first_line_of:
            csv_file.problem(line, "activity_id", activity_id, "duplicate id: already used on "
                             f"line {first_line_of[activity_id]}; every activity needs its own id")
        elif activity_id:
            first_line_of[activity_id] = line
        if row is not None:
            rows.append(row)
    frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS)) if rows else empty_activities()
    return frame, csv_file


def _check_row(csv_file: CsvFile, line: int, rec: dict[str, str], vocab: Taxonomy
               ) -> dict[str, object] | None:
    """Check one record; return the parsed row, or None when any field has a problem."""
    before = len(csv_file.problems)

    def bad(column: str, reason: str) -> None:
        csv_file.problem(line, column, rec.get(column, ""), reason)

    for column in sorted(REQUIRED & rec.keys(), key=COLUMNS.index):
        if rec[column] == "":
            bad(column, "required field is empty")
    if "activity_id" in rec and rec["activity_id"]:
        reason = fields.check_identifier(rec["activity_id"])
        if reason:
            bad("activity_id", reason)
    span = None
    if rec.get("date"):
        span, reason = fields.check_date(rec["date"])
        if reason:
            bad("date", reason)
    if rec.get("date_precision"):
        reason = fields.check_precision(rec["date_precision"], rec.get("date", ""))
        if reason:
            bad("date_precision", reason)
    if rec.get("country"):
        _, reason = fields.check_country(rec["country"])
        if reason:
            bad("country", reason)
    if rec.get("activity_type") and rec["activity_type"] not in vocab.activity_types:
        bad("activity_type", _unknown("activity type", rec["activity_type"],
                                      vocab.activity_types, "activity_types.csv"))
    themes = _check_list(rec, "themes", line, csv_file, lambda t: t if t in vocab.themes else None,
                         lambda t: _unknown("theme", t, vocab.themes, "themes.csv"))
    partners = _check_list(rec, "partners", line, csv_file, vocab.resolve_partner,
                           lambda p: _unknown("partner", p, vocab.partners, "partners.csv"))
    amount, reason = fields.check_amount(rec.get("amount_usd", ""))
    if reason:
        bad("amount_usd", reason)
    if "source" in rec and "source_url" in rec and not rec["source"] and not rec["source_url"]:
        bad("source", "no source: name the publisher in 'source' and, where known, the "
            "address in 'source_url'; every activity must be traceable")
    if rec.get("source_url"):
        reason = fields.check_url(rec["source_url"])
        if reason:
            bad("source_url", reason)
    reason = fields.check_language(rec.get("source_language", ""))
    if reason:
        bad("source_language", reason)
    if len(csv_file.problems) > before or span is None or any(c not in rec for c in COLUMNS):
        return None
    start, end = span
    return {
        "activity_id": rec["activity_id"], "date": rec["date"],
        "date_precision": rec["date_precision"], "start": start, "end": end, "year": start.year,
        "country": rec["country"], "partners": partners, "counterpart": rec["counterpart"],
        "activity_type": rec["activity_type"], "themes": themes, "title": rec["title"],
        "amount_usd": amount if amount is not None else math.nan, "source": rec["source"],
        "source_url": rec["source_url"], "source_language": rec["source_language"], "line": line,
    }


def _check_list(rec: dict[str, str], column: str, line: int, csv_file: CsvFile,
                resolve, explain) -> tuple[str, ...]:  # type: ignore[no-untyped-def]
    """Check a ``;``-separated list field item by item; return the resolved items."""
    resolved: list[str] = []
    for item in fields.split_list(rec.get(column, "")):
        if item == "":
            csv_file.problem(line, column, rec[column], "empty item between ';' separators")
            continue
        name = resolve(item)
        if name is None:
            csv_file.problem(line, column, item, explain(item))
        elif name in resolved:
            csv_file.problem(line, column, item, f"'{name}' is listed twice; list it once")
        else:
            resolved.append(name)
    return tuple(resolved)


def _unknown(what: str, value: str, known: object, filename: str) -> str:
    guess = suggest(value, known)  # type: ignore[arg-type]
    hint = f"did you mean '{guess}'? " if guess else ""
    return f"unknown {what}; {hint}the list is in data/taxonomy/{filename} (add new ones there)"


def empty_activities() -> pd.DataFrame:
    """An activities frame with the right columns and no rows."""
    return pd.DataFrame({column: pd.Series(dtype=object) for column in FRAME_COLUMNS})


def commitments_path_for(registry_path: Path) -> Path | None:
    """The commitments file that belongs to a registry, or None.

    ``X.commitments.csv`` beside ``X.csv``; for a file named ``cooperation_events.csv`` (the
    shipped layout) also ``commitments.csv`` beside it.
    """
    own = registry_path.with_name(f"{registry_path.stem}.commitments.csv")
    if own.exists():
        return own
    if registry_path.name == paths.DEFAULT_REGISTRY.name:
        shared = registry_path.with_name(paths.COMMITMENTS_NAME)
        if shared.exists():
            return shared
    return None


def load_registry(path: str | Path | None = None, commitments: str | Path | None = None,
                  taxonomy: Taxonomy | None = None) -> Registry:
    """Load and validate a registry and its commitments.

    Parameters
    ----------
    path
        Registry CSV; relative paths resolve from the project root. Default: the shipped one.
    commitments
        Commitments CSV; default: the file that belongs to the registry
        (:func:`commitments_path_for`), or none.
    taxonomy
        Vocabularies; default: ``data/taxonomy``.

    Raises
    ------
    DataValidationError
        With every problem in the registry and the commitments file.
    """
    from analysis.commitments import empty_commitments, read_commitments

    registry_path = paths.resolve_data_path(path) if path is not None else paths.DEFAULT_REGISTRY
    vocab = taxonomy or load_taxonomy()
    activities, csv_file = read_activities(registry_path, vocab)
    problems: list[Problem] = list(csv_file.problems)
    commitments_path = (paths.resolve_data_path(commitments) if commitments is not None
                        else commitments_path_for(registry_path))
    commitment_frame, commitments_sha = empty_commitments(), None
    if commitments_path is not None:
        known = {rec.get("activity_id", "") for _, rec in csv_file.records}
        commitment_frame, commitments_file = read_commitments(commitments_path, known, vocab)
        problems += commitments_file.problems
        commitments_sha = commitments_file.sha256
    if problems:
        raise DataValidationError(problems)
    return Registry(activities, commitment_frame, registry_path, csv_file.sha256,
                    commitments_path, commitments_sha)
