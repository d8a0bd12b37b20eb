"""Built-in HTML renderer: nbconvert with the project's template, one self-contained file.

No code, no network: the font is embedded as a data URI, the Vega/Vega-Lite/vega-embed
JavaScript (from vl-convert) is inlined once per page, every chart keeps its SVG as a static
fallback, and specs are embedded as JSON that cannot close its ``<script>`` element. Outputs
and Markdown are untrusted: only what :mod:`analysis.render.sanitize` allows reaches the page.
"""

from __future__ import annotations

import base64
import functools
import html
import json
import re
import threading
from pathlib import Path
from typing import Any

import nbformat

from analysis.core import paths
from analysis.core.errors import RenderError
from analysis.core.version import __version__
from analysis.data.taxonomy import language_tag
from analysis.render.meta import ReportMeta
from analysis.render.sanitize import clean_html, sanitize_notebook
from analysis.report.chart_images import chart_caption, chart_title
from analysis.report.display import ATTACHMENT_MIMETYPE, attachment_html
from analysis.report.i18n import translate

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATE_NAME = "coopreport_html"
# the report's style sheet, one file for both renderers (Quarto's project gets a copy of it)
REPORT_CSS = TEMPLATE_DIR / TEMPLATE_NAME / "report.css"
PRIORITY = [
    "application/vnd.vegalite.v6+json",
    "application/vnd.vegalite.v5+json",
    ATTACHMENT_MIMETYPE,
    "text/html",
    "text/markdown",
    "image/svg+xml",
    "image/png",
    "text/plain",
]


def vega_json(spec: Any) -> str:
    """JSON for a ``<script type="application/json">`` block: ``<``, ``>`` and ``&`` escaped."""
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def svg_base64(svg: str | list[str]) -> str:
    text = "".join(svg) if isinstance(svg, list) else svg
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


@functools.cache
def vega_javascript() -> str:
    """Vega + Vega-Lite + vega-embed as one script (about 900 KB; made once per process)."""
    import vl_convert

    bundle = str(vl_convert.javascript_bundle())  # type: ignore[call-arg]
    return bundle.replace("</script", "<\\/script")


@functools.cache
def font_css() -> str:
    """``@font-face`` rules embedding the shipped Noto Sans (regular and bold) and Coopreport
    Minus (the minus sign U+2212, which Noto Sans lacks)."""
    rules = []
    minus = paths.ASSETS_DIR / "fonts" / "CoopreportMinus.ttf"
    if minus.exists():
        data = base64.b64encode(minus.read_bytes()).decode("ascii")
        rules.append('@font-face { font-family: "Coopreport Minus"; '
                     f"src: url(data:font/ttf;base64,{data}) format(\"truetype\"); }}")
    for weight, style, name in ((400, "normal", "NotoSans-Regular.ttf"),
                                (700, "normal", "NotoSans-Bold.ttf")):
        path = paths.ASSETS_DIR / "fonts" / name
        if path.exists():
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            rules.append(f'@font-face {{ font-family: "Noto Sans"; font-weight: {weight}; '
                         f"font-style: {style}; src: url(data:font/ttf;base64,{data}) "
                         'format("truetype"); }')
    return "\n".join(rules)


_exporters = threading.local()


def _exporter() -> Any:
    """This thread's HTML exporter, made once: its templates are compiled on first use
    (about 0.1 s), and a build renders many reports in the same worker."""
    exporter = getattr(_exporters, "html", None)
    if exporter is not None:
        return exporter
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    # the data-type filter reads the priority from config (NbConvertBase), not the exporter
    config = Config({"NbConvertBase": {"display_data_priority": PRIORITY}})
    exporter = HTMLExporter(
        config=config, extra_template_basedirs=[str(TEMPLATE_DIR)],
        template_name=TEMPLATE_NAME, exclude_input=True, exclude_input_prompt=True,
        exclude_output_prompt=True, sanitize_html=True,
    )
    remover = TagRemovePreprocessor(remove_cell_tags={"remove-cell"},
                                    remove_all_outputs_tags={"remove-output"})
    exporter.register_preprocessor(remover, enabled=True)
    # nbconvert's sanitising hooks (Markdown cells and outputs) call the clean_html filter
    exporter.register_filter("clean_html", clean_html)
    exporter.register_filter("vega_json", vega_json)
    exporter.register_filter("svg_base64", svg_base64)
    exporter.register_filter("chart_title", chart_title)
    exporter.register_filter("chart_caption", chart_caption)
    exporter.register_filter("attachment_html", attachment_html)
    _exporters.html = exporter
    return exporter


