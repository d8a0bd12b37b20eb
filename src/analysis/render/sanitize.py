"""What a notebook may put in a report: passive HTML, images as data, charts as Vega-Lite JSON.

``coopreport render`` accepts executed notebooks the runner did not make, so their outputs are
untrusted. Before the built-in renderer turns a notebook into HTML or PDF,
:func:`sanitize_notebook` keeps only these outputs, and only in these forms:

- ``text/html``: passed through :func:`clean_html` (nh3, the maintained Rust sanitiser): an
  allow-list of passive tags (text, lists, tables, figures, images); no ``<script>``,
  ``<style>``, ``<link>``, ``<iframe>``/``<object>``/``<embed>``, forms or inline SVG/MathML;
  no event-handler attributes; links only to ``http(s)``/``mailto``/relative targets; ``src``
  only as a ``data:image/...`` URI; ``style`` attributes only without ``url()``/``@import``;
- ``text/markdown``: rendered by the template and then cleaned the same way;
- Vega-Lite charts: drawn in the page only when nothing in the spec can make the browser
  load something or link anywhere (:mod:`analysis.render.vega_check`: an allow-list of value
  forms, inline data and expressions included); otherwise the chart's static SVG is shown;
- attachments (:class:`analysis.report.display.Attachment`, the full activity list): only a CSV or
  ZIP file in strict base64 with a plain file name suffix; the renderers make the download
  link themselves (a ``data:`` link is never taken from a notebook's HTML);
- ``image/svg+xml``, ``image/png``, ``image/jpeg``: shown as ``data:`` images (an SVG in an
  ``<img>`` runs no script and loads nothing); PNG/JPEG only when the data is base64;
- ``text/plain``, streams: escaped text;
- no more output than a report may carry (:mod:`analysis.report.output_budget`);
- Markdown cells: as they are, except that nothing in them is read as document metadata
  (:func:`inert_markdown`: a YAML block or a title block would replace the report's title,
  language and provenance line).

Everything else is dropped: ``application/javascript``, Jupyter widgets, LaTeX, PDF, unknown
types, raw cells, and output metadata (file names and ``isolated`` iframes among them). The
report's own outputs (:mod:`analysis.report.display`, :mod:`analysis.report.chart_images`) are
inside the allow-list, so they render as before.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

import nbformat
import nh3

from analysis.core.formats import ru_typography
from analysis.render.vega_check import spec_problem
from analysis.report.display import ATTACHMENT_MIMETYPE, check_attachment
from analysis.report.output_budget import bound_outputs, describe_cell

log = logging.getLogger(__name__)

VEGALITE_PREFIX = "application/vnd.vegalite."
ALLOWED_MIMETYPES = (
    "application/vnd.vegalite.v6+json", "application/vnd.vegalite.v5+json",
    ATTACHMENT_MIMETYPE,
    "text/html", "text/markdown", "image/svg+xml", "image/png", "image/jpeg", "text/plain",
)
TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s",
    "samp", "section", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
}
# removed together with their content (the others lose the tag and keep their text)
CLEAN_CONTENT_TAGS = {
    "script", "style", "iframe", "object", "embed", "noscript", "template", "svg", "math",
    "frame", "frameset", "applet", "noembed", "noframes", "xmp", "textarea", "select",
}
ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir", "style", "align"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
    "table": {"border"},
    "time": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto", "data"}
_CSS_FETCH = re.compile(r"url\s*\(|@import|image-set|expression\s*\(|\\|behavior|binding",
                        re.IGNORECASE)
_BASE64 = re.compile(r"[A-Za-z0-9+/=\s]*")


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Drop attribute values that would load something or leave the page."""
    if attribute in ("src", "srcset", "poster"):
        return value if value.strip().lower().startswith("data:image/") else None
    if attribute == "href" and value.strip().lower().startswith("data:"):
        return None
    if attribute == "style" and _CSS_FETCH.search(value):
        return None
    return value


