"""The Altair renderer for report notebooks: Vega-Lite JSON plus a static SVG.

Altair 6's own ``mimetype`` renderer writes the mimetype ``application/vnd.vegalite.v6.json``,
which nbformat's schema rejects, so papermill fails on the executed notebook (seen with Altair 6).
The ``coopreport`` renderer returns a bundle nbformat accepts and every output format can use:

- ``application/vnd.vegalite.v6+json``: the spec, for interactive HTML;
- ``image/svg+xml``: drawn offline by vl-convert, for PDF and as the static fallback that
  JupyterLab, VS Code and notebook viewers show;
- ``text/plain``: a one-line description.

There is no PNG: every output coopreport makes (HTML, Typst PDF, Quarto HTML and Typst) uses
the SVG, and rasterising each chart cost about 50 ms of every chart's build and a third more
notebook bytes. Notebooks from elsewhere that carry PNG charts are still rendered.

Call :func:`enable_renderer` once at the top of a notebook (it also enables the house theme).
"""

from __future__ import annotations

import functools
import logging
import os
from typing import Any

import altair as alt
import vl_convert

from analysis.core import paths
from analysis.core.errors import RenderError
from analysis.report.chart_theme import enable_theme

logger = logging.getLogger(__name__)

RENDERER_NAME = "coopreport"
VEGALITE_MIMETYPE = "application/vnd.vegalite.v6+json"
SVG_MIMETYPE = "image/svg+xml"
# vl-convert names Vega-Lite versions by major.minor: Altair's "v6.4.1" -> "6.4"
VL_VERSION = ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
FONTS_DIR = paths.ASSETS_DIR / "fonts"


@functools.cache
def register_fonts() -> bool:
    """Register ``assets/fonts`` with vl-convert, once per process. True if it was there."""
    if not FONTS_DIR.is_dir():
        logger.debug("no font folder at %s; vl-convert uses the system fonts", FONTS_DIR)
        return False
    vl_convert.register_font_directory(str(FONTS_DIR))
    logger.debug("registered fonts in %s with vl-convert", FONTS_DIR)
    return True


# Set by the build runner for its kernels: charts carry only their spec, and the runner draws
# the SVG once the notebook has run (fill_chart_images), in its long-lived worker, where
# vl-convert's engine is started once instead of once per report (~0.8 s of CPU each).
IMAGES_LATER_ENV = "COOPREPORT_CHART_IMAGES_LATER"


def chart_images(spec: dict[str, Any]) -> dict[str, str]:
    """The static form of a chart: its SVG text.

    Raises
    ------
    RenderError
        When vl-convert cannot draw the spec.
    """
    register_fonts()
    try:
        svg = vl_convert.vegalite_to_svg(spec, vl_version=VL_VERSION)
    except ValueError as exc:
        raise RenderError(
            f"vl-convert could not draw the chart ({exc}); check the chart's spec with "
            "chart.to_dict() and that its data has no values JSON cannot hold"
        ) from exc
    return {SVG_MIMETYPE: svg}


def fill_chart_images(nb: Any) -> int:
    """Add the SVG form to every chart output of ``nb`` that has only its spec (a
    notebook run with :data:`IMAGES_LATER_ENV`). Returns how many charts were drawn."""
    drawn = 0
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            data = output.get("data", {})
            spec = data.get(VEGALITE_MIMETYPE)
            if isinstance(spec, dict) and SVG_MIMETYPE not in data:
                data.update(chart_images(spec))
                drawn += 1
    return drawn


def render_bundle(spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    """Turn a Vega-Lite spec into the notebook output bundle (the renderer function).

    Parameters
    ----------
    spec
        The chart's Vega-Lite spec, as ``chart.to_dict()`` gives it.
    metadata
        Renderer options from Altair; unused.

    Returns
    -------
    dict
        Mimetype → content: the spec, SVG text and a plain-text line.

    Raises
    ------
    RenderError
        When vl-convert cannot draw the spec.
    """
    bundle = {VEGALITE_MIMETYPE: spec, "text/plain": _describe(spec)}
    if os.environ.get(IMAGES_LATER_ENV) != "1":
        bundle |= chart_images(spec)
    return bundle


def enable_renderer(lang: str = "en") -> None:
    """Register the ``coopreport`` renderer (once), make it Altair's renderer, enable the
    theme in ``lang``'s chart locale."""
    if RENDERER_NAME not in alt.renderers.names():
        alt.renderers.register(RENDERER_NAME, render_bundle)
    alt.renderers.enable(RENDERER_NAME)
    enable_theme(lang)


def chart_title(spec: dict[str, Any]) -> str:
    """The text of a Vega-Lite spec's title (plain, unescaped), or ``""``."""
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return " ".join(str(title or "").split())


def chart_caption(spec: dict[str, Any]) -> str:
    """The caption a report prints under a chart: the spec's ``description`` (scope, source,
    how to read it; :func:`analysis.report.chart_theme.with_caption`), else its title, else ``""``.

    The chart draws its own title, so a house chart's caption adds to it instead of repeating
    it; a chart without a description keeps its title as caption, as before.
    """
    description = spec.get("description")
    if isinstance(description, str) and description.strip():
        return " ".join(description.split())
    return chart_title(spec)


def _describe(spec: dict[str, Any]) -> str:
    title = chart_title(spec)
    return f"<Chart: {title}>" if title else "<Chart>"
