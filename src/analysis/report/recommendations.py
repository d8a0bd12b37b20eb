"""The recommendations table: what to do, answering which findings, owned by whom, with which
instrument and by when (the rule is :mod:`analysis.measures.recommend`; texts are in the message
catalogue, ``recommend.<instrument>.text`` / ``.instrument`` / ``.time``).

The owner is read from the data, never invented: a counterpart and the partners working with
it. For a ``status_review`` they are those of the activities at which the commitments were made.
For a ``peer_learning`` exchange the only partner named is the benchmark country's own
(:func:`benchmark_cooperation`), when one is recorded.
For the other instruments (about the procurement system as a whole) the counterpart is the one
the most partners work with across the country's bilateral procurement-related activities of
the period — the authority partners turn to — names compared without their bracketed detail,
ties going to the counterpart of the latest activity; the partners are those of its activities
(at most :data:`OWNER_PARTNERS`, most frequent first, ties by name).
"""

from __future__ import annotations

import re
from collections import Counter

import pandas as pd

from analysis.data import fields
from analysis.data.taxonomy import country_name
from analysis.measures import findings as f
from analysis.measures.pillars import procurement_activities
from analysis.measures.recommend import PILLAR_INDICATORS, Recommendation, recommend
from analysis.report.context import ReportData, format_activity_date
from analysis.report.display import Paragraph, Table
from analysis.report.i18n import MESSAGES, in_sentence

OWNER_PARTNERS = 3
# relative column widths: the recommendation takes most; the finding numbers need little
RECOMMENDATION_WIDTHS = (2, 9, 3, 5, 5, 3)


def _base(name: str) -> str:
    """A counterpart's name without its bracketed detail: "Ministry of Economy and Finance
    (Deputy Minister)" → "Ministry of Economy and Finance"."""
    return re.sub(r"\s*\([^)]*\)", "", name).strip()


def _owner_activities(data: ReportData, rec: Recommendation) -> pd.DataFrame:
    acts = data.registry.activities
    if rec.instrument == "status_review":
        ids = {str(e) for x in rec.findings for e in x.evidence}
        made = data.registry.commitments
        made = made[made["commitment_id"].isin(ids)]
        return acts[acts["activity_id"].isin(set(made["activity_id"]))]
    own = procurement_activities(data.activities[data.activities["country"] == data.countries[0]],
                                 data.taxonomy.procurement_themes())
    if "scope" in own:
        own = own[own["scope"] != "multi-country"]
    return own


def owner_of(activities: pd.DataFrame) -> tuple[str, tuple[str, ...]]:
    """The counterpart the most partners work with in ``activities`` (bracketed detail dropped;
    ties: the counterpart of the latest activity, then by name) and its partners (at most
    :data:`OWNER_PARTNERS`, most frequent first, ties by name); ``("", ())`` when no activity
    names a counterpart."""
    partners: dict[str, Counter[str]] = {}
    latest: dict[str, pd.Timestamp] = {}
    for text, names, start in zip(activities["counterpart"], activities["partners"],
                                  activities["start"], strict=True):
        day = pd.Timestamp(start)
        for name in {_base(c) for c in fields.split_list(str(text))} - {""}:
            partners.setdefault(name, Counter()).update(str(n) for n in names)
            latest[name] = max(latest.get(name, day), day)
    if not partners:
        return "", ()
    best = sorted(partners, key=lambda n: (-len(partners[n]), -latest[n].value, n))[0]
    ranked = sorted(partners[best].items(), key=lambda kv: (-kv[1], kv[0]))
    return best, tuple(p for p, _ in ranked[:OWNER_PARTNERS])


def owner(data: ReportData, rec: Recommendation) -> str:
    """Who owns ``rec``, from the data (see the module's docstring); "—" when the data name
    no counterpart."""
    counterpart, partners = owner_of(_owner_activities(data, rec))
    if rec.instrument == "peer_learning":  # the country's own partners have no part in it
        partner, _ = benchmark_cooperation(data, rec.peer)
        partners = (partner,) if partner else ()
    if not counterpart:
        return "—"
    counterpart = data.counterpart(counterpart)
    if not partners:
        return counterpart
    names = _join(data, [data.taxonomy.partner_label(p, data.lang) for p in partners])
    key = "recommend.owner_one" if len(partners) == 1 else "recommend.owner_many"
    return data.t(key, counterpart=counterpart, partner=names)


