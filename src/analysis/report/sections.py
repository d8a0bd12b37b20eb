"""Report building blocks for the notebooks: validated inputs in, display objects and charts out.

A notebook calls :func:`prepare_report` once with its parameters, then one function per
section. Every figure shown is computed here from the registry; every sentence comes from the
message catalogue in :mod:`analysis.report.i18n`, so a report reads the same in English and Russian.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path

import altair as alt
import pandas as pd
from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal

from analysis.core.errors import ParameterError
from analysis.core.formats import format_share, format_usd
from analysis.data.colours import Colours, load_colours
from analysis.data.registry import Registry, load_registry
from analysis.data.taxonomy import LANGUAGES, Taxonomy, country_name, is_country, load_taxonomy
from analysis.measures import metrics
from analysis.measures.coverage import Coverage, countries_without_activities, registry_coverage
from analysis.report import charts
from analysis.report.display import Bullets, Heading, Paragraph, Recorded, Span, Table
from analysis.report.i18n import plural, translate
from analysis.report.warnings import emit_warnings

__all__ = ["Heading", "ReportData", "Table", "prepare_report"]


@dataclass(frozen=True)
class ReportData:
    """The validated registry and the selection one report is about."""

    registry: Registry
    activities: pd.DataFrame  # filtered to the countries and years of the report
    countries: tuple[str, ...]
    start_year: int
    end_year: int
    lang: str
    taxonomy: Taxonomy
    as_of: dt.date = field(default_factory=dt.date.today)  # the build day

    @property
    def years(self) -> tuple[int, int]:
        return (self.start_year, self.end_year)

    @property
    def coverage(self) -> Coverage | None:
        """The registry's first and last record (None for an empty registry)."""
        return registry_coverage(self.registry.activities, self.as_of)

    @property
    def partial_year(self) -> int | None:
        """The current, unfinished year when it is in the report period."""
        cov = self.coverage
        return cov.partial_year(*self.years) if cov else None

    def year_label(self, year: object) -> str:
        """A year as tables show it: "2026 (to date)" / "2026 (неполный)" when unfinished."""
        text = str(year)
        return self.t("coverage.year_to_date", year=text) \
            if self.partial_year is not None and text == str(self.partial_year) else text

    def warnings(self) -> list[str]:
        """What the build should flag about this report: countries with no activity at all."""
        return [translate("warning.no_activities", "en", country=code, start=self.start_year,
                          end=self.end_year)
                for code in countries_without_activities(self.activities, self.countries)]

    def t(self, key: str, **values: object) -> str:
        return translate(key, self.lang, **values)

    def country(self, code: str) -> str:
        return country_name(code, self.lang)

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.lang)

    def percent(self, value: float, decimals: int = 0) -> str:
        """A share as "33%" / "33 %" (analysis.core.formats: the same in text, tables, charts)."""
        return format_share(value, self.lang, decimals)

    def money(self, value: float) -> str:
        """A USD amount, short: $500M / 500 млн долл. США (0 when nothing is stated)."""
        return format_usd(value, self.lang)

    def labels(self) -> dict[str, str]:
        """Display labels for every category id a chart may show, in the report language."""
        tax, lang = self.taxonomy, self.lang
        labels = {c: self.country(c) for c in self.countries}
        labels |= {k: tax.theme_label(k, lang) for k in tax.themes}
        labels |= {k: tax.type_label(k, lang) for k in tax.activity_types}
        labels |= {k: tax.partner_label(k, lang) for k in tax.partners}
        return labels

    @property
    def colours(self) -> Colours:
        """One colour per category for every chart (``data/taxonomy/colours.csv``)."""
        return load_colours()

    def caption(self, key: str, **values: object) -> str:
        """A figure caption (scope, source, how to read it): ``caption.<key>``."""
        return self.t(f"caption.{key}", start=self.start_year, end=self.end_year, **values)

    def date(self, text: str, precision: str) -> str:
        """A registry date in the report language, at its own precision."""
        return format_activity_date(text, precision, self.lang)

    def partners(self, names: tuple[str, ...]) -> str:
        return ", ".join(self.taxonomy.partner_label(p, self.lang) for p in names)

    def text(self, english: str, russian: object = "") -> str:
        """Text from the data in the report language (see :func:`localized_text`)."""
        return localized_text(english, russian, self.lang)

    def titles(self, activities: pd.DataFrame) -> list[str]:
        """The activities' titles in the report language (``title_ru`` in Russian)."""
        russian = activities["title_ru"] if "title_ru" in activities else [""] * len(activities)
        return [self.text(str(t), r) for t, r in zip(activities["title"], russian, strict=True)]


