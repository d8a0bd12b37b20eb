"""The sections every report shares, and the notebooks' entry point.

A notebook imports this module as ``r``, calls :func:`prepare_report` once with its
parameters (:mod:`analysis.report.context`), then one function per section: key figures,
activity per year, themes, partners, the timeline, financing (:mod:`analysis.report.financing`)
and the data note. ``prepare_report``, ``Heading``, ``Paragraph`` and ``financing_view`` are
here too, so that a notebook needs one name for them. Every figure shown is computed from the
registry; every sentence comes from the message catalogue in :mod:`analysis.report.i18n`, so a
report reads the same in English and Russian.
"""

from __future__ import annotations

import re

import altair as alt
import pandas as pd

from analysis.core import paths
from analysis.measures import metrics
from analysis.report import chart_theme, charts
from analysis.report.context import ReportData, prepare_report
from analysis.report.display import Bullets, Heading, Paragraph, Recorded, Span, Table
from analysis.report.financing import financing_view
from analysis.report.i18n import cell_list, plural

__all__ = ["Heading", "Paragraph", "ReportData", "Table", "financing_view", "prepare_report"]


def count_grid(data: ReportData, by: tuple[str, ...] = ("country", "year")) -> pd.DataFrame:
    """Activity counts with explicit zero rows for every year and country of the report."""
    return metrics.count_activities(data.activities, by=by, years=data.years,
                                     countries=list(data.countries))


def key_figures(data: ReportData) -> Table:
    """Headline numbers per country: activities, partners, themes, procurement, empty years."""
    procurement = set(data.taxonomy.procurement_themes())
    grid = count_grid(data)
    rows = []
    for code in data.countries:
        own = data.activities[data.activities["country"] == code]
        empty = grid[(grid["country"] == code) & (grid["activities"] == 0)]["year"].tolist()
        rows.append({
            data.t("field.country"): data.country(code),
            data.t("kf.activities"): len(own),
            data.t("kf.partners"): len({p for ps in own["partners"] for p in ps}),
            data.t("kf.themes"): len({t for ts in own["themes"] for t in ts}),
            data.t("kf.procurement"): int(own["themes"].map(
                lambda ts: bool(procurement & set(ts))).sum()),
            data.t("kf.empty_years"): ", ".join(map(str, empty)) or "—",
        })
    frame = pd.DataFrame(rows)
    numeric = tuple(frame.columns[1:5])
    return Table(frame, data.t("kf.caption", start=data.start_year, end=data.end_year),
                 numeric=numeric)


def activity_chart(data: ReportData) -> alt.TopLevelMixin:
    """Activities per year and country, each country in its colour."""
    chart = charts.activities_per_year(count_grid(data), lang=data.lang, labels=data.labels(),
                                       colours=data.colours.countries(data.countries))
    return chart_theme.with_caption(with_coverage_note(data, chart),
                               data.caption("activities_per_year"))


def coverage_sentences(data: ReportData, span: bool = True) -> list[str]:
    """What the registry covers of the report's countries, in sentences: each country's first
    and last record and the day the report was made (``span``), the years of the period
    before a country's first record, and the current year when it is unfinished.

    The countries are the report's and an SPCR's peer (:attr:`ReportData.coverage_countries`),
    each with its own records: no fact of the rest of the registry is stated."""
    as_of = data.date(data.as_of.isoformat(), "day")
    out = []
    if span:
        for code, cov in data.coverage.items():
            if cov is None:
                out.append(data.t("coverage.none", country=data.country(code)))
                continue
            out.append(data.t("coverage.span", country=data.country(code),
                              first=_record_date(data, cov.first_date, cov.first_precision),
                              last=_record_date(data, cov.last_date, cov.last_precision)))
        out.append(data.t("coverage.made", as_of=as_of))
    for code, cov in data.coverage.items():
        before = cov.years_before(*data.years) if cov is not None else ()
        if before:
            key = "coverage.before_one" if len(before) == 1 else "coverage.before"
            years = f"{before[0]}–{before[-1]}" if len(before) > 2 else \
                f" {data.t('recommend.and')} ".join(map(str, before))
            out.append(data.t(key, country=data.country(code), start=data.start_year,
                              end=data.end_year, years=years))
    if data.partial_year is not None:
        out.append(data.t("coverage.partial", year=data.partial_year, as_of=as_of))
    return out


