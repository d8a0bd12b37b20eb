"""Findings of the Strategic Procurement Country Report, derived by explicit rules.

Each rule is a pure function of the activities, the pillar placement, the reference data and
the commitments; it returns :class:`Finding` objects that carry their evidence (activity or
commitment ids, and :class:`Cited` values: an indicator value with its year and source, or a
milestone with its source). Texts and recommendations live in the message catalogue
(``finding.<kind>`` / ``finding.<kind>.do``), never per country.

Severity order (most important first), used to sort and to lead the executive summary:

1. ``reform_unsupported``: a procurement milestone (law, e-GP step...) in the period with no
   procurement-related activity within ±``window_days`` (default 365) of it.
2. ``pillar_gap``: a MAPS pillar with no procurement-related activity in the period.
3. ``overdue``: commitments of procurement-related activities past due and not delivered.
4. ``period_fall``: fewer procurement-related activities in the period than in the previous
   period of equal length.
5. ``indicator_fell``: the latest value of a headline indicator is below the previous one.
6. ``trails_peer``: in the latest year both have it, the country's value is below the peer's.
7. ``dependence``: one partner takes part in more than ``share`` (default 50 %) of the
   procurement-related activities (with at least 3 such activities).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

SEVERITY: tuple[str, ...] = ("reform_unsupported", "pillar_gap", "overdue", "period_fall",
                             "indicator_fell", "trails_peer", "dependence")
# headline indicators where a higher value is better
HEADLINE_INDICATORS: tuple[str, ...] = ("cpi_score", "wgi_control_of_corruption_pct",
                                        "wgi_government_effectiveness_pct",
                                        "obs_transparency_score")


@dataclass(frozen=True)
class Cited:
    """A fact from the reference data and where it was read: an indicator value (``what`` is
    the indicator id, with ``year`` and ``value``) or a milestone (``what`` is its text)."""

    what: str
    country: str
    source: str
    source_url: str
    year: int | None = None
    value: float | None = None

    def __str__(self) -> str:
        fact = (f"{self.what} {self.country} {self.year}: {self.value:g}"
                if self.value is not None else f"{self.what}")
        return f"{fact} ({self.source}, {self.source_url})"


Evidence = str | Cited  # a str is an activity or commitment id (or a period's list of ids)
CITED_IDS = 12  # ids a finding cites at most; the others are counted, "… (+N)"


def cite_ids(ids: Sequence[str], limit: int = CITED_IDS) -> tuple[str, ...]:
    """At most ``limit`` of ``ids`` (the first ones), then ``"… (+N)"`` for the N left out:
    evidence stays readable, and a report small, whatever the selection's size."""
    kept = tuple(ids[:limit])
    return kept + (f"… (+{len(ids) - limit})",) if len(ids) > limit else kept


@dataclass(frozen=True)
class Finding:
    """One finding: its kind, the values its sentence needs, and its evidence."""

    kind: str
    values: dict[str, object] = field(default_factory=dict)
    evidence: tuple[Evidence, ...] = ()

    @property
    def severity(self) -> int:
        return SEVERITY.index(self.kind)


def find_pillar_gaps(totals: dict[str, int]) -> list[Finding]:
    """A finding per pillar with no procurement-related activity (``totals`` from
    :func:`analysis.measures.pillars.pillar_totals`); the evidence is the pillar table."""
    return [Finding("pillar_gap", {"pillar": p}, ("pillar_table",))
            for p, n in totals.items() if n == 0]