FALLBACK_MARK = {"ru": "(англ.)"}


def localized_text(english: str, russian: object, lang: str) -> str:
    """A text from the data in ``lang``: the Russian column in a Russian report, else English.

    A Russian report whose row has no Russian text shows the English one marked "(англ.)", so
    a reader sees that the text was not translated rather than a silent switch of language.
    """
    if lang != "ru":
        return english
    if isinstance(russian, str) and russian.strip():
        return russian
    return f"{english} {FALLBACK_MARK['ru']}" if english else english


def format_activity_date(text: str, precision: str, lang: str) -> str:
    """``2023-05-17`` → "17 May 2023" / "17 мая 2023 г."; ``2023-05`` → "May 2023"; ``2023``."""
    import datetime as dt

    if precision == "day":
        return format_date(dt.date.fromisoformat(text), format="long", locale=lang)
    if precision == "month":
        year, month = (int(p) for p in text.split("-"))
        return format_skeleton("yMMMM", dt.date(year, month, 1), locale=lang)
    return text


def prepare_report(data_path: str | Path, countries: list[str] | tuple[str, ...],
                   start_year: int, end_year: int, lang: str = "en",
                   as_of: dt.date | None = None) -> ReportData:
    """Check a notebook's parameters, load and validate the registry, select the activities.

    ``as_of`` is the day the report is made (default today): it decides whether the current
    year is unfinished. In a kernel, a country with no activity in the period is reported to
    the build runner as a warning (:mod:`analysis.report.warnings`); the report still builds
    and says so in its text.

    Raises
    ------
    ParameterError
        For an unknown country code or language, or ``start_year > end_year``.
    DataValidationError
        When the registry (or its commitments) is invalid: every problem is listed.
    """
    from analysis.report.chart_images import enable_renderer

    bad = [c for c in countries if not is_country(str(c))]
    if bad or not countries:
        raise ParameterError(f"not ISO 3166-1 alpha-3 country codes: {bad or countries}")
    if start_year > end_year:
        raise ParameterError(f"start_year {start_year} is after end_year {end_year}")
    if lang not in LANGUAGES:
        raise ParameterError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    registry = load_registry(data_path)
    enable_renderer()
    selected = metrics.filter_activities(registry.activities, countries=list(countries),
                                         years=(start_year, end_year))
    data = ReportData(registry, selected.reset_index(drop=True), tuple(countries), start_year,
                      end_year, lang, load_taxonomy(), as_of or dt.date.today())
    emit_warnings(data.warnings())
    return data


def restrict(data: ReportData, themes: list[str]) -> ReportData:
    """The same report selection limited to activities carrying any of ``themes``."""
    return replace(data, activities=metrics.filter_activities(data.activities, themes=themes)
                   .reset_index(drop=True))


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
    return charts.with_caption(with_coverage_note(data, chart),
                               data.caption("activities_per_year"))


def coverage_sentences(data: ReportData, span: bool = True) -> list[str]:
    """What the registry covers, in sentences: its first and last record (``span``), years of
    the period before the first record, and the current year when it is unfinished."""
    cov = data.coverage
    if cov is None:
        return []
    as_of = data.date(data.as_of.isoformat(), "day")
    out = []
    if span:
        out.append(data.t("coverage.span", first=data.date(cov.first_date, cov.first_precision),
                          last=data.date(cov.last_date, cov.last_precision), as_of=as_of))
    before = cov.years_before(*data.years)
    if before:
        key = "coverage.before_one" if len(before) == 1 else "coverage.before"
        years = f"{before[0]}–{before[-1]}" if len(before) > 2 else \
            (" и " if data.lang == "ru" else " and ").join(map(str, before))
        out.append(data.t(key, start=data.start_year, end=data.end_year, years=years))
    if data.partial_year is not None:
        out.append(data.t("coverage.partial", year=data.partial_year, as_of=as_of))
    return out