def _record_date(data: ReportData, text: str, precision: str) -> str:
    """A record's date as a sentence names it: a year alone reads «2017 г.» in Russian."""
    shown = data.date(text, precision)
    return f"{shown} г." if data.lang == "ru" and precision == "year" else shown


def partial_year_note(data: ReportData) -> str | None:
    """The note a chart with a year axis carries when the current year is unfinished."""
    if data.partial_year is None:
        return None
    return data.t("coverage.chart_note", year=data.partial_year,
                  as_of=data.date(data.as_of.isoformat(), "day"))


def with_coverage_note(data: ReportData, chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with the unfinished-year note in its subtitle, when there is one."""
    note = partial_year_note(data)
    return chart_theme.with_note(chart, note) if note else chart


def gaps_sentence(data: ReportData) -> Paragraph:
    """Say which years have no recorded activity, per country (or that every year has some)."""
    grid = count_grid(data)
    parts: list[str | Span] = []
    for code in data.countries:
        empty = grid[(grid["country"] == code) & (grid["activities"] == 0)]["year"].tolist()
        total = int(grid[grid["country"] == code]["activities"].sum())
        if total == 0:
            parts.append(data.t("gaps.none_at_all", country=data.country(code),
                                start=data.start_year, end=data.end_year) + " ")
        elif empty:
            key = "gaps.some_one" if len(empty) == 1 else "gaps.some"
            parts.append(data.t(key, country=data.country(code),
                                years=", ".join(map(str, empty))) + " ")
        else:
            parts.append(data.t("gaps.every_year", country=data.country(code)) + " ")
    # the countries' coverage is said here, once (the data note at the end does not repeat it)
    parts.extend(sentence + " " for sentence in coverage_sentences(data))
    return Paragraph(*parts)


def comparison_table(data: ReportData) -> Table:
    """Activities per year for the first two countries: both counts, difference and ratio."""
    first, second = data.countries[:2]
    wide = metrics.compare_countries(data.activities, countries=(first, second), by="year",
                                     years=data.years)
    frame = pd.DataFrame({
        data.t("field.year"): [data.year_label(y) for y in wide["year"]],
        data.country(first): wide[first],
        data.country(second): wide[second],
        data.t("field.difference"): [data.number(v) for v in wide["difference"]],
        data.t("field.ratio"): [("—" if pd.isna(v) else data.number(float(v), decimals=2))
                                for v in wide["ratio"]],
    })
    return Table(frame, data.t("comparison.caption", a=data.country(first),
                               b=data.country(second)), numeric=tuple(frame.columns[1:]))


def small_multiples_chart(data: ReportData) -> alt.TopLevelMixin:
    """Activities per year, one panel per country on a shared scale, in the country colours."""
    chart = charts.small_multiples(count_grid(data), lang=data.lang, labels=data.labels(),
                                   colours=data.colours.countries(data.countries))
    return chart_theme.with_caption(with_coverage_note(data, chart),
                                    data.caption("small_multiples"))


def theme_mix_table(data: ReportData) -> Table:
    """Each theme's share of all theme mentions per country, and the gap between the first two
    countries in percentage points (the mix: shares sum to 100 % per country)."""
    first, second = data.countries[:2]
    shares = metrics.theme_shares(data.activities, countries=[first, second],
                                  categories=list(data.taxonomy.themes))
    wide = shares.pivot(index="theme", columns="country", values="mix")
    wide = wide.reindex(list(data.taxonomy.themes))
    counts = shares.pivot(index="theme", columns="country", values="activities")
    keep = counts.reindex(wide.index)[[first, second]].sum(axis=1) > 0
    wide = wide[keep]
    # the gap of the shares as printed (one decimal), so that the row adds up for a reader:
    # 4,7 − 3,7 = 1,0, not the 1,1 of the unrounded shares
    # (rounded as data.percent rounds them)
    gap = [round(a * 100, 1) - round(b * 100, 1)
           for a, b in zip(wide[first], wide[second], strict=True)]
    frame = pd.DataFrame({
        data.t("field.theme"): [data.taxonomy.theme_label(k, data.lang) for k in wide.index],
        data.country(first): [data.percent(v, decimals=1) for v in wide[first]],
        data.country(second): [data.percent(v, decimals=1) for v in wide[second]],
        data.t("field.gap_points"): [data.number(float(v), decimals=1) for v in gap],
    })
    return Table(frame, data.t("mix.caption", a=data.country(first), b=data.country(second)),
                 numeric=tuple(frame.columns[1:]))


def partner_overlap(data: ReportData) -> Bullets:
    """Partners shared by the first two countries, and those working with only one of them."""
    first, second = data.countries[:2]
    acts = data.activities
    sets = {c: {p for ps in acts[acts["country"] == c]["partners"] for p in ps}
            for c in (first, second)}

    def names(partners: set[str]) -> str:
        return ", ".join(sorted(data.taxonomy.partner_label(p, data.lang) for p in partners)) \
            or data.t("overlap.nobody")

    return Bullets((
        (data.t("overlap.shared", count=len(sets[first] & sets[second]),
                names=names(sets[first] & sets[second])),),
        (data.t("overlap.only", country=data.country(first),
                count=len(sets[first] - sets[second]), names=names(sets[first] - sets[second])),),
        (data.t("overlap.only", country=data.country(second),
                count=len(sets[second] - sets[first]), names=names(sets[second] - sets[first])),),
    ))


def theme_chart(data: ReportData) -> alt.TopLevelMixin:
    """Activities per theme and country, the count on every cell."""
    shares = metrics.theme_shares(data.activities, countries=list(data.countries),
                                  categories=list(data.taxonomy.themes))
    chart = charts.theme_heatmap(shares, lang=data.lang, labels=data.labels())
    return chart_theme.with_caption(chart, data.caption("theme_heatmap"))


def theme_table(data: ReportData) -> Table:
    """Activities per theme and country (each activity counted under each of its themes)."""
    counts = metrics.count_activities(data.activities, by=("theme", "country"),
                                      countries=list(data.countries),
                                      categories={"theme": list(data.taxonomy.themes)})
    wide = counts.pivot(index="theme", columns="country", values="activities")
    wide = wide.reindex(list(data.taxonomy.themes))[list(data.countries)].reset_index()
    wide = wide[wide[list(data.countries)].sum(axis=1) > 0]
    wide["theme"] = wide["theme"].map(lambda k: data.taxonomy.theme_label(k, data.lang))
    wide.columns = [data.t("field.theme"), *(data.country(c) for c in data.countries)]
    return Table(wide, data.t("themes.caption"), numeric=tuple(wide.columns[1:]))


def partner_summary(data: ReportData) -> pd.DataFrame:
    kinds = {name: p.kind for name, p in data.taxonomy.partners.items()}
    return metrics.summarise_partners(data.activities, kinds=kinds)


def partner_chart(data: ReportData, top: int = 15) -> alt.TopLevelMixin:
    labels = data.labels() | {f"kind.{k}": data.t(f"kind.{k}") for k in
                              ("multilateral", "bilateral", "agency", "network")}
    chart = charts.partner_bars(partner_summary(data), top=top, lang=data.lang, labels=labels,
                                colours=data.colours.of("partner_kind"))
    return chart_theme.with_caption(chart, data.caption("partner_bars"))


def partner_table(data: ReportData) -> Table:
    summary = partner_summary(data)
    frame = pd.DataFrame({
        data.t("field.partner"): [data.taxonomy.partner_label(p, data.lang)
                                   for p in summary["partner"]],
        data.t("field.kind"): summary["kind"].map(lambda k: data.t(f"kind.{k}") if k else ""),
        data.t("field.activities"): summary["activities"],
        # a partner active in one year shows that year ("2022"), not "2022–2022"
        data.t("partners.years"): [f"{a}–{b}" if a != b else f"{a}" for a, b in
                                   zip(summary["first_year"], summary["last_year"], strict=True)],
        data.t("partners.themes"): summary["themes"].map(lambda ts: cell_list(
            data.taxonomy.theme_label(t, data.lang) for t in ts[:3])),
    })
    return Table(frame, data.t("partners.caption"), numeric=(data.t("field.activities"),))


def timeline_chart(data: ReportData) -> alt.TopLevelMixin:
    """Activities per year by activity type (one panel per country), every year of the
    period shown; the annex lists the activities."""
    chart = charts.timeline(data.activities, lang=data.lang, labels=data.labels(),
                            colours=data.colours.of("activity_type"), years=data.years,
                            order=data.countries)
    return chart_theme.with_caption(with_coverage_note(data, chart), data.caption("timeline"))


def report_facts(data: ReportData) -> dict[str, object]:
    """The report's key figures for the portal: activities and partners in the selection,
    the countries and the period (all computed from the selection)."""
    acts = data.activities
    return {"activities": int(len(acts)),
            "partners": len({p for ps in acts["partners"] for p in ps}),
            "countries": list(data.countries), "start_year": data.start_year,
            "end_year": data.end_year}


def data_note(data: ReportData, with_abbreviations: bool = True) -> Recorded:
    """Where the numbers come from: the registry file(s) and what was selected from them; with
    several sources, each file with the activities selected from it and the likely duplicates
    flagged across them; then, in a Russian report (``with_abbreviations``; the strategic
    procurement report lists them in its method section instead), the list of abbreviations.
    The note also records the report's key figures for the portal (:func:`report_facts`).

    The note speaks of the report's selection only, never of the whole registry (its size,
    its checksum): a build rebuilds a report when the rows it selects change, not when
    another country's do (:mod:`analysis.build.selection`); the whole file's checksum is in
    the report's provenance, as of its build."""
    reg = data.registry
    text = data.t("note.data", file=reg.path.name, selected=len(data.activities),
                  selected_activities=plural("activity", len(data.activities), data.lang),
                  start=data.start_year, end=data.end_year)
    if len(reg.sources) > 1:
        chosen: dict[str, int] = ({str(k): int(v) for k, v in data.activities["source_file"]
                                   .value_counts().items()}
                                  if "source_file" in data.activities else {})
        files = "; ".join(
            data.t("note.source_file", file=s.path.name, rows=plural(
                "activity", chosen.get(paths.display_path(s.path), 0), data.lang))
            for s in reg.sources)
        text += " " + data.t("note.sources", files=files)
        ids = set(data.activities["activity_id"])
        duplicates = reg.duplicates
        if duplicates is not None and not duplicates.empty:
            pairs = duplicates[duplicates["first"].isin(ids) | duplicates["second"].isin(ids)]
            if len(pairs):
                text += " " + data.t("note.duplicates",
                                     pairs=plural("duplicate_pairs", len(pairs), data.lang))
    if with_abbreviations and (items := abbreviations(data)):
        text += " " + data.t("method.abbreviations", items=items)
    return Recorded(Paragraph(text), report_facts(data))


