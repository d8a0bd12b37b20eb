"""Charts of the procurement-system section, tested on their Vega-Lite specs (fictional data)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.report import system_charts as sc

COUNTS = pd.DataFrame({"year": [2021, 2022, 2023], "activities": [1, 0, 2]})
MARKS = pd.DataFrame({"number": [1, 2], "start": pd.to_datetime(["2022-07-01", "2023-03-01"]),
                      "date": ["1 July 2022", "1 March 2023"], "milestone": ["Law", "Portal"]})


def rows(spec):
    return [row for dataset in spec["datasets"].values() for row in dataset]


def test_bars_span_their_year_and_milestones_sit_at_their_date():
    spec = sc.activities_and_milestones(COUNTS, MARKS, (2022, 2023), subject="Uzbekistan"
                                        ).to_dict()
    bars = [(r["year"], r["activities"], r["from"][:10], r["to"][:10])
            for r in rows(spec) if "activities" in r]
    assert bars == [("2021", 1, "2021-01-01", "2022-01-01"), ("2022", 0, "2022-01-01",
                    "2023-01-01"), ("2023", 2, "2023-01-01", "2024-01-01")]
    marks = [(r["number"], r["start"][:10], r["label_x"][:10], r["rule_y"], r["label_y"])
             for r in rows(spec) if "milestone" in r]
    # most = 2: rules up to 2 x 1.1, numbers in one row at 2 x 1.35, at their own dates (8
    # months apart is far more than the gap); the scale reaches 2 x 1.6
    assert marks == [(1, "2022-07-01", "2022-07-01", pytest.approx(2.2), pytest.approx(2.7)),
                     (2, "2023-03-01", "2023-03-01", pytest.approx(2.2), pytest.approx(2.7))]
    shade, columns, rules, leaders, numbers = spec["layer"]
    assert numbers["encoding"]["x"]["field"] == "label_x"
    assert (leaders["encoding"]["x"]["field"], leaders["encoding"]["x2"]) == (
        "start", {"field": "label_x"})
    assert columns["encoding"]["y"]["scale"]["domain"] == [0, pytest.approx(3.2)]
    assert columns["encoding"]["x"]["scale"]["domain"] == ["2021-01-01", "2024-01-01"]
    shaded = [(r["from"][:10], r["to"][:10]) for r in rows(spec)
              if set(r) == {"from", "to"}]
    assert shaded == [("2022-01-01", "2024-01-01")]  # the period 2022-2023
    assert rules["mark"]["type"] == "rule" and numbers["encoding"]["text"]["field"] == "number"
    assert spec["title"]["text"] == ("Uzbekistan: Procurement-related activities per year and "
                                     "reform milestones")
    assert spec["title"]["subtitle"] == [
        "Numbered lines: milestones (see the table); shaded: the report period 2022–2023"]


def test_close_milestones_get_numbers_a_gap_apart_in_date_order():
    # 3 years on 560 px: 16 px is 1096 days x 16 / 560 = 31.3 days
    first, last = pd.Timestamp("2021-01-01"), pd.Timestamp("2024-01-01")
    starts = pd.to_datetime(pd.Series(["2021-04-22", "2021-07-02", "2021-07-22", "2023-01-01"]))
    placed = sc.label_positions(starts, first, last, width=560, gap_px=16)
    gap = (last - first) * (16 / 560)
    assert placed[0] == starts[0] and placed[1] == starts[1]  # 71 days apart: room enough
    assert placed[2] == starts[1] + gap  # 20 days after 2: moved right to a gap after it
    assert placed[3] == starts[3]
    assert all(b - a >= gap for a, b in zip(placed, placed[1:], strict=False))


def test_milestone_chart_in_russian_and_without_milestones():
    spec = sc.activities_and_milestones(COUNTS, MARKS.iloc[:0], (2023, 2023), lang="ru"
                                        ).to_dict()
    assert len(spec["layer"]) == 2  # shade and bars only
    assert spec["title"]["text"] == "Мероприятия по закупкам за каждый год и этапы реформы"
    assert spec["title"]["subtitle"] == [
        "Пронумерованные линии — этапы реформы (см. таблицу); затенён отчётный период (2023 г.)"]
    assert spec["layer"][1]["encoding"]["y"]["title"] == "Число мероприятий"


def test_milestone_chart_checks_its_frames():
    with pytest.raises(ParameterError, match="lacks column"):
        sc.activities_and_milestones(COUNTS.drop(columns="activities"), MARKS, (2022, 2023))
    with pytest.raises(ParameterError, match="more than once"):
        sc.activities_and_milestones(pd.concat([COUNTS, COUNTS]), MARKS, (2022, 2023))


VALUES = pd.DataFrame({
    "indicator": ["CPI"] * 4 + ["WGI"] * 4,
    "country": ["Uzbekistan", "Uzbekistan", "Azerbaijan", "Azerbaijan"] * 2,
    "year": [2021, 2022] * 4,
    "value": [28.0, 31.0, 30.0, 23.0, 40.5, math.nan, 58.6, 50.9]})


def test_indicator_panels_one_per_indicator_with_gaps_as_nulls():
    spec = sc.indicator_panels(VALUES).to_dict()
    panels = spec["concat"]
    assert [p["title"]["text"] for p in panels] == ["CPI", "WGI"]
    data = {(r["indicator"], r["country"], r["year"]): r["value"] for r in rows(spec)}
    assert data[("CPI", "Azerbaijan", 2022)] == 23.0
    assert data[("WGI", "Uzbekistan", 2022)] is None  # a gap, not a zero: the line breaks
    layers = panels[0]["layer"]
    assert [layer["mark"]["type"] for layer in layers] == ["line", "point"]  # no interval given
    assert layers[0]["encoding"]["color"]["sort"] == ["Uzbekistan", "Azerbaijan"]
    assert layers[0]["encoding"]["y"]["scale"] == {"zero": False}  # no scale given: the values'
    assert spec["title"]["text"] == "Governance indicators by year (higher is better)"


def test_indicator_panels_draw_bounded_scales_whole_intervals_and_only_years_with_data():
    values = pd.concat([VALUES, pd.DataFrame({  # 2019-2020: no value anywhere
        "indicator": ["CPI", "CPI"], "country": ["Uzbekistan", "Uzbekistan"],
        "year": [2019, 2020], "value": [math.nan, math.nan]})], ignore_index=True)
    values["low"], values["high"] = values["value"] - 2, values["value"] + 2
    spec = sc.indicator_panels(values, scales={"CPI": (0, 100)}).to_dict()
    cpi, wgi = spec["concat"]
    line = next(x for x in cpi["layer"] if x["mark"]["type"] == "line")
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 100]  # never a cut axis
    assert line["encoding"]["x"]["scale"]["domain"] == [2021, 2022]  # from the first value
    rule = cpi["layer"][0]
    assert (rule["mark"]["type"], rule["encoding"]["y"]["field"], rule["encoding"]["y2"]) == (
        "rule", "low", {"field": "high"})
    wgi_line = next(x for x in wgi["layer"] if x["mark"]["type"] == "line")
    assert wgi_line["encoding"]["y"]["scale"] == {"zero": False}  # no scale known for it
    assert {r["year"] for r in rows(spec)} == {2021, 2022}


def test_indicator_panels_in_russian_and_without_values():
    spec = sc.indicator_panels(VALUES, lang="ru").to_dict()
    assert spec["title"]["text"] == ("Показатели государственного управления по годам "
                                     "(чем выше, тем лучше)")
    empty = sc.indicator_panels(VALUES.assign(value=math.nan)).to_dict()
    assert rows(empty) == [{"note": "No indicator value is recorded for these countries and years"}]
