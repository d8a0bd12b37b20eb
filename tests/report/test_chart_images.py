"""Tests of analysis.report.chart_images: the notebook output bundle and its validity for
nbformat."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import altair as alt
import nbformat
import pandas as pd
import pytest
import vl_convert
from nbformat.v4 import new_code_cell, new_notebook, new_output

from analysis.core.errors import RenderError
from analysis.report import chart_images as renderer
from analysis.report import chart_theme, charts

MIMETYPES = {"application/vnd.vegalite.v6+json", "image/svg+xml", "text/plain"}


@pytest.fixture
def restore_altair() -> Iterator[None]:
    """Give back Altair's renderer and theme as they were."""
    renderer_before, theme_before = alt.renderers.active, alt.theme.active
    yield
    alt.renderers.enable(renderer_before)
    alt.theme.enable(theme_before)


@pytest.fixture
def chart() -> charts.Chart:
    counts = pd.DataFrame({"country": ["UZB", "UZB"], "year": [2022, 2023], "activities": [0, 2]})
    return charts.activities_per_year(counts, lang="ru")


@pytest.fixture
def bundle(chart: charts.Chart, restore_altair: None) -> dict[str, Any]:
    chart_theme.enable_theme()
    return renderer.render_bundle(chart.to_dict())


def test_bundle_has_spec_svg_png_and_text(bundle: dict[str, Any], chart: charts.Chart) -> None:
    assert set(bundle) == MIMETYPES
    assert bundle["application/vnd.vegalite.v6+json"] == chart.to_dict()
    assert bundle["text/plain"] == "<Chart: Мероприятия по годам>"


def test_svg_is_xml_with_the_chart_text(bundle: dict[str, Any]) -> None:
    svg = bundle["image/svg+xml"]
    assert isinstance(svg, str)
    assert "<svg" in svg
    root = ET.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Мероприятия по годам" in svg  # the title is drawn as text
    assert 'font-family="Noto Sans' in svg


def test_no_png_is_drawn(bundle: dict[str, Any]) -> None:
    """Every output uses the SVG; a PNG would only cost build time and notebook bytes."""
    assert "image/png" not in bundle


def test_bundle_is_a_valid_notebook_output(bundle: dict[str, Any]) -> None:
    output = new_output("display_data", data=bundle)
    notebook = new_notebook(cells=[new_code_cell("chart", outputs=[output])])
    nbformat.validate(notebook)
    again = nbformat.reads(nbformat.writes(notebook), as_version=4)
    nbformat.validate(again)
    assert set(again.cells[0].outputs[0].data) == MIMETYPES


def test_altairs_own_mimetype_is_what_nbformat_rejects(bundle: dict[str, Any]) -> None:
    """The reason for this renderer (Altair 6's mimetype fails nbformat): keep the check honest."""
    broken = {"application/vnd.vegalite.v6.json": bundle["application/vnd.vegalite.v6+json"],
              "text/plain": "chart"}
    with pytest.raises(nbformat.ValidationError):
        new_output("display_data", data=broken)


def test_vl_convert_runs_once_per_display(chart: charts.Chart, monkeypatch: pytest.MonkeyPatch,
                                          restore_altair: None) -> None:
    calls: list[str] = []
    real_svg = vl_convert.vegalite_to_svg

    def counting_svg(spec: Any, **kwargs: Any) -> str:
        calls.append("svg")
        return real_svg(spec, **kwargs)

    monkeypatch.setattr(vl_convert, "vegalite_to_svg", counting_svg)
    monkeypatch.setattr(vl_convert, "vegalite_to_png", _forbidden)
    renderer.render_bundle(chart.to_dict())
    assert calls == ["svg"]


def _forbidden(*args: Any, **kwargs: Any) -> bytes:
    raise AssertionError("the PNG is rasterised from the SVG, not drawn again by Vega")


def test_enable_renderer_registers_once_and_activates(
        chart: charts.Chart, monkeypatch: pytest.MonkeyPatch, restore_altair: None) -> None:
    alt.renderers.register(renderer.RENDERER_NAME, None)  # unregister
    calls: list[str] = []
    real_register = alt.renderers.register

    def counting_register(name: str, value: Any) -> Any:
        calls.append(name)
        return real_register(name, value)

    monkeypatch.setattr(alt.renderers, "register", counting_register)
    for _ in range(3):
        renderer.enable_renderer()
    assert calls == ["coopreport"]
    assert alt.renderers.active == "coopreport"
    assert alt.theme.active == chart_theme.THEME_NAME
    shown = chart._repr_mimebundle_()
    assert isinstance(shown, dict)
    assert set(shown) == MIMETYPES
    assert shown["application/vnd.vegalite.v6+json"]["config"]["font"].startswith("Noto Sans")


def test_vegalite_version_matches_altair() -> None:
    assert renderer.VL_VERSION in vl_convert.get_vegalite_versions()
    assert alt.SCHEMA_VERSION.startswith(f"v{renderer.VL_VERSION}.")


@pytest.fixture
def font_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    calls: list[str] = []
    monkeypatch.setattr(vl_convert, "register_font_directory", calls.append)
    renderer.register_fonts.cache_clear()
    yield calls
    renderer.register_fonts.cache_clear()


def test_font_folder_registered_once_before_drawing(
        chart: charts.Chart, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        font_calls: list[str]) -> None:
    monkeypatch.setattr(renderer, "FONTS_DIR", tmp_path)
    renderer.render_bundle(chart.to_dict())
    renderer.render_bundle(chart.to_dict())
    assert font_calls == [str(tmp_path)]


def test_missing_font_folder_is_skipped(chart: charts.Chart, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch,
                                        font_calls: list[str]) -> None:
    monkeypatch.setattr(renderer, "FONTS_DIR", tmp_path / "fonts")
    assert set(renderer.render_bundle(chart.to_dict())) == MIMETYPES
    assert font_calls == []


def test_undrawable_spec_raises_render_error() -> None:
    with pytest.raises(RenderError, match="vl-convert could not draw"):
        renderer.render_bundle({"mark": "nonsense"})


def test_charts_can_leave_their_images_to_the_runner(monkeypatch):
    """With the runner's variable set, a chart carries only its spec; fill_chart_images then
    adds exactly what the renderer would have made."""
    import nbformat

    from analysis.report.chart_images import IMAGES_LATER_ENV, fill_chart_images, render_bundle

    spec = {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "mark": "bar",
            "data": {"values": [{"a": "x", "b": 2}]},
            "encoding": {"x": {"field": "a", "type": "nominal"},
                         "y": {"field": "b", "type": "quantitative"}}}
    complete = render_bundle(spec)
    monkeypatch.setenv(IMAGES_LATER_ENV, "1")
    deferred = render_bundle(spec)
    assert set(deferred) == {"application/vnd.vegalite.v6+json", "text/plain"}
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("chart", outputs=[
        nbformat.v4.new_output("display_data", data=dict(deferred))])])
    assert fill_chart_images(nb) == 1
    assert nb.cells[0].outputs[0].data == complete
    assert fill_chart_images(nb) == 0  # nothing left to draw
