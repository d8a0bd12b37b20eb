"""Report charts: pure functions from tidy frames to Altair charts, and the house theme.

Every chart function takes a tidy DataFrame (as :mod:`analysis.measures.metrics` makes them, or the
activities frame of :mod:`analysis.data.registry`), a report language ``lang`` and optional
``labels``, and returns an Altair chart. They do no I/O and never change their input. All
visible text comes from :mod:`analysis.report.i18n`. A selection without activities still gives a chart
that renders and says so: the no-data note as subtitle (all counts zero) or in place of the
marks (no rows).

``labels`` maps category ids to the texts shown for them, e.g. ``{"e_procurement":
"E-procurement"}``. Ids without a label are shown as they are, except country codes (shown as
the country's name in the report language) and partner kinds (translated).

``colours`` maps the ids of a chart's colour category (countries, partner kinds, activity
types) to their colour, in legend order (:mod:`analysis.data.colours`, read from
``data/taxonomy/colours.csv``): every chart builds an explicit scale from it, so a category has
the same colour in every report and language. Long category labels are wrapped over lines,
never cut (:mod:`analysis.report.chart_scales`). Axis titles that only repeat what the labels say
("Partner", "Theme") are left out.

The house theme (:func:`enable_theme`) sets font, palette and sizes. Altair applies it when a
chart becomes a spec, so enable it once per session (``renderer.enable_renderer`` does).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import altair as alt
import pandas as pd

from analysis.core.errors import ParameterError
from analysis.data.colours import ordered_scale
from analysis.data.taxonomy import country_name
from analysis.report.chart_scales import colour_encoding, wrap_label, wrapped_labels
from analysis.report.i18n import MESSAGES, translate

THEME_NAME = "coopreport"
FONT = "Noto Sans"
# What charts ask for: FONT, then the generic family. Without the fallback, vl-convert draws no
# text at all on a machine where FONT is neither installed nor registered.
FONT_STACK = f"{FONT}, sans-serif"
WIDTH = 560
HEIGHT = 300
INK = "#222222"
MUTED = "#5f6b76"
GRID = "#e5e8eb"
DOMAIN = "#9aa3ab"
# Sober categorical palette: navy, mid blue, ochre, green, plum, brick, grey, olive.
PALETTE: tuple[str, ...] = (
    "#1f4e79", "#d08c2e", "#4a90c2", "#5b8c5a", "#8a6a8e", "#b0513b", "#7f8891", "#a89a3c",
)
HEATMAP_SCHEME: Final = "blues"
SMALL_COUNT = 10  # count axes up to this get one tick per whole number

Chart = alt.Chart | alt.LayerChart
Colours = Mapping[str, str] | None


# ---------------------------------------------------------------------------- theme

def theme_config() -> alt.theme.ThemeConfig:
    """The house theme: calm report look, one font for all text, light grid, no border."""
    return {
        "config": {
            "font": FONT_STACK,
            "background": "white",
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "title": {
                "font": FONT_STACK, "fontSize": 15, "fontWeight": 600, "color": INK,
                "anchor": "start", "offset": 12, "subtitleFont": FONT_STACK,
                "subtitleFontSize": 12, "subtitleColor": MUTED,
            },
            "axis": {**_guide_text(MUTED), "gridColor": GRID, "domainColor": DOMAIN,
                     "tickColor": DOMAIN},
            "legend": _guide_text(INK),
            "header": _guide_text(INK),
            "range": {"category": list(PALETTE)},
            "text": {"font": FONT_STACK, "color": INK, "fontSize": 11},
            "line": {"strokeWidth": 2},
            "point": {"filled": True, "size": 60},
        }
    }


def _guide_text(label_colour: str) -> Any:
    """Fonts and colours of axis, legend and header labels and titles."""
    return {"labelFont": FONT_STACK, "titleFont": FONT_STACK, "labelFontSize": 11,
            "titleFontSize": 12, "titleFontWeight": "normal", "titleColor": INK,
            "labelColor": label_colour}


def register_theme() -> None:
    """Register the house theme with Altair as :data:`THEME_NAME`, unless it already is."""
    if THEME_NAME not in alt.theme.names():
        alt.theme.register(THEME_NAME, enable=False)(theme_config)


def enable_theme() -> None:
    """Register the house theme (once) and make it Altair's active theme."""
    register_theme()
    alt.theme.enable(THEME_NAME)


# ---------------------------------------------------------------------------- charts

