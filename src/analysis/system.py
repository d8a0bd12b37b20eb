"""Report sections on the procurement system (indicators, milestones) and the computed findings.

Usable by any report with a :class:`~analysis.report.ReportData`: the country/countries come
from ``data.countries`` plus optional peers. Values come from :mod:`analysis.reference`; a
missing value is shown as "—" and named in words, never filled.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from analysis import findings as f
from analysis.display import Paragraph, Span, Table
from analysis.pillars import pillar_totals, procurement_activities
from analysis.reference import Reference
from analysis.report import ReportData, format_activity_date


def _countries(data: ReportData, peers: Sequence[str | None]) -> list[str]:
    return [*data.countries, *(p for p in peers if p and p not in data.countries)]


CONTEXT_YEARS = 5  # indicators are shown from this many years before the period


def _years(data: ReportData) -> tuple[int, int]:
    return (data.start_year - CONTEXT_YEARS, data.end_year)


def _label(data: ReportData, indicator: str) -> str:
    text = data.t(f"indicator.{indicator}")
    return indicator if text == f"indicator.{indicator}" else text


def indicator_table(data: ReportData, ref: Reference, peers: Sequence[str | None] = ()
                    ) -> Table:
    """Every indicator recorded for the countries, one row per indicator and country, one
    column per year from ``CONTEXT_YEARS`` before the period to its end (— where no value is
    recorded), and its source(s)."""
    countries = _countries(data, peers)
    first, last = _years(data)
    years = [y for y in range(first, last + 1) if y in set(ref.indicators["year"])]
    ind = ref.indicators[ref.indicators["country"].isin(countries)
                         & ref.indicators["year"].isin(years)]
    rows = []
    for indicator in pd.unique(ref.indicators["indicator"]):
        for country in countries:
            own = ind[(ind["indicator"] == indicator) & (ind["country"] == country)]
            if own.empty:
                continue
            by_year = dict(zip(own["year"], own["value"], strict=True))
            sources = own.drop_duplicates("source_url")
            rows.append({
                data.t("field.indicator"): _label(data, str(indicator)),
                data.t("field.country"): data.country(country),
                **{str(y): (data.number(round(by_year[y], 2)) if y in by_year else "—")
                   for y in years},
                data.t("field.source"): Span("; ".join(sources["source"].head(2)),
                                             href=str(sources["source_url"].iloc[-1])),
            })
    frame = pd.DataFrame(rows)
    names = ", ".join(data.country(c) for c in countries)
    return Table(frame, data.t("system.indicators_caption", countries=names))


def indicator_gaps(data: ReportData, ref: Reference, peers: Sequence[str | None] = ()
                   ) -> Paragraph:
    """Name, per country, the headline indicators with no value at all in the period, and the
    standing gap (no PEFA PI-24 score)."""
    parts = []
    for country in _countries(data, peers):
        own = ref.indicators[(ref.indicators["country"] == country)
                             & ref.indicators["year"].between(*_years(data))]
        missing = [_label(data, i) for i in f.HEADLINE_INDICATORS
                   if i not in set(own["indicator"])]
        if missing:
            parts.append(data.t("system.gap_missing", country=data.country(country),
                                indicators="; ".join(missing)))
    parts.append(data.t("system.gap_pefa"))
    return Paragraph(" ".join(parts))


def milestone_table(data: ReportData, ref: Reference, window_days: int = 365) -> Table | Paragraph:
    """The country's milestones (all years, so the period is seen in context) and, beside each,
    the procurement-related activities within ±``window_days``."""
    country = data.countries[0]
    own = ref.milestones[ref.milestones["country"] == country].sort_values("start")
    if own.empty:
        return Paragraph(data.t("system.no_milestones", country=data.country(country)))
    acts = procurement_activities(data.registry.activities[
        data.registry.activities["country"] == country], data.taxonomy.procurement_themes())
    rows = []
    for m in own.to_dict("records"):
        start = pd.Timestamp(m["start"])
        near = acts[(acts["start"] - start).abs() <= pd.Timedelta(days=window_days)]
        rows.append({
            data.t("field.date"): format_activity_date(str(m["date"]), str(m["date_precision"]),
                                                       data.lang),
            data.t("field.milestone"): m["milestone"],
            data.t("field.nearby"): "; ".join(near.sort_values("start")["activity_id"]) or "—",
            data.t("field.source"): Span(str(m["source"]), href=str(m["source_url"])),
        })
    return Table(pd.DataFrame(rows), data.t("system.milestones_caption",
                                            country=data.country(country)))


def compute_findings(data: ReportData, ref: Reference, peer: str | None,
                     placed: pd.DataFrame, as_of: pd.Timestamp | None = None) -> list[f.Finding]:
    """Every rule of :mod:`analysis.findings` on the report's selection, most severe first."""
    country = data.countries[0]
    proc = procurement_activities(data.activities, data.taxonomy.procurement_themes())
    today = (as_of or pd.Timestamp.today()).normalize()
    found = [
        *f.find_unsupported_reforms(ref.milestones, proc, country, data.years),
        *f.find_pillar_gaps(pillar_totals(placed)),
        *f.find_overdue(data.registry.commitments, set(proc["activity_id"]), today),
        *f.find_indicator_changes(ref.indicators, country, peer, data.years),
        *f.find_dependence(proc),
    ]
    return f.sort_findings(found)


def finding_sentence(data: ReportData, finding: f.Finding) -> str:
    """The finding in the report language (values formatted, names translated)."""
    v = dict(finding.values)
    if "indicator" in v:
        v["indicator"] = _label(data, str(v["indicator"]))
    for key in ("value", "before", "peer_value"):
        if key in v:
            v[key] = data.number(round(float(v[key]), 2))  # type: ignore[arg-type]
    if "pillar" in v:
        v["name"] = data.taxonomy.pillar_label(str(v["pillar"]), data.lang)
    if "peer" in v:
        v["peer"] = data.country(str(v["peer"]))
    if "partner" in v:
        v["partner"] = data.taxonomy.partner_label(str(v["partner"]), data.lang)
    if "share" in v:
        v["share"] = data.percent(float(v["share"]))  # type: ignore[arg-type]
    if "date" in v:
        v["date"] = format_activity_date(str(v["date"]), str(v["precision"]), data.lang)
    return data.t(f"finding.{finding.kind}", **v)


def findings_table(data: ReportData, found: list[f.Finding]) -> Table | Paragraph:
    """The findings, most important first: sentence, evidence and recommendation."""
    if not found:
        return Paragraph(data.t("findings.none"))
    frame = pd.DataFrame({
        data.t("field.finding"): [finding_sentence(data, x) for x in found],
        data.t("field.evidence"): ["; ".join(x.evidence) for x in found],
        data.t("field.recommendation"): [data.t(f"finding.{x.kind}.do", **x.values)
                                         for x in found],
    })
    return Table(frame, data.t("findings.caption"))


def findings_lead(data: ReportData, found: list[f.Finding], top: int = 3) -> str:
    """The sentence the executive summary leads with: the ``top`` most severe findings."""
    if not found:
        return data.t("findings.none")
    return data.t("summary.findings_lead",
                  findings=" ".join(finding_sentence(data, x) for x in found[:top]))
