"""What a notebook may put in a report: active content and external resources never get through.

Unit tests of :mod:`analysis.render.sanitize` per class of hostile content, a check that the
report's own outputs are unchanged, and ``coopreport render`` of a hostile notebook end to end.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from pypdf import PdfReader

from analysis.cli import main
from analysis.render.sanitize import clean_html, sanitize_notebook
from analysis.report.display import Bullets, Heading, Paragraph, Span, Table


def _png_1x1() -> str:
    """A valid 1x1 grey PNG, base64 as Jupyter stores it."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body)))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    raw = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\x80"))
    return base64.b64encode(raw + chunk(b"IEND", b"")).decode("ascii")


PNG = _png_1x1()


@pytest.mark.parametrize(("hostile", "expected"), [
    # scripts, with their content
    ("<script>alert(1)</script><p>x</p>", "<p>x</p>"),
    ("<SCRIPT SRC=https://example.invalid/x.js></SCRIPT>t", "t"),
    # event handlers, on any tag
    ("<div onclick=\"alert(1)\" onmouseover='x'>t</div>", "<div>t</div>"),
    ("<img src=https://example.invalid/x.png onerror=alert(2)>", "<img>"),
    # javascript: and data: links
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href=" JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="data:text/html,hi">x</a>', "<a>x</a>"),
    # frames, objects, embeds, forms, SVG, MathML: gone with their content
    ('<iframe src="https://example.invalid/"></iframe>', ""),
    ('<object data="https://example.invalid/x.swf"></object>', ""),
    ('<embed src="https://example.invalid/x.swf">', ""),
    ('<svg onload="alert(1)"><image href="https://example.invalid/x.png"/></svg>', ""),
    ("<math><mi>x</mi></math>", ""),
    ('<form action="https://example.invalid/"><input name=q></form>', ""),
    # style sheets and anything in <head>
    ('<link rel="stylesheet" href="https://example.invalid/x.css">', ""),
    ("<style>@import url(https://example.invalid/x.css);</style><p>y</p>", "<p>y</p>"),
    ("<style>p { background: url(https://example.invalid/x.png) }</style>", ""),
    ('<base href="https://example.invalid/">', ""),
    ('<meta http-equiv="refresh" content="0;url=https://example.invalid/">', ""),
    # external resources in attributes
    ('<img srcset="https://example.invalid/x.png 2x">', "<img>"),
    ('<img src="/etc/passwd">', "<img>"),
    ('<img src="x.png">', "<img>"),
    ('<video poster="https://example.invalid/p.png" src="https://example.invalid/v.mp4">'
     "</video>", ""),
    ('<p style="background: url(https://example.invalid/x.png)">z</p>', "<p>z</p>"),
    ('<p style="background: u\\72l(https://example.invalid/x.png)">z</p>', "<p>z</p>"),
    ("<!-- a comment --><p>c</p>", "<p>c</p>"),
])
def test_clean_html_removes_each_class(hostile, expected):
    assert clean_html(hostile) == expected


@pytest.mark.parametrize("passive", [
    f'<img src="data:image/png;base64,{PNG}" alt="a chart">',
    '<p style="color: red">z</p>',
    '<a href="https://example.org/news/1">source</a>',
    '<a href="mailto:team@example.org">mail</a>',
    '<a href="#section-2">see below</a>',
    '<table border="1" class="dataframe"><thead><tr style="text-align: right;"><th></th>'
    "<th>n</th></tr></thead><tbody><tr><th>0</th><td>1</td></tr></tbody></table>",
])
def test_clean_html_keeps_passive_html(passive):
    assert clean_html(passive) == passive


