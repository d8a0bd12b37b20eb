"""The procurement system itself: its size, methods, competition, e-procurement, complaints and
diagnostics (``data/reference/procurement_system.csv``), and the indicators computed from a
country's contracting data (OCDS, :mod:`analysis.measures.contracting`) when a report is given
some.

Every fact is shown with its year, its MAPS pillar and indicator and its source; a fact that
could not be sourced is named as a gap, never filled; contracting data that is not configured
is said in one sentence, never shown as zeros.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from analysis.core import paths
from analysis.data import fields
from analysis.data.reference import TEXT_UNIT, Reference
from analysis.report import chart_theme
from analysis.report.context import ReportData
from analysis.report.display import Bullets, Inline, Paragraph, Span, Table
from analysis.report.i18n import MESSAGES, in_sentence, plural_word

# the facts a country procurement report should have, in the order shown; a missing one is
# a stated gap ("any of" the ids in a group counts)
WANTED: tuple[tuple[str, ...], ...] = (
    ("volume_national",), ("volume_pct_gdp",), ("egp_share_value", "egp_share_count"),
    ("competitive_share_value", "competitive_share_count", "competitive_share",
     "direct_share_value", "direct_share_count"),
    ("tenders_count",), ("avg_bids",), ("complaints_body",), ("complaints_received",),
    ("pefa_pi24",), ("diagnostic",))
CHARTED = ("volume_national", "egp_share_value", "direct_share_value")


def _facts(ref: Reference, countries: Sequence[str]) -> pd.DataFrame:
    system = ref.system if ref.system is not None else pd.DataFrame(columns=["country"])
    return system[system["country"].isin(countries)]


def _label(data: ReportData, fact: str) -> str:
    """A fact's name in the report language; a fact id the catalogue does not know (an
    analyst's new one) shows as its words: "new_fact" → "new fact"."""
    key = f"fact.{fact}"
    return data.t(key) if key in MESSAGES else fact.replace("_", " ")


def _value(data: ReportData, row: Mapping[Any, Any]) -> str:
    if row["unit"] == TEXT_UNIT:
        return data.text(str(row["value"]), row.get("value_ru", ""), row.get("value_uz", ""))
    number = float(str(row["number"]))
    shown = data.number(int(number) if number.is_integer() else number)
    # a counted unit agrees with the number ("19 602 процедуры", "3,5 заявки на процедуру")
    unit = plural_word(f"unit.{row['unit']}", number, data.lang) or _unit(data, str(row["unit"]))
    # "20.1% of GDP" in English; Russian puts a narrow no-break space before %, as babel does
    space = ("\u202f" if data.lang == "ru" else "") if unit.startswith("%") else " "
    return f"{shown}{space}{unit}"


def _unit(data: ReportData, unit: str) -> str:
    """A unit in the report language (``unit.<unit>`` in the catalogue), else as written."""
    key = f"unit.{unit}"
    return data.t(key) if key in MESSAGES else unit


def _maps(row: Mapping[Any, Any]) -> str:
    pillar, indicator = str(row["maps_pillar"] or ""), str(row["maps_indicator"] or "")
    return f"{pillar} ({indicator})" if pillar and indicator else pillar or "—"


def facts_table(data: ReportData, ref: Reference, countries: Sequence[str] | None = None
                ) -> Table | Paragraph:
    """The facts of one country (fact, year, value, MAPS pillar and indicator, source, linked),
    or of several side by side (the latest year of each fact per country)."""
    countries = list(countries or data.countries)
    own = _facts(ref, countries)
    if own.empty:
        return Paragraph(data.t("facts.none", countries=", ".join(
            data.country(c) for c in countries)))
    order = {fact: i for i, fact in enumerate(f for group in WANTED for f in group)}
    own = own.assign(_order=own["fact"].map(lambda f: order.get(f, len(order))))
    own = own.sort_values(["_order", "fact", "year"])
    if len(countries) == 1:
        frame = pd.DataFrame({
            data.t("field.fact"): [_label(data, f) for f in own["fact"]],
            data.t("field.year"): [str(y) for y in own["year"]],
            data.t("field.value"): [_value(data, r) for r in own.to_dict("records")],
            data.t("field.maps"): [_maps(r) for r in own.to_dict("records")],
            data.t("field.source"): [Span(data.source(s), href=str(u)) for s, u in
                                     zip(own["source"], own["source_url"], strict=True)],
        })
        return Table(frame, data.t("facts.caption", country=data.country(countries[0])),
                     widths=(8, 2, 8, 3, 7))
    rows = []
    for fact in dict.fromkeys(own["fact"]):
        of = own[own["fact"] == fact]
        row: dict[str, object] = {data.t("field.fact"): _label(data, fact),
                                  data.t("field.maps"): _maps(of.iloc[0].to_dict())}
        for country in countries:
            mine = of[of["country"] == country]
            latest = mine.sort_values("year").iloc[-1].to_dict() if not mine.empty else None
            row[data.country(country)] = (f"{_value(data, latest)} ({latest['year']})"
                                          if latest else "—")
        rows.append(row)
    return Table(pd.DataFrame(rows), data.t("facts.caption_compared", countries=", ".join(
        data.country(c) for c in countries)))


