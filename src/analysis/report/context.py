"""A report's data and language: what every section of a notebook is given.

A notebook calls :func:`prepare_report` once with its parameters: it checks them, loads and
validates the registry, selects the report's activities and returns a :class:`ReportData`,
which every section function takes. ReportData also knows how the report writes things in
its language: texts from the message catalogue, countries, numbers, shares, money, dates.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import pandas as pd
import pycountry

from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.core.formats import format_number, format_share, format_usd, long_date, month_date
from analysis.data.colours import Colours, load_colours
from analysis.data.registry import Registry, load_registry
from analysis.data.taxonomy import LANGUAGES, Taxonomy, country_name, is_country, load_taxonomy
from analysis.measures import metrics
from analysis.measures.coverage import (
    Coverage,
    countries_without_activities,
    country_coverage,
    partial_year,
)
from analysis.report.i18n import translate
from analysis.report.warnings import ReportWarning, emit_warnings


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
    peer: str = ""  # an SPCR's comparison country: its activities are counted beside the country's

    @property
    def years(self) -> tuple[int, int]:
        return (self.start_year, self.end_year)

    @property
    def coverage_countries(self) -> tuple[str, ...]:
        """The countries whose registry rows the report shows: its countries, and the peer."""
        return tuple(dict.fromkeys((*self.countries, *([self.peer] if self.peer else []))))

    @functools.cached_property
    def coverage(self) -> dict[str, Coverage | None]:
        """Per country of :attr:`coverage_countries`, its first and last record in the
        registry, any year (None: it has none). Never the whole registry's: the report then
        depends on its own countries' rows only. Computed once per report, not at every
        table row that asks for a year's label."""
        return country_coverage(self.registry.activities, self.coverage_countries)

    @property
    def partial_year(self) -> int | None:
        """The current, unfinished year when it is in the report period."""
        return partial_year(self.as_of, *self.years)

    def year_label(self, year: object) -> str:
        """A year as tables show it: "2026 (to date)" / "2026 (неполный)" when unfinished."""
        text = str(year)
        return self.t("coverage.year_to_date", year=text) \
            if self.partial_year is not None and text == str(self.partial_year) else text

    def warnings(self, peer: str = "") -> list[ReportWarning]:
        """What the build should flag about this report: a country with no activity at all in
        the period. The first country is the report's own (``empty-country``); the others of
        a comparison, and an SPCR's ``peer``, are peers (``empty-peer``)."""
        found = []
        for code in countries_without_activities(self.activities, self.countries):
            own = code == self.countries[0]
            found.append(self._no_activities(code, "empty-country" if own else "empty-peer"))
        if peer and peer not in self.countries:
            selected = metrics.filter_activities(self.registry.activities, countries=[peer],
                                                 years=self.years)
            if countries_without_activities(selected, (peer,)):
                found.append(self._no_activities(peer, "empty-peer"))
        return found

    def _no_activities(self, code: str, kind: str) -> ReportWarning:
        message = "warning.no_activities" if kind == "empty-country" else "warning.empty_peer"
        values = {"country": code, "start": self.start_year, "end": self.end_year}
        # the English text (build log, summary) names the country as the portal does
        english = ReportWarning("", kind, message, values).say("en")
        return ReportWarning(english, kind, message, values)

    def t(self, key: str, **values: object) -> str:
        return translate(key, self.lang, **values)

    def country(self, code: str) -> str:
        return country_name(code, self.lang)

    def number(self, value: float, decimals: int | None = None) -> str:
        """A number as the report writes it (analysis.core.formats.format_number)."""
        return format_number(value, self.lang, decimals)

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

    def text(self, english: str, russian: object = "", uzbek: object = "") -> str:
        """Text from the data in the report language (see :func:`localized_text`)."""
        return localized_text(english, russian, self.lang, uzbek)

    @functools.cached_property
    def _source_names(self) -> dict[str, str]:
        from analysis.data.reference import source_names

        return source_names(lang=self.lang) if self.lang != "en" else {}

    def source(self, name: object) -> str:
        """A source named in the reference data, in the report language: its Russian or Uzbek
        form (``data/reference/source_names.csv``), else as written (a proper name)."""
        text = str(name)
        return self._source_names.get(text, text)

    @functools.cached_property
    def _counterpart_names(self) -> dict[str, str]:
        """English name → Russian name of the institutions in
        ``data/extract/counterparts.csv`` (the extractor's list)."""
        path = paths.data_dir() / "extract" / "counterparts.csv"
        if self.lang == "en" or not path.exists():
            return {}
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        column = f"name_{self.lang}" if f"name_{self.lang}" in table else "name_ru"
        names: dict[str, str] = {}
        for en, own in zip(table["name_en"], table[column], strict=True):
            if en and own:
                names.setdefault(en, own)
                # "State Service … (Ministry of Economy)" is also found without its bracket
                names.setdefault(re.sub(r"\s*\([^)]*\)", "", en).strip(), own)
        return names

    def counterpart(self, name: str) -> str:
        """A national institution named in the registry (English), in the report language:
        its Russian (Uzbek: ``name_uz``) name from ``data/extract/counterparts.csv``;
        "Government of <country>" as the language says it; else the English name, marked."""
        if self.lang == "en" or not name:
            return name
        if name in self._counterpart_names:
            return self._counterpart_names[name]
        government = re.fullmatch(r"Government of (.+)", name)
        if government:
            try:
                code = pycountry.countries.lookup(government.group(1)).alpha_3
            except LookupError:
                code = ""
            if code:
                return self.t("counterpart.government", country=self.country(code))
        return localized_text(name, "", self.lang)

    def reference(self, item: str, partners: bool = True) -> str:
        """An activity or commitment id as a reader can follow it: an activity by its date and
        partners ("сентябрь 2023 г., OCP", listed in the annex; by its date alone without
        ``partners``, where the sentence names the partner), a commitment by its text;
        anything else (a caption, "… (+2)") as it is."""
        acts = self.registry.activities
        found = acts[acts["activity_id"] == item]
        if not found.empty:
            row = found.iloc[0]
            if not partners:
                return self.date(str(row["date"]), str(row["date_precision"]))
            return self.t("reference.activity",
                          date=self.date(str(row["date"]), str(row["date_precision"])),
                          partners=self.partners(tuple(row["partners"])))
        made = self.registry.commitments
        found = made[made["commitment_id"] == item] if "commitment_id" in made else made
        if not found.empty:
            row = found.iloc[0]
            return f"«{self.text(str(row['commitment']), row.get('commitment_ru', ''), row.get('commitment_uz', ''))}»"  # noqa: E501
        return item

    def titles(self, activities: pd.DataFrame) -> list[str]:
        """The activities' titles in the report language (``title_ru`` in Russian, ``title_uz``
        in Uzbek)."""
        blank = [""] * len(activities)
        russian = activities["title_ru"] if "title_ru" in activities else blank
        uzbek = activities["title_uz"] if "title_uz" in activities else blank
        return [self.text(str(t), r, u)
                for t, r, u in zip(activities["title"], russian, uzbek, strict=True)]


