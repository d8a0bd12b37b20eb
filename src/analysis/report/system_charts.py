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
from analysis.report.i18n import in_sentence, translate

# milestone numbers stand at least this many pixels apart, so close ones never collide
LABEL_GAP_PX = 16


def label_positions(starts: pd.Series, first: pd.Timestamp, last: pd.Timestamp,
                    width: float = WIDTH, gap_px: float = LABEL_GAP_PX) -> list[pd.Timestamp]:
    """Where the milestone numbers stand on the time axis from ``first`` to ``last`` drawn
    ``width`` pixels wide: at their own date, moved right just enough to stand ``gap_px`` pixels
    after the number before (in date order), so numbers of milestones days apart never
    overlap; a leader line joins each number to its date."""
    gap = (last - first) * (gap_px / width)
    placed: list[pd.Timestamp] = []
    for start in pd.to_datetime(starts):
        placed.append(max(start, placed[-1] + gap) if placed else start)
    return placed


def activities_and_milestones(counts: pd.DataFrame, milestones: pd.DataFrame,
                              period: tuple[int, int], lang: str = "en",
                              subject: str = "") -> Chart:
    """Activities per year as bars, with reform milestones as numbered rules on the same time
    axis, and the report period shaded.

    Each bar spans its calendar year, so a milestone's rule stands at its own date within the
    year. Milestones are numbered in date order (``number``), the same numbers as the milestone
    table; the numbers stand in one row above the bars, spaced by :func:`label_positions` so
    that close milestones never collide, each joined to its rule by a leader line.

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
    # Russian and Uzbek write a title after a colon in lower case ("Узбекистан: мероприятия …")
    if subject:
        title = f"{subject}: {in_sentence(title) if lang != 'en' else title}"
    if counts.empty:
        return no_data_chart(title, lang)
    bars = counts.loc[:, ["year", "activities"]].astype({"year": int, "activities": int})
    bars["from"] = pd.to_datetime(bars["year"].astype(str) + "-01-01")
    bars["to"] = pd.to_datetime((bars["year"] + 1).astype(str) + "-01-01")
    bars["year"] = bars["year"].astype(str)
    bars["zero"] = 0
    most = int(bars["activities"].max())
    top = max(most, 1) * 1.6  # room above the bars for the milestone numbers
    first, last = int(bars["year"].min()), int(bars["year"].max())
    marks = milestones.loc[:, ["number", "start", "date", "milestone"]]
    marks = marks.sort_values(["start", "number"]).reset_index(drop=True)
    marks["number"] = marks["number"].astype(int)
    marks["start"] = pd.to_datetime(marks["start"])
    marks["zero"] = 0
    marks["rule_y"] = max(most, 1) * 1.1
    marks["label_y"] = max(most, 1) * 1.35
    marks["label_x"] = label_positions(marks["start"], pd.Timestamp(f"{first}-01-01"),
                                       pd.Timestamp(f"{last + 1}-01-01"))
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
            x=alt.X("start:T", scale=x_scale), y="zero:Q", y2="rule_y:Q",
            tooltip=tooltip)
        leaders = alt.Chart(marks).mark_rule(color=PALETTE[1], strokeWidth=1).encode(
            x=alt.X("start:T", scale=x_scale), x2="label_x:T", y="rule_y:Q", y2="label_y:Q")
        numbers = alt.Chart(marks).mark_text(
            fontWeight="bold", color=PALETTE[1], baseline="bottom", dy=-2).encode(
            x=alt.X("label_x:T", scale=x_scale), y=alt.Y("label_y:Q", scale=alt.Scale(
                domain=[0, top], nice=False)),
            text=alt.Text("number:Q", format="d"), tooltip=tooltip)
        layers += [rules, leaders, numbers]
    subtitle = translate("chart.activities_and_milestones.note", lang,
                         start=period[0], end=period[1])
    return alt.LayerChart(layer=layers).properties(
        width=WIDTH, height=220,
        title=chart_title(title, lang, no_data=most == 0, subtitle=subtitle))


def indicator_panels(values: pd.DataFrame, lang: str = "en", columns: int = 2,
                     colours: Mapping[str, str] | None = None,
                     scales: Mapping[str, tuple[float, float]] | None = None) -> Chart:
    """Each indicator across the years, one small panel per indicator, one line per country.

    A missing value (NaN) breaks the line: a gap is not drawn over. Every recorded value has a
    point, and its published interval (``low``–``high``, when the frame has them) a vertical
    rule through it. Each panel has its own value scale (indicators have different units): the
    indicator's whole scale when ``scales`` gives one (a 0–100 index on 0–100, never a cut
    axis), else the values' range. The years run from the first to the last year with a value
    in any panel: no empty years before the data.

    Parameters
    ----------
    values
        Columns ``indicator`` (label as shown), ``country`` (name as shown), ``year``,
        ``value`` (NaN where no value is recorded); optionally ``low`` and ``high``.
    lang
        Report language.
    columns
        Panels per row.
    colours
        Country (as shown) → colour, in legend order (:mod:`analysis.data.colours`).
    scales
        Indicator (label as shown) → the bounds of its scale, e.g. ``(0, 100)``.

    Returns
    -------
    The panels side by side, or the no-data chart when ``values`` has no recorded value.

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
    keep = [c for c in ("indicator", "country", "year", "value", "low", "high") if c in values]
    data = values.loc[:, keep].reset_index(drop=True)
    data["year"] = data["year"].astype(int)
    recorded = data.loc[data["value"].notna(), "year"]
    first, last = int(recorded.min()), int(recorded.max())
    data = data[data["year"].between(first, last)]
    years = list(range(first, last + 1))
    step = 1 if len(years) <= 6 else 2
    order = list(dict.fromkeys(data["indicator"]))
    colour = colour_encoding("country:N", list(data["country"]), colours, str,
                             title=translate("field.country", lang),
                             legend=alt.Legend(orient="top"))
    panels = []
    for indicator in order:
        own = data[data["indicator"] == indicator]
        bounds = (scales or {}).get(indicator)
        y_scale = (alt.Scale(domain=list(bounds), nice=False) if bounds is not None
                   else alt.Scale(zero=False))
        base = alt.Chart(own).encode(
            x=alt.X("year:Q", title=None, scale=alt.Scale(domain=[first, last], nice=False),
                    axis=alt.Axis(format="d", values=years, labelAngle=0,
                                  labelExpr=f"(datum.value - {first}) % {step} == 0 "
                                            "? datum.label : ''")),
            y=alt.Y("value:Q", title=None, scale=y_scale, axis=alt.Axis(tickCount=4)),
            color=colour,
            tooltip=[tip("indicator:N", "field.indicator", lang),
                     tip("country:N", "field.country", lang), tip("year:Q", "field.year", lang),
                     tip("value:Q", "field.value", lang)],
        )
        layers = [base.mark_line(), base.mark_point(filled=True, size=25)]
        if "low" in own and own["low"].notna().any():
            layers.insert(0, base.mark_rule(opacity=0.45, strokeWidth=1.5).encode(
                y=alt.Y("low:Q", scale=y_scale), y2="high:Q"))
        panels.append(alt.layer(*layers).properties(
            width=260, height=140,
            title=alt.TitleParams(indicator, fontSize=10, fontWeight="bold", color=MUTED,
                                  anchor="start", limit=0)))
    return alt.concat(*panels, columns=columns,
                      title=chart_title(title, lang, no_data=False)).resolve_scale(
        color="shared")
