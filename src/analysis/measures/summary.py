"""The executive summary of the Strategic Procurement Country Report, computed from the data.

:func:`summary_facts` gathers every figure the summary states (pure, DataFrame in); then
:func:`summary_sentences` writes 4-6 sentences in the report language from those facts only.
Tests rebuild the sentences from a small registry and check each figure by hand.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd
from babel.lists import format_list

from analysis.core.formats import format_share
from analysis.data.taxonomy import PILLARS, Taxonomy, country_name
from analysis.measures import metrics
from analysis.measures.pillars import pillar_totals, place_on_pillars
from analysis.report.i18n import plural, translate


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
        procurement-related activities of the period placed on them (:mod:`analysis.measures.pillars`);
        leading partners rank partners by procurement-related activities (ties by name).
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


def _percent(value: float, lang: str) -> str:
    return format_share(value, lang)


def summary_sentences(facts: SummaryFacts, taxonomy: Taxonomy, lang: str = "en") -> list[str]:
    """Four to six sentences stating the facts in ``lang``; nothing in them is typed in."""
    def t(key: str, **values: object) -> str:
        return translate(key, lang, **values)

    start, end = facts.years
    name = country_name(facts.country, lang)
    now, before = facts.current, facts.previous
    sentences = []
    if now.activities == 0:
        sentences.append(t("summary.no_activity", country=name, start=start, end=end))
    else:
        sentences.append(t("summary.volume", country=name, start=start, end=end,
                           activities=plural("cooperation_activity", now.activities, lang),
                           related=plural("related_of_them", now.procurement, lang,
                                          share=_percent(now.share, lang))))
    prev_start, prev_end = facts.previous_years
    trend = ("summary.trend_none" if now.procurement == before.procurement == 0 else
             "summary.trend_new" if before.procurement == 0 else
             "summary.trend_up" if now.procurement > before.procurement else
             "summary.trend_down" if now.procurement < before.procurement else
             "summary.trend_same")
    sentences.append(t(trend, start=prev_start, end=prev_end, previous=before.procurement,
                       previous_text=plural("activity", before.procurement, lang),
                       current=now.procurement))
    if facts.leading_partners:
        names = [f"{taxonomy.partner_label(p, lang)} ({n})" for p, n in facts.leading_partners]
        key = "summary.partner_one" if len(names) == 1 else "summary.partners"
        sentences.append(t(key, partners=format_list(names, locale=lang)))
    else:
        sentences.append(t("summary.partners_none"))
    sentences.append(_pillar_sentence(facts, taxonomy, lang))
    if facts.peer and facts.peer_facts is not None:
        peer = country_name(facts.peer, lang)
        if facts.peer_facts.activities == 0:
            sentences.append(t("summary.peer_none", peer=peer))
        else:
            other = facts.peer_facts
            total = plural("activity_of_total", other.activities, lang)
            sentences.append(t("summary.peer", peer=peer, related=plural(
                "related_of_total", other.procurement, lang, total=total,
                share=_percent(other.share, lang))))
    return sentences


def _pillar_sentence(facts: SummaryFacts, taxonomy: Taxonomy, lang: str) -> str:
    """Which pillars have procurement-related activities (with counts) and which have none."""
    def named(pillars: tuple[str, ...]) -> str:
        return format_list([f"{p} ({taxonomy.pillar_label(p, lang)})" for p in pillars],
                           locale=lang)

    counts = dict(facts.pillar_counts)
    covered = ", ".join(f"{p} ({counts.get(p, 0)})" for p in facts.pillars_with)
    if not facts.pillars_with:
        return translate("summary.pillars_none", lang)
    if not facts.pillars_without:
        return translate("summary.pillars_all", lang, covered=covered)
    if len(facts.pillars_with) == 1:
        only = facts.pillars_with[0]
        return translate("summary.pillars_only_one", lang, covered=only,
                         activities=plural("activity", counts.get(only, 0), lang),
                         gaps=named(facts.pillars_without))
    key = ("summary.pillars_some_one" if len(facts.pillars_without) == 1 else
           "summary.pillars_some")
    return translate(key, lang, covered=covered, gaps=named(facts.pillars_without))