# how a text shown in another language than the report's is marked: (report language, shown)
FALLBACK_MARK = {("ru", "en"): "(англ.)", ("uz", "ru"): "(rus.)", ("uz", "en"): "(ingl.)"}


def _given(text: object) -> bool:
    return isinstance(text, str) and bool(text.strip())


def localized_text(english: str, russian: object, lang: str, uzbek: object = "") -> str:
    """A text from the data in ``lang``: the Russian column in a Russian report, the Uzbek one
    in an Uzbek report, else English.

    A text missing in the report's language is shown in the language its readers read next,
    marked, so that a reader sees it was not translated rather than a silent switch: a
    Russian report shows the English "… (англ.)"; an Uzbek report the Russian "… (rus.)"
    (Uzbek officials read Russian, rarely English), else the English "… (ingl.)".
    """
    if lang == "ru":
        if _given(russian):
            return str(russian)
        return f"{english} {FALLBACK_MARK['ru', 'en']}" if english else english
    if lang == "uz":
        if _given(uzbek):
            return str(uzbek)
        if _given(russian):
            return f"{russian} {FALLBACK_MARK['uz', 'ru']}"
        return f"{english} {FALLBACK_MARK['uz', 'en']}" if english else english
    return english


def format_activity_date(text: str, precision: str, lang: str) -> str:
    """``2023-05-17`` → "17 May 2023" / "17 мая 2023 г."; ``2023-05`` → "May 2023"; ``2023``."""
    if precision == "day":
        return long_date(dt.date.fromisoformat(text), lang)
    if precision == "month":
        year, month = (int(p) for p in text.split("-"))
        return month_date(year, month, lang)
    return f"{text}-yil" if lang == "uz" else text  # Uzbek names a year: "2023-yil"