def activities_per_year(counts: pd.DataFrame, lang: str = "en",
                        labels: Mapping[str, str] | None = None,
                        colours: Colours = None) -> Chart:
    """Activities per year and country: a line with a point for every year.

    Years are ordinal and run without gaps from the first to the last year; a country-year
    without a row is drawn as 0, like the explicit zero rows of :mod:`analysis.measures.metrics`.

    Parameters
    ----------
    counts
        Columns ``country``, ``year``, ``activities``; one row per country and year.
    lang, labels, colours
        Report language; display labels and colours of countries (see the module docstring).

    Returns
    -------
    A layered chart, or the no-data chart when ``counts`` has no rows.

    Raises
    ------
    ParameterError
        When a column is missing or a country-year appears twice.
    """
    title = _check(counts, ("country", "year", "activities"), ("country", "year"),
                   "activities_per_year", lang)
    if counts.empty:
        return _no_data_chart(title, lang)
    data = _complete_years(counts)
    codes = list(data["country"])
    data["country"] = _display(data["country"], labels, lang, kind="country")
    most = int(data["activities"].max())
    base = alt.Chart(data).encode(
        x=alt.X("year:O", title=translate("field.year", lang), sort="ascending",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("activities:Q", title=translate("field.activity_count", lang),
                axis=alt.Axis(**_count_ticks(most)), scale=_count_scale(most)),
        color=colour_encoding("country:N", codes, colours, _shower(labels, lang, "country"),
                              title=translate("field.country", lang)),
        tooltip=[_tip("country:N", "field.country", lang), _tip("year:O", "field.year", lang),
                 _tip("activities:Q", "field.activities", lang)],
    )
    return (base.mark_line() + base.mark_point()).properties(
        width=WIDTH, title=_title(title, lang, no_data=most == 0)
    )


def theme_heatmap(shares: pd.DataFrame, lang: str = "en",
                  labels: Mapping[str, str] | None = None) -> Chart:
    """Activities per country and theme as a heatmap with the count written on every cell.

    Themes are rows and countries columns, each in the order they first appear in ``shares``.

    Parameters
    ----------
    shares
        Columns ``country``, ``theme``, ``activities`` and optionally ``share`` (a fraction,
        shown as a percentage in the tooltip); one row per country and theme.
    lang, labels
        Report language; display labels for themes and countries (see the module docstring).

    Returns
    -------
    A layered chart, or the no-data chart when ``shares`` has no rows.

    Raises
    ------
    ParameterError
        When a column is missing or a country-theme pair appears twice.
    """
    title = _check(shares, ("country", "theme", "activities"), ("country", "theme"),
                   "theme_heatmap", lang)
    if shares.empty:
        return _no_data_chart(title, lang)
    columns = ["country", "theme", "activities"] + (["share"] if "share" in shares else [])
    data = shares.loc[:, columns].reset_index(drop=True)
    data["country"] = _display(data["country"], labels, lang, kind="country")
    data["theme"] = _display(data["theme"], labels, lang)
    most = int(data["activities"].max())
    tooltip = [_tip("country:N", "field.country", lang), _tip("theme:N", "field.theme", lang),
               _tip("activities:Q", "field.activities", lang)]
    if "share" in data:
        tooltip.append(_tip("share:Q", "field.share", lang, format=".0%"))
    base = alt.Chart(data).encode(
        x=alt.X("country:N", title=None, sort=_in_order(data["country"]),
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=110)),
        y=alt.Y("theme:N", title=None, sort=_in_order(data["theme"]),
                axis=alt.Axis(**wrapped_labels(data["theme"]))),
        tooltip=tooltip,
    )
    cells, numbers = _heatmap_layers(base, most, lang)
    return alt.LayerChart(layer=[cells, numbers]).properties(
        width=alt.Step(110), height=alt.Step(26), title=_title(title, lang, no_data=most == 0)
    )


