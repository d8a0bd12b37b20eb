"""The executive summary's sentences, written from its figures only.

:func:`summary_sentences` states the facts :func:`analysis.measures.summary.summary_facts`
computed, in four to six sentences in the report language: nothing in them is typed in.
"""

from __future__ import annotations

from babel.lists import format_list

from analysis.core.formats import format_share
from analysis.data.taxonomy import Taxonomy, country_name
from analysis.measures.summary import SummaryFacts
from analysis.report.i18n import plural, translate


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
    length = prev_end - prev_start + 1
    span = t("summary.previous_year") if length == 1 else plural("previous_span", length, lang)
    sentences.append(t(trend, start=prev_start, end=prev_end, previous=before.procurement,
                       previous_text=plural("activity", before.procurement, lang),
                       previous_words=plural("previous_numeral", before.procurement, lang),
                       span=span, current=now.procurement))
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
        # Russian quotes a pillar's name: «компоненту IV «Подотчётность…»»
        return format_list([translate("summary.pillar_named", lang, pillar=p,
                                      name=taxonomy.pillar_label(p, lang)) for p in pillars],
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
