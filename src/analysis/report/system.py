"""Report sections on the procurement system (indicators, milestones) and the computed findings.

Usable by any report with a :class:`~analysis.report.context.ReportData`: the country/countries
come from ``data.countries`` plus optional peers. Values come from :mod:`analysis.data.reference`
(notebooks call ``s.load_reference()`` from here); a missing value is shown as "—" and named in
words, never filled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import altair as alt
import pandas as pd

from analysis.data.reference import Reference, indicator_series
from analysis.data.reference import load_reference as load_reference  # s.load_reference()
from analysis.measures import findings as f
from analysis.measures import metrics
from analysis.measures.pillars import pillar_totals, procurement_activities
from analysis.report import chart_theme
from analysis.report import system_charts as sc
from analysis.report.context import ReportData, format_activity_date
from analysis.report.display import Bullets, Inline, Paragraph, Span, Table
from analysis.report.i18n import MESSAGES, in_sentence, plural, sentence_start
from analysis.report.recommendations import recommendations_table as recommendations_table
from analysis.report.sections import with_coverage_note


def _countries(data: ReportData, peers: Sequence[str | None]) -> list[str]:
    return [*data.countries, *(p for p in peers if p and p not in data.countries)]


CONTEXT_YEARS = 5  # indicators are shown from this many years before the period


def _years(data: ReportData) -> tuple[int, int]:
    return (data.start_year - CONTEXT_YEARS, data.end_year)


def _label(data: ReportData, indicator: str) -> str:
    text = data.t(f"indicator.{indicator}")
    return indicator if text == f"indicator.{indicator}" else text


def _indicator_rows(data: ReportData, ref: Reference, countries: list[str]) -> pd.DataFrame:
    first, last = _years(data)
    ind = ref.indicators
    return ind[ind["country"].isin(countries) & ind["year"].between(first, last)]


def indicator_table(data: ReportData, ref: Reference, peers: Sequence[str | None] = ()
                    ) -> Table:
    """Exact values of every indicator recorded for the countries: one row per indicator and
    country, one column per year from ``CONTEXT_YEARS`` before the period to its end that has
    any value in the reference data (— where this country has none). Sources are listed by
    :func:`indicator_sources`."""
    countries = _countries(data, peers)
    first, last = _years(data)
    years = [y for y in range(first, last + 1) if y in set(ref.indicators["year"])]
    ind = _indicator_rows(data, ref, countries)
    rows = []
    for indicator in pd.unique(ref.indicators["indicator"]):
        for country in countries:
            own = ind[(ind["indicator"] == indicator) & (ind["country"] == country)]
            if own.empty:
                continue
            places = _decimals(ref, str(indicator))
            headline = str(indicator) in _headline(ref)
            by_year = {int(r["year"]): (_with_interval(data, r, places) if headline
                                        else _rounded(data, r["value"], places))
                       for r in own.to_dict("records")}
            rows.append({
                data.t("field.indicator"): _label(data, str(indicator)),
                data.t("field.country"): data.country(country),
                **{str(y): by_year.get(y, "—")
                   for y in years},
            })
    frame = pd.DataFrame(rows)
    names = ", ".join(data.country(c) for c in countries)
    return Table(frame, data.t("system.values_caption", countries=names),
                 numeric=tuple(str(y) for y in years),
                 widths=(5, 5, *[3] * len(years)) if len(frame.columns) == len(years) + 2
                 else ())


def _decimals(ref: Reference, indicator: str) -> int:
    """Decimals the source publishes the indicator with (the guide's), 2 when not in it."""
    if ref.guide is not None and indicator in ref.guide.index:
        return int(str(ref.guide.loc[indicator, "decimals"]))
    return 2


def _with_interval(data: ReportData, row: dict[str, object], places: int) -> str:
    """A value as published, with its published interval in brackets: "33 (30–36)"."""
    text = _rounded(data, row["value"], places)
    bounds = f.interval(row)
    if bounds is None:
        return text
    low, high = (_rounded(data, b, places) for b in bounds)
    return f"{text} ({low}–{high})"


def _year_ranges(years: list[int]) -> str:
    """2017, 2018, 2019, 2021 → "2017–2019, 2021"."""
    runs: list[list[int]] = []
    for year in sorted(set(years)):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


def indicator_sources(data: ReportData, ref: Reference, peers: Sequence[str | None] = ()
                      ) -> Bullets:
    """Where the values of the indicator chart and table were read: one item per source
    (linked), in order of first use, with the indicators, countries and years read from it."""
    countries = _countries(data, peers)
    ind = _indicator_rows(data, ref, countries).sort_values(["year"], kind="stable")
    order = {i: n for n, i in enumerate(pd.unique(ref.indicators["indicator"]))}
    items: list[tuple[Inline, ...]] = []
    for url, rows in ind.groupby("source_url", sort=False):
        read = []
        for (indicator, country), own in sorted(
                rows.groupby(["indicator", "country"]),
                key=lambda kv: (order[kv[0][0]], countries.index(str(kv[0][1])))):
            read.append(f"{_label(data, str(indicator))}, {data.country(str(country))} "
                        f"{_year_ranges(list(own['year']))}")
        items.append((Span(data.source(rows["source"].iloc[0]), href=str(url)),
                      ": " + "; ".join(read)))
    return Bullets(tuple(items))


def indicator_values(data: ReportData, ref: Reference, peers: Sequence[str | None] = (),
                     indicators: Sequence[str] = f.HEADLINE_INDICATORS) -> pd.DataFrame:
    """The headline indicators for the countries, one row per indicator, country and year from
    ``CONTEXT_YEARS`` before the period to its end, ``value`` NaN where none is recorded, with
    the published interval (``low``/``high``, :func:`analysis.measures.findings.interval`;
    NaN where none is published); indicators with no value for any of the countries are left
    out. Labels as shown."""
    countries = _countries(data, peers)
    frames = []
    for indicator in indicators:
        series = indicator_series(ref.indicators, countries, indicator, _years(data))
        if series["value"].notna().any():
            bounds = [f.interval(row) or (float("nan"), float("nan"))
                      for _, row in series.iterrows()]
            frames.append(pd.DataFrame({
                "indicator": _label(data, indicator),
                "country": [data.country(c) for c in series["country"]],
                "year": series["year"].astype(int), "value": series["value"],
                "low": [b[0] for b in bounds], "high": [b[1] for b in bounds]}))
    columns = ["indicator", "country", "year", "value", "low", "high"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)


def _headline(ref: Reference) -> tuple[str, ...]:
    """The headline indicators: the guide's (``headline`` yes), else the display default."""
    if ref.guide is None:
        return f.HEADLINE_INDICATORS
    return tuple(str(i) for i in ref.guide.index[ref.guide["headline"]])


def indicator_chart(data: ReportData, ref: Reference, peers: Sequence[str | None] = ()
                    ) -> alt.TopLevelMixin:
    """The headline indicators across the years, one small panel each, country and peer(s)."""
    # each country keeps its colour; the legend lists the report's country first, then its
    # peer and benchmarks (an Azerbaijan report does not open with Uzbekistan)
    codes = list(dict.fromkeys(_countries(data, peers)))
    by_code = data.colours.countries(codes)
    colours = {data.country(c): by_code[c] for c in codes}
    guide = ref.guide if ref.guide is not None else load_reference().guide
    assert guide is not None
    scales = {_label(data, str(i)): (float(g["scale_min"]), float(g["scale_max"]))
              for i, g in guide.iterrows()
              if pd.notna(g["scale_min"]) and pd.notna(g["scale_max"])}
    chart = sc.indicator_panels(indicator_values(data, ref, peers, _headline(ref)),
                                lang=data.lang, colours=colours, scales=scales)
    return chart_theme.with_caption(chart, data.caption("indicator_panels"))


def indicator_gaps(data: ReportData, ref: Reference, peers: Sequence[str | None] = ()
                   ) -> Paragraph:
    """Name, per country, the headline indicators with no value at all in the period, and the
    standing gap (no PEFA PI-24 score)."""
    parts = []
    for country in _countries(data, peers):
        own = ref.indicators[(ref.indicators["country"] == country)
                             & ref.indicators["year"].between(*_years(data))]
        # Russian lists an index in lower case («индекс открытости бюджета»); English
        # index names are proper names ("Open Budget Index") and keep their capitals
        missing = [in_sentence(_label(data, i)) if data.lang != "en" else _label(data, i)
                   for i in _headline(ref) if i not in set(own["indicator"])]
        if missing:
            parts.append(data.t("system.gap_missing", country=data.country(country),
                                indicators="; ".join(missing)))
    parts.append(data.t("system.gap_pefa"))
    return Paragraph(" ".join(parts))


def numbered_milestones(ref: Reference, country: str) -> pd.DataFrame:
    """The country's milestones in date order (all years), numbered from 1: the numbers the
    milestone chart and table share."""
    own = ref.milestones[ref.milestones["country"] == country]
    own = own.sort_values(["start", "milestone"], kind="stable").reset_index(drop=True)
    return own.assign(number=range(1, len(own) + 1))


def _country_procurement(data: ReportData, country: str) -> pd.DataFrame:
    acts = data.registry.activities
    return procurement_activities(acts[acts["country"] == country],
                                  data.taxonomy.procurement_themes())


def milestone_table(data: ReportData, ref: Reference, window_days: int = 365,
                    country: str | None = None) -> Table | Paragraph:
    """The country's milestones (all years, so the period is seen in context), numbered as in
    :func:`milestone_chart`, and beside each the country's procurement-related activities
    (of any year) within ±``window_days`` of it, at most
    :data:`analysis.measures.findings.CITED_IDS`."""
    country = country or data.countries[0]
    own = localized_milestones(data, numbered_milestones(ref, country))
    if own.empty:
        return Paragraph(data.t("system.no_milestones", country=data.country(country)))
    acts = _country_procurement(data, country)
    rows = []
    for m in own.to_dict("records"):
        start = pd.Timestamp(m["start"])
        near = acts[(acts["start"] - start).abs() <= pd.Timedelta(days=window_days)]
        rows.append({
            data.t("field.number"): str(m["number"]),
            data.t("field.date"): format_activity_date(str(m["date"]), str(m["date_precision"]),
                                                       data.lang),
            data.t("field.milestone"): m["milestone"],
            data.t("field.nearby"): "; ".join(data.reference(i) for i in f.cite_ids(list(
                near.sort_values(["start", "activity_id"])["activity_id"]))) or "—",
            data.t("field.source"): Span(data.source(m["source"]), href=str(m["source_url"])),
        })
    return Table(pd.DataFrame(rows), data.t("system.milestones_caption",
                                            country=data.country(country)),
                 numeric=(data.t("field.number"),))


def milestone_chart(data: ReportData, ref: Reference, country: str | None = None
                    ) -> alt.TopLevelMixin:
    """The country's procurement-related activities per year (all recorded, not only the
    period's) with its milestones numbered on the same time axis; the years run from the
    earlier of the period's start and the first milestone to the period's end."""
    country = country or data.countries[0]
    own = localized_milestones(data, numbered_milestones(ref, country))
    first = min([data.start_year, *own["start"].dt.year.astype(int)])
    span = (first, data.end_year)
    shown = own[own["start"].dt.year <= data.end_year]
    marks = pd.DataFrame({
        "number": shown["number"], "start": shown["start"],
        "date": [format_activity_date(str(d), str(p), data.lang)
                 for d, p in zip(shown["date"], shown["date_precision"], strict=True)],
        "milestone": shown["milestone"]})
    counts = metrics.count_activities(_country_procurement(data, country), by="year",
                                      years=span)
    chart = sc.activities_and_milestones(counts, marks, data.years, lang=data.lang,
                                         subject=data.country(country))
    return chart_theme.with_caption(with_coverage_note(data, chart),
                               data.caption("activities_and_milestones",
                                            country=data.country(country)))


def compute_findings(data: ReportData, ref: Reference, peer: str | None,
                     placed: pd.DataFrame, as_of: pd.Timestamp | None = None,
                     benchmarks: Sequence[str] = ()) -> list[f.Finding]:
    """Every rule of :mod:`analysis.measures.findings` on the report's selection, most severe first.

    Parameters
    ----------
    data
        The report; its first country is the one the findings are about.
    ref
        Indicators (with their guide) and milestones.
    peer
        The comparison country: where the country stands against it is a finding, never advice.
    placed
        The selection's procurement-related activities placed on pillars
        (:func:`analysis.report.procurement.placed_on_pillars`).
    as_of
        The report's date (default ``data.as_of``, the one clock of the report): commitments
        are past due or stale on it.
    benchmarks
        Good-practice countries the analyst named (params ``benchmarks``): being behind one of
        them on a pillar IV indicator is the only finding whose recommendation names a country.

    Returns
    -------
    The findings sorted by :data:`analysis.measures.findings.SEVERITY`. Milestones are matched with
    the country's procurement-related activities of any year (one just before the period
    supports a reform early in it); the other rules look at the period only, and
    ``period_fall`` also at the previous period of equal length.
    """
    country = data.countries[0]
    themes = data.taxonomy.procurement_themes()
    proc = procurement_activities(data.activities, themes)
    everything = data.registry.activities
    proc_any_year = procurement_activities(everything[everything["country"] == country], themes)
    day = (as_of if as_of is not None else pd.Timestamp(data.as_of)).normalize()
    made = dict(zip(everything["activity_id"], everything["end"], strict=True))
    guide = ref.guide if ref.guide is not None else load_reference().guide
    assert guide is not None
    others = [o for o in (peer, *benchmarks) if o]
    # "latest" is judged on the report's date too: no value of a year after it is read
    known = (data.start_year, min(data.end_year, day.year))
    found = [
        *f.find_unsupported_reforms(localized_milestones(data, ref.milestones), proc_any_year,
                                    country, data.years),
        *f.find_pillar_gaps(pillar_totals(placed)),
        *f.find_stale(data.registry.commitments, set(proc["activity_id"]), made, day),
        *f.find_overdue(data.registry.commitments, set(proc["activity_id"]), day),
        *f.find_indicator_changes(ref.indicators, guide, country, known),
        *f.find_comparisons(ref.indicators, guide, country, others, known,
                            benchmarks=benchmarks),
        *f.find_period_fall(proc_any_year, country, data.years,
                            metrics.previous_period(*data.years)),
        *f.find_dependence(proc[proc["country"] == country]),
    ]
    return f.sort_findings(found)


def _whole(value: object) -> int:
    """A count kept in a finding's values (an int, typed as object there)."""
    return int(str(value))


# evidence that names a table of the report rather than ids or values
TABLE_EVIDENCE = {"pillar_table": "pillars.caption"}
# a period's activities cited by a fall in activity ("2021–2022: U1, U2, … (+3)")
PERIOD_EVIDENCE = re.compile(r"^(\d{4}–\d{4}): (.+)$")


def _rounded(data: ReportData, value: object, decimals: object = 2) -> str:
    """A value as the source publishes it: ``decimals`` places (a guide's ``decimals``)."""
    places = _whole(decimals)
    return data.number(float(str(value)), decimals=places)


def _by_indicator(data: ReportData, indicator: str) -> str:
    """"By the indicator ..." as a sentence opens with it: "По индексу восприятия коррупции
    (ИВК, 0–100)" (``indicator.ID.by``), else built from the indicator's label."""
    key = f"indicator.{indicator}.by"
    if key in MESSAGES:
        return data.t(key)
    return data.t("indicator.by_label", label=_label(data, indicator))


def finding_sentence(data: ReportData, finding: f.Finding) -> str:
    """The finding in the report language (values formatted as published, names translated)."""
    v = dict(finding.values)
    if "indicator" in v:
        v["by"] = _by_indicator(data, str(v["indicator"]))
        v["indicator"] = _label(data, str(v["indicator"]))
    v["country"] = data.country(str(v.get("country") or data.countries[0]))
    for key in ("value", "before", "peer_value", "latest"):
        if key in v:
            v[key] = _rounded(data, v[key], v.get("decimals", 2))
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
    if "months" in v:
        v["months"] = plural("months_within", _whole(v["months"]), data.lang)
    if finding.kind in ("overdue", "stale"):
        v["commitments"] = plural(f"{finding.kind}_commitments", _whole(v["count"]), data.lang)
    if "total" in v:
        v["of_total"] = plural("procurement_of_total", _whole(v["total"]), data.lang)
    key = f"finding.{finding.kind}"
    if "latest" in v:
        key += "_latest"
    if finding.kind == "stale":
        key += {(True, True): "_both", (True, False): "_old"}.get(
            (bool(v["old"]), bool(v["ended"])), "_ended")
    return sentence_start(data.t(key, **v))


def evidence_text(data: ReportData, evidence: Sequence[f.Evidence], decimals: int = 2) -> str:
    """A finding's evidence in the report language: ids as they are, a table by its caption,
    indicator values as "Country year: value" (``decimals`` places, as published) followed by
    their source, a milestone by its source."""
    parts: list[str] = []
    values: list[str] = []
    for i, item in enumerate(evidence):
        if isinstance(item, str):
            period = PERIOD_EVIDENCE.match(item)
            if item in TABLE_EVIDENCE:
                parts.append(data.t(TABLE_EVIDENCE[item]))
            elif period:  # "2021–2022: U1, U2": each activity as a reader finds it
                parts.append(f"{period[1]}: " + "; ".join(
                    data.reference(i) for i in period[2].split(", ")))
            else:
                parts.append(data.reference(item))
        elif item.value is None or item.year is None:
            parts.append(data.source(item.source))
        else:
            values.append(data.t("evidence.value", country=data.country(item.country),
                                 year=item.year, value=_rounded(data, item.value, decimals)))
            following = evidence[i + 1] if i + 1 < len(evidence) else None
            if not (isinstance(following, f.Cited) and following.source == item.source
                    and following.value is not None):
                parts.append(f"{'; '.join(values)} ({data.source(item.source)})")
                values = []
    return "; ".join(parts)


def findings_table(data: ReportData, found: list[f.Finding]) -> Table | Paragraph:
    """The findings, most important first, numbered (the recommendations cite the numbers),
    with their evidence."""
    if not found:
        return Paragraph(data.t("findings.none"))
    frame = pd.DataFrame({
        data.t("field.number"): [str(n) for n in range(1, len(found) + 1)],
        data.t("field.finding"): [finding_sentence(data, x) for x in found],
        data.t("field.finding_evidence"): [
            evidence_text(data, x.evidence, _whole(x.values.get("decimals", 2))) for x in found],
    })
    return Table(frame, data.t("findings.caption"), numeric=(data.t("field.number"),),
                 widths=(2, 12, 8))


def findings_lead(data: ReportData, found: list[f.Finding], top: int = 3) -> str:
    """The sentence the executive summary leads with: the ``top`` most severe findings."""
    if not found:
        return data.t("findings.none")
    return data.t("summary.findings_lead",
                  findings=" ".join(finding_sentence(data, x) for x in found[:top]))


def localized_milestones(data: ReportData, milestones: pd.DataFrame) -> pd.DataFrame:
    """``milestones`` with the ``milestone`` text in the report language (``milestone_ru`` in
    Russian; an English fallback is marked, as for activity titles)."""
    blank = pd.Series([""] * len(milestones), index=milestones.index)
    russian = milestones["milestone_ru"] if "milestone_ru" in milestones else blank
    uzbek = milestones["milestone_uz"] if "milestone_uz" in milestones else blank
    return milestones.assign(milestone=[
        data.text(str(m), r, u)
        for m, r, u in zip(milestones["milestone"], russian, uzbek, strict=True)])


def system_view(data: ReportData, ref: Reference, peers: Sequence[str | None] = ()
                ) -> list[object]:
    """The procurement-system section in display order, for any report: the headline
    indicators charted for the report's countries and ``peers`` with their sources, the exact
    values, the gaps in words; then, per report country, its milestones on the activities'
    time axis and in a table."""
    shown: list[object] = [indicator_chart(data, ref, peers), indicator_sources(data, ref, peers),
                           indicator_table(data, ref, peers), indicator_gaps(data, ref, peers)]
    for country in data.countries:
        if not numbered_milestones(ref, country).empty:
            shown.append(milestone_chart(data, ref, country))
        shown.append(milestone_table(data, ref, country=country))
    return shown