_MAIN = re.compile(r'<main class="report">(?P<body>.*)</main>', re.S)
_HEADING = re.compile(r"<(?P<tag>h[12])(?P<attrs>(?:\s[^>]*)?)>(?P<inner>.*?)</(?P=tag)>", re.S)
_ANCHOR_LINK = re.compile(r'<a class="anchor-link"[^>]*>.*?</a>', re.S)
_TAG = re.compile(r"<[^>]+>")
_ID = re.compile(r'\sid="([^"]*)"')


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^\w]+", "-", text.lower()).strip("-") or "section"
    slug, number = base, 1
    while slug in taken:
        number += 1
        slug = f"{base}-{number}"
    taken.add(slug)
    return slug


def number_sections(page: str, toc_title: str) -> str:
    """``page`` with its sections numbered and a table of contents, as Quarto's HTML and both
    PDFs have them: each ``h1`` and ``h2`` of the report gets an id and, unless it is
    ``unnumbered`` (an executive summary, an annex) or under such a section, its number
    ("2", "2.1") in a ``header-section-number`` span; the contents (``nav#TOC``) open the
    report. Headings and their text are the page's own, already escaped."""
    main = _MAIN.search(page)
    if main is None:
        return page
    taken = set(_ID.findall(page))
    entries: list[str] = []
    counters = [0, 0]
    parent_numbered = False

    def heading(match: re.Match[str]) -> str:
        nonlocal parent_numbered
        tag, attrs, inner = match["tag"], match["attrs"], match["inner"]
        level = int(tag[1])
        text = " ".join(_TAG.sub("", _ANCHOR_LINK.sub("", inner)).split())
        unnumbered = re.search(r'\sclass="[^"]*\bunnumbered\b', attrs) is not None
        found = _ID.search(attrs)
        ident = found.group(1) if found else _slug(html.unescape(text), taken)
        if not found:
            attrs = f'{attrs} id="{html.escape(ident, quote=True)}"'
        number = ""
        if level == 1:
            parent_numbered = not unnumbered
            if parent_numbered:
                counters[0] += 1
                counters[1] = 0
                number = str(counters[0])
        elif parent_numbered and not unnumbered:
            counters[1] += 1
            number = f"{counters[0]}.{counters[1]}"
        span = f'<span class="header-section-number">{number}</span> ' if number else ""
        entries.append(f'<li class="toc-{tag}"><a href="#{html.escape(ident, quote=True)}">'
                       f"{span}{text}</a></li>")
        return f"<{tag}{attrs}>{span}{inner}</{tag}>"

    body = _HEADING.sub(heading, main["body"])
    if not entries:
        return page
    nav = (f'<nav id="TOC" role="doc-toc"><h2 id="toc-title">{html.escape(toc_title)}</h2>'
           f"<ul>{''.join(entries)}</ul></nav>")
    return page[:main.start("body")] + "\n" + nav + body + page[main.end("body"):]


def render_html(executed: Path, target: Path, meta: ReportMeta, interactive: bool = True) -> Path:
    """Render an executed notebook to one offline HTML file at ``target``.

    Raises
    ------
    RenderError
        When nbconvert fails on the notebook.
    """
    exporter = _exporter()
    resources = {
        "coopreport": {
            "name": meta.name, "attachment_type": ATTACHMENT_MIMETYPE,
            "lang": meta.lang, "lang_tag": language_tag(meta.lang),
            "title": meta.title, "subtitle": meta.subtitle or "",
            "kicker": meta.kicker, "date": meta.date, "provenance": meta.provenance,
            "publisher": meta.publisher or "",
            "version": __version__, "font_css": font_css(),
            "css": REPORT_CSS.read_text(encoding="utf-8"),
            "vega_js": vega_javascript() if interactive else "",
            "chart_word": translate("chart.word", meta.lang),
            "colophon": translate("report.colophon", meta.lang),
        }
    }
    try:
        nb = sanitize_notebook(nbformat.read(executed, as_version=4), meta.lang)
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    except (OSError, ValueError, KeyError) as exc:
        raise RenderError(f"{executed}: cannot render HTML ({exc})") from exc
    body = number_sections(body, translate("report.contents", meta.lang))
    target.write_text(body, encoding="utf-8")
    return target
