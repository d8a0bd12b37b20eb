"""The figures of the Strategic Procurement Country Report's executive summary.

:func:`summary_facts` gathers every figure the summary states (pure, DataFrame in); the
sentences are written from those facts only, in the report language, by
:mod:`analysis.report.summary`. Tests rebuild the facts from a small registry and check each
figure by hand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from analysis.data.taxonomy import PILLARS, Taxonomy
from analysis.measures import metrics
from analysis.measures.pillars import pillar_totals, place_on_pillars


@dataclass(frozen=True)
class CountryFacts:
    """Counts for one country over one period."""

    activities: int
    procurement: int

    @property
    def share(self) -> float:
        return self.procurement / self.activities if self.activities else 0.0


@dataclass(frozen=True)
class SummaryFacts:
    """Every figure the executive summary states."""

    country: str
    years: tuple[int, int]
    current: CountryFacts
    previous_years: tuple[int, int]
    previous: CountryFacts
    leading_partners: tuple[tuple[str, int], ...]  # procurement-related, most active first
    pillars_with: tuple[str, ...]
    pillars_without: tuple[str, ...]
    pillar_counts: tuple[tuple[str, int], ...] = ()  # procurement-related activities per pillar
    peer: str | None = None
    peer_facts: CountryFacts | None = None


def _country_facts(df: pd.DataFrame, country: str, years: tuple[int, int],
                   procurement: set[str]) -> CountryFacts:
    own = metrics.filter_activities(df, countries=[country], years=years)
    related = sum(bool(procurement & set(ts)) for ts in own["themes"])
    return CountryFacts(len(own), int(related))


def summary_facts(df: pd.DataFrame, taxonomy: Taxonomy, country: str, years: tuple[int, int],
                  peer: str | None = None, top: int = 3) -> SummaryFacts:
    """Compute the summary's figures from the full activities frame.

    Parameters
    ----------
    df
        All activities of the registry (the previous period and the peer are looked up here).
    taxonomy
        Vocabularies: which themes are procurement-related, which pillar each theme bears on.
    country, peer
        ISO alpha-3 codes; ``peer`` may be None.
    years
        The report period, inclusive.
    top
        How many leading partners to name; partners tied with the last one are named too.

    Returns
    -------
    SummaryFacts
        Procurement-related = at least one theme flagged ``procurement``; pillars count the
        procurement-related activities of the period placed on them
        (:mod:`analysis.measures.pillars`); leading partners rank partners by procurement-related
        activities (ties by name).
    """
    procurement = set(taxonomy.procurement_themes())
    previous_years = metrics.previous_period(*years)
    own = metrics.filter_activities(df, countries=[country], years=years)
    related = own[own["themes"].map(lambda ts: bool(procurement & set(ts))).astype(bool)]
    partners = Counter(p for ps in related["partners"] for p in ps)
    ranked = sorted(partners.items(), key=lambda item: (-item[1], item[0]))
    cutoff = ranked[min(top, len(ranked)) - 1][1] if ranked else 0
    leading = tuple(item for item in ranked if item[1] >= cutoff)  # ties at the cut stay in
    placed = place_on_pillars(own, {k: t.pillar for k, t in taxonomy.themes.items()},
                              sorted(procurement))
    totals = pillar_totals(placed)
    touched = {p for p, n in totals.items() if n > 0}
    return SummaryFacts(
        country=country, years=years,
        current=_country_facts(df, country, years, procurement),
        previous_years=previous_years,
        previous=_country_facts(df, country, previous_years, procurement),
        leading_partners=leading,
        pillars_with=tuple(p for p in PILLARS if p in touched),
        pillars_without=tuple(p for p in PILLARS if p not in touched),
        pillar_counts=tuple((p, totals[p]) for p in PILLARS),
        peer=peer,
        peer_facts=_country_facts(df, peer, years, procurement) if peer else None,
    )


