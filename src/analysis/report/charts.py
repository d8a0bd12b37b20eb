"""Report charts: pure functions from tidy frames to Altair charts in the house look.

Every chart function takes a tidy DataFrame (as :mod:`analysis.measures.metrics` makes them, or the
activities frame of :mod:`analysis.data.registry`), a report language ``lang`` and optional
``labels``, and returns an Altair chart. They do no I/O and never change their input. All
visible text comes from :mod:`analysis.report.i18n`. A selection without activities still gives a
chart that renders and says so: the no-data note as subtitle (all counts zero) or in place of the
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

The house theme, titles, notes, scopes and captions are in :mod:`analysis.report.chart_theme`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd

from analysis.core.errors import ParameterError
from analysis.data.colours import ordered_scale
from analysis.report.chart_scales import (
    check_frame,
    colour_encoding,
    count_scale,
    count_ticks,
    display_labels,
    in_order,
    label_shower,
    tip,
    wrap_label,
    wrapped_labels,
)
from analysis.report.chart_theme import (
    HEATMAP_SCHEME,
    INK,
    MUTED,
    PALETTE,
    WIDTH,
    chart_title,
    no_data_chart,
)
from analysis.report.i18n import translate

Chart = alt.Chart | alt.LayerChart
Colours = Mapping[str, str] | None


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
    title = check_frame(counts, ("country", "year", "activities"), ("country", "year"),
                   "activities_per_year", lang)
    if counts.empty:
        return no_data_chart(title, lang)
    data = _complete_years(counts)
    codes = list(data["country"])
    data["country"] = display_labels(data["country"], labels, lang, kind="country")
    most = int(data["activities"].max())
    base = alt.Chart(data).encode(
        x=alt.X("year:O", title=translate("field.year", lang), sort="ascending",
                axis=alt.Axis(labelAngle=0)),
        y=alt.Y("activities:Q", title=translate("field.activity_count", lang),
                axis=alt.Axis(**count_ticks(most)), scale=count_scale(most)),
        color=colour_encoding("country:N", codes, colours, label_shower(labels, lang, "country"),
                              title=translate("field.country", lang)),
        tooltip=[tip("country:N", "field.country", lang), tip("year:O", "field.year", lang),
                 tip("activities:Q", "field.activities", lang)],
    )
    return (base.mark_line() + base.mark_point()).properties(
        width=WIDTH, title=chart_title(title, lang, no_data=most == 0)
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
    title = check_frame(shares, ("country", "theme", "activities"), ("country", "theme"),
                   "theme_heatmap", lang)
    if shares.empty:
        return no_data_chart(title, lang)
    columns = ["country", "theme", "activities"] + (["share"] if "share" in shares else [])
    data = shares.loc[:, columns].reset_index(drop=True)
    data["country"] = display_labels(data["country"], labels, lang, kind="country")
    data["theme"] = display_labels(data["theme"], labels, lang)
    most = int(data["activities"].max())
    tooltip = [tip("country:N", "field.country", lang), tip("theme:N", "field.theme", lang),
               tip("activities:Q", "field.activities", lang)]
    if "share" in data:
        tooltip.append(tip("share:Q", "field.share", lang, format=".0%"))
    base = alt.Chart(data).encode(
        x=alt.X("country:N", title=None, sort=in_order(data["country"]),
                axis=alt.Axis(orient="top", labelAngle=0, labelLimit=110)),
        y=alt.Y("theme:N", title=None, sort=in_order(data["theme"]),
                axis=alt.Axis(**wrapped_labels(data["theme"]))),
        tooltip=tooltip,
    )
    cells, numbers = _heatmap_layers(base, most, lang)
    return alt.LayerChart(layer=[cells, numbers]).properties(
        width=alt.Step(110), height=alt.Step(26), title=chart_title(title, lang, no_data=most == 0)
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
    title = check_frame(summary, ("partner", "activities"), ("partner",), "partner_bars", lang)
    if summary.empty:
        return no_data_chart(title, lang)
    columns = ["partner", "activities"] + (["kind"] if "kind" in summary else [])
    data = (summary.loc[:, columns]
            .sort_values(["activities", "partner"], ascending=[False, True], kind="stable")
            .head(top).reset_index(drop=True))
    data["partner"] = display_labels(data["partner"], labels, lang)
    most = int(data["activities"].max())
    tooltip = [tip("partner:N", "field.partner", lang),
               tip("activities:Q", "field.activities", lang)]
    colour: Any = alt.value(PALETTE[0])
    if "kind" in data:
        kinds = [str(k) for k in data["kind"]]
        data["kind"] = display_labels(data["kind"], labels, lang, kind="partner_kind")
        colour = colour_encoding("kind:N", kinds, colours,
                                 label_shower(labels, lang, "partner_kind"),
                                 title=translate("field.kind", lang),
                                 legend=alt.Legend(orient="bottom", direction="horizontal"))
        tooltip.append(tip("kind:N", "field.kind", lang))
    base = alt.Chart(data).encode(
        y=alt.Y("partner:N", title=None, sort=list(data["partner"]),
                axis=alt.Axis(**wrapped_labels(data["partner"]))),
        x=alt.X("activities:Q", title=translate("field.activity_count", lang),
                axis=alt.Axis(**count_ticks(most)), scale=count_scale(most)),
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
        title=chart_title(title, lang, most == 0, subtitle))


def timeline(activities: pd.DataFrame, lang: str = "en",
             labels: Mapping[str, str] | None = None, colours: Colours = None,
             years: tuple[int, int] | None = None, order: Sequence[str] = ()
             ) -> Chart | alt.FacetChart:
    """What happened when: activities per year as bars stacked by activity type, one panel per
    country (stacked one above the other, in ``order`` — the report's countries — then the
    others as they come) when there are several.

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
    title = check_frame(activities, ("start", "country", "activity_type"), (), "timeline", lang)
    if activities.empty:
        return no_data_chart(title, lang)
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
    show_type = label_shower(labels, lang)
    counts["activity_type"] = counts["type_id"].map(show_type)
    present = list(dict.fromkeys(activities["country"].astype(str)))
    countries = [c for c in order if c in present] + [c for c in present if c not in order]
    show_country = label_shower(labels, lang, "country")
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
              scale=count_scale(most), axis=alt.Axis(**count_ticks(most)))
    # one data set for both layers (a facet needs it): bars per type, and each year's total
    data = pd.concat([counts.drop(columns="type_id").assign(layer="bars"),
                      totals.assign(layer="total", activity_type="")], ignore_index=True)
    bars = alt.Chart().mark_bar().encode(
        x=x, y=y, color=colour, order=alt.Order("rank:Q"),
        tooltip=[tip("country:N", "field.country", lang), tip("year:O", "field.year", lang),
                 tip("activity_type:N", "field.activity_type", lang),
                 tip("activities:Q", "field.activities", lang)],
    ).transform_filter(alt.datum.layer == "bars").transform_calculate(
        rank=f"indexof({json.dumps(domain, ensure_ascii=False)}, datum.activity_type)")
    numbers = alt.Chart().mark_text(baseline="bottom", dy=-2, color=MUTED).encode(
        x=x, y=alt.Y("activities:Q"), text=alt.Text("activities:Q", format="d"),
    ).transform_filter(alt.datum.layer == "total")
    layered = alt.layer(bars, numbers, data=data)
    if len(countries) < 2:
        return layered.properties(width=WIDTH - 140, height=200,
                                  title=chart_title(title, lang, no_data=most == 0))
    names = [show_country(c) for c in countries]
    return layered.properties(width=WIDTH - 140, height=150).facet(
        row=alt.Row("country:N", title=None, sort=names,
                    header=alt.Header(labelAngle=0, labelOrient="top", labelAnchor="start",
                                      labelFontWeight="bold", labelFontSize=12)),
        title=chart_title(title, lang, no_data=most == 0),
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
    title = check_frame(counts, ("pillar", "year", "activities"), ("pillar", "year"),
                   "pillar_heatmap", lang)
    if counts.empty:
        return no_data_chart(title, lang)
    data = counts.loc[:, ["pillar", "year", "activities"]].reset_index(drop=True)
    data["pillar"] = display_labels(data["pillar"], labels, lang)
    data["year"] = data["year"].astype(int).astype(str)
    most = int(data["activities"].max())
    base = alt.Chart(data).encode(
        x=alt.X("year:O", title=translate("field.year", lang), sort=in_order(data["year"]),
                axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("pillar:N", title=None, sort=in_order(data["pillar"]),
                axis=alt.Axis(**wrapped_labels(data["pillar"], width=44))),
        tooltip=[tip("pillar:N", "field.pillar", lang), tip("year:O", "field.year", lang),
                 tip("activities:Q", "field.activities", lang)],
    )
    cells, numbers = _heatmap_layers(base, most, lang)
    return alt.LayerChart(layer=[cells, numbers]).properties(
        width=alt.Step(44), height=alt.Step(30), title=chart_title(title, lang, no_data=most == 0))


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
    title = check_frame(counts, ("country", "year", "activities"), ("country", "year"),
                   "small_multiples", lang)
    if counts.empty:
        return no_data_chart(title, lang)
    data = _complete_years(counts.loc[:, ["country", "year", "activities"]])
    codes = list(data["country"])
    data["country"] = display_labels(data["country"], labels, lang, kind="country")
    data["year"] = data["year"].astype(int).astype(str)
    most = int(data["activities"].max())
    bars = alt.Chart(data).mark_bar().encode(
        color=colour_encoding("country:N", codes, colours, label_shower(labels, lang, "country"),
                              legend=None),
        x=alt.X("year:O", title=translate("field.year", lang), axis=alt.Axis(
            labelAngle=0, labelExpr=_every_other_year(list(data["year"])))),
        y=alt.Y("activities:Q", title=translate("field.activity_count", lang),
                scale=count_scale(most), axis=alt.Axis(**count_ticks(most))),
        tooltip=[tip("country:N", "field.country", lang), tip("year:O", "field.year", lang),
                 tip("activities:Q", "field.activities", lang)],
    ).properties(width=240, height=140)
    return bars.facet(
        column=alt.Column("country:N", title=None, sort=in_order(data["country"])),
        title=chart_title(title, lang, no_data=most == 0),
    )


def _every_other_year(years: list[str]) -> str:
    """A year axis's label expression: every year up to six years, else every other year from
    the first, so that the labels stay upright in a small panel and never overlap."""
    shown = sorted(set(years))
    if len(shown) <= 6:
        return "datum.label"
    return f"(toNumber(datum.value) - {shown[0]}) % 2 == 0 ? datum.label : ''"


def _heatmap_layers(base: alt.Chart, most: int, lang: str) -> tuple[alt.Chart, alt.Chart]:
    """Coloured cells and their counts (white on dark cells) for a heatmap of activities."""
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("activities:Q", title=translate("field.activity_count", lang),
                        scale=alt.Scale(scheme=HEATMAP_SCHEME, domain=[0, max(most, 1)]),
                        legend=alt.Legend(**count_ticks(most, limit=4))),
    )
    dark = alt.datum.activities > max(most, 1) / 2
    numbers = base.mark_text(baseline="middle").encode(
        text=alt.Text("activities:Q", format="d"),
        color=alt.when(dark).then(alt.value("white")).otherwise(alt.value(INK)),
    )
    return cells, numbers


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