def facts_sources(data: ReportData, ref: Reference, countries: Sequence[str] | None = None
                  ) -> Bullets:
    """Where the facts were read: one item per source address with its release, then the facts
    read there, grouped by country and year ("Uzbekistan, 2021: volume; share of GDP")."""
    own = _facts(ref, list(countries or data.countries)).sort_values(["country", "year"])
    items: list[tuple[Inline, ...]] = []
    for url, rows in own.groupby("source_url", sort=False):
        read = "; ".join(
            data.t("facts.read", country=data.country(str(country)), year=year,
                   facts=", ".join(in_sentence(_label(data, str(f))) for f in group["fact"]))
            for (country, year), group in rows.groupby(["country", "year"], sort=False))
        release = _release(data, rows.iloc[0].to_dict())
        items.append((Span(data.source(rows["source"].iloc[0]), href=str(url)),
                      f" ({release}): {read}."))
    return Bullets(tuple(items))


def _release(data: ReportData, row: Mapping[Any, Any]) -> str:
    """The release a fact was read from, in the report language: a date or a year written as
    the language writes dates; a release in words from ``release_ru`` in Russian (the English
    words, marked, when there is none)."""
    release = str(row["release"])
    precision = fields.date_precision_of(release)
    if precision == "year":
        return data.t("facts.release_year", year=release)
    if precision is not None:
        return data.date(release, precision)
    return data.text(release, row.get("release_ru", ""), row.get("release_uz", ""))


def facts_chart(data: ReportData, ref: Reference, countries: Sequence[str] | None = None
                ) -> alt.TopLevelMixin | None:
    """A small bar chart per fact of :data:`CHARTED` and country recorded in two years or more
    (a series); None when there is none. Each country has its own panel, scale and unit
    (trillion sums and billion manats never share an axis), and every year from the series'
    first to its last is on the axis, so a year without a figure shows as a gap."""
    own = _facts(ref, list(countries or data.countries))
    own = own[own["fact"].isin(CHARTED) & own["number"].notna()]
    series = own.groupby(["country", "fact"]).filter(lambda g: g["year"].nunique() >= 2)
    if series.empty:
        return None
    rows_of_panels = []
    for fact, rows in series.groupby("fact", sort=False):
        panels = []
        for country, mine in rows.groupby("country", sort=False):
            frame = pd.DataFrame({"year": mine["year"].astype(str), "value": mine["number"],
                                  "country": data.country(str(country))})
            years = [str(y) for y in range(int(mine["year"].min()),
                                           int(mine["year"].max()) + 1)]
            panels.append(alt.Chart(frame).mark_bar(color=chart_theme.PALETTE[0]).encode(
                x=alt.X("year:O", title=None, scale=alt.Scale(domain=years),
                        axis=alt.Axis(labelAngle=0)),
                y=alt.Y("value:Q", title=_unit(data, str(mine["unit"].iloc[0]))),
                tooltip=["country:N", "year:O", "value:Q"],
            ).properties(width=200, height=120, title=data.country(str(country))))
        rows_of_panels.append(alt.hconcat(*panels).properties(title=_label(data, str(fact))))
    chart = alt.vconcat(*rows_of_panels)
    return chart_theme.with_caption(chart, data.t("facts.chart_caption"))