def _join(data: ReportData, items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {data.t('recommend.and')} {items[-1]}"


def _values(data: ReportData, rec: Recommendation) -> dict[str, object]:
    label = {x.values.get("indicator") for x in rec.findings}
    # listed inside a sentence: Russian writes an index's name in lower case there
    indicators = _join(data, [in_sentence(data.t(f"indicator.{i}")) if data.lang != "en"
                              else data.t(f"indicator.{i}")
                              for i in sorted(map(str, label - {None}))])
    if rec.instrument == "maps_module":
        pillars = [str(x.values["pillar"]) for x in rec.findings]
        key = "recommend.pillar_one" if len(pillars) == 1 else "recommend.pillar_many"
        listed = _join(data, [data.t("recommend.pillar_item", pillar=p,
                                     indicators=PILLAR_INDICATORS[p]) for p in pillars])
        return {"pillars": data.t(key, pillars=listed)}
    if rec.instrument == "status_review":
        ids = [str(e) for x in rec.findings for e in x.evidence]
        cited = list(dict.fromkeys(ids))
        return {"ids": "; ".join(data.reference(i) for i in f.cite_ids(cited)),
                "count": len(cited)}
    if rec.instrument == "implementation_review":
        return {"milestones": "; ".join(
            f"«{x.values['milestone']}» ({format_activity_date(str(x.values['date']), str(x.values['precision']), data.lang)})"  # noqa: E501
            for x in rec.findings)}
    if rec.instrument == "peer_learning":
        values: dict[str, object] = {"peer": data.country(rec.peer), "indicators": indicators}
        partner, ids = benchmark_cooperation(data, rec.peer)
        if partner:
            values |= {"partner": data.taxonomy.partner_label(partner, data.lang),
                       "ids": "; ".join(data.reference(i, partners=False)
                                        for i in f.cite_ids(ids))}
        return values
    return {"indicators": indicators}


def benchmark_cooperation(data: ReportData, benchmark: str) -> tuple[str, list[str]]:
    """A partner of the benchmark country the report's country already cooperates with (any
    year), and those activities' ids: the partner whose name or full name contains the
    benchmark's English name ("State Procurement Agency of Georgia"), the one with the most
    activities, ties by name; ``("", [])`` when none is recorded."""
    name = country_name(benchmark, "en").lower()
    theirs = {p.name for p in data.taxonomy.partners.values()
              if name in p.name.lower() or name in p.full_name.lower()}
    acts = data.registry.activities
    acts = acts[acts["country"] == data.countries[0]].sort_values(["start", "activity_id"])
    found: dict[str, list[str]] = {}
    for activity_id, partners in zip(acts["activity_id"], acts["partners"], strict=True):
        for partner in set(partners) & theirs:
            found.setdefault(partner, []).append(str(activity_id))
    if not found:
        return "", []
    partner = sorted(found, key=lambda k: (-len(found[k]), k))[0]
    return partner, found[partner]


def recommendations_table(data: ReportData, found: list[f.Finding]) -> Table | Paragraph:
    """The recommendations in order of priority (:func:`analysis.measures.recommend.recommend`),
    each with the findings it answers (their numbers in the findings table), its owner,
    instrument and time frame; a sentence saying there is none when no finding calls for one."""
    recs = recommend(found)
    if not recs:
        return Paragraph(data.t("recommend.none"))
    texts = []
    for rec in recs:
        values = _values(data, rec)
        key = f"recommend.{rec.instrument}.text" + ("_existing" if "partner" in values else "")
        if values.get("count") == 1 and f"{key}_one" in MESSAGES:  # one commitment
            key += "_one"
        texts.append(data.t(key, **values))
    frame = pd.DataFrame({
        data.t("field.number"): [str(n) for n in range(1, len(recs) + 1)],
        data.t("field.recommendation"): texts,
        data.t("field.answers"): [", ".join(map(str, r.numbers)) for r in recs],
        data.t("field.owner"): [owner(data, r) for r in recs],
        data.t("field.instrument"): [data.t(f"recommend.{r.instrument}.instrument")
                                     for r in recs],
        data.t("field.time_frame"): [data.t(f"recommend.{r.instrument}.time") for r in recs],
    })
    return Table(frame, data.t("recommend.caption"), numeric=(data.t("field.number"),),
                 widths=RECOMMENDATION_WIDTHS)
