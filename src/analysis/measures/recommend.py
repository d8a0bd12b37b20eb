"""Recommendations from findings: which finding calls for which instrument, in what order.

A recommendation answers findings, never stands alone, and says what to do with which
instrument, by when and who owns it (the texts, instruments and time frames are in the message
catalogue, ``recommend.<instrument>.*``; the owner is read from the data by the report). Only
these findings call for one:

============================ ==========================================================
finding                      instrument
============================ ==========================================================
``reform_unsupported``       ``implementation_review`` of the reform steps
``pillar_gap``               ``maps_module``: a targeted MAPS assessment of the pillars
``stale``, ``overdue``       ``status_review`` of the commitments
``indicator_worsened``       ``red_flag_review`` (OCDS-based), only for an indicator whose
                             guide ``context`` is ``pillar_iv``: a general-capacity index
                             (WGI Government Effectiveness) never drives one on its own
``behind_benchmark``         ``peer_learning`` with that country (one per country): the only
                             recommendation that names another country
============================ ==========================================================

Improvements, where the country stands against its peer, a fall in recorded activity and a
partner's share call for none: they inform, and "broaden to more partners" would run against
aid-effectiveness principles. Findings that call for the same instrument share one
recommendation, so no sentence appears twice; the recommendations are ordered by their most
severe finding and at most :data:`MAX_RECOMMENDATIONS` are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from analysis.measures.findings import Finding

MAX_RECOMMENDATIONS = 5
INSTRUMENTS: dict[str, str] = {
    "reform_unsupported": "implementation_review", "pillar_gap": "maps_module",
    "stale": "status_review", "overdue": "status_review",
    "indicator_worsened": "red_flag_review", "behind_benchmark": "peer_learning",
}
# MAPS 2018: the indicators of each pillar
PILLAR_INDICATORS: dict[str, str] = {"I": "1–3", "II": "4–8", "III": "9–10", "IV": "11–14"}


@dataclass(frozen=True)
class Recommendation:
    """One recommendation: its ``instrument`` (the message keys), the 1-based numbers of the
    findings it answers (as numbered in the findings table) and those findings."""

    instrument: str
    numbers: tuple[int, ...]
    findings: tuple[Finding, ...] = field(repr=False)

    @property
    def peer(self) -> str:
        """The country a ``peer_learning`` recommendation names ("" for the others)."""
        return str(self.findings[0].values.get("peer", "")) if self.findings else ""


def instrument_for(finding: Finding) -> str | None:
    """The instrument a finding calls for, or None (see the module's table)."""
    if finding.kind == "indicator_worsened" and finding.values.get("context") != "pillar_iv":
        return None
    return INSTRUMENTS.get(finding.kind)


def recommend(found: list[Finding], limit: int = MAX_RECOMMENDATIONS) -> list[Recommendation]:
    """The recommendations for ``found`` (sorted most severe first, as numbered in the report):
    one per instrument (per country for ``peer_learning``), in the order of their first
    finding, at most ``limit``."""
    groups: dict[tuple[str, str], list[tuple[int, Finding]]] = {}
    for number, finding in enumerate(found, start=1):
        instrument = instrument_for(finding)
        if instrument is None:
            continue
        peer = str(finding.values.get("peer", "")) if instrument == "peer_learning" else ""
        groups.setdefault((instrument, peer), []).append((number, finding))
    ordered = sorted(groups.items(), key=lambda kv: kv[1][0][0])
    return [Recommendation(instrument, tuple(n for n, _ in items), tuple(x for _, x in items))
            for (instrument, _), items in ordered[:limit]]
