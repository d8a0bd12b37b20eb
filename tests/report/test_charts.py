"""Tests of analysis.report.charts (chart specs, not pixels) and of the message catalogue it
uses."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import altair as alt
import pandas as pd
import pytest
import vl_convert

from analysis.core.errors import ParameterError
from analysis.data.taxonomy import LANGUAGES
from analysis.report import chart_theme, charts
from analysis.report.i18n import MESSAGES, translate

NO_DATA_EN = "No activities recorded for this selection"
NO_DATA_RU = "По этой выборке не зарегистрировано ни одного мероприятия"


# ---------------------------------------------------------------------------- helpers

def strings_in(node: Any) -> Iterator[str]:
    """Every string anywhere in a spec (keys excluded)."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings_in(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings_in(value)


def rows_of(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The data rows of a chart whose layers all share one inline dataset."""
    datasets = spec["datasets"]
    assert len(datasets) == 1, f"expected one dataset, got {list(datasets)}"
    return next(iter(datasets.values()))


def layers_of(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Layer specs by mark type."""
    layers = spec.get("layer", [spec])
    return {_mark(layer): layer for layer in layers}


def _mark(layer: dict[str, Any]) -> str:
    mark = layer["mark"]
    return mark["type"] if isinstance(mark, dict) else mark


def title_of(spec: dict[str, Any]) -> tuple[str, list[str]]:
    title = spec["title"]
    if isinstance(title, str):
        return title, []
    subtitle = title.get("subtitle", [])
    return title["text"], [subtitle] if isinstance(subtitle, str) else subtitle


def tooltip_titles(encoding: dict[str, Any]) -> dict[str, str]:
    """Tooltip title -> field."""
    return {t["title"]: t["field"] for t in encoding["tooltip"]}


# ---------------------------------------------------------------------------- frames

@pytest.fixture
def counts() -> pd.DataFrame:
    # 2021 is an explicit zero year for UZB; KAZ has no 2021 row at all
    return pd.DataFrame({
        "country": ["UZB", "UZB", "UZB", "KAZ", "KAZ"],
        "year": [2020, 2021, 2022, 2020, 2022],
        "activities": [2, 0, 3, 1, 4],
    })


@pytest.fixture
def shares() -> pd.DataFrame:
    return pd.DataFrame({
        "country": ["UZB", "UZB", "KAZ", "KAZ"],
        "theme": ["public_procurement", "e_procurement", "public_procurement", "e_procurement"],
        "activities": [3, 0, 1, 4],
        "share": [1.0, 0.0, 0.25, 1.0],
    })


@pytest.fixture
def summary() -> pd.DataFrame:
    return pd.DataFrame({
        "partner": ["World Bank", "ADB", "EBRD", "UNDP"],
        "activities": [5, 7, 0, 7],
        "kind": ["multilateral", "multilateral", "multilateral", "agency"],
    })


@pytest.fixture
def activities() -> pd.DataFrame:
    return pd.DataFrame({
        "activity_id": ["a1", "a2", "a3"],
        "date": ["2021-03", "2022", "2023-05-17"],
        "start": pd.to_datetime(["2021-03-01", "2022-01-01", "2023-05-17"]),
        "year": [2021, 2022, 2023],
        "title": ["Procurement law seminar", "E-GP project launch", "Audit meeting"],
        "partners": [("World Bank", "ADB"), ("EBRD",), ()],
        "source": ["Ministry of Finance", "", "Court of Audit"],
        "source_url": ["https://example.org/a", "https://example.org/b", ""],
        "country": ["UZB", "KAZ", "UZB"],
        "activity_type": ["seminar", "project", "meeting"],
    })


# ---------------------------------------------------------------------------- theme

@pytest.fixture
def restore_theme() -> Iterator[None]:
    previous = alt.theme.active
    yield
    alt.theme.enable(previous)


def test_enable_theme_registers_once_and_activates(monkeypatch: pytest.MonkeyPatch,
                                                   restore_theme: None) -> None:
    if chart_theme.THEME_NAME in alt.theme.names():
        alt.theme.unregister(chart_theme.THEME_NAME)
    calls: list[str] = []
    real_register = alt.theme.register

    def counting_register(name: Any, *, enable: bool) -> Any:
        calls.append(name)
        return real_register(name, enable=enable)

    monkeypatch.setattr(alt.theme, "register", counting_register)
    for _ in range(3):
        chart_theme.enable_theme()
    assert calls == ["coopreport"]
    assert alt.theme.active == "coopreport"


def test_theme_sets_font_palette_width_and_no_border(restore_theme: None) -> None:
    chart_theme.enable_theme()
    config = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q").to_dict()["config"]
    assert chart_theme.FONT == "Noto Sans"
    for font in (config["font"], config["title"]["font"], config["axis"]["labelFont"],
                 config["axis"]["titleFont"], config["legend"]["labelFont"],
                 config["legend"]["titleFont"], config["header"]["labelFont"]):
        assert font.startswith("Noto Sans")
    assert config["view"]["stroke"] is None
    assert config["view"]["continuousWidth"] == 560
    assert 6 <= len(config["range"]["category"]) <= 10
    assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in config["range"]["category"])