def partner_bars(summary: pd.DataFrame, top: int = 15, lang: str = "en",
                 labels: Mapping[str, str] | None = None, colours: Colours = None) -> Chart:
    """The ``top`` partners by number of activities as horizontal bars, largest first.

    Ties are in alphabetical order of partner id. Bars are coloured by partner kind when there
    is a ``kind`` column (``colours``: kind → colour); every bar has its count written at its
    end. Long partner names are wrapped over lines, never cut.

    Parameters
    ----------
    summary
        Columns ``partner``, ``activities`` and optionally ``kind``; one row per partner.
    top
        How many partners to show (at least 1); a subtitle says when some are left out.
    lang, labels, colours
        Report language; display labels for partners and kinds, colours of kinds (see the
        module docstring).

    Returns
    -------
    A layered chart, or the no-data chart when ``summary`` has no rows.

    Raises
    ------
    ParameterError
        When a column is missing, a partner appears twice or ``top`` is below 1.
    """
    if top < 1:
        raise ParameterError(f"charts.partner_bars: top must be at least 1, not {top}")
    title = _check(summary, ("partner", "activities"), ("partner",), "partner_bars", lang)
    if summary.empty:
        return _no_data_chart(title, lang)
    columns = ["partner", "activities"] + (["kind"] if "kind" in summary else [])
    data = (summary.loc[:, columns]
            .sort_values(["activities", "partner"], ascending=[False, True], kind="stable")
            .head(top).reset_index(drop=True))
    data["partner"] = _display(data["partner"], labels, lang)
    most = int(data["activities"].max())
    tooltip = [_tip("partner:N", "field.partner", lang),
               _tip("activities:Q", "field.activities", lang)]
    colour: Any = alt.value(PALETTE[0])
    if "kind" in data:
        kinds = [str(k) for k in data["kind"]]
        data["kind"] = _display(data["kind"], labels, lang, kind="partner_kind")
        colour = colour_encoding("kind:N", kinds, colours,
                                 _shower(labels, lang, "partner_kind"),
                                 title=translate("field.kind", lang),
                                 legend=alt.Legend(orient="bottom", direction="horizontal"))
        tooltip.append(_tip("kind:N", "field.kind", lang))
    base = alt.Chart(data).encode(
        y=alt.Y("partner:N", title=None, sort=list(data["partner"]),
                axis=alt.Axis(**wrapped_labels(data["partner"]))),
        x=alt.X("activities:Q", title=translate("field.activity_count", lang),
                axis=alt.Axis(**_count_ticks(most)), scale=_count_scale(most)),
        tooltip=tooltip,
    )
    bars = base.mark_bar().encode(color=colour)
    numbers = base.mark_text(align="left", baseline="middle", dx=3).encode(
        text=alt.Text("activities:Q", format="d")
    )
    subtitle = (translate("chart.partner_bars.top", lang, top=top, total=len(summary))
                if len(summary) > top else None)
    lines = max(len(wrap_label(str(p))) for p in data["partner"])
    return (bars + numbers).properties(
        width=WIDTH - 160, height=alt.Step(12 + 12 * lines),
        title=_title(title, lang, most == 0, subtitle))


