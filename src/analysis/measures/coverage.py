"""What the registry covers of each report country, so that reports do not present gaps in
the record as facts.

The registry lists the activities found in public sources. For each country of a report it
has a first record and a last one; a report period that reaches before a country's first
record (a comparison period "2016–2019" when that country's first record is from 2019), or
that includes the current, unfinished year, would otherwise show zeros or a fall that are
artefacts of coverage. These pure functions say what is covered; the report module turns that
into sentences and chart notes, and an empty selection into a build warning
(:mod:`analysis.report.warnings`).

Coverage is per country, over the registry's rows of that country in every year, and never
the whole registry's: a report then depends only on the rows it selects, so a new activity of
one country rebuilds only the reports about that country (:mod:`analysis.build.selection`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Coverage:
    """One country's first and last record in the registry."""

    country: str  # ISO alpha-3
    first_date: str  # as written in the registry, e.g. "2017-04-07"
    first_precision: str
    last_date: str
    last_precision: str

    @property
    def first_year(self) -> int:
        return int(self.first_date[:4])

    @property
    def last_year(self) -> int:
        return int(self.last_date[:4])

    def years_before(self, start: int, end: int) -> tuple[int, ...]:
        """Years of ``start``–``end`` before the year of the country's first record."""
        return tuple(y for y in range(start, end + 1) if y < self.first_year)


def partial_year(as_of: dt.date, start: int, end: int) -> int | None:
    """The current year when it lies in ``start``–``end`` and is not over on ``as_of``."""
    year = as_of.year
    unfinished = as_of < dt.date(year, 12, 31)
    return year if start <= year <= end and unfinished else None


def years_after(as_of: dt.date, start: int, end: int) -> tuple[int, ...]:
    """Years of ``start``–``end`` after the year of ``as_of`` (nothing can be recorded yet)."""
    return tuple(y for y in range(start, end + 1) if y > as_of.year)


def country_coverage(activities: pd.DataFrame, countries: Iterable[str]
                     ) -> dict[str, Coverage | None]:
    """Per country, in the order given, its first and last record among ``activities`` (the
    registry's, every year), or None when it has none.

    Parameters
    ----------
    activities
        The registry's activities (columns ``country``, ``activity_id``, ``date``,
        ``date_precision``, ``start``, ``end``).
    countries
        ISO alpha-3 codes: the report's countries (a comparison's, an SPCR's country and peer).

    Returns
    -------
    dict
        The first record is the one with the earliest ``start`` (ties: the smallest id), the
        last the one with the latest ``end`` (ties: the largest id), as the build's
        fingerprint of a country's span reads them (:mod:`analysis.build.rows`).
    """
    wanted = list(dict.fromkeys(countries))
    found: dict[str, Coverage | None] = dict.fromkeys(wanted)
    own = activities[activities["country"].isin(wanted)]
    # one pass per country over its own rows: a registry may have a million
    for code, rows in own.groupby("country", sort=False):
        earliest = rows[rows["start"] == rows["start"].min()]
        first = earliest.loc[earliest["activity_id"].idxmin()]
        latest = rows[rows["end"] == rows["end"].max()]
        last = latest.loc[latest["activity_id"].idxmax()]
        found[str(code)] = Coverage(str(code), str(first["date"]), str(first["date_precision"]),
                                    str(last["date"]), str(last["date_precision"]))
    return found


def countries_without_activities(selected: pd.DataFrame, countries: tuple[str, ...]
                                 ) -> tuple[str, ...]:
    """The report countries that have no activity in the selection, in report order."""
    present = set(selected["country"])
    return tuple(c for c in countries if c not in present)
