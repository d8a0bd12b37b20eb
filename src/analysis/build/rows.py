"""Fingerprints of the rows a report selects from a per-country table, with the standard
library alone (no pandas: a build with nothing to do must stay cheap).

A per-country table (the activity registry, its commitments, the indicators, milestones and
procurement-system facts) is read once per build with :mod:`csv`; each row becomes one
canonical line (its values in the order of the sorted column names, so a column moved in the
header changes nothing) and falls in a *bucket*: its country, and for the registry its year.
A bucket's fingerprint is the SHA-256 of its sorted lines, so the order of the rows does not
count, and neither do the rows of other buckets. A report combines the buckets it selects
(:func:`selected`): its countries, and for the registry the years it reads.

The registry also gives, per country, its *span*: the rows at the country's first start and
last end. A report prints the coverage of its own countries, in every year
(:func:`analysis.measures.coverage.country_coverage`), so a row that moves a country's span
is an input of the reports about that country, even those that read only some years of it
(a profile), and of no other report.
"""

from __future__ import annotations

import calendar
import csv
import functools
import hashlib
import operator
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ALL_YEARS = ""  # the bucket key's year in tables without years (and the commitments)
UNKNOWN = ""  # the country of a commitment whose activity is not in the registry
Bound = tuple[str, tuple[str, ...]]  # a span's end: its day, and the rows there


@dataclass
class Table:
    """One per-country table read: per (country, year) bucket its row count and fingerprint."""

    buckets: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    # registry only: activity id -> country, and per country its span: the rows at its first
    # start and at its last end, as (day, sorted "id\x1fdate\x1fprecision" lines)
    countries: dict[str, str] = field(default_factory=dict)
    spans: dict[str, tuple[Bound, Bound]] = field(default_factory=dict)
    # indicators only: what a report reads of every country's rows (the years with any
    # value, the indicators in order of first appearance: the columns and rows of its tables)
    shape: str = ""


def _digest(lines: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(lines)).encode("utf-8")).hexdigest()


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows; a file that cannot be read is one bucket-less table (its absence or
    damage is a change all the same: see :func:`fingerprint_file`)."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            return header, list(reader)
    except (OSError, UnicodeDecodeError, csv.Error):
        return [], []


def _canonical(header: Sequence[str]) -> tuple[Callable[[Sequence[str]], str], str]:
    """How a row becomes its canonical line (values in the order of the sorted column
    names), and the canonical header."""
    order = sorted(range(len(header)), key=lambda i: header[i])
    if len(order) == 1:
        return (lambda row: row[order[0]]), header[0]
    pick = operator.itemgetter(*order)
    return (lambda row: "\x1f".join(pick(row))), "\x1f".join(header[i] for i in order)


def _rows(header: Sequence[str], found: Iterable[list[str]]) -> Iterator[list[str]]:
    """The non-blank rows, each padded to the header's width."""
    width = len(header)
    for row in found:
        if not any(row):
            continue
        if len(row) < width:
            row = row + [""] * (width - len(row))
        yield row


def _cell(row: Sequence[str], index: int | None) -> str:
    return row[index].strip() if index is not None else ""


@functools.lru_cache(maxsize=65_536)
def _bounds(date: str) -> tuple[str, str]:
    """First and last day of a registry date written at its precision (2023, 2023-05,
    2023-05-17), as ISO text; an unreadable date is its own bounds (the check refuses it)."""
    if len(date) == 4:
        return f"{date}-01-01", f"{date}-12-31"
    if len(date) == 7:
        try:
            days = calendar.monthrange(int(date[:4]), int(date[5:7]))[1]
        except ValueError:
            return date, date
        return f"{date}-01", f"{date}-{days:02d}"
    return date, date


