"""Charts of the procurement-system section: cooperation and reform milestones on one time axis,
and country indicators across the years.

Pure functions like :mod:`analysis.report.charts` (tidy frame in, Altair chart out, the house theme,
every visible text from :mod:`analysis.report.i18n`); the frames are made by
:mod:`analysis.report.system`.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import pandas as pd

from analysis.report.chart_scales import check_frame, colour_encoding, count_ticks, tip
from analysis.report.chart_theme import MUTED, PALETTE, WIDTH, chart_title, no_data_chart
from analysis.report.charts import Chart
from analysis.report.i18n import translate

# milestone numbers are staggered over this many heights so close ones stay legible
LABEL_LEVELS = 3


def activities_and_milestones(counts: pd.DataFrame, milestones: pd.DataFrame,
                              period: tuple[int, int], lang: str = "en",
                              subject: str = "") -> Chart:
    """Activities per year as bars, with reform milestones as numbered rules on the same time
    axis, and the report period shaded.

    Each bar spans its calendar year, so a milestone's rule stands at its own date within the
    year. Milestones are numbered in date order (``number``), the same numbers as the milestone
    table, and their numbers are staggered over :data:`LABEL_LEVELS` heights.

    Parameters
    ----------
    counts
        Columns ``year``, ``activities``: one row per year (zeros included).
    milestones
        Columns ``number``, ``start`` (Timestamp), ``date`` (as shown), ``milestone``;
        may be empty.
    period
        The report's first and last year (shaded).
    lang
        Report language.
    subject
        Put before the title as "subject: title" (the country's name), if given.

    Returns
    -------
    A layered chart, or the no-data chart when ``counts`` has no rows.

    Raises
    ------
    ParameterError
        When a column is missing or a year appears twice.
    """
    title = check_frame(counts, ("year", "activities"), ("year",), "activities_and_milestones",
                        lang)
    check_frame(milestones, ("number", "start", "date", "milestone"), ("number",),
           "activities_and_milestones", lang)
    title = f"{subject}: {title}" if subject else title
    if counts.empty:
        return no_data_chart(title, lang)
    bars = counts.loc[:, ["year", "activities"]].astype({"year": int, "activities": int})
    bars["from"] = pd.to_datetime(bars["year"].astype(str) + "-01-01")
    bars["to"] = pd.to_datetime((bars["year"] + 1).astype(str) + "-01-01")
    bars["year"] = bars["year"].astype(str)
    bars["zero"] = 0
    most = int(bars["activities"].max())
    top = max(most, 1) * 1.6  # room above the bars for the milestone numbers
    marks = milestones.loc[:, ["number", "start", "date", "milestone"]].reset_index(drop=True)
    marks["number"] = marks["number"].astype(int)
    marks["start"] = pd.to_datetime(marks["start"])
    marks["zero"] = 0
    marks["label_y"] = [max(most, 1) * (1.15 + 0.15 * (i % LABEL_LEVELS))
                        for i in range(len(marks))]
    first, last = int(bars["year"].min()), int(bars["year"].max())
    x_scale = alt.Scale(domain=[f"{first}-01-01", f"{last + 1}-01-01"])
    x_axis = alt.Axis(format="%Y", tickCount={"interval": "year", "step": 1}, labelAngle=0,
                      labelExpr=f"year(datum.value) > {last} ? '' : datum.label")
    shade = alt.Chart(pd.DataFrame({"from": [pd.Timestamp(f"{period[0]}-01-01")],
                                    "to": [pd.Timestamp(f"{period[1] + 1}-01-01")]})).mark_rect(
        color="#eef2f6").encode(x=alt.X("from:T", scale=x_scale), x2="to:T")
    columns = alt.Chart(bars).mark_rect(color=PALETTE[0], opacity=0.85, stroke="white",
                                        strokeWidth=3).encode(
        x=alt.X("from:T", title=translate("field.year", lang), scale=x_scale, axis=x_axis),
        x2="to:T",
        y=alt.Y("activities:Q", title=translate("field.activity_count", lang),
                scale=alt.Scale(domain=[0, top], nice=False),
                axis=alt.Axis(**count_ticks(most))),
        y2="zero:Q",
        tooltip=[tip("year:N", "field.year", lang),
                 tip("activities:Q", "field.activities", lang)],
    )
    layers: list[alt.Chart] = [shade, columns]
    if not marks.empty:
        tooltip = [tip("number:Q", "field.number", lang), tip("date:N", "field.date", lang),
                   tip("milestone:N", "field.milestone", lang)]
        rules = alt.Chart(marks).mark_rule(color=PALETTE[1], strokeWidth=2,
                                           strokeDash=[4, 2]).encode(
            x=alt.X("start:T", scale=x_scale), y="zero:Q", y2="label_y:Q",
            tooltip=tooltip)
        numbers = alt.Chart(marks).mark_text(
            fontWeight="bold", color=PALETTE[1], baseline="bottom", dy=-2).encode(
            x=alt.X("start:T", scale=x_scale), y=alt.Y("label_y:Q", scale=alt.Scale(
                domain=[0, top], nice=False)),
            text=alt.Text("number:Q", format="d"), tooltip=tooltip)
        layers += [rules, numbers]
    subtitle = translate("chart.activities_and_milestones.note", lang,
                         start=period[0], end=period[1])
    return alt.LayerChart(layer=layers).properties(
        width=WIDTH, height=220,
        title=chart_title(title, lang, no_data=most == 0, subtitle=subtitle))


def indicator_panels(values: pd.DataFrame, lang: str = "en", columns: int = 2,
                     colours: Mapping[str, str] | None = None) -> Chart:
    """Each indicator across the years, one small panel per indicator, one line per country.

    A missing value (NaN) breaks the line: a gap is not drawn over. Every recorded value has a
    point. Each panel has its own value scale (indicators have different units).

    Parameters
    ----------
    values
        Columns ``indicator`` (label as shown), ``country`` (name as shown), ``year``,
        ``value`` (NaN where no value is recorded).
    lang
        Report language.
    columns
        Panels per row.
    colours
        Country (as shown) → colour, in legend order (:mod:`analysis.data.colours`).

    Returns
    -------
    A faceted chart, or the no-data chart when ``values`` has no recorded value.

    Raises
    ------
    ParameterError
        When a column is missing or an indicator-country-year appears twice.
    """
    title = check_frame(values, ("indicator", "country", "year", "value"),
                   ("indicator", "country", "year"), "indicator_panels", lang)
    if values["value"].notna().sum() == 0:
        note = translate("note.no_values", lang)
        return alt.Chart(pd.DataFrame({"note": [note]})).mark_text(
            fontSize=13, color=MUTED).encode(text="note:N").properties(
            width=WIDTH, height=80, title=title)
    data = values.loc[:, ["indicator", "country", "year", "value"]].reset_index(drop=True)
    data["year"] = data["year"].astype(int)
    years = sorted(set(data["year"]))
    base = alt.Chart(data).encode(
        x=alt.X("year:Q", title=None, scale=alt.Scale(domain=[years[0], years[-1]], nice=False),
                axis=alt.Axis(format="d", values=years, labelAngle=0,
                              labelExpr="datum.value % 2 == 0 ? datum.label : ''")),
        y=alt.Y("value:Q", title=None, scale=alt.Scale(zero=False),
                axis=alt.Axis(tickCount=4)),
        color=colour_encoding("country:N", list(data["country"]), colours, str,
                              title=translate("field.country", lang),
                              legend=alt.Legend(orient="top")),
        tooltip=[tip("indicator:N", "field.indicator", lang),
                 tip("country:N", "field.country", lang), tip("year:Q", "field.year", lang),
                 tip("value:Q", "field.value", lang)],
    )
    panel = alt.layer(base.mark_line(), base.mark_point()).properties(width=260, height=140)
    return panel.facet(
        facet=alt.Facet("indicator:N", title=None, sort=list(dict.fromkeys(data["indicator"])),
                        header=alt.Header(labelFontWeight="bold", labelLimit=0, labelFontSize=10,
                                          labelColor=MUTED)),
        columns=columns, title=chart_title(title, lang, no_data=False),
    ).resolve_scale(y="independent")

