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
amount_kind    str: committed, disbursed, announced or indicative where an amount is given, else ''
title_ru       str: the title in Russian (optional column; '' where not translated)
source         str
source_url     str ('' where none is known)
source_language str
line           int, the row's line in the CSV file (header = 1): the source trail
source_file    str, the registry file the row comes from (as shown to users)
maps_pillars   tuple[str, ...], MAPS pillars (I-IV) set explicitly by an analyst in the optional
               ``maps_pillars`` column (``;``-separated); empty when the column is absent or empty
============== ============================================================================

A path ending in ``.yaml``/``.yml`` is a sources file listing several registry files
(:mod:`analysis.data.sources`): they are validated one by one and combined.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataValidationError, Problem
from analysis.data import fields
from analysis.data.csvfile import CsvFile, check_text_fields, keep_first_problems
from analysis.data.csvtable import CsvTable, read_csv_table
from analysis.data.registry_columns import check_activities
from analysis.data.sources import (
    SourceFile,
    combine,
    combined_sha256,
    find_likely_duplicates,
    is_sources_config,
    read_sources_config,
)
from analysis.data.taxonomy import PILLARS, Taxonomy, load_taxonomy, suggest

COLUMNS: tuple[str, ...] = (
    "activity_id", "date", "date_precision", "country", "partners", "counterpart",
    "activity_type", "themes", "title", "amount_usd", "source", "source_url", "source_language",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("maps_pillars", "title_ru", "amount_kind")
# What an amount is (data/README.md has the rule): only committed money is counted as financing
# by default; announced and indicative figures are shown apart, labelled.
AMOUNT_KINDS: tuple[str, ...] = ("committed", "disbursed", "announced", "indicative")
# The columns importers write: the format's columns and the kind of every amount they take.
IMPORT_COLUMNS: tuple[str, ...] = (*COLUMNS, "amount_kind")
REQUIRED: frozenset[str] = frozenset(
    {"activity_id", "date", "date_precision", "country", "partners", "activity_type", "themes",
     "title"}
)
FRAME_COLUMNS: tuple[str, ...] = (
    "activity_id", "date", "date_precision", "start", "end", "year", "country", "partners",
    "counterpart", "activity_type", "themes", "title", "amount_usd", "source", "source_url",
    "source_language", "line", "source_file", "maps_pillars", "title_ru", "amount_kind",
)
FREE_TEXT: frozenset[str] = frozenset({"counterpart", "title", "title_ru", "source"})
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
    sources: tuple[SourceFile, ...] = ()
    duplicates: pd.DataFrame | None = None


def read_activities(path: Path, taxonomy: Taxonomy | None = None
                    ) -> tuple[pd.DataFrame, CsvTable]:
    """Read and check one registry file. Problems are in the returned ``CsvTable``, not raised.

    The file is read as columns and the rules run on whole columns
    (:mod:`analysis.data.registry_columns`); :func:`check_row` writes the problems of the rows they
    flag.
    """
    vocab = taxonomy or load_taxonomy()
    table = read_csv_table(path, COLUMNS, KIND, optional=OPTIONAL_COLUMNS)
    if not table.readable:
        return empty_activities(), table
    if not table.rows:
        table.problem(1, "(file)", "", "the registry has a header but no activities; "
                      "add one row per activity")
    return check_activities(table, vocab, check_row), table


def check_row(csv_file: CsvFile | CsvTable, line: int, rec: dict[str, str], vocab: Taxonomy
               ) -> dict[str, object] | None:
    """Check one record; return the parsed row, or None when any field has a problem.

    The reference for every rule and message; :func:`read_activities` runs it only on the rows
    that the column rules flag.
    """
    before = len(csv_file.problems)
    flagged = check_text_fields(csv_file, line, rec, FREE_TEXT)  # no column allows line breaks
    checked = len(csv_file.problems)

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
    pillars = _check_list(rec, "maps_pillars", line, csv_file,
                          lambda p: p if p in PILLARS else None, _unknown_pillar)
    amount, reason = fields.check_amount(rec.get("amount_usd", ""))
    if reason:
        bad("amount_usd", reason)
    reason = _check_amount_kind(rec.get("amount_usd", ""), rec.get("amount_kind", ""),
                                amount_ok=amount is not None or not rec.get("amount_usd"))
    if reason:
        bad("amount_kind", reason)
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
    keep_first_problems(csv_file, checked, flagged)
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
        "source_file": csv_file.name, "maps_pillars": pillars,
        "title_ru": rec.get("title_ru", ""), "amount_kind": rec.get("amount_kind", ""),
    }


