"""What the registry covers, so that reports do not present gaps in the record as facts.

The registry lists activities found in public sources from its first record to its last. A
report period that reaches outside that span (a comparison period "2016–2019" when the first
record is from 2017), or that includes the current, unfinished year, would otherwise show
zeros or a fall that are artefacts of coverage. These pure functions say what is covered; the
report module turns that into sentences and chart notes, and an empty selection into a build
warning (:mod:`analysis.report.warnings`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Coverage:
    """The registry's span and the day the report is made."""

    first_date: str  # as written in the registry, e.g. "2017-04-07"
    first_precision: str
    last_date: str
    last_precision: str
    as_of: dt.date

    @property
    def first_year(self) -> int:
        return int(self.first_date[:4])

    @property
    def last_year(self) -> int:
        return int(self.last_date[:4])

    def years_before(self, start: int, end: int) -> tuple[int, ...]:
        """Years of ``start``–``end`` before the registry's first record's year."""
        return tuple(y for y in range(start, end + 1) if y < self.first_year)

    def partial_year(self, start: int, end: int) -> int | None:
        """The current year when it lies in ``start``–``end`` and is not over on ``as_of``."""
        year = self.as_of.year
        unfinished = self.as_of < dt.date(year, 12, 31)
        return year if start <= year <= end and unfinished else None

    def years_after(self, start: int, end: int) -> tuple[int, ...]:
        """Years of ``start``–``end`` after the current year (nothing can be recorded yet)."""
        return tuple(y for y in range(start, end + 1) if y > self.as_of.year)


def registry_coverage(activities: pd.DataFrame, as_of: dt.date) -> Coverage | None:
    """The span of ``activities`` (the whole registry), or None when it has no rows.

    Parameters
    ----------
    activities
        The registry's activities (columns ``date``, ``date_precision``, ``start``, ``end``).
    as_of
        The day the report is made (the build day): decides whether its year is unfinished.
    """
    if activities.empty:
        return None
    # the earliest start (ties: the smallest id) and the latest end (ties: the largest id),
    # found in one pass each: a registry may have a million rows
    earliest = activities[activities["start"] == activities["start"].min()]
    first = earliest.loc[earliest["activity_id"].idxmin()]
    latest = activities[activities["end"] == activities["end"].max()]
    last = latest.loc[latest["activity_id"].idxmax()]
    return Coverage(str(first["date"]), str(first["date_precision"]), str(last["date"]),
                    str(last["date_precision"]), as_of)


def countries_without_activities(selected: pd.DataFrame, countries: tuple[str, ...]
                                 ) -> tuple[str, ...]:
    """The report countries that have no activity in the selection, in report order."""
    present = set(selected["country"])
    return tuple(c for c in countries if c not in present)