# ---------------------------------------------------------------------------- activities_per_year

def test_per_year_is_line_and_point_with_ordinal_years(counts: pd.DataFrame) -> None:
    spec = charts.activities_per_year(counts).to_dict()
    layers = layers_of(spec)
    assert set(layers) == {"line", "point"}
    for layer in layers.values():
        assert layer["encoding"]["x"]["field"] == "year"
        assert layer["encoding"]["x"]["type"] == "ordinal"
        assert layer["encoding"]["y"]["field"] == "activities"
        assert layer["encoding"]["y"]["type"] == "quantitative"
        assert layer["encoding"]["color"]["field"] == "country"


def test_per_year_keeps_zero_years_and_fills_missing_ones(counts: pd.DataFrame) -> None:
    rows = rows_of(charts.activities_per_year(counts).to_dict())
    got = {(r["country"], r["year"]): r["activities"] for r in rows}
    assert got == {
        ("Uzbekistan", 2020): 2, ("Uzbekistan", 2021): 0, ("Uzbekistan", 2022): 3,
        ("Kazakhstan", 2020): 1, ("Kazakhstan", 2021): 0, ("Kazakhstan", 2022): 4,
    }


def test_per_year_fills_a_year_no_country_has(counts: pd.DataFrame) -> None:
    gap = counts[counts["year"] != 2021]
    rows = rows_of(charts.activities_per_year(gap).to_dict())
    assert sorted({r["year"] for r in rows}) == [2020, 2021, 2022]


def test_per_year_labels_override_country_names(counts: pd.DataFrame) -> None:
    rows = rows_of(charts.activities_per_year(counts, labels={"UZB": "Uzbekistan (UZB)"})
                   .to_dict())
    assert {r["country"] for r in rows} == {"Uzbekistan (UZB)", "Kazakhstan"}


def test_per_year_in_russian(counts: pd.DataFrame) -> None:
    spec = charts.activities_per_year(counts, lang="ru").to_dict()
    assert title_of(spec) == ("Мероприятия по годам", [])
    encoding = spec["layer"][0]["encoding"]
    assert encoding["x"]["title"] == "Год"
    assert encoding["y"]["title"] == "Число мероприятий"
    assert encoding["color"]["title"] == "Страна"
    assert {r["country"] for r in rows_of(spec)} == {"Узбекистан", "Казахстан"}


def test_per_year_small_counts_get_whole_number_ticks(counts: pd.DataFrame) -> None:
    y = charts.activities_per_year(counts).to_dict()["layer"][0]["encoding"]["y"]
    assert y["axis"]["values"] == [0, 1, 2, 3, 4]


def test_per_year_all_zero_says_so(counts: pd.DataFrame) -> None:
    spec = charts.activities_per_year(counts.assign(activities=0)).to_dict()
    assert title_of(spec) == ("Activities per year", [NO_DATA_EN])
    assert {r["activities"] for r in rows_of(spec)} == {0}


def test_per_year_empty_says_so(counts: pd.DataFrame) -> None:
    spec = charts.activities_per_year(counts.iloc[:0], lang="ru").to_dict()
    assert NO_DATA_RU in set(strings_in(spec))
    assert "Мероприятия по годам" in set(strings_in(spec))