def _check_amount_kind(amount: str, kind: str, amount_ok: bool = True) -> str | None:
    """Why ``amount_kind`` is wrong for this row, or None: required with an amount, one of
    :data:`AMOUNT_KINDS`, and meaningless without an amount. An invalid amount (``amount_ok``
    false) is reported once, on ``amount_usd``, not again here."""
    kinds = ", ".join(AMOUNT_KINDS)
    if kind and kind not in AMOUNT_KINDS:
        guess = suggest(kind, AMOUNT_KINDS)
        hint = f"did you mean '{guess}'? " if guess else ""
        return f"unknown amount kind; {hint}use one of {kinds} (data/README.md)"
    if not amount_ok:
        return None
    if amount and not kind:
        return ("required when amount_usd is given: say what the amount is — committed (a "
                "loan or grant approved, a financing agreement signed), disbursed (paid out), "
                "announced (stated at a visit, in a memorandum or a plan; not yet committed) or "
                "indicative (a pipeline, envelope or budget estimate); the rule is in "
                "data/README.md")
    if kind and not amount:
        return "an amount kind without an amount_usd: give the amount or leave amount_kind empty"
    return None


def _check_list(rec: dict[str, str], column: str, line: int,
                csv_file: CsvFile | CsvTable,
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


def _unknown_pillar(value: str) -> str:
    hint = f"did you mean '{value.upper()}'? " if value.upper() in PILLARS else ""
    return (f"unknown MAPS pillar; {hint}use I, II, III or IV, several separated by ';' "
            "(e.g. II;IV), or leave the column empty to place the activity by its themes")


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
    """Load and validate a registry (or a sources file of several) and its commitments.

    Parameters
    ----------
    path
        Registry CSV, or a sources YAML listing several; relative paths resolve from the
        project root. Default: the shipped registry.
    commitments
        Commitments CSV for a single registry; default: the file that belongs to it
        (:func:`commitments_path_for`), or none.
    taxonomy
        Vocabularies; default: ``data/taxonomy``.

    Raises
    ------
    DataValidationError
        With every problem in every registry and commitments file.
    ParameterError
        For an unreadable or invalid sources file.
    """
    registry_path = paths.resolve_data_path(path) if path is not None else paths.DEFAULT_REGISTRY
    vocab = taxonomy or load_taxonomy()
    if is_sources_config(registry_path):
        return _load_sources(registry_path, vocab)
    loaded = _load_file(registry_path, vocab, commitments)
    if loaded.problems:
        raise DataValidationError(loaded.problems)
    return Registry(loaded.activities, loaded.commitments, registry_path, loaded.sha256,
                    loaded.commitments_path, loaded.commitments_sha256,
                    (SourceFile(registry_path, loaded.sha256, len(loaded.activities)),))


@dataclass
class _Loaded:
    activities: pd.DataFrame
    commitments: pd.DataFrame
    problems: list[Problem]
    sha256: str
    commitments_path: Path | None
    commitments_sha256: str | None


def _load_file(registry_path: Path, vocab: Taxonomy, commitments: str | Path | None = None
               ) -> _Loaded:
    from analysis.data.commitments import empty_commitments, read_commitments

    activities, csv_file = read_activities(registry_path, vocab)
    problems: list[Problem] = list(csv_file.problems)
    commitments_path = (paths.resolve_data_path(commitments) if commitments is not None
                        else commitments_path_for(registry_path))
    commitment_frame, commitments_sha = empty_commitments(), None
    if commitments_path is not None:
        known = csv_file.ids()
        commitment_frame, commitments_file = read_commitments(commitments_path, known, vocab)
        problems += commitments_file.problems
        commitments_sha = commitments_file.sha256
    return _Loaded(activities, commitment_frame, problems, csv_file.sha256, commitments_path,
                   commitments_sha)


def _load_sources(config: Path, vocab: Taxonomy) -> Registry:
    files = read_sources_config(config)
    loaded = [(path, _load_file(path, vocab)) for path in files]
    problems = [p for _, item in loaded for p in item.problems]
    if problems:
        raise DataValidationError(problems)
    activities = combine([(path, item.activities) for path, item in loaded])
    frames = [item.commitments for _, item in loaded if not item.commitments.empty]
    commitments = pd.concat(frames, ignore_index=True) if frames else loaded[0][1].commitments
    sources = tuple(SourceFile(path, item.sha256, len(item.activities)) for path, item in loaded)
    return Registry(activities, commitments, config, combined_sha256(list(sources)),
                    sources=sources, duplicates=find_likely_duplicates(activities))