ABBREVIATIONS = "abbreviations_{lang}.csv"  # in data/taxonomy: abbreviation, expansion
ABBREVIATIONS_RU = ABBREVIATIONS.format(lang="ru")
# always in a report of that language (indicator names, the methodology)
ALWAYS = {"ru": ("MAPS", "ИВК", "WGI", "OBI", "IBP", "PEFA", "ВВП"),
          "uz": ("MAPS", "KIEI", "WGI", "OBI", "IBP", "PEFA", "YaIM")}
ALWAYS_RU = ALWAYS["ru"]


def abbreviations(data: ReportData) -> str:
    """A Russian or Uzbek report's abbreviations, each with its expansion
    (``data/taxonomy/abbreviations_ru.csv`` / ``abbreviations_uz.csv``): those of its partners'
    names and titles, and the indicators' and the methodology's. Empty in English or without
    the file."""
    path = paths.data_dir() / "taxonomy" / ABBREVIATIONS.format(lang=data.lang)
    if data.lang == "en" or not path.exists():
        return ""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    text = " ".join([*(data.partners(p) for p in data.activities["partners"]),
                     *data.titles(data.activities)])
    used = [(a, e) for a, e in zip(table["abbreviation"], table["expansion"], strict=True)
            if a in ALWAYS.get(data.lang, ()) or re.search(rf"(?<!\w){re.escape(a)}(?!\w)", text)]
    # Cyrillic abbreviations first, then Latin ones, each alphabetically (Russian usage)
    used.sort(key=lambda item: (bool(re.match(r"[A-Za-z]", item[0])), item[0].casefold()))
    return "; ".join(f"{a} — {e}" for a, e in used)