def facts_gaps(data: ReportData, ref: Reference, countries: Sequence[str] | None = None
               ) -> Paragraph:
    """Per country, the wanted facts with no value at all: gaps, said as such."""
    parts = []
    for country in countries or data.countries:
        have = set(_facts(ref, [country])["fact"])
        missing = [in_sentence(_label(data, group[0])) for group in WANTED
                   if not have & set(group)]
        if missing:
            parts.append(data.t("facts.gaps", country=data.country(country),
                                facts="; ".join(missing)))
    return Paragraph(" ".join(parts) if parts else data.t("facts.no_gaps"))


def system_lead(data: ReportData, ref: Reference) -> str:
    """The executive summary's opening sentence: the country's procurement volume in its latest
    year with a figure, then its latest share of GDP and e-procurement share (their year said
    when it differs), the source of the volume named; or that no figure is recorded."""
    country = data.countries[0]
    own = _facts(ref, [country]).sort_values("year")
    volume = own[own["fact"] == "volume_national"]
    if volume.empty:
        return data.t("facts.lead_none", country=data.country(country))
    latest = volume.iloc[-1].to_dict()
    shares = []
    for fact in ("volume_pct_gdp", "egp_share_value"):
        rows = own[own["fact"] == fact]
        if not rows.empty:
            row = rows.iloc[-1].to_dict()
            shares.append(data.t(f"facts.lead_{fact}", value=_value(data, row),
                                 year=row["year"]))
    lead = data.t("facts.lead", country=data.country(country), year=latest["year"],
                  value=_value(data, latest), source=data.source(latest["source"]))
    return f"{lead} {data.t('facts.lead_shares', shares='; '.join(shares))}" if shares else lead


def contracting_view(data: ReportData, contracting_data: str = "") -> list[object]:
    """The contracting-data indicators of the report's countries and years
    (:func:`analysis.measures.contracting.contracting_indicators`) from the Parquet file
    ``contracting_data`` wrote by ``coopreport import ocds``; one sentence when none is
    configured or the file has nothing for these countries and years."""
    if not contracting_data:
        return [Paragraph(data.t("contracting.none", countries=", ".join(
            data.country(c) for c in data.countries)))]
    from analysis.measures.contracting import contracting_indicators

    path = paths.resolve_data_path(contracting_data)
    frame = contracting_indicators(path, list(data.countries), data.years)
    if frame.empty:
        return [Paragraph(data.t("contracting.empty", file=paths.display_path(Path(path))))]
    frame = frame.assign(label=[
        data.t(f"contracting.{i}") + (f": {data.t(f'method.{d}')}" if d else "")
        for i, d in zip(frame["indicator"], frame["detail"], strict=True)])
    shares = {"method_share", "method_value", "single_bidder", "top10_share",
              "award_published", "contract_published", "sme_value_share"}
    frame["shown"] = [
        (data.percent(v) if i in shares else data.number(round(v, 1))) + f" ({data.number(n)})"
        for i, v, n in zip(frame["indicator"], frame["value"], frame["n"], strict=True)]
    shown: list[object] = []
    for country in data.countries:
        own = frame[frame["country"] == country]
        if own.empty:
            continue
        wide = own.pivot_table(index="label", columns="year", values="shown", aggfunc="first",
                               sort=False).fillna("—")
        wide.columns = [str(c) for c in wide.columns]
        wide.insert(0, data.t("field.indicator"), wide.index)
        shown.append(Table(wide.reset_index(drop=True), data.t(
            "contracting.caption", country=data.country(country),
            file=paths.display_path(Path(path))), numeric=tuple(wide.columns[1:])))
    return shown or [Paragraph(data.t("contracting.empty", file=paths.display_path(Path(path))))]


def system_facts_view(data: ReportData, ref: Reference, contracting_data: str = ""
                      ) -> list[object]:
    """The section in display order: the facts (one country, or side by side), their chart
    where a series exists, their sources, the gaps, then the contracting-data indicators (or
    the sentence that none is configured)."""
    shown: list[object] = [facts_table(data, ref)]
    chart = facts_chart(data, ref)
    if chart is not None:
        shown.append(chart)
    if not _facts(ref, list(data.countries)).empty:
        shown.append(facts_sources(data, ref))
    shown.append(facts_gaps(data, ref))
    shown += contracting_view(data, contracting_data)
    return shown