def read_registry(path: Path) -> Table:
    """A registry file's buckets by (country, year of its date), its ids' countries and each
    country's span."""
    header, found = _read(path)
    table = Table()
    if not header:
        return table
    line, head = _canonical(header)
    col = {name: i for i, name in enumerate(header)}
    if not {"country", "date", "activity_id"} <= col.keys():
        # not a registry's header: by country if it has one (the params check refuses it)
        return read_by_country(path)
    country, date, ident = col["country"], col["date"], col["activity_id"]
    precision = col.get("date_precision")
    lines: dict[tuple[str, str], list[str]] = defaultdict(list)
    firsts: dict[str, tuple[str, list[str]]] = {}
    lasts: dict[str, tuple[str, list[str]]] = {}
    countries = table.countries
    for row in _rows(header, found):
        code, day, activity = row[country].strip(), row[date].strip(), row[ident].strip()
        lines[(code, day[:4])].append(line(row))
        countries[activity] = code
        start, end = _bounds(day)
        first, last = firsts.get(code), lasts.get(code)
        if first is None or start <= first[0]:
            what = f"{activity}\x1f{day}\x1f{_cell(row, precision)}"
            if first is None or start < first[0]:
                firsts[code] = (start, [what])
            else:
                first[1].append(what)
        if last is None or end >= last[0]:
            what = f"{activity}\x1f{day}\x1f{_cell(row, precision)}"
            if last is None or end > last[0]:
                lasts[code] = (end, [what])
            else:
                last[1].append(what)
    table.buckets = {key: (len(rows), _digest([head, *rows])) for key, rows in lines.items()}
    table.spans = {code: ((start, tuple(sorted(ids))), (lasts[code][0],
                                                        tuple(sorted(lasts[code][1]))))
                   for code, (start, ids) in firsts.items()}
    return table


def span(tables: Iterable[Table], country: str) -> list[Any]:
    """A country's span over several registry files (a sources file's): ``[first day, its
    rows, last day, its rows]``, ``["", [], "", []]`` when it has no row."""
    first: tuple[str, set[str]] = ("\uffff", set())
    last: tuple[str, set[str]] = ("", set())
    for table in tables:
        found = table.spans.get(country)
        if found is None:
            continue
        (start, starts), (end, ends) = found
        if start <= first[0]:
            first = (start, set(starts) | (first[1] if start == first[0] else set()))
        if end >= last[0]:
            last = (end, set(ends) | (last[1] if end == last[0] else set()))
    if not first[1]:
        return ["", [], "", []]
    return [first[0], sorted(first[1]), last[0], sorted(last[1])]


def read_by_country(path: Path, country_of: Mapping[str, str] | None = None) -> Table:
    """A table's buckets by country: its ``country`` column, or with ``country_of`` (activity
    id -> country) the country of its ``activity_id`` (a commitments file). The indicators
    file also records its shape (:attr:`Table.shape`)."""
    header, found = _read(path)
    table = Table()
    if not header:
        return table
    line, head = _canonical(header)
    col = {name: i for i, name in enumerate(header)}
    lines: dict[tuple[str, str], list[str]] = defaultdict(list)
    key = col.get("activity_id") if country_of is not None else col.get("country")
    shaped = "indicator" in col and "year" in col
    years: set[str] = set()
    indicators: dict[str, None] = {}
    for row in _rows(header, found):
        value = row[key].strip() if key is not None else ""
        code = country_of.get(value, UNKNOWN) if country_of is not None else value
        lines[(code, ALL_YEARS)].append(line(row))
        if shaped:
            years.add(row[col["year"]].strip())
            indicators.setdefault(row[col["indicator"]].strip())
    table.buckets = {k: (len(rows), _digest([head, *rows])) for k, rows in lines.items()}
    if indicators:
        table.shape = _digest([",".join(sorted(years)), "\x1f".join(indicators)])
    return table


def selected(table: Table, countries: Iterable[str] | None,
             years: tuple[int, int] | None) -> dict[str, tuple[int, str]]:
    """Per country, the number and fingerprint of the rows selected: ``countries`` (None:
    every country in the table) and ``years`` (inclusive; None: every year). A country with
    no row selected is there too, as ``(0, "")``, so that its first row is a change."""
    wanted = (sorted({c for c, _ in table.buckets} - {UNKNOWN}) if countries is None
              else sorted(set(countries)))
    result = {}
    for code in wanted:
        parts = sorted((year, count, digest) for (c, year), (count, digest)
                       in table.buckets.items()
                       if c in (code, UNKNOWN) and _in(year, years))
        count = sum(p[1] for p in parts)
        result[code] = (count, _digest(f"{y}:{d}" for y, _, d in parts) if parts else "")
    return result


def _in(year: str, years: tuple[int, int] | None) -> bool:
    if years is None or year == ALL_YEARS:
        return True
    try:
        return years[0] <= int(year) <= years[1]
    except ValueError:
        return True  # an unreadable year: in every selection (the check refuses it anyway)