class _Events(HTMLParser):
    """The parse of an HTML fragment as (event, tag, attributes, text): what a browser builds."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, str, tuple[tuple[str, str | None], ...], str]] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.events.append(("start", tag, tuple(attrs), ""))

    def handle_endtag(self, tag):
        self.events.append(("end", tag, (), ""))

    def handle_data(self, data):
        self.events.append(("data", "", (), data))


def test_report_outputs_are_unchanged():
    table = Table(pd.DataFrame({"Partner": [Span("World Bank", href="https://example.org/wb")],
                                "Activities": [3]}), caption="Partners", numeric=("Activities",))
    # written by hand from display.py's rules
    assert clean_html(table._repr_html_()) == (
        '<table class="report-table"><caption>Partners</caption><thead><tr><th>Partner</th>'
        '<th class="num">Activities</th></tr></thead><tbody><tr><td>'
        '<a href="https://example.org/wb">World Bank</a></td><td class="num">3</td></tr>'
        "</tbody></table>")
    heading = Heading("Key figures", level=2)
    assert clean_html(heading._repr_html_()) == "<h2>Key figures</h2>"
    paragraph = Paragraph("In 2023 there were ", Span("4", strong=True), " activities.")
    assert clean_html(paragraph._repr_html_()) == (
        "<p>In 2023 there were <strong>4</strong> activities.</p>")
    # text from the data with characters HTML escapes: the same document, entity for entity
    hostile = ["<script>alert(1)</script>", "Tom & Jerry's \"plan\" <b>", "Ўў Ққ"]
    for html in (Bullets(tuple((text,) for text in hostile))._repr_html_(),
                 Table(pd.DataFrame({"Title": hostile}), caption="<i>x</i> & 'y'")._repr_html_(),
                 Heading(hostile[1])._repr_html_()):
        assert _Events(clean_html(html)).events == _Events(html).events


def _notebook(outputs: list[dict], **extra_cells: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {}
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    nb.cells = [cell]
    for kind, source in extra_cells.items():
        nb.cells.append(getattr(nbformat.v4, f"new_{kind}_cell")(source))
    return nb


def _display(data: dict, metadata: dict | None = None) -> dict:
    return {"output_type": "display_data", "data": data, "metadata": metadata or {}}


SPEC = {"mark": "bar", "data": {"values": [{"a": 1}]},
        "encoding": {"x": {"field": "a", "type": "quantitative"}}}
# a link channel: a click on a mark would open what the data says (javascript: included)
LINKED = {**SPEC, "encoding": {**SPEC["encoding"], "href": {"field": "a", "type": "nominal"}}}
SVG = '<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'


def test_sanitize_notebook_keeps_only_passive_outputs():
    nb = _notebook([
        _display({"application/javascript": "alert(1)"}),
        _display({"application/vnd.jupyter.widget-view+json": {"model_id": "m"},
                  "text/plain": "Widget"}),
        _display({"text/html": "<p onclick=x>t<script>alert(1)</script></p>",
                  "text/latex": "$x$"}, {"text/html": {"isolated": True}}),
        _display({"image/png": PNG}, {"filenames": {"image/png": "https://example.invalid/x"},
                                      "image/png": {"width": "1 onerror=alert(1)"}}),
        _display({"image/png": 'x" onerror="alert(1)'}),
        _display({"application/vnd.vegalite.v6+json": SPEC, "image/svg+xml": SVG}),
        _display({"application/vnd.vegalite.v6+json":
                  {**SPEC, "data": {"url": "https://example.invalid/d.json"}},
                  "image/svg+xml": SVG}),
        _display({"application/vnd.vegalite.v5+json": {**SPEC, "usermeta": {"embedOptions": {}}},
                  "image/svg+xml": SVG}),
        _display({"application/vnd.vegalite.v6+json": LINKED, "image/svg+xml": SVG}),
        {"output_type": "stream", "name": "stdout", "text": "<b>printed</b>"},
    ], raw="<script>alert(3)</script>", markdown="# Heading")
    clean = sanitize_notebook(nb)
    outputs = clean.cells[0].outputs
    assert [dict(o.get("data", {})) for o in outputs] == [
        {"text/plain": "Widget"},
        {"text/html": "<p>t</p>"},
        {"image/png": PNG},
        {"application/vnd.vegalite.v6+json": SPEC, "image/svg+xml": SVG},
        {"image/svg+xml": SVG},  # loads data from the network: static image only
        {"image/svg+xml": SVG},  # vega-embed options: static image only
        {"image/svg+xml": SVG},  # links from the data: static image only
        {},  # the stream, as it was
    ]
    assert all(o.get("metadata", {}) == {} for o in outputs[:-1])
    assert outputs[-1].text == "<b>printed</b>"  # streams are escaped by the templates
    assert [c.cell_type for c in clean.cells] == ["code", "markdown"]  # no raw cell
    assert "widgets" not in clean.metadata
    assert nb.cells[0].outputs[0].data == {"application/javascript": "alert(1)"}  # a copy


HOSTILE_HTML = ('<p>Foreign table</p><script>alert(1)</script>'
                '<img src=https://example.invalid/x.png onerror=alert(2)>'
                '<a href="javascript:alert(3)">click</a>')
HOSTILE_MARKDOWN = ("Markdown output <script>alert(4)</script> "
                    "![remote](https://example.invalid/y.png) [link](javascript:alert(5))")


def hostile_notebook(folder: Path) -> Path:
    nb = _notebook([
        _display({"text/html": HOSTILE_HTML, "text/plain": "t"}),
        _display({"text/markdown": HOSTILE_MARKDOWN}),
        _display({"application/javascript": "alert(6)"}),
        _display({"image/png": PNG}, {"filenames": {"image/png": "https://example.invalid/z"}}),
    ], markdown="A markdown cell <img src=https://example.invalid/w.png onerror=alert(7)> "
                "<iframe src=https://example.invalid/></iframe>")
    nb.metadata["coopreport"] = {"name": "hostile", "title": "Hostile notebook"}
    path = folder / "hostile.ipynb"
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_render_publishes_no_active_content_or_external_resource(tmp_path, capsys):
    executed = hostile_notebook(tmp_path)
    out = tmp_path / "out"
    assert main(["render", str(executed), "--output-dir", str(out), "--renderer",
                 "builtin"]) == 0
    html = (out / "hostile.html").read_text(encoding="utf-8")
    assert "example.invalid" not in html
    assert not re.search(r"alert\(\d\)", html)
    assert not re.search(r"\son[a-z]+\s*=", html)
    assert "javascript:" not in html.lower()
    assert "<iframe" not in html
    # the only scripts are the template's: the Vega bundle and the code that draws charts
    assert len(re.findall(r"<script\b", html)) == 2
    assert "Foreign table" in html and "Markdown output" in html and "A markdown cell" in html
    assert f'src="data:image/png;base64,{PNG}"' in html

    text = "\n".join(p.extract_text() for p in PdfReader(out / "hostile.pdf").pages)
    assert "Foreign table" in text and "Markdown output" in text and "A markdown cell" in text
    assert "remote" in text and "link" in text  # an image and a link keep just their text


def test_sanitize_keeps_valid_attachments_only():
    from analysis.report.display import ATTACHMENT_MIMETYPE

    good = {"suffix": "activities.csv", "mediatype": "text/csv", "label": "List",
            "base64": "YSxiDQo="}
    bad = dict(good, mediatype="text/html", base64="PHNjcmlwdD4=")
    nb = sanitize_notebook(_notebook([
        _display({ATTACHMENT_MIMETYPE: good, "text/markdown": "note"}),
        _display({ATTACHMENT_MIMETYPE: bad, "text/markdown": "note"}),
    ]))
    first, second = nb.cells[0].outputs
    assert first["data"][ATTACHMENT_MIMETYPE] == good
    assert ATTACHMENT_MIMETYPE not in second["data"] and second["data"]["text/markdown"] == "note"


def test_a_notebook_from_elsewhere_carries_no_more_output_than_a_report_may(monkeypatch,
                                                                            caplog):
    """coopreport render applies the build's output bound (issue 21): with a limit of 100
    bytes a cell keeps 20, with the note in the report's language; the build's warning output
    is not shown, the render's log says which cell was cut."""
    monkeypatch.setenv("COOPREPORT_OUTPUT_LIMIT", "100")
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(big)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a" * 50)]
    nb.cells = [cell]
    with caplog.at_level("WARNING", logger="analysis.render.sanitize"):
        clean = sanitize_notebook(nb, "ru")
    texts = [o.get("text") or o["data"]["text/plain"] for o in clean.cells[0].outputs]
    assert texts == ["a" * 20, "Здесь текст сокращён: эта часть отчёта превышает допустимый "
                     "для одной части объём (1\u00a0КБ), поэтому её остаток не показан."]
    assert "the output of 1 cell(s) was cut at the report's output limit (cell 1 (print(big)" \
        in caplog.text
    assert len(nb.cells[0].outputs[0].text) == 50  # the notebook given is left as it was


def test_a_russian_report_keeps_numbers_units_and_short_words_together():
    """Both renderers read the sanitised notebook: its text gets Russian no-break spaces."""
    import nbformat

    from analysis.render.sanitize import sanitize_notebook

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x", outputs=[nbformat.v4.new_output(
        "display_data", data={"text/markdown": "В 2022 г. — 5,2 млн долл. США",
                              "text/html": "<p>В 2022 г. — 5,2 млн долл. США</p>",
                              "text/plain": "В 2022 г."})])
    nb.cells = [cell, nbformat.v4.new_markdown_cell("Текст в Ташкенте")]
    ru = sanitize_notebook(nb, "ru")
    data = ru.cells[0].outputs[0].data
    assert data["text/markdown"] == "В\xa02022\xa0г.\xa0— 5,2\xa0млн\xa0долл.\xa0США"
    assert data["text/html"] == "<p>В\xa02022\xa0г.\xa0— 5,2\xa0млн\xa0долл.\xa0США</p>"
    assert ru.cells[1].source == "Текст в\xa0Ташкенте"
    en = sanitize_notebook(nb, "en")
    assert en.cells[0].outputs[0].data["text/markdown"] == "В 2022 г. — 5,2 млн долл. США"