def find_unsupported_reforms(milestones: pd.DataFrame, procurement: pd.DataFrame,
                             country: str, years: tuple[int, int],
                             window_days: int = 365) -> list[Finding]:
    """Milestones of ``country`` dated in ``years`` with no procurement-related activity of the
    country within ±``window_days`` of the milestone's start (the window's edge counts as
    within). The evidence is the milestone's source."""
    own = milestones[(milestones["country"] == country)
                     & milestones["start"].dt.year.between(*years)]
    acts = procurement[procurement["country"] == country]
    found = []
    for row in own.sort_values("start").itertuples():
        near = acts[(acts["start"] - row.start).abs() <= pd.Timedelta(days=window_days)]
        if near.empty:
            found.append(Finding("reform_unsupported",
                                 {"date": row.date, "precision": row.date_precision,
                                  "milestone": row.milestone, "months": window_days // 30},
                                 (Cited(str(row.milestone), country, str(row.source),
                                        str(row.source_url)),)))
    return found


def find_overdue(commitments: pd.DataFrame, procurement_ids: set[str],
                 today: pd.Timestamp) -> list[Finding]:
    """One finding for all commitments of procurement-related activities past due (the last
    day their due date covers is before ``today``) and not delivered; the evidence is their
    commitment ids."""
    own = commitments[commitments["activity_id"].isin(procurement_ids)]
    late = own[own["due_end"].notna() & (own["due_end"] < today)
               & (own["status"] != "delivered")]
    if late.empty:
        return []
    return [Finding("overdue", {"count": len(late)}, tuple(late["commitment_id"]))]


def find_period_fall(procurement: pd.DataFrame, country: str, years: tuple[int, int],
                     previous: tuple[int, int]) -> list[Finding]:
    """Procurement-related activities of ``country`` in ``years`` against the ``previous``
    period (of equal length, :func:`analysis.measures.metrics.previous_period`).

    Reports a **fall** only: fewer activities now than then (including none now). A rise or
    no change is no finding; the executive summary's trend sentence states every case. The
    evidence lists each period's activity ids as ``"2017–2021: A, B"`` (at most
    :data:`CITED_IDS` each, then ``… (+N)``).

    Parameters
    ----------
    procurement
        Procurement-related activities of any years (``activity_id``, ``country``, ``year``).
    """
    own = procurement[procurement["country"] == country]
    now = own[own["year"].between(*years)].sort_values(["start", "activity_id"])
    then = own[own["year"].between(*previous)].sort_values(["start", "activity_id"])
    if len(now) >= len(then):
        return []
    evidence = tuple(f"{a}–{b}: {', '.join(cite_ids(list(ids['activity_id']))) or '—'}"
                     for (a, b), ids in ((previous, then), (years, now)))
    return [Finding("period_fall", {"current": len(now), "previous": len(then),
                                    "start": years[0], "end": years[1],
                                    "prev_start": previous[0], "prev_end": previous[1]},
                    evidence)]


def _values(indicators: pd.DataFrame, country: str, indicator: str,
            years: tuple[int, int]) -> pd.DataFrame:
    rows = indicators[(indicators["country"] == country) & (indicators["indicator"] == indicator)
                      & indicators["year"].between(years[0] - 10, years[1])]
    return rows.sort_values("year")


def _cite(row: pd.Series) -> Cited:
    return Cited(str(row["indicator"]), str(row["country"]), str(row["source"]),
                 str(row["source_url"]), int(row["year"]), float(row["value"]))


def find_indicator_changes(indicators: pd.DataFrame, country: str, peer: str | None,
                           years: tuple[int, int],
                           headline: tuple[str, ...] = HEADLINE_INDICATORS) -> list[Finding]:
    """Headline indicators whose latest value (up to the period's end, at most 10 years before
    its start) fell against the previous recorded one, and those below the peer's in the latest
    year both have. Equal values are no finding."""
    found = []
    for indicator in headline:
        mine = _values(indicators, country, indicator, years)
        if len(mine) >= 2:
            before, last = mine.iloc[-2], mine.iloc[-1]
            if last["value"] < before["value"]:
                found.append(Finding("indicator_fell", {
                    "indicator": indicator, "year": int(last["year"]), "value": last["value"],
                    "before_year": int(before["year"]), "before": before["value"]},
                    (_cite(before), _cite(last))))
        if peer:
            theirs = _values(indicators, peer, indicator, years)
            common = sorted(set(mine["year"]) & set(theirs["year"]))
            if common:
                year = common[-1]
                a = mine[mine["year"] == year].iloc[0]
                b = theirs[theirs["year"] == year].iloc[0]
                if a["value"] < b["value"]:
                    found.append(Finding("trails_peer", {
                        "indicator": indicator, "year": int(year), "value": a["value"],
                        "peer": peer, "peer_value": b["value"]}, (_cite(a), _cite(b))))
    return found


def find_dependence(procurement: pd.DataFrame, share: float = 0.5,
                    minimum: int = 3) -> list[Finding]:
    """The partner in more than ``share`` of the procurement-related activities (at least
    ``minimum`` of them), if any; exactly ``share`` is no finding. Ties go to the partner
    first by name. The evidence is the ids of that partner's activities (at most
    :data:`CITED_IDS`)."""
    if len(procurement) < minimum:
        return []
    counts = Counter(p for ps in procurement["partners"] for p in ps)
    if not counts:
        return []
    partner, n = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]
    if n / len(procurement) <= share:
        return []
    ids = cite_ids([a for a, ps in zip(procurement["activity_id"], procurement["partners"],
                                       strict=True) if partner in ps])
    return [Finding("dependence", {"partner": partner, "count": n, "total": len(procurement),
                                   "share": n / len(procurement)}, ids)]


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first (see :data:`SEVERITY`); the rules' own order within a kind."""
    return sorted(findings, key=lambda f: f.severity)