def timeline(activities: pd.DataFrame, lang: str = "en",
             labels: Mapping[str, str] | None = None, colours: Colours = None,
             years: tuple[int, int] | None = None) -> Chart | alt.FacetChart:
    """What happened when: activities per year as bars stacked by activity type, one panel per
    country (stacked one above the other) when there are several.

    An activity counts once, in the year of the first day its date covers. Every year of
    ``years`` (default: the first to the last year with an activity) has a column, an empty
    one included; the stack's total is written above each bar. The annex lists the activities.

    Parameters
    ----------
    activities
        The activities frame of :mod:`analysis.data.registry` (columns ``start``, ``country``,
        ``activity_type``).
    lang, labels, colours
        Report language; display labels for countries and activity types; colours of activity
        types (see the module docstring).
    years
        The first and last year shown.

    Returns
    -------
    A layered or faceted chart, or the no-data chart when ``activities`` has no rows.

    Raises
    ------
    ParameterError
        When a column is missing.
    """
    title = _check(activities, ("start", "country", "activity_type"), (), "timeline", lang)
    if activities.empty:
        return _no_data_chart(title, lang)
    frame = pd.DataFrame({
        "country": activities["country"].astype(str).to_numpy(),
        "year": pd.to_datetime(activities["start"]).dt.year.to_numpy(),
        "type_id": activities["activity_type"].astype(str).to_numpy(),
    })
    first, last = years or (int(frame["year"].min()), int(frame["year"].max()))
    frame = frame[(frame["year"] >= first) & (frame["year"] <= last)]
    counts = (frame.groupby(["country", "year", "type_id"], sort=False).size()
              .rename("activities").reset_index())
    counts["year"] = counts["year"].astype(int).astype(str)
    totals = counts.groupby(["country", "year"], sort=False)["activities"].sum().reset_index()
    most = int(totals["activities"].max()) if len(totals) else 0
    type_ids = list(counts["type_id"])
    show_type = _shower(labels, lang)
    counts["activity_type"] = counts["type_id"].map(show_type)
    countries = list(dict.fromkeys(activities["country"].astype(str)))
    show_country = _shower(labels, lang, "country")
    counts["country"] = counts["country"].map(show_country)
    totals["country"] = totals["country"].map(show_country)
    year_axis = [str(y) for y in range(first, last + 1)]
    order, _ = ordered_scale(type_ids, colours)
    domain = [show_type(t) for t in order]  # the stack's order: the colour table's
    colour = colour_encoding("activity_type:N", type_ids, colours, show_type,
                             title=translate("field.activity_type", lang),
                             legend=alt.Legend(orient="right"))
    x = alt.X("year:O", title=None, scale=alt.Scale(domain=year_axis),
              axis=alt.Axis(labelAngle=0))
    y = alt.Y("activities:Q", title=translate("field.activity_count", lang), stack="zero",
              scale=_count_scale(most), axis=alt.Axis(**_count_ticks(most)))
    # one data set for both layers (a facet needs it): bars per type, and each year's total
    data = pd.concat([counts.drop(columns="type_id").assign(layer="bars"),
                      totals.assign(layer="total", activity_type="")], ignore_index=True)
    bars = alt.Chart().mark_bar().encode(
        x=x, y=y, color=colour, order=alt.Order("rank:Q"),
        tooltip=[_tip("country:N", "field.country", lang), _tip("year:O", "field.year", lang),
                 _tip("activity_type:N", "field.activity_type", lang),
                 _tip("activities:Q", "field.activities", lang)],
    ).transform_filter(alt.datum.layer == "bars").transform_calculate(
        rank=f"indexof({json.dumps(domain, ensure_ascii=False)}, datum.activity_type)")
    numbers = alt.Chart().mark_text(baseline="bottom", dy=-2, color=MUTED).encode(
        x=x, y=alt.Y("activities:Q"), text=alt.Text("activities:Q", format="d"),
    ).transform_filter(alt.datum.layer == "total")
    layered = alt.layer(bars, numbers, data=data)
    if len(countries) < 2:
        return layered.properties(width=WIDTH - 140, height=200,
                                  title=_title(title, lang, no_data=most == 0))
    names = [show_country(c) for c in countries]
    return layered.properties(width=WIDTH - 140, height=150).facet(
        row=alt.Row("country:N", title=None, sort=names,
                    header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start",
                                      labelFontWeight="bold", labelFontSize=12)),
        title=_title(title, lang, no_data=most == 0),
    )


# ---------------------------------------------------------------------------- helpers