def prepare_report(data_path: str | Path, countries: list[str] | tuple[str, ...],
                   start_year: int, end_year: int, lang: str = "en",
                   as_of: dt.date | str | None = None, peer: str = "") -> ReportData:
    """Check a notebook's parameters, load and validate the registry, select the activities.

    ``as_of`` is the report's date, its one clock (default today, the build day; a notebook
    passes its ``as_of`` parameter, ``YYYY-MM-DD`` or empty): it decides whether the current
    year is unfinished, which commitments are past due or stale, and it is printed. In a
    kernel, a country with no activity in the period is reported to the build runner as a
    warning (:mod:`analysis.report.warnings`); the report still builds and says so in its text.
    So is a ``peer`` (an SPCR's comparison country) with no activity in the period.

    Raises
    ------
    ParameterError
        For an unknown country code (or peer) or language, ``start_year > end_year``, or an
        ``as_of`` that is not a day.
    DataValidationError
        When the registry (or its commitments) is invalid: every problem is listed.
    """
    from analysis.report.chart_images import enable_renderer

    bad = [c for c in countries if not is_country(str(c))]
    if bad or not countries:
        raise ParameterError(f"not ISO 3166-1 alpha-3 country codes: {bad or countries}")
    if peer and not is_country(str(peer)):
        raise ParameterError(f"peer: not an ISO 3166-1 alpha-3 country code: {peer!r}")
    if start_year > end_year:
        raise ParameterError(f"start_year {start_year} is after end_year {end_year}")
    if lang not in LANGUAGES:
        raise ParameterError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    day = report_date(as_of)
    registry = load_registry(data_path)
    enable_renderer(lang)
    selected = metrics.filter_activities(registry.activities, countries=list(countries),
                                         years=(start_year, end_year))
    data = ReportData(registry, selected.reset_index(drop=True), tuple(countries), start_year,
                      end_year, lang, load_taxonomy(), day, peer=str(peer).strip().upper())
    emit_warnings(data.warnings(str(peer)))
    return data


def report_date(as_of: dt.date | str | None) -> dt.date:
    """The report's date from a notebook's ``as_of`` parameter: a date, ``YYYY-MM-DD`` text,
    or empty / None for today (the build day).

    Raises
    ------
    ParameterError
        For text that is not a calendar day.
    """
    if isinstance(as_of, dt.date):
        return as_of
    if as_of is None or str(as_of).strip() == "":
        return dt.date.today()
    text = str(as_of).strip()
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise ParameterError(f"as_of {as_of!r} is not a day: write the report's date as YYYY-MM-DD "
                         "(e.g. 2026-12-07), or leave it empty for the build day")


def restrict(data: ReportData, themes: list[str]) -> ReportData:
    """The same report selection limited to activities carrying any of ``themes``."""
    return replace(data, activities=metrics.filter_activities(data.activities, themes=themes)
                   .reset_index(drop=True))
