"""Reference data on the procurement system: country indicators and procurement milestones.

Two CSV files in ``data/reference/`` (provenance in its README):

- ``country_indicators.csv``: ``country, year, indicator, value, unit, source, source_url,
  note``; one value of one indicator for one country and year, read where ``source_url``
  points. A missing row is a gap and stays one (never filled or interpolated). Optional
  columns carry the value's published uncertainty and vintage: ``ci_low``/``ci_high`` (the
  source's interval, e.g. WGI's 90% bounds of a percentile rank), ``standard_error``, and
  ``release`` (the edition the value was read from, e.g. ``CPI 2024``).
- ``procurement_system.csv`` (optional): facts about each country's procurement system
  (volume, methods, competition, e-procurement, complaints, diagnostics, targets) with their
  source, address and release (:func:`read_system`); absent in a folder, no facts. Optional
  ``value_ru`` (a fact in words, in Russian) and ``release_ru`` (a release described in words,
  in Russian) are what a Russian report prints.
- ``indicator_guide.csv``: one row per indicator: what it measures (``context``), its scale,
  how many decimals the source publishes, the rule for a significant change and the source's
  guidance behind it, and a one-line rationale (:func:`read_guide`). Read from the folder when
  it has one, else from ``data/reference``.
- ``procurement_milestones.csv``: ``country, date, milestone, kind, source, source_url``, and
  optionally ``milestone_ru`` (the milestone in Russian);
  ``date`` is ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (when sources disagree on the day);
  ``kind`` is one of :data:`MILESTONE_KINDS`.

:func:`load_reference` validates both like the registry and raises
:class:`DataValidationError` listing every problem as ``file:line: column: value: reason``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataValidationError
from analysis.core.textsafety import check_characters, check_uzbek
from analysis.data import fields
from analysis.data.csvfile import CsvFile, read_csv_file
from analysis.data.taxonomy import suggest

INDICATOR_COLUMNS: tuple[str, ...] = (
    "country", "year", "indicator", "value", "unit", "source", "source_url", "note")
MILESTONE_COLUMNS: tuple[str, ...] = (
    "country", "date", "milestone", "kind", "source", "source_url")
MILESTONE_KINDS: tuple[str, ...] = ("law", "e_gp", "gpa", "ocds", "maps", "other")
OPTIONAL_INDICATOR_COLUMNS: tuple[str, ...] = ("ci_low", "ci_high", "standard_error", "release")
GUIDE_COLUMNS: tuple[str, ...] = (
    "indicator", "context", "headline", "scale_min", "scale_max", "higher_is_better", "decimals",
    "min_change", "guidance", "guidance_url", "rationale")
# what an indicator is context for: only ``pillar_iv`` indicators inform MAPS pillar IV findings
CONTEXTS: tuple[str, ...] = ("pillar_iv", "capacity", "budget_transparency", "volume", "rank")
INDICATORS_NAME = "country_indicators.csv"
GUIDE_NAME = "indicator_guide.csv"
SYSTEM_NAME = "procurement_system.csv"
SYSTEM_COLUMNS: tuple[str, ...] = (
    "country", "year", "fact", "value", "unit", "maps_pillar", "maps_indicator", "source",
    "source_url", "release", "note")
TEXT_UNIT = "text"  # a fact whose value is words (a body's name, a diagnostic's conclusion)
# Russian forms a Russian report prints: ``value_ru`` for a fact in words (unit ``text``),
# ``release_ru`` for a release described in words ("undated; after 2025-12-26"); a release
# that is a date or a year needs none, the report writes it in its language
OPTIONAL_SYSTEM_COLUMNS: tuple[str, ...] = ("value_ru", "release_ru", "value_uz", "release_uz")
MILESTONES_NAME = "procurement_milestones.csv"
# the Russian form of each source a reference file names (one row per source text): what a
# Russian report prints instead of the English description
SOURCE_NAMES_NAME = "source_names.csv"
SOURCE_NAMES_COLUMNS: tuple[str, ...] = ("source", "source_ru")
# the milestone in Russian (Russian reports use it; an empty cell falls back to English, marked)
OPTIONAL_MILESTONE_COLUMNS = ("milestone_ru", "milestone_uz")
INDICATOR_ID = re.compile(r"^[a-z][a-z0-9_]*$", re.ASCII)
VALUE_PATTERN = re.compile(r"^-?[0-9]+(\.[0-9]+)?$", re.ASCII)
YEAR_PATTERN = re.compile(r"^[0-9]{4}$", re.ASCII)


@dataclass(frozen=True)
class Reference:
    """Validated reference data and the checksums of the files it was read from."""

    indicators: pd.DataFrame  # country, year (int), indicator, value (float), unit, source, ...
    milestones: pd.DataFrame  # country, date, date_precision, start (Timestamp), milestone, ...
    indicators_sha256: str = ""
    milestones_sha256: str = ""
    guide: pd.DataFrame | None = None  # indicator_guide.csv, indexed by indicator
    guide_sha256: str = ""
    system: pd.DataFrame | None = None  # procurement_system.csv (read_system)
    system_sha256: str = ""


def _required(csv_file: CsvFile, line: int, rec: dict[str, str], columns: tuple[str, ...]
              ) -> None:
    for column in columns:
        if column in rec and rec[column] == "":
            csv_file.problem(line, column, "", "required field is empty")


def _country(csv_file: CsvFile, line: int, rec: dict[str, str]) -> None:
    if rec.get("country"):
        _, reason = fields.check_country(rec["country"])
        if reason:
            csv_file.problem(line, "country", rec["country"], reason)


def _url(csv_file: CsvFile, line: int, rec: dict[str, str]) -> None:
    if rec.get("source_url"):
        reason = fields.check_url(rec["source_url"])
        if reason:
            csv_file.problem(line, "source_url", rec["source_url"], reason)


def read_indicators(path: Path) -> tuple[pd.DataFrame, CsvFile]:
    """Read and check an indicators file; problems are in the returned ``CsvFile``."""
    csv_file = read_csv_file(path, INDICATOR_COLUMNS, "indicators file",
                             optional=OPTIONAL_INDICATOR_COLUMNS)
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, rec in csv_file.records:
        before = len(csv_file.problems)
        _required(csv_file, line, rec, ("country", "year", "indicator", "value", "unit",
                                        "source", "source_url"))
        _country(csv_file, line, rec)
        year = rec.get("year", "")
        if year and (not YEAR_PATTERN.match(year)
                     or not fields.MIN_YEAR <= int(year) <= fields.MAX_YEAR):
            csv_file.problem(line, "year", year, "not a year; write four digits such as 2023")
        if rec.get("indicator") and not INDICATOR_ID.match(rec["indicator"]):
            csv_file.problem(line, "indicator", rec["indicator"], "indicator ids are lower case "
                             "letters, digits and _ (e.g. cpi_score)")
        value = rec.get("value", "")
        if value and not VALUE_PATTERN.match(value):
            csv_file.problem(line, "value", value, "not a number; write digits with a '.' for "
                             "decimals (e.g. 31 or -0.75), no units or thousands separators")
        uncertainty = _uncertainty(csv_file, line, rec)
        _url(csv_file, line, rec)
        _once(csv_file, line, seen, (rec.get("country", ""), year, rec.get("indicator", "")),
              "indicator")
        if len(csv_file.problems) == before and all(c in rec for c in INDICATOR_COLUMNS):
            rows.append({**rec, "year": int(year), "value": float(value), **uncertainty,
                         "release": rec.get("release", ""), "line": line})
    frame = pd.DataFrame(rows, columns=[*INDICATOR_COLUMNS, *OPTIONAL_INDICATOR_COLUMNS, "line"])
    return frame, csv_file


def _once(csv_file: CsvFile, line: int, seen: dict[tuple[str, str, str], int],
          key: tuple[str, str, str], column: str) -> None:
    """One value per country, year and ``column`` (indicator or fact): a second is a problem
    naming the line of the first."""
    if all(key) and key in seen:
        csv_file.problem(line, column, key[2], f"{key[0]} {key[1]} already has this {column} "
                         f"on line {seen[key]}; keep one value per year")
    elif all(key):
        seen[key] = line


def _number(csv_file: CsvFile, line: int, rec: dict[str, str], column: str) -> float:
    """The optional number in ``column`` (NaN when empty); a problem when it is no number."""
    text = rec.get(column, "")
    if text == "":
        return math.nan
    if not VALUE_PATTERN.match(text):
        csv_file.problem(line, column, text, "not a number; write digits with a '.' for "
                         "decimals, or leave it empty when the source publishes none")
        return math.nan
    return float(text)


def _uncertainty(csv_file: CsvFile, line: int, rec: dict[str, str]) -> dict[str, float]:
    """The row's published interval and standard error, checked: both bounds or neither, the
    value inside them, a standard error not below 0."""
    low, high = (_number(csv_file, line, rec, c) for c in ("ci_low", "ci_high"))
    error = _number(csv_file, line, rec, "standard_error")
    value = float(rec["value"]) if VALUE_PATTERN.match(rec.get("value", "")) else math.nan
    if math.isnan(low) != math.isnan(high):
        missing = "ci_high" if math.isnan(high) else "ci_low"
        csv_file.problem(line, missing, rec.get(missing, ""), "an interval needs both bounds: "
                         "give ci_low and ci_high, or leave both empty")
    elif not math.isnan(low) and not low <= value <= high:
        csv_file.problem(line, "ci_low", rec["ci_low"], f"the interval {rec['ci_low']}–"
                         f"{rec['ci_high']} does not contain the value {rec['value']}; check "
                         "the columns were not swapped")
    if error < 0:
        csv_file.problem(line, "standard_error", rec["standard_error"],
                         "a standard error cannot be negative")
    return {"ci_low": low, "ci_high": high, "standard_error": error}


def read_guide(path: Path) -> tuple[pd.DataFrame, CsvFile]:
    """Read and check ``indicator_guide.csv``; the frame is indexed by indicator, with
    ``scale_min``/``scale_max``/``min_change`` as floats (NaN where empty), ``decimals`` as an
    int and ``headline``/``higher_is_better`` as booleans."""
    csv_file = read_csv_file(path, GUIDE_COLUMNS, "indicator guide")
    rows: list[dict[str, object]] = []
    seen: dict[str, int] = {}
    for line, rec in csv_file.records:
        before = len(csv_file.problems)
        name = rec.get("indicator", "")
        if name in seen:
            csv_file.problem(line, "indicator", name, f"already described on line {seen[name]}; "
                             "keep one row per indicator")
        elif name:
            seen[name] = line
        _required(csv_file, line, rec, ("indicator", "context", "headline", "higher_is_better",
                                        "decimals", "guidance", "rationale"))
        if rec.get("indicator") and not INDICATOR_ID.match(rec["indicator"]):
            csv_file.problem(line, "indicator", rec["indicator"], "indicator ids are lower case "
                             "letters, digits and _ (e.g. cpi_score)")
        if rec.get("context") and rec["context"] not in CONTEXTS:
            csv_file.problem(line, "context", rec["context"],
                             f"unknown context; use one of {', '.join(CONTEXTS)}")
        for column in ("headline", "higher_is_better"):
            if rec.get(column) and rec[column] not in ("yes", "no"):
                csv_file.problem(line, column, rec[column], "write yes or no")
        if rec.get("decimals") and not rec["decimals"].isdigit():
            csv_file.problem(line, "decimals", rec["decimals"], "write a whole number such as 0")
        numbers = {c: _number(csv_file, line, rec, c)
                   for c in ("scale_min", "scale_max", "min_change")}
        if rec.get("guidance_url"):
            reason = fields.check_url(rec["guidance_url"])
            if reason:
                csv_file.problem(line, "guidance_url", rec["guidance_url"], reason)
        if len(csv_file.problems) == before and all(c in rec for c in GUIDE_COLUMNS):
            rows.append({**rec, **numbers, "headline": rec["headline"] == "yes",
                         "higher_is_better": rec["higher_is_better"] == "yes",
                         "decimals": int(rec["decimals"]), "line": line})
    frame = pd.DataFrame(rows, columns=[*GUIDE_COLUMNS, "line"]).set_index("indicator")
    return frame, csv_file


def read_milestones(path: Path) -> tuple[pd.DataFrame, CsvFile]:
    """Read and check a milestones file; problems are in the returned ``CsvFile``."""
    csv_file = read_csv_file(path, MILESTONE_COLUMNS, "milestones file",
                             optional=OPTIONAL_MILESTONE_COLUMNS)
    rows: list[dict[str, object]] = []
    for line, rec in csv_file.records:
        before = len(csv_file.problems)
        rec.setdefault("milestone_ru", "")
        rec.setdefault("milestone_uz", "")
        for column in ("milestone", "milestone_ru", "milestone_uz"):
            reason = check_characters(rec.get(column, "")) or (
                check_uzbek(rec.get(column, "")) if column.endswith("_uz") else None)
            if reason:
                csv_file.problem(line, column, rec[column], reason)
        _required(csv_file, line, rec, ("country", "date", "milestone", "kind", "source",
                                        "source_url"))
        _country(csv_file, line, rec)
        span = None
        if rec.get("date"):
            span, reason = fields.check_date(rec["date"])
            if reason:
                csv_file.problem(line, "date", rec["date"], reason)
        kind = rec.get("kind", "")
        if kind and kind not in MILESTONE_KINDS:
            guess = suggest(kind, MILESTONE_KINDS)
            hint = f"did you mean '{guess}'? " if guess else ""
            csv_file.problem(line, "kind", kind, f"unknown milestone kind; {hint}use one of "
                             f"{', '.join(MILESTONE_KINDS)}")
        _url(csv_file, line, rec)
        if (len(csv_file.problems) == before and span is not None
                and all(c in rec for c in MILESTONE_COLUMNS)):
            rows.append({**rec, "date_precision": fields.date_precision_of(rec["date"]),
                         "start": span[0], "end": span[1], "line": line})
    frame = pd.DataFrame(rows, columns=[*MILESTONE_COLUMNS, *OPTIONAL_MILESTONE_COLUMNS,
                                        "date_precision", "start", "end", "line"])
    # dates even with no rows (a new project's empty file): the reports filter on .dt
    return frame.astype({"start": "datetime64[ns]", "end": "datetime64[ns]"}), csv_file


def read_system(path: Path) -> tuple[pd.DataFrame, CsvFile]:
    """Read and check ``procurement_system.csv``: facts about a country's procurement system,
    one per country, year and fact, each with its source, address and release. ``value`` is a
    number unless ``unit`` is ``text``; ``maps_pillar`` is I–IV or empty. The frame has
    ``number`` (float, NaN for text facts) beside ``value`` (the text as written)."""
    csv_file = read_csv_file(path, SYSTEM_COLUMNS, "procurement system file",
                             optional=OPTIONAL_SYSTEM_COLUMNS)
    rows: list[dict[str, object]] = []
    seen: dict[tuple[str, str, str], int] = {}
    for line, rec in csv_file.records:
        before = len(csv_file.problems)
        for column in OPTIONAL_SYSTEM_COLUMNS:
            rec.setdefault(column, "")
        for column in ("fact", "value", "unit", "note", "source", "release",
                       *OPTIONAL_SYSTEM_COLUMNS):
            reason = check_characters(rec.get(column, "")) or (
                check_uzbek(rec.get(column, "")) if column.endswith("_uz") else None)
            if reason:
                csv_file.problem(line, column, rec[column], reason)
        _required(csv_file, line, rec, ("country", "year", "fact", "value", "unit", "source",
                                        "source_url", "release"))
        _country(csv_file, line, rec)
        year = rec.get("year", "")
        if year and (not YEAR_PATTERN.match(year)
                     or not fields.MIN_YEAR <= int(year) <= fields.MAX_YEAR):
            csv_file.problem(line, "year", year, "not a year; write four digits such as 2023 "
                             "(say in note when a figure covers part of a year)")
        if rec.get("fact") and not INDICATOR_ID.match(rec["fact"]):
            csv_file.problem(line, "fact", rec["fact"], "fact ids are lower case letters, "
                             "digits and _ (e.g. egp_share_value)")
        text = rec.get("unit") == TEXT_UNIT
        value = rec.get("value", "")
        if value and not text and not VALUE_PATTERN.match(value):
            csv_file.problem(line, "value", value, "not a number; write digits with a '.' "
                             "for decimals, or set unit to text for a fact in words")
        for column in ("value_ru", "value_uz"):
            if rec[column] and not text:
                csv_file.problem(line, column, rec[column], "only a fact in words (unit text) "
                                 f"has a translation; leave {column} empty for a number")
        if rec.get("maps_pillar") and rec["maps_pillar"] not in ("I", "II", "III", "IV"):
            csv_file.problem(line, "maps_pillar", rec["maps_pillar"], "use I, II, III or IV, "
                             "or leave it empty")
        _url(csv_file, line, rec)
        _once(csv_file, line, seen, (rec.get("country", ""), year, rec.get("fact", "")),
              "fact")
        if len(csv_file.problems) == before and all(c in rec for c in SYSTEM_COLUMNS):
            rows.append({**rec, "year": int(year),
                         "number": math.nan if text else float(value), "line": line})
    frame = pd.DataFrame(rows, columns=[*SYSTEM_COLUMNS, *OPTIONAL_SYSTEM_COLUMNS, "number",
                                        "line"])
    return frame, csv_file


def read_source_names(path: Path) -> tuple[dict[str, dict[str, str]], CsvFile]:
    """Read and check ``source_names.csv``: each source text of the reference files and its
    Russian form; problems are in the returned ``CsvFile``."""
    csv_file = read_csv_file(path, SOURCE_NAMES_COLUMNS, "source names file",
                             optional=("source_uz",))
    names: dict[str, dict[str, str]] = {}
    first: dict[str, int] = {}
    for line, rec in csv_file.records:
        before = len(csv_file.problems)
        _required(csv_file, line, rec, SOURCE_NAMES_COLUMNS)
        for column in (*SOURCE_NAMES_COLUMNS, "source_uz"):
            reason = check_characters(rec.get(column, "")) or (
                check_uzbek(rec.get(column, "")) if column == "source_uz" else None)
            if reason:
                csv_file.problem(line, column, rec[column], reason)
        source = rec.get("source", "")
        if source in first:
            csv_file.problem(line, "source", source, f"this source already has a Russian form "
                             f"on line {first[source]}; keep one row per source")
        elif source:
            first[source] = line
        if len(csv_file.problems) == before:
            names[source] = {"ru": rec["source_ru"], "uz": rec.get("source_uz", "")}
    return names, csv_file


def source_names(folder: Path | None = None, lang: str = "ru") -> dict[str, str]:
    """The Russian (``lang`` ``ru``) or Uzbek (``uz``: ``source_uz``, else the Russian form
    marked «(rus.)») forms of the sources (``source_names.csv`` in ``folder``, default
    ``data/reference``); empty when there is no such file.

    Raises
    ------
    DataValidationError
        When the file has problems (each names its line, column and value).
    """
    path = (folder or paths.reference_dir()) / SOURCE_NAMES_NAME
    if not path.exists():
        return {}
    names, csv_file = read_source_names(path)
    if csv_file.problems:
        raise DataValidationError(csv_file.problems)
    if lang == "uz":
        return {source: forms["uz"] or f"{forms['ru']} (rus.)" for source, forms in names.items()}
    return {source: forms["ru"] for source, forms in names.items()}


def load_reference(folder: str | Path | None = None) -> Reference:
    """Load and validate ``country_indicators.csv`` and ``procurement_milestones.csv``.

    Parameters
    ----------
    folder
        The folder holding both files; default ``data/reference``.

    Raises
    ------
    DataValidationError
        With every problem found in either file.
    """
    base = paths.resolve_data_path(folder) if folder is not None else paths.reference_dir()
    indicators, ifile = read_indicators(base / INDICATORS_NAME)
    milestones, mfile = read_milestones(base / MILESTONES_NAME)
    guide_path = base / GUIDE_NAME
    if not guide_path.exists():
        guide_path = paths.reference_dir() / GUIDE_NAME
    guide, gfile = read_guide(guide_path)
    system_path = base / SYSTEM_NAME
    empty = pd.DataFrame(columns=[*SYSTEM_COLUMNS, *OPTIONAL_SYSTEM_COLUMNS, "number", "line"])
    system, sfile = (read_system(system_path) if system_path.exists() else (empty, None))
    problems = [*ifile.problems, *mfile.problems, *gfile.problems,
                *(sfile.problems if sfile is not None else [])]
    if problems:
        raise DataValidationError(problems)
    return Reference(indicators, milestones, ifile.sha256, mfile.sha256, guide, gfile.sha256,
                     system, sfile.sha256 if sfile is not None else "")


def indicator_series(indicators: pd.DataFrame, countries: list[str], indicator: str,
                     years: tuple[int, int]) -> pd.DataFrame:
    """One indicator for ``countries`` over ``years``, one row per country and year, with
    ``value`` NaN where no value is recorded (a gap, shown as such).

    Returns
    -------
    DataFrame with ``country``, ``year``, ``value``, ``source``, ``source_url``, ``unit``, and
    the optional uncertainty columns the indicators frame has (``ci_low``, ``ci_high``,
    ``standard_error``).
    """
    own = indicators[(indicators["indicator"] == indicator)
                     & indicators["country"].isin(countries)]
    grid = pd.MultiIndex.from_product([countries, range(years[0], years[1] + 1)],
                                      names=["country", "year"]).to_frame(index=False)
    cols = ["country", "year", "value", "source", "source_url", "unit",
            *(c for c in ("ci_low", "ci_high", "standard_error") if c in indicators)]
    return grid.merge(own[cols], on=["country", "year"], how="left", validate="one_to_one")