def pillar_heatmap(counts: pd.DataFrame, lang: str = "en",
                   labels: Mapping[str, str] | None = None) -> Chart:
    """Activities per MAPS pillar (rows) and year (columns), with the count on every cell.

    Parameters
    ----------
    counts
        Columns ``pillar``, ``year``, ``activities`` (``procurement.count_by_pillar``), with
        explicit zero rows.
    lang, labels
        Report language; display labels for pillars (e.g. "I. Legal and policy framework").

    Returns
    -------
    A layered chart, or the no-data chart when ``counts`` has no rows.
    """
    title = _check(counts, ("pillar", "year", "activities"), ("pillar", "year"),
                   "pillar_heatmap", lang)
    if counts.empty:
        return _no_data_chart(title, lang)
    data = counts.loc[:, ["pillar", "year", "activities"]].reset_index(drop=True)
    data["pillar"] = _display(data["pillar"], labels, lang)
    data["year"] = data["year"].astype(int).astype(str)
    most = int(data["activities"].max())
    base = alt.Chart(data).encode(
        x=alt.X("year:O", title=translate("field.year", lang), sort=_in_order(data["year"]),
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("pillar:N", title=None, sort=_in_order(data["pillar"]),
                axis=alt.Axis(**wrapped_labels(data["pillar"], width=44))),
        tooltip=[_tip("pillar:N", "field.pillar", lang), _tip("year:O", "field.year", lang),
                 _tip("activities:Q", "field.activities", lang)],
    )
    cells, numbers = _heatmap_layers(base, most, lang)
    return alt.LayerChart(layer=[cells, numbers]).properties(
        width=alt.Step(44), height=alt.Step(30), title=_title(title, lang, no_data=most == 0))


def small_multiples(counts: pd.DataFrame, lang: str = "en",
                    labels: Mapping[str, str] | None = None,
                    colours: Colours = None) -> alt.FacetChart | alt.Chart:
    """Activities per year as bars, one small panel per country on a shared scale, each in
    its country's colour.

    Parameters
    ----------
    counts
        Columns ``country``, ``year``, ``activities`` with explicit zero rows.
    lang, labels, colours
        Report language; display labels and colours of countries.
    """
    title = _check(counts, ("country", "year", "activities"), ("country", "year"),
                   "small_multiples", lang)
    if counts.empty:
        return _no_data_chart(title, lang)
    data = _complete_years(counts.loc[:, ["country", "year", "activities"]])
    codes = list(data["country"])
    data["country"] = _display(data["country"], labels, lang, kind="country")
    data["year"] = data["year"].astype(int).astype(str)
    most = int(data["activities"].max())
    bars = alt.Chart(data).mark_bar().encode(
        color=colour_encoding("country:N", codes, colours, _shower(labels, lang, "country"),
                              legend=None),
        x=alt.X("year:O", title=translate("field.year", lang), axis=alt.Axis(labelAngle=-90)),
        y=alt.Y("activities:Q", title=translate("field.activity_count", lang),
                scale=_count_scale(most), axis=alt.Axis(**_count_ticks(most))),
        tooltip=[_tip("country:N", "field.country", lang), _tip("year:O", "field.year", lang),
                 _tip("activities:Q", "field.activities", lang)],
    ).properties(width=240, height=140)
    return bars.facet(
        column=alt.Column("country:N", title=None, sort=_in_order(data["country"])),
        title=_title(title, lang, no_data=most == 0),
    )


def _heatmap_layers(base: alt.Chart, most: int, lang: str) -> tuple[alt.Chart, alt.Chart]:
    """Coloured cells and their counts (white on dark cells) for a heatmap of activities."""
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("activities:Q", title=translate("field.activity_count", lang),
                        scale=alt.Scale(scheme=HEATMAP_SCHEME, domain=[0, max(most, 1)]),
                        legend=alt.Legend(**_count_ticks(most, limit=4))),
    )
    dark = alt.datum.activities > max(most, 1) / 2
    numbers = base.mark_text(baseline="middle").encode(
        text=alt.Text("activities:Q", format="d"),
        color=alt.when(dark).then(alt.value("white")).otherwise(alt.value(INK)),
    )
    return cells, numbers


def _check(frame: pd.DataFrame, columns: Iterable[str], keys: tuple[str, ...], where: str,
           lang: str) -> str:
    """Check the frame's columns and that ``keys`` identify rows; return the chart title."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"charts.{where}: the frame lacks column(s) {', '.join(missing)} "
            f"(it has {', '.join(map(str, frame.columns)) or 'none'}); pass the frame the "
            "matching metrics function returns"
        )
    repeated = frame.loc[frame.duplicated(list(keys)), list(keys)] if keys else frame.iloc[:0]
    if not repeated.empty:
        first = ", ".join(str(v) for v in repeated.iloc[0])
        raise ParameterError(
            f"charts.{where}: {'/'.join(keys)} {first} appears more than once; "
            "pass one row per combination (aggregate first)"
        )
    return translate(f"chart.{where}", lang)


def _complete_years(counts: pd.DataFrame) -> pd.DataFrame:
    """One row per country and year from the first to the last year, missing ones as 0."""
    years = pd.to_numeric(counts["year"]).astype(int)
    index = pd.MultiIndex.from_arrays([counts["country"], years], names=["country", "year"])
    grid = pd.MultiIndex.from_product(
        [pd.unique(counts["country"]), range(years.min(), years.max() + 1)],
        names=["country", "year"],
    )
    series = pd.Series(counts["activities"].to_numpy(), index=index, name="activities")
    return series.reindex(grid, fill_value=0).astype(int).reset_index()


def _display(values: pd.Series, labels: Mapping[str, str] | None, lang: str,
             kind: str | None = None) -> pd.Series:
    """The texts shown for category ids: ``labels`` first, then a default for the kind."""
    return values.map(_shower(labels, lang, kind)).astype(object)


def _shower(labels: Mapping[str, str] | None, lang: str, kind: str | None = None
            ) -> Callable[[object], str]:
    """The function giving the text shown for one category id (see :func:`_display`)."""
    given = labels or {}

    def show(value: object) -> str:
        text = str(value)
        if text in given:
            return given[text]
        if kind == "country":
            return country_name(text, lang)
        if kind == "partner_kind" and f"kind.{text}" in MESSAGES:
            return translate(f"kind.{text}", lang)
        return text

    return show


def _tip(field: str, key: str, lang: str, **options: Any) -> alt.Tooltip:
    return alt.Tooltip(field, title=translate(key, lang), **options)


def _in_order(values: Iterable[str]) -> list[str]:
    """Distinct values in order of first appearance, for an explicit axis sort."""
    return list(dict.fromkeys(values))


def _text(value: object) -> str:
    """A cell as text; missing values (None, NaN) as ''."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _join(partners: object) -> str:
    if isinstance(partners, tuple | list):
        return ", ".join(str(p) for p in partners)
    return _text(partners)