def test_per_year_rejects_repeated_rows_and_missing_columns(counts: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="UZB"):
        charts.activities_per_year(pd.concat([counts, counts.iloc[:1]]))
    with pytest.raises(ParameterError, match="year"):
        charts.activities_per_year(counts.drop(columns="year"))


# ---------------------------------------------------------------------------- theme_heatmap

def test_heatmap_is_rects_with_counts_written_on_them(shares: pd.DataFrame) -> None:
    spec = charts.theme_heatmap(shares).to_dict()
    layers = layers_of(spec)
    assert set(layers) == {"rect", "text"}
    assert layers["rect"]["encoding"]["color"]["field"] == "activities"
    assert layers["text"]["encoding"]["text"]["field"] == "activities"
    for layer in layers.values():
        assert layer["encoding"]["x"]["field"] == "country"
        assert layer["encoding"]["y"]["field"] == "theme"
    cell = {(r["country"], r["theme"]): r["activities"] for r in rows_of(spec)}
    assert cell[("Uzbekistan", "e_procurement")] == 0
    assert cell[("Kazakhstan", "e_procurement")] == 4


def test_heatmap_uses_labels_and_keeps_input_order(shares: pd.DataFrame) -> None:
    labels = {"public_procurement": "Public procurement", "e_procurement": "E-procurement"}
    spec = charts.theme_heatmap(shares, labels=labels).to_dict()
    y = spec["layer"][0]["encoding"]["y"]
    assert y["sort"] == ["Public procurement", "E-procurement"]
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["Uzbekistan", "Kazakhstan"]


def test_heatmap_tooltip_shows_share_as_percent(shares: pd.DataFrame) -> None:
    tooltip = charts.theme_heatmap(shares, lang="ru").to_dict()["layer"][0]["encoding"]["tooltip"]
    by_title = {t["title"]: t for t in tooltip}
    assert set(by_title) == {"Страна", "Тема", "Мероприятия", "Доля"}
    assert by_title["Доля"]["format"] == ".0%"


def test_heatmap_without_share_column(shares: pd.DataFrame) -> None:
    spec = charts.theme_heatmap(shares.drop(columns="share")).to_dict()
    assert "share" not in rows_of(spec)[0]


def test_heatmap_all_zero_and_empty_say_so(shares: pd.DataFrame) -> None:
    zero = charts.theme_heatmap(shares.assign(activities=0)).to_dict()
    assert title_of(zero) == ("Activities by theme", [NO_DATA_EN])
    assert NO_DATA_EN in set(strings_in(charts.theme_heatmap(shares.iloc[:0]).to_dict()))


# ---------------------------------------------------------------------------- partner_bars

def test_partner_bars_sorted_descending_and_cut_to_top(summary: pd.DataFrame) -> None:
    spec = charts.partner_bars(summary, top=3).to_dict()
    layers = layers_of(spec)
    assert set(layers) == {"bar", "text"}
    bar = layers["bar"]["encoding"]
    assert bar["y"]["field"] == "partner"
    assert bar["x"] == {**bar["x"], "field": "activities", "type": "quantitative"}
    # 7, 7 (tie: alphabetical), 5; EBRD (0) is cut
    assert bar["y"]["sort"] == ["ADB", "UNDP", "World Bank"]
    assert [(r["partner"], r["activities"]) for r in rows_of(spec)] == [
        ("ADB", 7), ("UNDP", 7), ("World Bank", 5)]
    assert title_of(spec) == ("Partners by number of activities", ["Top 3 of 4 partners"])
    assert layers["text"]["encoding"]["text"]["field"] == "activities"


def test_partner_bars_coloured_by_translated_kind(summary: pd.DataFrame) -> None:
    spec = charts.partner_bars(summary, lang="ru").to_dict()
    colour = layers_of(spec)["bar"]["encoding"]["color"]
    assert colour["field"] == "kind"
    assert colour["title"] == "Тип партнёра"
    assert {r["kind"] for r in rows_of(spec)} == {"Многосторонние организации",
                                                  "Учреждения и программы ООН"}
    assert title_of(spec) == ("Партнёры по числу мероприятий", [])


def test_partner_bars_without_kind_use_one_colour(summary: pd.DataFrame) -> None:
    spec = charts.partner_bars(summary.drop(columns="kind")).to_dict()
    assert layers_of(spec)["bar"]["encoding"]["color"] == {"value": chart_theme.PALETTE[0]}


