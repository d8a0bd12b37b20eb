"""Findings of the Strategic Procurement Country Report, derived by explicit rules.

Each rule is a pure function of the activities, the pillar placement, the reference data and
the commitments; it returns :class:`Finding` objects that carry their evidence (activity or
commitment ids, and :class:`Cited` values: an indicator value with its year and source, or a
milestone with its source). Texts and recommendations live in the message catalogue
(``finding.<kind>`` / ``finding.<kind>.do``), never per country.

Severity order (most important first), used to sort and to lead the executive summary:

1. ``reform_unsupported``: a procurement milestone (law, e-GP step...) in the period with no
   procurement-related activity within ±``window_days`` (default 365) of it.
2. ``pillar_gap``: a MAPS pillar with no procurement-related activity tagged to it in the period.
3. ``stale``: commitments of procurement-related activities with no due date, no evidence of
   delivery recorded, and made more than ``STALE_MONTHS`` (24) months before the report's date,
   or part of a programme whose own due date has passed.
4. ``overdue``: commitments of procurement-related activities past due with no evidence of
   delivery recorded (never "not delivered": the registry records evidence, not its absence).
5. ``indicator_worsened`` / 6. ``indicator_improved``: a headline indicator changed by more than
   its published uncertainty (:func:`find_indicator_changes`).
7. ``behind_benchmark``: behind a good-practice country the analyst named, on a pillar IV
   indicator, beyond the uncertainty.
8. ``behind`` / 9. ``ahead_of``: the same against the peer (no advice to study it).
10. ``period_fall``: fewer procurement-related activities in the period than in the previous
    period of equal length.
11. ``dependence``: one partner takes part in more than ``share`` (default 50 %) of the
    bilateral procurement-related activities (with at least 3 such activities); activities of
    ``scope`` ``multi-country`` (forums, conferences) are left out of this count.

Which indicator informs what (``context``), how many decimals it is published with and the rule
for a significant change are data: ``data/reference/indicator_guide.csv``.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

SEVERITY: tuple[str, ...] = ("reform_unsupported", "pillar_gap", "stale", "overdue",
                             "indicator_worsened", "indicator_improved", "behind_benchmark",
                             "behind", "ahead_of", "period_fall", "dependence")
# headline indicators when no guide is at hand (display defaults; findings read the guide)
HEADLINE_INDICATORS: tuple[str, ...] = ("cpi_score", "wgi_control_of_corruption_pct",
                                        "wgi_government_effectiveness_pct",
                                        "obs_transparency_score")
STALE_MONTHS = 24  # an undated commitment older than this, with no evidence, is stale


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


def _open(commitments: pd.DataFrame, procurement_ids: set[str]) -> pd.DataFrame:
    """Commitments of procurement-related activities with no evidence of delivery recorded:
    not ``delivered`` and no evidence activity listed."""
    own = commitments[commitments["activity_id"].isin(procurement_ids)]
    if "evidence_activity_ids" not in own:
        return own[own["status"] != "delivered"]
    evidence = own["evidence_activity_ids"].map(lambda ids: len(ids) > 0)
    return own[(own["status"] != "delivered") & ~evidence]


def find_overdue(commitments: pd.DataFrame, procurement_ids: set[str],
                 as_of: pd.Timestamp) -> list[Finding]:
    """One finding for all commitments of procurement-related activities past due (the last
    day their due date covers is before ``as_of``) with no evidence of delivery recorded
    (:func:`_open`); the evidence is their commitment ids."""
    own = _open(commitments, procurement_ids)
    late = own[own["due_end"].notna() & (own["due_end"] < as_of)]
    if late.empty:
        return []
    return [Finding("overdue", {"count": len(late)}, tuple(late["commitment_id"]))]


def find_stale(commitments: pd.DataFrame, procurement_ids: set[str],
               made: dict[str, pd.Timestamp], as_of: pd.Timestamp,
               months: int = STALE_MONTHS) -> list[Finding]:
    """One finding for the commitments that an undated follow-up would never catch: no due date,
    no evidence of delivery recorded (:func:`_open`), and either made (the last day of their
    activity's date, ``made``) more than ``months`` months before ``as_of`` — exactly
    ``months`` is not stale — or ``part_of`` a programme commitment whose due date has passed.
    The evidence is their commitment ids, oldest first; the values count each reason (``old``,
    ``ended``: how many are past ``months``, how many belong to an ended programme)."""
    own = _open(commitments, procurement_ids)
    own = own[own["due_end"].isna()]
    due = dict(zip(commitments["commitment_id"], commitments["due_end"], strict=True))
    limit = as_of - pd.DateOffset(months=months)
    stale = []
    reasons = {"old": 0, "ended": 0}
    for row in own.itertuples():
        when = made.get(str(row.activity_id))
        programme = str(getattr(row, "part_of", "") or "")
        ended = bool(programme) and pd.notna(due.get(programme)) and due[programme] < as_of
        old = when is not None and when < limit
        if old or ended:
            stale.append((when if when is not None else as_of, str(row.commitment_id)))
            reasons["old"] += old
            reasons["ended"] += ended
    if not stale:
        return []
    ids = tuple(c for _, c in sorted(stale))
    first = min(w for w, _ in stale)
    return [Finding("stale", {"count": len(ids), "months": months, "since": int(first.year),
                              **reasons}, ids)]


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


LOOKBACK_YEARS = 10  # indicator values are read from this many years before the period
Z90 = 1.6448536269514722  # a 90% interval from a standard error: value ± Z90 × error


def _values(indicators: pd.DataFrame, country: str, indicator: str,
            years: tuple[int, int], lookback: int = LOOKBACK_YEARS) -> pd.DataFrame:
    rows = indicators[(indicators["country"] == country) & (indicators["indicator"] == indicator)
                      & indicators["year"].between(years[0] - lookback, years[1])]
    return rows.sort_values("year")


def _cite(row: pd.Series) -> Cited:
    return Cited(str(row["indicator"]), str(row["country"]), str(row["source"]),
                 str(row["source_url"]), int(row["year"]), float(row["value"]))


def interval(row: pd.Series | dict[str, object]) -> tuple[float, float] | None:
    """The value's published interval: ``ci_low``–``ci_high`` when the source gives them, else
    value ± :data:`Z90` × ``standard_error`` (a 90% interval), else None (no uncertainty
    published)."""
    def number(key: str) -> float:
        value = row.get(key)  # type: ignore[union-attr]
        return math.nan if value is None or value == "" else float(value)  # type: ignore[arg-type]

    low, high = number("ci_low"), number("ci_high")
    if not (math.isnan(low) or math.isnan(high)):
        return low, high
    error = number("standard_error")
    if not math.isnan(error):
        value = number("value")
        return value - Z90 * error, value + Z90 * error
    return None


def differs(a: pd.Series | dict[str, object], b: pd.Series | dict[str, object],
            min_change: float = math.nan) -> bool | None:
    """Whether two values differ by more than their uncertainty: True when their intervals
    (:func:`interval`) do not overlap, False when they do; when either has none, whether the
    difference reaches ``min_change`` (the source's published rule of thumb), or None when the
    source publishes neither (no claim can be made). Touching intervals overlap."""
    ia, ib = interval(a), interval(b)
    if ia is not None and ib is not None:
        return ia[1] < ib[0] or ib[1] < ia[0]
    if not math.isnan(min_change):
        return abs(float(b["value"]) - float(a["value"])) >= min_change  # type: ignore[arg-type]
    return None


def _longest_run(values: list[float]) -> tuple[int, int]:
    """The first and last index of the longest run of steps in one direction (rises, or falls;
    equal values end a run); the earliest run wins a tie. (0, 0) for fewer than two values."""
    best, start, sign = (0, 0), 0, 0
    for i in range(1, len(values)):
        step = (values[i] > values[i - 1]) - (values[i] < values[i - 1])
        if step == 0 or step != sign:
            start = i - 1 if step else i
        sign = step
        if step and i - start > best[1] - best[0]:
            best = (start, i)
    return best


def _guide_row(guide: pd.DataFrame, indicator: str) -> pd.Series:
    row = guide.loc[indicator]
    assert isinstance(row, pd.Series), f"{indicator} is listed twice in the indicator guide"
    return row


def find_indicator_changes(indicators: pd.DataFrame, guide: pd.DataFrame, country: str,
                           years: tuple[int, int], lookback: int = LOOKBACK_YEARS
                           ) -> list[Finding]:
    """Significant changes of the headline indicators of ``country``, in both directions.

    The values read are those from ``lookback`` years before the period's start to its end.
    Three spans are tried, in this order: the first and the last value (the trend), the
    longest run of rises or falls, and the last step (the latest value against the one before).
    A span is a finding only when :func:`differs` says its two values differ by more than their
    published uncertainty (a span the source gives no uncertainty for is never one). At most one
    finding per direction and indicator: the first span of that direction in the order above.
    A span that ends before the latest value carries that value too (``latest``,
    ``latest_year``), so the sentence never hides where the series stands now.
    The kind says better or worse (``indicator_improved`` / ``indicator_worsened``) by the
    guide's ``higher_is_better``; the values carry the guide's ``context``.
    """
    found = []
    for indicator in guide.index[guide["headline"]]:
        rule = _guide_row(guide, indicator)
        mine = _values(indicators, country, indicator, years, lookback).reset_index(drop=True)
        if len(mine) < 2:
            continue
        last = len(mine) - 1
        run = _longest_run(list(mine["value"]))
        seen: set[str] = set()
        for first, end in dict.fromkeys([(0, last), run, (last - 1, last)]):
            a, b = mine.iloc[first], mine.iloc[end]
            if first == end or not differs(a, b, float(rule["min_change"])):
                continue
            better = (b["value"] > a["value"]) == bool(rule["higher_is_better"])
            kind = "indicator_improved" if better else "indicator_worsened"
            if kind in seen:
                continue
            seen.add(kind)
            values = {"indicator": indicator, "country": country,
                      "context": str(rule["context"]),
                      "decimals": int(rule["decimals"]), "year": int(b["year"]),
                      "value": b["value"], "before_year": int(a["year"]), "before": a["value"]}
            evidence = [_cite(a), _cite(b)]
            if end != last:  # a run that ends before the latest value: the latest is stated too
                latest = mine.iloc[last]
                values |= {"latest_year": int(latest["year"]), "latest": latest["value"]}
                evidence.append(_cite(latest))
            found.append(Finding(kind, values, tuple(evidence)))
    return found


def find_comparisons(indicators: pd.DataFrame, guide: pd.DataFrame, country: str,
                     others: Sequence[str], years: tuple[int, int], *,
                     benchmarks: Sequence[str] = (), lookback: int = LOOKBACK_YEARS
                     ) -> list[Finding]:
    """Where ``country`` stands against each of ``others`` on the pillar IV indicators (the
    guide's ``context`` ``pillar_iv`` and ``headline``), in the latest year both have a value.

    Only a difference beyond the uncertainty (:func:`differs`) is a finding: ``ahead_of`` or
    ``behind`` (by the guide's ``higher_is_better``). A country behind one of ``benchmarks``
    (good-practice countries an analyst named) gets ``behind_benchmark`` instead of ``behind``:
    the one kind whose recommendation names another country to learn from. No other rule ever
    advises studying a country.
    """
    found = []
    wanted = guide.index[guide["headline"] & (guide["context"] == "pillar_iv")]
    for other in dict.fromkeys(o for o in others if o and o != country):
        for indicator in wanted:
            rule = _guide_row(guide, indicator)
            mine = _values(indicators, country, indicator, years, lookback)
            theirs = _values(indicators, other, indicator, years, lookback)
            common = sorted(set(mine["year"]) & set(theirs["year"]))
            if not common:
                continue
            a = mine[mine["year"] == common[-1]].iloc[0]
            b = theirs[theirs["year"] == common[-1]].iloc[0]
            if not differs(a, b, float(rule["min_change"])):
                continue
            ahead = (a["value"] > b["value"]) == bool(rule["higher_is_better"])
            kind = ("ahead_of" if ahead else
                    "behind_benchmark" if other in benchmarks else "behind")
            found.append(Finding(kind, {
                "indicator": indicator, "country": country, "context": str(rule["context"]),
                "decimals": int(rule["decimals"]), "year": int(common[-1]),
                "value": a["value"], "peer": other, "peer_value": b["value"]},
                (_cite(a), _cite(b))))
    return found


def find_dependence(procurement: pd.DataFrame, share: float = 0.5,
                    minimum: int = 3) -> list[Finding]:
    """The partner in more than ``share`` of the bilateral procurement-related activities (at
    least ``minimum`` of them), if any; exactly ``share`` is no finding. Activities whose
    ``scope`` is ``multi-country`` (a forum, a conference many countries attend) are left out:
    attending one is no dependence on its organiser. Ties go to the partner first by name. The
    evidence is the ids of that partner's activities (at most :data:`CITED_IDS`)."""
    if "scope" in procurement:
        procurement = procurement[procurement["scope"] != "multi-country"]
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