def partial_year_note(data: ReportData) -> str | None:
    """The note a chart with a year axis carries when the current year is unfinished."""
    if data.partial_year is None:
        return None
    return data.t("coverage.chart_note", year=data.partial_year,
                  as_of=data.date(data.as_of.isoformat(), "day"))


def with_coverage_note(data: ReportData, chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """``chart`` with the unfinished-year note in its subtitle, when there is one."""
    note = partial_year_note(data)
    return charts.with_note(chart, note) if note else chart


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
    parts.extend(sentence + " " for sentence in coverage_sentences(data, span=False))
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
        data.t("field.difference"): wide["difference"],
        data.t("field.ratio"): [("—" if pd.isna(v) else data.number(round(float(v), 2)))
                                for v in wide["ratio"]],
    })
    return Table(frame, data.t("comparison.caption", a=data.country(first),
                               b=data.country(second)), numeric=tuple(frame.columns[1:]))


def small_multiples_chart(data: ReportData) -> alt.TopLevelMixin:
    """Activities per year, one panel per country on a shared scale, in the country colours."""
    chart = charts.small_multiples(count_grid(data), lang=data.lang, labels=data.labels(),
                                   colours=data.colours.countries(data.countries))
    return charts.with_caption(with_coverage_note(data, chart), data.caption("small_multiples"))


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
    gap = (wide[first] - wide[second]) * 100
    frame = pd.DataFrame({
        data.t("field.theme"): [data.taxonomy.theme_label(k, data.lang) for k in wide.index],
        data.country(first): [data.percent(v, decimals=1) for v in wide[first]],
        data.country(second): [data.percent(v, decimals=1) for v in wide[second]],
        data.t("field.gap_points"): [data.number(round(float(v), 1)) for v in gap],
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
    return charts.with_caption(chart, data.caption("theme_heatmap"))


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
    return charts.with_caption(chart, data.caption("partner_bars"))


def partner_table(data: ReportData) -> Table:
    summary = partner_summary(data)
    frame = pd.DataFrame({
        data.t("field.partner"): [data.taxonomy.partner_label(p, data.lang)
                                   for p in summary["partner"]],
        data.t("field.kind"): summary["kind"].map(lambda k: data.t(f"kind.{k}") if k else ""),
        data.t("field.activities"): summary["activities"],
        data.t("partners.years"): [f"{a}–{b}" for a, b in
                                   zip(summary["first_year"], summary["last_year"], strict=True)],
        data.t("partners.themes"): summary["themes"].map(
            lambda ts: ", ".join(data.taxonomy.theme_label(t, data.lang) for t in ts[:3])),
    })
    return Table(frame, data.t("partners.caption"), numeric=(data.t("field.activities"),))


def timeline_chart(data: ReportData) -> alt.TopLevelMixin:
    """Activities per year by activity type (one panel per country), every year of the
    period shown; the annex lists the activities."""
    chart = charts.timeline(data.activities, lang=data.lang, labels=data.labels(),
                            colours=data.colours.of("activity_type"), years=data.years)
    return charts.with_caption(with_coverage_note(data, chart), data.caption("timeline"))


# relative widths of the annex's columns: the title takes most; the others fit their longest
# word in Russian at the annex's type size ("Азербайджан", "Финансирование"), words never break
ANNEX_WIDTHS = {"date": 11, "country": 12, "partners": 15, "type": 15, "title": 34,
                "source": 13}


def source_label(source: str, url: str) -> str:
    """How a source is named in a table: its publisher, else the address's site.

    A publisher written as a web address (``www.worldbank.org``) and a bare address both show
    as the site without ``www.``: ``https://www.gov.uz/ru/news/1`` → ``gov.uz``.
    """
    from urllib.parse import urlsplit

    text = source.strip() if source else ""
    if not text and url:
        text = urlsplit(url).hostname or url
    return text[4:] if text.lower().startswith("www.") else text


def _looks_like_address(text: str) -> bool:
    return " " not in text and ("." in text or "/" in text)


def activity_annex(data: ReportData, activities: pd.DataFrame | None = None) -> Table:
    """The report's activities with their sources: a compact table that serves the report.

    Columns: date, country (only when the report covers several), partners, type, title and
    source, the title taking most of the width. The source shows as its publisher or site,
    linked to the full address where it is known. ``activities`` (default: every activity of
    the report) are the rows listed, when the annex lists only some (:mod:`analysis.report.annex`);
    the caption then says how many of all.
    """
    listed = data.activities if activities is None else activities
    df = listed.sort_values(["country", "start", "activity_id"])
    sources: list[object] = []
    for source, url in zip(df["source"], df["source_url"], strict=True):
        text = source_label(source, url)
        sources.append(Span(text, href=url or None, address=_looks_like_address(text)))
    columns: dict[str, list[object]] = {
        "date": [data.date(d, p) for d, p in zip(df["date"], df["date_precision"], strict=True)],
        "country": [data.country(c) for c in df["country"]],
        "partners": [data.partners(p) for p in df["partners"]],
        "type": [data.taxonomy.type_label(t, data.lang) for t in df["activity_type"]],
        "title": list(data.titles(df)),
        "source": sources,
    }
    if len(data.countries) < 2:
        del columns["country"]
    names = {"date": "field.date", "country": "field.country", "partners": "field.partners",
             "type": "field.activity_type", "title": "field.title", "source": "field.source"}
    frame = pd.DataFrame({data.t(names[k]): v for k, v in columns.items()})
    caption = (data.t("annex.caption", count=data.number(len(df)))
               if len(df) == len(data.activities) else
               data.t("annex.caption_listed", shown=data.number(len(df)),
                      count=data.number(len(data.activities))))
    return Table(frame, caption,
                 widths=tuple(ANNEX_WIDTHS[k] for k in columns), classes=("compact",))


COUNTED_KINDS: tuple[str, ...] = ("committed", "disbursed")  # money, counted by default
APART_KINDS: tuple[str, ...] = ("announced", "indicative")    # shown apart, never added


def split_amounts(activities: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The activities twice: with only committed (or disbursed) amounts kept, and with only
    announced or indicative ones kept (the other amounts set to NaN, "not stated")."""
    kind = activities.get("amount_kind", pd.Series("", index=activities.index))
    counted = activities.copy()
    counted["amount_usd"] = activities["amount_usd"].where(kind.isin(COUNTED_KINDS))
    apart = activities.copy()
    apart["amount_usd"] = activities["amount_usd"].where(kind.isin(APART_KINDS))
    return counted, apart


def financing_view(data: ReportData, scope: str | None = None) -> list[object]:
    """Financing per year and country, by partner and by theme: committed money apart from
    announced and indicative amounts.

    Shown only when the selection has financing rows (type ``financing``, or any stated USD
    amount); otherwise an empty list, so the report has no empty section. Only amounts of kind
    ``committed`` or ``disbursed`` are counted as financing; ``announced`` and ``indicative``
    ones (memoranda, visits, plans) are shown in their own column and never added to them. An
    amount belongs to its activity: it is not split between co-partners or themes, so the
    partner and theme tables may add up to more than the total. ``scope`` (e.g.
    "procurement-related activities") is added to every caption when the selection is a subset.
    """
    def caption(key: str) -> str:
        return f"{data.t(key)} — {scope}" if scope else data.t(key)

    acts = data.activities
    financing = acts[(acts["activity_type"] == "financing") | acts["amount_usd"].notna()]
    if financing.empty:
        return []
    counted, apart = split_amounts(financing)
    countries = list(data.countries)
    years = metrics.amounts_by_year(counted, years=data.years, countries=countries).merge(
        metrics.amounts_by_year(apart, years=data.years, countries=countries),
        on=["country", "year"], suffixes=("", "_apart"), validate="one_to_one")
    committed_col, apart_col = data.t("fin.committed"), data.t("fin.apart")
    table = pd.DataFrame({
        data.t("field.year"): [data.year_label(y) for y in years["year"]],
        data.t("field.country"): [data.country(c) for c in years["country"]],
        data.t("fin.activities"): years["activities"],
        committed_col: [data.money(v) for v in years["amount_usd"]],
        apart_col: [data.money(v) for v in years["amount_usd_apart"]],
    })
    by_partner = metrics.summarise_partners(counted).merge(
        metrics.summarise_partners(apart)[["partner", "amount_usd"]], on="partner",
        suffixes=("", "_apart"), validate="one_to_one")
    partners = pd.DataFrame({
        data.t("field.partner"): [data.taxonomy.partner_label(p, data.lang)
                                  for p in by_partner["partner"]],
        data.t("fin.activities"): by_partner["activities"],
        committed_col: [data.money(v) for v in by_partner["amount_usd"]],
        apart_col: [data.money(v) for v in by_partner["amount_usd_apart"]],
    })
    themes = pd.DataFrame({
        "theme": [t for ts in financing["themes"] for t in ts],
        "committed": [v for v, ts in zip(counted["amount_usd"], financing["themes"], strict=True)
                      for _ in ts],
        "apart": [v for v, ts in zip(apart["amount_usd"], financing["themes"], strict=True)
                  for _ in ts],
    }).groupby("theme", sort=False).agg(size=("theme", "size"), committed=("committed", "sum"),
                                        apart=("apart", "sum")).reset_index()
    themes = themes.sort_values(["committed", "apart", "theme"], ascending=[False, False, True])
    theme_table = pd.DataFrame({
        data.t("field.theme"): [data.taxonomy.theme_label(t, data.lang) for t in themes["theme"]],
        data.t("fin.activities"): themes["size"].astype(int),
        committed_col: [data.money(v) for v in themes["committed"]],
        apart_col: [data.money(v) for v in themes["apart"]],
    })
    numeric = (data.t("fin.activities"), committed_col, apart_col)
    n_counted = int(counted["amount_usd"].notna().sum())
    n_apart = int(apart["amount_usd"].notna().sum())
    totals = data.t("fin.totals", start=data.start_year, end=data.end_year,
                    committed=data.money(counted["amount_usd"].sum()),
                    committed_n=plural("activity_with_amount", n_counted, data.lang),
                    apart=data.money(apart["amount_usd"].sum()),
                    apart_n=plural("activity_with_amount", n_apart, data.lang))
    return [
        Heading(data.t("section.financing")),
        Paragraph(data.t("fin.note") + " " + totals),
        Table(table, caption("fin.caption_years"), numeric=numeric),
        Table(partners, caption("fin.caption_partners"), numeric=numeric),
        Table(theme_table, caption("fin.caption_themes"), numeric=numeric),
    ]


def report_facts(data: ReportData) -> dict[str, object]:
    """The report's key figures for the portal: activities and partners in the selection,
    the countries and the period (all computed from the selection)."""
    acts = data.activities
    return {"activities": int(len(acts)),
            "partners": len({p for ps in acts["partners"] for p in ps}),
            "countries": list(data.countries), "start_year": data.start_year,
            "end_year": data.end_year}


def data_note(data: ReportData) -> Recorded:
    """Where the numbers come from: the registry file(s), checksums and what was selected; with
    several sources, each file and the likely duplicates flagged across them. The note also
    records the report's key figures for the portal (:func:`report_facts`)."""
    reg = data.registry
    text = data.t("note.data", file=reg.path.name, sha=reg.sha256[:12],
                  rows=len(reg.activities), selected=len(data.activities),
                  start=data.start_year, end=data.end_year)
    if len(reg.sources) > 1:
        files = "; ".join(data.t("note.source_file", file=s.path.name,
                                 rows=plural("activity", s.rows, data.lang), sha=s.sha256[:12])
                          for s in reg.sources)
        text += " " + data.t("note.sources", files=files)
        ids = set(data.activities["activity_id"])
        duplicates = reg.duplicates
        if duplicates is not None and not duplicates.empty:
            pairs = duplicates[duplicates["first"].isin(ids) | duplicates["second"].isin(ids)]
            if len(pairs):
                text += " " + data.t("note.duplicates",
                                     pairs=plural("duplicate_pairs", len(pairs), data.lang))
    return Recorded(Paragraph(" ".join([text, *coverage_sentences(data)[:1]])),
                    report_facts(data))