def clean_html(html: str) -> str:
    """Passive HTML only: see the module docstring for what is kept."""
    return str(nh3.clean(
        html, tags=TAGS, clean_content_tags=CLEAN_CONTENT_TAGS, attributes=ATTRIBUTES,
        attribute_filter=_filter_attribute, url_schemes=URL_SCHEMES, link_rel=None,
        strip_comments=True))


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def sanitize_output(output: dict[str, Any]) -> dict[str, Any] | None:
    """One output as a report may show it, or None when nothing of it may be shown."""
    kind = output.get("output_type")
    if kind in ("stream", "error"):
        return output  # plain text; the templates escape it
    if kind not in ("display_data", "execute_result"):
        return None
    data: dict[str, Any] = {}
    for mimetype, value in output.get("data", {}).items():
        if mimetype not in ALLOWED_MIMETYPES:
            log.debug("dropped a %s output: not allowed in a report", mimetype)
            continue
        if mimetype.startswith(VEGALITE_PREFIX):
            problem = spec_problem(value)
            if problem is not None:
                log.warning("a chart is shown as a static image, not drawn in the page: its "
                            "spec has %s", problem)
                continue
        if mimetype in ("image/png", "image/jpeg") and not _BASE64.fullmatch(_text(value)):
            continue
        if mimetype == ATTACHMENT_MIMETYPE and check_attachment(value) is not None:
            log.warning("an attachment is left out of the report: %s", check_attachment(value))
            continue
        data[mimetype] = clean_html(_text(value)) if mimetype == "text/html" else value
    if not data:
        return None
    cleaned = dict(output)
    cleaned["data"] = data
    cleaned["metadata"] = {}  # file names, "isolated" iframes, sizes: none are needed
    return cleaned


_DELIMITER = re.compile(r"^(---|\.\.\.)[ \t]*$")


def inert_markdown(text: str) -> str:
    """A Markdown cell's text with nothing a renderer would read as document metadata.

    pandoc (the built-in PDF, and Quarto) reads a ``---`` line that starts a block (at the
    top, or after a blank line, with text right below it) as the opening of a YAML metadata
    block, and a first line beginning with ``%`` as a title block: either would replace the
    report's title, language or provenance. Such a ``---`` line becomes ``***`` (the same
    horizontal rule) and such a ``%`` is escaped; everything else is left as it is.
    """
    lines = text.split("\n")
    for index, line in enumerate(lines):
        opens = index == 0 or not lines[index - 1].strip()
        followed = index + 1 < len(lines) and lines[index + 1].strip() != ""
        if opens and followed and _DELIMITER.match(line):
            lines[index] = "***"
    if lines and lines[0].lstrip().startswith("%"):
        lines[0] = lines[0].replace("%", "\\%", 1)
    return "\n".join(lines)


TYPESET_TYPES = ("text/markdown", "text/html")  # the text a reader sees, not charts or data


def _typeset(output: Any, lang: str) -> Any:
    """A Russian report's text with no-break spaces where Russian lines must not break
    (:func:`analysis.core.formats.ru_typography`: "2022 г.", "5,2 млн долл. США", "в Ташкенте",
    "значение — 23"), in both renderers. Only spaces between such words change, so markup is
    left as it is."""
    data = output.get("data") if lang == "ru" else None
    if isinstance(data, dict):
        for key in TYPESET_TYPES:
            value = data.get(key)
            if isinstance(value, list):
                value = "".join(value)
            if isinstance(value, str):
                data[key] = ru_typography(value)
    return output


def sanitize_notebook(nb: nbformat.NotebookNode, lang: str = "en") -> nbformat.NotebookNode:
    """A copy of ``nb`` with only what a report may show (the module docstring lists it), and
    no more output than a report may carry (:mod:`analysis.report.output_budget`; a note in
    ``lang`` says where it was cut)."""
    clean = copy.deepcopy(nb)
    cut = bound_outputs(clean, lang=lang)
    if cut:
        log.warning("the output of %d cell(s) was cut at the report's output limit (%s)",
                    len(cut), ", ".join(describe_cell(clean.cells, i) for i in cut))
    cells = []
    for cell in clean.cells:
        if cell.cell_type == "raw":
            continue
        if cell.cell_type == "code":
            outputs = [sanitize_output(o) for o in cell.get("outputs", [])]
            cell.outputs = [nbformat.from_dict(_typeset(o, lang)) for o in outputs
                            if o is not None]
        elif cell.cell_type == "markdown":
            cell.source = inert_markdown(cell.source)
            if lang == "ru":
                cell.source = ru_typography(cell.source)
        cells.append(cell)
    clean.cells = cells
    # widget state would be written into the page by nbconvert's footer
    clean.metadata.pop("widgets", None)
    return clean