def test_partner_bars_labels_and_bad_top(summary: pd.DataFrame) -> None:
    spec = charts.partner_bars(summary, labels={"ADB": "Asian Development Bank"}).to_dict()
    assert rows_of(spec)[0]["partner"] == "Asian Development Bank"
    with pytest.raises(ParameterError, match="top"):
        charts.partner_bars(summary, top=0)


def test_partner_bars_all_zero_and_empty_say_so(summary: pd.DataFrame) -> None:
    zero = charts.partner_bars(summary.assign(activities=0)).to_dict()
    assert title_of(zero)[1] == [NO_DATA_EN]
    assert NO_DATA_EN in set(strings_in(charts.partner_bars(summary.iloc[:0]).to_dict()))


# ---------------------------------------------------------------------------- timeline

def _bars_and_totals(spec: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The bar layer of a (faceted) timeline and its data rows."""
    inner = spec.get("spec", spec)
    bars = next(layer for layer in inner["layer"] if _mark(layer) == "bar")
    return bars, rows_of(spec)


def test_timeline_stacks_yearly_counts_by_type(activities: pd.DataFrame) -> None:
    # UZB: seminar in 2021 and meeting in 2023; KAZ: project in 2022 -> two country panels
    spec = charts.timeline(activities, years=(2020, 2023)).to_dict()
    assert spec["facet"]["row"]["field"] == "country"
    assert spec["facet"]["row"]["sort"] == ["Uzbekistan", "Kazakhstan"]
    bars, rows = _bars_and_totals(spec)
    encoding = bars["encoding"]
    assert (encoding["x"]["field"], encoding["x"]["type"]) == ("year", "ordinal")
    # every year of the period has a column, the empty 2020 included
    assert encoding["x"]["scale"]["domain"] == ["2020", "2021", "2022", "2023"]
    assert (encoding["y"]["field"], encoding["y"]["stack"]) == ("activities", "zero")
    counted = {(r["country"], r["year"], r["activity_type"]): r["activities"]
               for r in rows if r["layer"] == "bars"}
    assert counted == {("Uzbekistan", "2021", "seminar"): 1, ("Kazakhstan", "2022", "project"): 1,
                       ("Uzbekistan", "2023", "meeting"): 1}
    totals = {(r["country"], r["year"]): r["activities"] for r in rows if r["layer"] == "total"}
    assert totals == {("Uzbekistan", "2021"): 1, ("Kazakhstan", "2022"): 1,
                      ("Uzbekistan", "2023"): 1}


def test_timeline_colours_types_from_the_colour_table(activities: pd.DataFrame) -> None:
    colours = {"meeting": "#000001", "seminar": "#000002", "project": "#000003"}
    spec = charts.timeline(activities, colours=colours,
                           labels={"seminar": "Seminar", "meeting": "Meeting"}).to_dict()
    scale = _bars_and_totals(spec)[0]["encoding"]["color"]["scale"]
    # the colour table's order, in display labels; each type keeps its own colour
    assert scale == {"domain": ["Meeting", "Seminar", "project"],
                     "range": ["#000001", "#000002", "#000003"]}


def test_timeline_one_country_is_one_panel_in_russian(activities: pd.DataFrame) -> None:
    one = activities[activities["country"] == "UZB"]
    spec = charts.timeline(one, lang="ru", labels={"seminar": "Семинар"}).to_dict()
    assert "facet" not in spec
    assert title_of(spec)[0] == "Мероприятия по годам и формам сотрудничества"
    bars, rows = _bars_and_totals(spec)
    assert bars["encoding"]["x"]["scale"]["domain"] == ["2021", "2022", "2023"]
    assert "Семинар" in {r["activity_type"] for r in rows}


def test_timeline_empty_says_so(activities: pd.DataFrame) -> None:
    spec = charts.timeline(activities.iloc[:0], lang="ru").to_dict()
    assert NO_DATA_RU in set(strings_in(spec))


def test_timeline_needs_its_columns(activities: pd.DataFrame) -> None:
    with pytest.raises(ParameterError, match="activity_type"):
        charts.timeline(activities.drop(columns="activity_type"))


# ---------------------------------------------------------------------------- all charts

def every_chart(counts: pd.DataFrame, shares: pd.DataFrame, summary: pd.DataFrame,
                activities: pd.DataFrame) -> list[charts.Chart]:
    made: list[charts.Chart] = []
    for lang in ("en", "ru"):
        made += [
            charts.activities_per_year(counts, lang=lang),
            charts.theme_heatmap(shares, lang=lang),
            charts.partner_bars(summary, lang=lang),
            charts.timeline(activities, lang=lang),
            charts.activities_per_year(counts.iloc[:0], lang=lang),
            charts.theme_heatmap(shares.assign(activities=0), lang=lang),
            charts.partner_bars(summary.iloc[:0], lang=lang),
            charts.timeline(activities.iloc[:0], lang=lang),
        ]
    return made


def test_inputs_are_not_changed(counts: pd.DataFrame, shares: pd.DataFrame,
                                summary: pd.DataFrame, activities: pd.DataFrame) -> None:
    frames = (counts, shares, summary, activities)
    before = [frame.copy(deep=True) for frame in frames]
    for chart in every_chart(*frames):
        chart.to_dict()
    for frame, copy in zip(frames, before, strict=True):
        pd.testing.assert_frame_equal(frame, copy)
    assert activities["partners"].iloc[0] == ("World Bank", "ADB")


def test_every_chart_serialises_and_draws(counts: pd.DataFrame, shares: pd.DataFrame,
                                          summary: pd.DataFrame, activities: pd.DataFrame,
                                          restore_theme: None) -> None:
    chart_theme.enable_theme()
    version = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    for chart in every_chart(counts, shares, summary, activities):
        assert chart.to_dict()["$schema"].endswith(f"{alt.SCHEMA_VERSION}.json")
        svg = vl_convert.vegalite_to_svg(chart.to_json(), vl_version=version)
        assert "<svg" in svg


# ---------------------------------------------------------------------------- i18n

def test_every_message_in_every_language() -> None:
    cyrillic = re.compile("[А-Яа-яЁё]")
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        assert all(text.strip() for text in texts.values()), key
        # a pattern of placeholders alone ("{date}, {time} UTC") needs no Russian word
        words = re.sub(r"\{[^}]*\}", "", texts["ru"])
        assert cyrillic.search(texts["ru"]) or not re.search("[A-Za-z]{4,}", words), \
            f"{key}: Russian text has no Russian in it"


def test_translate() -> None:
    assert translate("field.date") == "Date"
    assert translate("field.date", "ru") == "Дата"
    assert translate("note.no_data", "ru") == NO_DATA_RU
    assert translate("chart.partner_bars.top", "ru", top=15, total=40) == \
        "15 наиболее активных партнёров из 40"
    assert translate("field.partners", "kk") == "Partners"  # unknown language: English


def test_translate_errors() -> None:
    with pytest.raises(ParameterError, match="field.nonsense"):
        translate("field.nonsense")
    with pytest.raises(ParameterError, match="total"):
        translate("chart.partner_bars.top", "en", top=3)


def test_a_russian_chart_carries_its_locale_for_both_renderers(restore_theme: None) -> None:
    """Vega-Lite's config.locale travels in the spec: vega-embed and vl-convert read it."""
    import re

    from analysis.report.chart_images import chart_images

    chart_theme.enable_theme("ru")
    spec = alt.Chart(pd.DataFrame({"x": ["a", "b"], "y": [34.25, -1.5]})).mark_bar().encode(
        x="x:N", y="y:Q", tooltip=["y:Q"]).to_dict()
    number = spec["config"]["locale"]["number"]
    assert (number["decimal"], number["minus"], number["percent"]) == (",", "\u2212",
                                                                        "\u202f%")
    assert spec["config"]["numberFormat"] == ",.2~f"  # tooltips rounded as in the tables
    labels = re.findall(r">([^<>]+)</text>", chart_images(spec)["image/svg+xml"])
    assert "\u22125" in labels and "35" in labels  # the axis, drawn with the minus sign
    # no English screen-reader text generated by Vega-Lite in a Russian chart
    assert spec["config"]["aria"] is False
    chart_theme.enable_theme("en")
    english = alt.Chart(pd.DataFrame({"a": [1]})).mark_point().encode(x="a:Q").to_dict()
    assert "locale" not in english["config"] and "aria" not in english["config"]