def _count_scale(most: int) -> alt.Scale:
    """A count scale from 0; small counts get an exact domain so every tick is a whole number."""
    if most <= SMALL_COUNT:
        return alt.Scale(domain=[0, max(most, 1)], nice=False)
    return alt.Scale(domainMin=0)


def _count_ticks(most: int, limit: int = SMALL_COUNT) -> dict[str, Any]:
    """Axis or legend options that label counts with whole numbers only.

    Vega's ``tickMinStep`` does not stop half steps (labelled "0 1 1 2 2" with format ``d``),
    so small ranges list their ticks.
    """
    if most <= limit:
        return {"format": "d", "values": list(range(0, max(most, 1) + 1))}
    return {"format": "d", "tickMinStep": 1}


def _title(text: str, lang: str, no_data: bool, subtitle: str | None = None) -> alt.TitleParams:
    lines = [s for s in (subtitle, translate("note.no_data", lang) if no_data else None) if s]
    return alt.TitleParams(text, subtitle=lines) if lines else alt.TitleParams(text)


def _no_data_chart(title: str, lang: str) -> alt.Chart:
    """A chart of the title and the no-data note, where the marks would be."""
    note = translate("note.no_data", lang)
    return alt.Chart(pd.DataFrame({"note": [note]})).mark_text(
        fontSize=13, color=MUTED
    ).encode(text="note:N").properties(width=WIDTH, height=80, title=title)


def with_note(chart: alt.TopLevelMixin, note: str) -> alt.TopLevelMixin:
    """The chart with ``note`` added as the last line of its subtitle (e.g. that the current
    year is counted to date), keeping the title and any subtitle it has.

    Parameters
    ----------
    chart
        Any chart made by this module.
    note
        One line in the report language.
    """
    title = getattr(chart, "title", None)
    if isinstance(title, alt.TitleParams):
        options = {k: v for k, v in title.to_dict().items() if k not in ("text", "subtitle")}
        previous = title.to_dict().get("subtitle", [])
        lines = [previous] if isinstance(previous, str) else list(previous or [])
        return chart.properties(title=alt.TitleParams(title.text, subtitle=[*lines, note],
                                                      **options))
    if isinstance(title, str):
        return chart.properties(title=alt.TitleParams(title, subtitle=[note]))
    return chart


def with_scope(chart: alt.TopLevelMixin, scope: str) -> alt.TopLevelMixin:
    """The chart with ``scope`` (e.g. "procurement-related activities") added to its title as
    "Title — scope", so a chart always says which activities it counts.

    Parameters
    ----------
    chart
        Any chart made by this module (its title is text or ``TitleParams``).
    scope
        The scope in the report language.

    Returns
    -------
    A copy of the chart; the subtitle, if any, is kept.
    """
    title = getattr(chart, "title", None)
    if isinstance(title, alt.TitleParams):
        text = title.text
        return chart.properties(title=alt.TitleParams(
            f"{text} — {scope}", **{k: v for k, v in title.to_dict().items() if k != "text"}))
    if isinstance(title, str):
        return chart.properties(title=f"{title} — {scope}")
    return chart.properties(title=scope)


def with_caption(chart: alt.TopLevelMixin, caption: str) -> alt.TopLevelMixin:
    """The chart with ``caption`` as its Vega-Lite ``description``: what the renderers print
    as the figure's caption (scope, source, how to read it), beside the chart's own title.

    Parameters
    ----------
    chart
        Any chart.
    caption
        One or two sentences in the report language; it should add to the title, not repeat it.

    Returns
    -------
    A copy of the chart.
    """
    return chart.properties(description=caption)
