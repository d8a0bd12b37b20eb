"""The Quarto renderer: the notebook Quarto gets (no Quarto needed), the project, the errors,
and real ``coopreport build --renderer quarto`` builds (skipped, with the reason, when Quarto
is not installed). Expectations are written by hand.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
import stat
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import pandas as pd
import pytest
import yaml

from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import RenderError, UnavailableError
from analysis.render.meta import ReportMeta
from analysis.render.notebook import choose_renderer
from analysis.render.quarto import html_problems, render_with_quarto, vega_include_html
from analysis.render.quarto_cli import find_quarto, hidden_components
from analysis.render.quarto_prepare import (
    FIGURES_DIR,
    PreparedReport,
    chart_html,
    html_slot,
    literal_html,
    raw_block,
    widget_triggers,
)
from analysis.render.quarto_prepare import prepare_for_quarto as prepare_report
from analysis.report.display import Heading, Paragraph, Table

HOSTILE = "</script><script>alert(1)</script>"
CHART_TITLE = f"Activities {HOSTILE}"
SPEC = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
    "title": CHART_TITLE,
    "mark": "bar",
    "data": {"values": [{"year": 2024, "n": 3}]},
    "encoding": {"x": {"field": "year", "type": "ordinal"},
                 "y": {"field": "n", "type": "quantitative"}},
}
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect/></svg>'
META = ReportMeta(
    name="fixture", title="Report <b>1</b>", subtitle="2017–2026: *all*", lang="en",
    date="12 March 2026", kicker="Development cooperation report",
    provenance="coopreport 0.1 · parameters: label=</script>",
    record={"built_at": "2026-03-12T10:00:00Z"},
)


def display(obj: object) -> nbformat.NotebookNode:
    """The display_data output IPython makes for one of our display objects."""
    data = {"text/plain": repr(obj)}
    if hasattr(obj, "_repr_html_"):
        data["text/html"] = obj._repr_html_()
    if hasattr(obj, "_repr_markdown_"):
        data["text/markdown"] = obj._repr_markdown_()
    return nbformat.v4.new_output("display_data", data=data)


def chart_output() -> nbformat.NotebookNode:
    return nbformat.v4.new_output("display_data", data={
        "application/vnd.vegalite.v6+json": SPEC, "image/svg+xml": SVG,
        "image/png": base64.b64encode(b"png").decode("ascii"), "text/plain": "<Chart>",
    })


def code(cell_id: str, source: str, outputs: list[nbformat.NotebookNode],
         tags: tuple[str, ...] = ()) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, outputs=outputs, execution_count=1,
                                     metadata={"tags": list(tags)} if tags else {})
    cell["id"] = cell_id
    return cell


def executed_notebook() -> nbformat.NotebookNode:
    """A small executed report notebook, as papermill leaves it."""
    intro = nbformat.v4.new_markdown_cell("Intro for analysts only",
                                          metadata={"tags": ["remove-cell"]})
    intro["id"] = "intro"
    narrative = nbformat.v4.new_markdown_cell("Narrative written in the notebook.")
    narrative["id"] = "narrative"
    stdout = nbformat.v4.new_output("stream", name="stdout", text="printed by parameters\n")
    injected = nbformat.v4.new_output("execute_result", data={"text/plain": "'injected'"},
                                      execution_count=1)
    frame = nbformat.v4.new_output("display_data", data={
        "text/html": "<table><tr><td>pandas</td></tr></table>", "text/plain": "pandas"})
    table = Table(pd.DataFrame({"partner": ["WB <x>"], "n": [2]}),
                  "Partners <i>&</i> 'quotes'", numeric=("n",))
    nb = nbformat.v4.new_notebook(metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
        "coopreport": {"name": "fixture", "title": "Report <b>1</b>",
                       "subtitle": "2017–2026: *all*",
                       "provenance": {"built_at": "2026-03-12T10:00:00Z",
                                      "package_version": "0.1",
                                      "parameters": {"label": "</script>"}}},
    })
    nb.cells = [
        intro,
        code("params", "label = 'default'", [stdout], tags=("parameters",)),
        code("injected", "label = 'x'", [injected], tags=("injected-parameters",)),
        narrative,
        code("imports", "import analysis", []),
        code("section", "display(Heading(...)); display(chart); table; paragraph",
             [display(Heading("Activity <b>by</b> year")), chart_output(), display(table),
              display(Paragraph("Three activities & more <script>"))]),
        code("frame", "frame", [frame]),
        code("gone", "secret()", [display(Paragraph("hidden"))], tags=("remove-cell",)),
    ]
    return nb


def prepare_for_quarto(nb: nbformat.NotebookNode, meta: ReportMeta,
                       interactive: bool | str = False) -> nbformat.NotebookNode:
    """The prepared notebook alone, each HTML slot filled with its block, as the page gets it
    (most tests look only at that)."""
    return filled(prepare_report(nb, meta, bool(interactive)))


def filled(prepared: PreparedReport) -> nbformat.NotebookNode:
    """The prepared notebook with each HTML slot replaced by its block."""
    nb = copy.deepcopy(prepared.notebook)
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            data = output.get("data", {})
            for number, block in enumerate(prepared.html_blocks, start=1):
                if "text/markdown" in data:
                    data["text/markdown"] = data["text/markdown"].replace(html_slot(number),
                                                                          block.rstrip("\n"))
    return nb


def front(nb: nbformat.NotebookNode) -> dict[str, object]:
    head = nb.cells[0]
    assert head.cell_type == "raw"
    assert head.source.startswith("---\n") and head.source.endswith("\n---")
    loaded = yaml.safe_load(head.source[4:-4])
    assert isinstance(loaded, dict)
    return loaded


def options(cell: nbformat.NotebookNode) -> dict[str, object]:
    lines = cell.source.splitlines()
    assert all(line.startswith("#| ") for line in lines), cell.source
    return yaml.safe_load("\n".join(line[3:] for line in lines)) or {}


# ------------------------------------------------------------------ prepare_for_quarto


def test_front_matter_is_escaped_markdown_for_the_templates():
    prepared = prepare_for_quarto(executed_notebook(), META, "_vega.html")
    assert front(prepared) == {
        "title": r"Report \<b\>1\<\/b\>",
        "subtitle": r"2017–2026\: \*all\*",
        "toc-title": "Contents",
        "coopreport-kicker": "Development cooperation report",
        "coopreport-date": "12 March 2026",
        "coopreport-provenance": r"coopreport 0\.1 · parameters\: label\=\<\/script\>",
        "coopreport-colophon": "About this edition",  # its heading, at the end
        "lang": "en",
        "coopreport-lang": "en",  # Typst's language ("uz" where the page says "uz-Latn")
        "date": "2026-03-12",
        "execute": {"echo": False, "warning": False},
    }  # no "format": every format of _quarto.yml (naming one renders only that one)


def test_russian_report_gets_the_russian_contents_title():
    meta = ReportMeta(**{**META.__dict__, "lang": "ru"})
    assert front(prepare_for_quarto(executed_notebook(), meta))["toc-title"] == "Содержание"


def test_removed_cells_parameters_outputs_and_code_are_gone():
    prepared = prepare_for_quarto(executed_notebook(), META, "_vega.html")
    text = json.dumps(prepared)
    for gone in ("Intro for analysts", "printed by parameters", "'injected'", "hidden",
                 "import analysis", "display(Heading", "remove-cell"):
        assert gone not in text
    kinds = [c.cell_type for c in prepared.cells]
    # front matter, narrative, heading, chart, table, paragraph, frame, footer
    assert kinds == ["raw", "markdown", "code", "code", "code", "code", "code", "raw"]
    assert prepared.cells[1].source == "Narrative written in the notebook."
    assert all(len(c.outputs) == 1 for c in prepared.cells if c.cell_type == "code")


def test_cell_options_number_figures_and_tables_and_keep_narrative_asis():
    cells = [c for c in prepare_for_quarto(executed_notebook(), META, "_vega.html").cells
             if c.cell_type == "code"]
    assert [options(c) for c in cells] == [
        {"echo": False, "output": "asis"},
        {"echo": False, "label": "fig-1",
         "fig-cap": r"Activities \<\/script\>\<script\>alert\(1\)\<\/script\>"},
        {"echo": False, "output": "asis"},  # the table float: Markdown of its own
        {"echo": False, "output": "asis"},
        {"echo": False},
    ]
    # the caption is one JSON-quoted YAML line, never the raw title
    assert cells[1].source.splitlines()[2] == (
        r'#| fig-cap: "Activities \\<\\/script\\>\\<script\\>alert\\(1\\)\\<\\/script\\>"')
    heading, paragraph = cells[0].outputs[0].data, cells[3].outputs[0].data
    assert heading["text/markdown"] == "\n# Activity \\<b\\>by\\<\\/b\\> year\n"
    assert paragraph["text/markdown"] == "\nThree activities \\& more \\<script\\>\n"
    assert "text/html" not in heading and "text/html" not in paragraph


def test_html_the_report_did_not_make_becomes_markdown_without_scripts():
    # a plain DataFrame's HTML: pandoc's Markdown keeps the table, drops the script
    nb = executed_notebook()
    frame = nb.cells[6].outputs[0]
    frame.data["text/html"] = ("<table><tr><th>partner</th></tr><tr><td>pandas</td></tr>"
                               "</table><script>alert(1)</script>")
    data = prepare_for_quarto(nb, META).cells[-2].outputs[0].data
    assert set(data) == {"text/markdown", "text/plain"}
    lines = [line.strip() for line in data["text/markdown"].strip().splitlines()]
    # the HTML is cleaned as a browser parses it: rows outside <thead> are body rows, so the
    # table has no header row, just its two rows between rules
    assert lines == ["---------", "partner", "pandas", "---------"]
    assert "alert" not in data["text/markdown"] and "<" not in data["text/markdown"]


def test_no_output_makes_quarto_load_widget_scripts_from_a_cdn():
    nb = executed_notebook()
    js = nbformat.v4.new_output("display_data", data={
        "application/javascript": "alert(1)", "text/plain": "<IPython.Javascript>"})
    widget = nbformat.v4.new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "x"}, "text/plain": "w"})
    only_js = nbformat.v4.new_output("display_data", data={"application/javascript": "x()"})
    nb.cells.append(code("active", "js", [js, widget, only_js]))
    # heading, table, paragraph; frame; the removed cell's paragraph; js, widget, js
    assert len(widget_triggers(nb)) == 8
    prepared = prepare_for_quarto(nb, META, "_vega.html")
    assert widget_triggers(prepared) == []
    active = [c for c in prepared.cells if c.get("id", "").startswith("active")]
    # the JavaScript and widget forms are gone; an output with nothing else is left out
    assert [c.outputs[0].data for c in active] == [{"text/plain": "<IPython.Javascript>"},
                                                   {"text/plain": "w"}]


def test_raw_html_in_markdown_becomes_literal_text_outside_code():
    markdown = ("Intro <script>alert(1)</script> and <img src=x onerror=alert(2)>\n"
                "<!-- note --> <https://example.org> a < b, `<code>` kept\n"
                "```\n<b>in a block</b>\n```\n"
                "Escaped \\<b\\> stays")
    assert literal_html(markdown) == (
        "Intro \\<script>alert(1)\\</script> and \\<img src=x onerror=alert(2)>\n"
        "\\<!-- note --> \\<https://example.org> a < b, `<code>` kept\n"
        "```\n<b>in a block</b>\n```\n"
        "Escaped \\<b\\> stays")


def test_foreign_markdown_outputs_and_cells_reach_quarto_without_raw_html():
    nb = executed_notebook()
    nb.cells[3].source = "Narrative <iframe src=https://example.org></iframe>"
    nb.cells.append(code("md", "Markdown(...)", [nbformat.v4.new_output(
        "display_data", data={"text/markdown": "**x** <script>alert(1)</script>",
                              "text/plain": "x"})]))
    prepared = prepare_for_quarto(nb, META)
    assert prepared.cells[1].source == "Narrative \\<iframe src=https://example.org>\\</iframe>"
    md = [c for c in prepared.cells if c.get("id", "").startswith("md")][0]
    assert md.outputs[0].data["text/markdown"] == "\n**x** \\<script>alert(1)\\</script>\n"


def test_chart_that_loads_data_from_a_url_is_only_a_static_image():
    nb = executed_notebook()
    nb.cells[5].outputs[1].data["application/vnd.vegalite.v6+json"] = {
        **SPEC, "data": {"url": "https://example.org/data.csv"}}
    prepared = prepare_report(nb, META, "_vega.html")
    chart = [c for c in prepared.notebook.cells if c.cell_type == "code"][1]
    assert set(chart.outputs[0].data) == {"image/svg+xml", "image/png", "text/plain"}
    assert prepared.files == {}  # Quarto draws the image itself, in both formats


def test_stderr_is_left_out_and_stdout_kept():
    nb = executed_notebook()
    nb.cells.append(code("streams", "print()", [
        nbformat.v4.new_output("stream", name="stderr", text="FutureWarning: x\n"),
        nbformat.v4.new_output("stream", name="stdout", text="kept\n")]))
    streams = [c for c in prepare_for_quarto(nb, META).cells
               if c.get("id", "").startswith("streams")]
    assert [c.outputs[0].text for c in streams] == ["kept\n"]


def test_table_is_a_quarto_float_holding_the_builtin_html_and_typst_table():
    prepared = prepare_report(executed_notebook(), META)
    cells = [c for c in prepared.notebook.cells if c.cell_type == "code"]
    data = cells[2].outputs[0].data
    assert "text/html" not in data  # no widget scripts; the HTML is a raw block
    markdown = data["text/markdown"]
    match = re.fullmatch(
        r"\n::: \{#tbl-1\}\n```\{=html\}\n(?P<slot>[^\n]*)\n```\n\n"
        r"```\{=typst\}\n(?P<typst>.*)\n```\n\n(?P<caption>[^\n]*)\n:::\n", markdown, re.S)
    assert match, markdown
    # one caption, Quarto's (numbered), from the escaped Markdown; none in the HTML table
    assert match["caption"] == "Partners \\<i\\>\\&\\<\\/i\\> \\'quotes\\'"
    assert match["slot"] == html_slot(2)  # the chart's HTML is block 1
    assert prepared.html_blocks[1] == (
        '<table class="report-table"><thead><tr><th>partner</th><th class="num">n</th></tr>'
        '</thead><tbody><tr><td>WB &lt;x&gt;</td><td class="num">2</td></tr></tbody></table>')
    # the Typst the built-in PDF writes for it (pandoc + typst-literal.lua), caption left out
    typst = match["typst"]
    # a short table is kept on one page (typst-literal.lua), as in the built-in PDF
    assert typst.startswith("#[#show figure.where(kind: table): it => it.body\n"
                            "#block(breakable: false)[\n#figure(")
    assert "columns: 2," in typst and "align: (left,right,)," in typst
    assert "table.header([partner], [n],)," in typst and "[WB \\<x\\>], [2]," in typst
    assert "caption" not in typst and "Partners" not in typst


def test_table_widths_and_compact_type_are_the_builtin_pdfs():
    nb = executed_notebook()
    table = Table(pd.DataFrame({"a": ["- x"], "b": ["https://example.org/a/long/path/1"]}),
                  "Annex", widths=(1, 3), classes=("compact",))
    nb.cells.append(code("annex", "table", [display(table)]))
    [*_, annex] = [c for c in prepare_for_quarto(nb, META).cells if c.cell_type == "code"]
    markdown = annex.outputs[0].data["text/markdown"]
    assert "columns: (25%, 75%)," in markdown  # tbl-colwidths, as percentages
    assert "#[#show table: set text(size: 7.5pt)" in markdown  # the annex's smaller type
    assert "[\\- x]" in markdown  # a list marker at a cell's start stays text
    assert "#box[https:]" in markdown  # a long address may break after its separators
    assert '<table class="report-table compact"><colgroup>' in markdown


def chart_blocks(markdown: str) -> tuple[str, str]:
    """The ```{=html} and ```{=typst} raw blocks of a prepared chart's Markdown."""
    match = re.fullmatch(r"\n```\{=html\}\n(.*)\n```\n\n```\{=typst\}\n(.*)\n```\n",
                         markdown, re.S)
    assert match, markdown
    return match.group(1), match.group(2)


def test_chart_is_raw_html_for_the_page_and_raw_typst_drawing_its_svg_file():
    prepared = prepare_report(executed_notebook(), META, True)
    chart = [c for c in filled(prepared).cells if c.cell_type == "code"][1]
    data = chart.outputs[0].data
    assert set(data) == {"text/markdown", "text/plain"}  # no text/html: no CDN widget scripts
    page, typst = chart_blocks(data["text/markdown"])
    assert typst == f'#box(image("{FIGURES_DIR}/chart-1.svg"))'
    assert prepared.files == {f"{FIGURES_DIR}/chart-1.svg": SVG.encode("utf-8")}
    assert HOSTILE not in page and "<script><script>" not in page
    assert page.count("<script") == 1  # only the JSON block
    label = "Activities &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert f'<div class="vega-chart" role="img" aria-label="{label}"></div>' in page
    svg64 = base64.b64encode(SVG.encode("utf-8")).decode("ascii")
    assert f'<img alt="{label}" src="data:image/svg+xml;base64,{svg64}">' in page
    match = re.search(r'<script type="application/json" class="vega-spec">(.*?)</script>',
                      page, re.S)
    assert match and "\\u003c/script\\u003e" in match.group(1)
    assert json.loads(match.group(1)) == SPEC


def test_png_only_chart_draws_its_png_in_both_formats():
    nb = executed_notebook()
    data = nb.cells[5].outputs[1].data
    del data["image/svg+xml"]
    data["image/png"] = base64.b64encode(b"\x89PNG fake").decode("ascii")
    prepared = prepare_report(nb, META)
    chart = [c for c in filled(prepared).cells if c.cell_type == "code"][1]
    page, typst = chart_blocks(chart.outputs[0].data["text/markdown"])
    assert typst == f'#box(image("{FIGURES_DIR}/chart-1.png"))'
    assert prepared.files == {f"{FIGURES_DIR}/chart-1.png": b"\x89PNG fake"}
    assert f'src="data:image/png;base64,{data["image/png"]}"' in page
    assert "vega-spec" not in page  # static: no vega path was given


def test_raw_block_fence_outruns_any_backticks_in_the_content():
    assert raw_block("html", "<p>a</p>\n") == "```{=html}\n<p>a</p>\n```\n"
    assert raw_block("html", "<p>````</p>") == "`````{=html}\n<p>````</p>\n`````\n"


def test_chart_html_without_image_has_no_fallback():
    page = chart_html({"mark": "bar"}, None, "")
    assert 'aria-label="chart"' in page and "<img" not in page


def test_static_charts_and_no_vega_include_without_a_vega_path():
    prepared = prepare_for_quarto(executed_notebook(), META)
    assert "format" not in front(prepared)
    chart = [c for c in prepared.cells if c.cell_type == "code"][1]
    page, _ = chart_blocks(chart.outputs[0].data["text/markdown"])
    assert "vega-spec" not in page and "vega-chart" not in page and "<img" in page
    assert options(chart)["label"] == "fig-1"


def test_no_vega_include_for_a_report_without_charts():
    nb = executed_notebook()
    nb.cells = [c for c in nb.cells if c.get("id") != "section"]
    assert "format" not in front(prepare_for_quarto(nb, META, "_vega.html"))


def test_prepared_notebook_is_valid_and_the_original_unchanged():
    nb = executed_notebook()
    before = copy.deepcopy(nb)
    prepared = prepare_for_quarto(nb, META, "_vega.html")
    assert nb == before
    nbformat.validate(prepared)
    ids = [c["id"] for c in prepared.cells]
    assert len(ids) == len(set(ids))
    footer = prepared.cells[-1]
    assert footer.metadata == {"raw_mimetype": "text/html"}
    assert footer.source == ('<footer class="report-footer"><p class="colophon-title">About '
                             'this edition</p><p>coopreport 0.1 · parameters: '
                             "label=&lt;/script&gt;</p></footer>")


def test_vega_include_holds_the_bundle_and_one_start_up_script():
    include = vega_include_html("window.vegaEmbed = function () {};")
    assert include.startswith("<script>window.vegaEmbed = function () {};</script>\n<script>")
    assert include.count("<script>") == 2
    assert include.count('querySelectorAll(".coopreport-chart")') == 1
    assert "document.fonts.ready.then(draw, draw)" in include  # labels measured in Noto Sans


# ------------------------------------------------------------------ the Quarto project


def test_the_quarto_project_gets_the_builtin_renderers_style_sheet(tmp_path):
    """One look, one file: the project copy's styles/report.css is the built-in renderer's."""
    from analysis.render.html import REPORT_CSS
    from analysis.render.quarto import copy_project

    copy_project(tmp_path)
    assert (tmp_path / "styles" / "report.css").read_bytes() == REPORT_CSS.read_bytes()
    assert not (paths.reports_dir() / "styles" / "report.css").exists()  # no second copy


def test_quarto_project_never_executes_and_names_existing_files():
    config = yaml.safe_load((paths.reports_dir() / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["project"]["output-dir"] == "_build"
    assert config["execute"] == {"enabled": False, "echo": False, "warning": False}
    html, typst = config["format"]["html"], config["format"]["typst"]
    # finish_html inlines the styles; Quarto leaves our raw HTML tables alone
    assert html["embed-resources"] is False and html["title-block-style"] == "none"
    assert config["html-table-processing"] == "none"
    assert html["toc"] is True and typst["toc"] is True
    assert html["number-sections"] is True and typst["number-sections"] is True
    assert typst["mainfont"] == "Noto Sans" and typst["font-paths"] == ["fonts"]
    for name in [*html["template-partials"], *typst["template-partials"],
                 *[c for c in html["css"] if c not in ("styles/fonts.css", "styles/report.css")]]:
        assert (paths.reports_dir() / name).is_file(), name
    assert sorted(typst["template-partials"]) == ["typst-show.typ", "typst-template.typ"]


def test_typst_show_passes_every_title_block_text_to_article():
    show = (paths.reports_dir() / "typst-show.typ").read_text(encoding="utf-8")
    template = (paths.reports_dir() / "typst-template.typ").read_text(encoding="utf-8")
    for variable, argument in (("title", "title"), ("subtitle", "subtitle"),
                               ("coopreport-kicker", "kicker"), ("coopreport-date", "date"),
                               ("coopreport-publisher", "publisher"),
                               ("coopreport-provenance", "provenance"), ("toc-title", "toc_title"),
                               ("coopreport-colophon", "colophon_title")):
        assert f"  {argument}: [${variable}$]," in show
        assert f"  {argument}: none," in template
    # both renderers draw the page with the one shared module
    from analysis.render.pdf import TEMPLATE, TYPST_MODULE

    assert '#import "coopreport.typ": coopreport-page' in template
    assert '#import "coopreport.typ": coopreport-page' in TEMPLATE.read_text(encoding="utf-8")
    module = TYPST_MODULE.read_text(encoding="utf-8")
    assert 'counter(page).display("1 / 1", both: true)' in module
    assert "#let coopreport-page(" in module


# ------------------------------------------------------------------ errors, no Quarto output


def write_executed(folder: Path, nb: nbformat.NotebookNode, name: str = "fixture") -> Path:
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path


def executed_and_work(folder: Path, blocks: bool = True) -> tuple[Path, Path]:
    """The fixture notebook written to ``folder`` (without its chart and table unless
    ``blocks``: a stand-in's fixed page has no slots for them), and an empty work folder."""
    work = folder / "work"
    work.mkdir()
    nb = executed_notebook()
    if not blocks:
        nb.cells = [c for c in nb.cells if c.get("id") != "section"]
    return write_executed(folder, nb), work


def stand_in(folder: Path, script: str) -> str:
    """An executable standing in for quarto on the failure paths; it renders nothing."""
    path = folder / "quarto"
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_missing_quarto_is_unavailable_with_the_install_hint(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("QUARTO_PATH", raising=False)
    executed = write_executed(tmp_path, executed_notebook())
    with pytest.raises(UnavailableError, match="Quarto was not found; install Quarto") as caught:
        render_with_quarto(executed, tmp_path, ["pdf"])
    assert caught.value.exit_code == 69


def test_failing_quarto_reports_its_stderr(tmp_path, monkeypatch):
    monkeypatch.delenv("QUARTO_PYTHON", raising=False)
    monkeypatch.setenv("COOPREPORT_QUARTO_TMP", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    seen = tmp_path / "seen"
    quarto = stand_in(tmp_path, f'find . -type f | sort > "{seen}"\n'
                                f'cp report.md "{seen}.md"\n'
                                'echo "args: $*" >&2\n'
                                'echo "ERROR: typst compile failed: unknown font" >&2; exit 1')
    executed, work = executed_and_work(tmp_path)
    with pytest.raises(RenderError) as caught:
        render_with_quarto(executed, work, ["html", "pdf"], quarto=quarto)
    message = str(caught.value)
    assert message == (
        "report.md: quarto render --to all failed (exit 1):\n"
        "args: render report.md --to all --no-execute\n"  # one run, both formats
        "ERROR: typst compile failed: unknown font")
    # what Quarto was given: the project copy with the fonts, the chart file and the document
    given = seen.read_text(encoding="utf-8").split()
    for name in ("./_quarto.yml", "./typst-template.typ", "./fonts/NotoSans-Regular.ttf",
                 "./styles/fonts.css", "./report.md", f"./{FIGURES_DIR}/chart-1.svg"):
        assert name in given
    document = Path(f"{seen}.md").read_text(encoding="utf-8")
    assert document.startswith("---\ntitle: Report \\<b\\>1\\<\\/b\\>\n")
    assert "vega-spec" not in document  # the chart's HTML waits in its block for the page
    # the work folder is gone, and nothing was left in the report's folder
    assert list((tmp_path / "tmp").iterdir()) == [] and list(work.iterdir()) == []


def test_quarto_works_outside_hidden_folders_even_when_the_report_is_in_one(tmp_path,
                                                                           monkeypatch):
    monkeypatch.setenv("COOPREPORT_QUARTO_TMP", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    seen = tmp_path / "pwd"
    quarto = stand_in(tmp_path, f'pwd > "{seen}"; exit 3')
    work = tmp_path / "_output" / ".build" / "fixture-1"  # where the runner's work folder is
    work.mkdir(parents=True)
    executed = write_executed(work, executed_notebook())
    with pytest.raises(RenderError, match="exit 3"):
        render_with_quarto(executed, work, ["html"], quarto=quarto)
    where = Path(seen.read_text(encoding="utf-8").strip())
    assert where.parent == tmp_path / "tmp" and where.name.startswith("coopreport-quarto-fixture-")
    assert hidden_components(where) == []


def test_hidden_components_are_those_quarto_ignores(tmp_path):
    assert hidden_components(Path("/srv/reports/work")) == []
    assert hidden_components(Path("/home/me/.cache/x/_output/y")) == [".cache", "_output"]
    assert hidden_components(Path("/srv/a_b/c.d")) == []  # only a leading . or _ counts


def test_a_quarto_work_root_under_a_hidden_folder_is_refused_before_quarto_runs(tmp_path,
                                                                             monkeypatch):
    root = tmp_path / ".cache"
    root.mkdir()
    monkeypatch.setenv("COOPREPORT_QUARTO_TMP", str(root))
    ran = tmp_path / "ran"
    quarto = stand_in(tmp_path, f'touch "{ran}"')
    executed = write_executed(tmp_path, executed_notebook())
    with pytest.raises(RenderError) as caught:
        render_with_quarto(executed, tmp_path, ["html"], quarto=quarto)
    assert "has the folder(s) '.cache'" in str(caught.value)
    assert "set COOPREPORT_QUARTO_TMP" in str(caught.value)
    assert not ran.exists() and list(root.iterdir()) == []


def write_outputs(script_dir: Path, html_page: str, where: str = "_build") -> str:
    """A stand-in for quarto that writes report.html and report.pdf into ``where``."""
    page = script_dir / "page.html"
    page.write_text(html_page, encoding="utf-8")
    return stand_in(script_dir, f'mkdir -p {where} && cp "{page}" {where}/report.html && '
                                f'printf "%%PDF-1.7 fake" > {where}/report.pdf')


GOOD_PAGE = ('<html><head><style>@font-face { src: url(data:font/ttf;base64,AAAA) }</style>'
             '</head><body><a href="https://example.org/source">source</a>'
             '<img src="data:image/svg+xml;base64,PHN2Zy8+"></body></html>')


def test_outputs_are_taken_from_the_output_dir_and_named_after_the_report(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("COOPREPORT_QUARTO_TMP", str(tmp_path))
    quarto = write_outputs(tmp_path, GOOD_PAGE)
    nb = executed_notebook()
    nb.cells = [c for c in nb.cells if c.get("id") != "section"]  # no slots in GOOD_PAGE
    executed = write_executed(tmp_path, nb, name="uzb-report")
    work = tmp_path / "work"
    work.mkdir()
    outputs = render_with_quarto(executed, work, ["html", "pdf"], quarto=quarto)
    assert outputs == [work / "uzb-report.html", work / "uzb-report.pdf"]
    assert outputs[0].read_text(encoding="utf-8") == GOOD_PAGE
    assert outputs[1].read_bytes() == b"%PDF-1.7 fake"


def test_output_beside_the_notebook_is_a_standalone_render_and_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPREPORT_QUARTO_TMP", str(tmp_path))
    quarto = write_outputs(tmp_path, GOOD_PAGE, where=".")  # what Quarto does without a project
    executed, work = executed_and_work(tmp_path)
    with pytest.raises(RenderError) as caught:
        render_with_quarto(executed, work, ["html", "pdf"], quarto=quarto)
    message = str(caught.value)
    assert "wrote no report.html or report.pdf in the project's output-dir" in message
    assert "it wrote report.html, report.pdf in" in message
    assert "did not apply reports/_quarto.yml" in message
    assert list(work.iterdir()) == []


def test_quarto_that_writes_nothing_is_an_error(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPREPORT_QUARTO_TMP", str(tmp_path))
    quarto = stand_in(tmp_path, "exit 0")
    executed, work = executed_and_work(tmp_path)
    with pytest.raises(RenderError, match="reported success but wrote no report.pdf in the "
                                          "project's output-dir .* it wrote nothing"):
        render_with_quarto(executed, work, ["pdf"], quarto=quarto)


def test_html_that_is_not_self_contained_is_never_published(tmp_path, monkeypatch):
    monkeypatch.setenv("COOPREPORT_QUARTO_TMP", str(tmp_path))
    page = ('<html><head><script src="https://cdn.jsdelivr.net/npm/require.js"></script>'
            '<link rel="stylesheet" href="report_files/libs/quarto.css"></head></html>')
    quarto = write_outputs(tmp_path, page)
    executed, work = executed_and_work(tmp_path, blocks=False)
    with pytest.raises(RenderError) as caught:
        render_with_quarto(executed, work, ["html"], quarto=quarto)
    assert str(caught.value) == (
        "fixture.ipynb: Quarto's HTML is not one self-contained file: loads "
        "https://cdn.jsdelivr.net/npm/require.js from the network; loads "
        "report_files/libs/quarto.css from a file beside the page. Check "
        "reports/_quarto.yml (minimal: true, no theme or scripts)")
    assert list(work.iterdir()) == []


def test_html_problems_finds_every_loaded_resource_and_ignores_links():
    page = ('<html><head><link rel="icon" href="//cdn.example/x.ico">'
            '<style>body { background: url("img_files/a.png") } @import "https://f/c.css";'
            '</style></head><body style="x: url(https://t/p.gif)">'
            '<a href="https://example.org">a source link is fine</a>'
            '<img src="data:image/png;base64,AA"><iframe src="http://e/f"></iframe>'
            '<p>text mentioning NAME_files/ and https://x is fine</p></body></html>')
    assert html_problems(page) == [
        "loads //cdn.example/x.ico from the network",
        "loads img_files/a.png from a file beside the page",
        "loads https://f/c.css from the network",
        "loads https://t/p.gif from the network",
        "loads http://e/f from the network",
    ]
    assert html_problems(GOOD_PAGE) == []


def test_quarto_path_names_quarto_for_auto(tmp_path, monkeypatch):
    quarto = stand_in(tmp_path, "exit 0")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("QUARTO_PATH", quarto)
    assert find_quarto() == quarto
    assert choose_renderer("auto") == "quarto"
    monkeypatch.setenv("QUARTO_PATH", str(tmp_path / "missing"))
    assert choose_renderer("auto") == "builtin"


# ------------------------------------------------------------------ real Quarto builds

# CI sets COOPREPORT_REQUIRE_QUARTO=1 when it installed Quarto, or tried to: then a missing
# Quarto fails these tests instead of skipping them
REQUIRE_QUARTO = os.environ.get("COOPREPORT_REQUIRE_QUARTO") == "1"
needs_quarto = pytest.mark.skipif(
    find_quarto() is None and not REQUIRE_QUARTO,
    reason="Quarto is not installed: put quarto on PATH or set QUARTO_PATH "
           "(https://quarto.org/docs/get-started/) to run the Quarto end-to-end tests")
TINY = "tests/fixtures/notebooks/tiny.ipynb"
LABEL = "<script>alert(1)</script> & co"


class _Text(HTMLParser):
    """The visible text of an HTML page (script and style contents left out)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def pdf_pages(path: Path) -> list[str]:
    import pypdf

    return [" ".join((page.extract_text() or "").split()) for page in pypdf.PdfReader(path).pages]


def assert_offline(page: str) -> None:
    """No script, style sheet, font or image is fetched over the network or from a folder."""
    fetched = r"""<(script|img|link|iframe|source)\b[^>]*\b(src|href)=["']?(https?:)?//"""
    assert not re.search(fetched, page, re.I)
    assert not re.search(r"""url\(\s*["']?(https?:)?//""", page, re.I)
    assert "@import" not in page
    assert not re.search(r"""(src|href)=["'][^"']*_files/""", page)
    assert html_problems(page) == []


@pytest.mark.slow
@needs_quarto
def test_quarto_build_of_the_tiny_report(tmp_path):
    spec = tmp_path / "q1.yaml"
    spec.write_text(f"name: q1\nnotebook: {TINY}\ntitle: Quarto <b>report</b>\n"
                    f"formats: [html, pdf]\nparameters:\n  label: {json.dumps(LABEL)}\n"
                    "  value: 7\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(spec), "--renderer", "quarto", "--output-dir", str(out),
                 "--jobs", "1", "--allow-notebook-outside"]) == 0  # TINY is a test fixture
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    assert summary["renderer"] == "quarto" and summary["reports"][0]["status"] == "ok"

    page = (out / "q1.html").read_text(encoding="utf-8")
    assert_offline(page)
    assert "<script>alert(1)" not in page and "<b>report</b>" not in page
    text = visible_text(page)
    assert "Quarto <b>report</b>" in text  # the title, shown literally
    assert re.search(rf"value=7; activities=\d+; label={re.escape(LABEL)}", text)
    assert f"Report for {LABEL}" in text  # the heading, also in the contents
    assert re.search(r"Table 1\W+Fixture table", text)
    assert '<header id="title-block-header" class="title-block">' in page
    assert 'id="TOC"' in page
    assert "load_registry" not in page and "vegaEmbed" not in page  # no code, no charts

    pages = pdf_pages(out / "q1.pdf")
    first = pages[0]
    assert "Quarto <b>report</b>" in first and "DEVELOPMENT COOPERATION REPORT" in first
    # the cover carries the title block alone; the contents open page 2
    assert f"1 / {len(pages)}" in first and "Contents" not in first
    assert "Contents" in pages[1]
    body = " ".join(pages)
    assert re.search(rf"value=7; activities=\d+; label={re.escape(LABEL)}", body)
    assert re.search(r"Table 1\W+Fixture table", body)
    assert "load_registry" not in body
    # the contents page included: no word joiner or other invisible character, in the glyphs
    # or in /ActualText (what a PDF reader copies)
    from tests.render.test_render import actual_texts, invisible

    assert invisible(body) == set()
    assert invisible("".join(actual_texts(out / "q1.pdf"))) == set()


@pytest.mark.slow
@needs_quarto
def test_quarto_build_with_charts_is_interactive_offline_and_numbered(tmp_path):
    spec = tmp_path / "q2.yaml"
    spec.write_text("name: q2\nnotebook: country_profile.ipynb\n"
                    "title: Uzbekistan profile\nformats: [html, pdf]\nparameters:\n"
                    "  country: UZB\n  start_year: 2017\n  end_year: 2026\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(spec), "--renderer", "quarto", "--output-dir", str(out),
                 "--jobs", "1"]) == 0

    page = (out / "q2.html").read_text(encoding="utf-8")
    assert_offline(page)
    # country_profile shows four charts and four tables
    assert page.count('class="vega-spec"') == 4
    assert page.count('querySelectorAll(".coopreport-chart")') == 1  # Vega started once
    assert page.count("data:image/svg+xml;base64,") >= 4  # static fallbacks
    text = visible_text(page)
    for caption in ("Figure 1", "Figure 4", "Table 1", "Table 4"):
        assert caption in text

    pages = pdf_pages(out / "q2.pdf")
    assert len(pages) >= 2
    assert "Uzbekistan profile" in pages[1][:150]  # running header from page 2
    assert f"2 / {len(pages)}" in pages[1]
    body = " ".join(pages)
    for caption in ("Figure 1", "Figure 4", "Table 1", "Table 4"):
        assert caption in body
    assert os.path.getsize(out / "q2.pdf") > 10_000


class _Structure(HTMLParser):
    """What a reader compares between two renderings of one report: section headings (without
    their numbers), tables, charts, captions, the provenance line and the page language."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[str] = []
        self.captions: list[str] = []
        self.tables = self.charts = 0
        self.lang = ""
        self.provenance = ""
        self._stack: list[tuple[str, str]] = []  # (tag, class) of open elements we follow
        self._text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        classes = named.get("class") or ""
        if tag == "html":
            self.lang = named.get("lang") or ""
        self.tables += tag == "table"
        self.charts += tag == "script" and "vega-spec" in classes
        if "header-section-number" in classes:
            self._skip += 1
        if tag in ("h1", "h2", "h3", "caption") or "provenance" in classes.split():
            self._stack.append((tag, classes))
            self._text = []
        elif tag in ("header", "nav"):
            self._stack.append((tag, classes))

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag == "span":
            self._skip -= 1
            return
        if not self._stack or self._stack[-1][0] != tag:
            return
        _, classes = self._stack.pop()
        text = " ".join("".join(self._text).split())
        inside = {t for t, _ in self._stack}
        if tag in ("h1", "h2", "h3") and not inside & {"header", "nav"}:
            self.headings.append(text)
        elif tag == "caption":
            self.captions.append(text)
        elif "provenance" in classes.split():
            self.provenance = text

    def handle_data(self, data: str) -> None:
        if self._stack and not self._skip:
            self._text.append(data)


def structure(page: str) -> _Structure:
    parsed = _Structure()
    parsed.feed(page)
    return parsed


def pdf_fonts(path: Path) -> set[str]:
    import pypdf

    fonts = set()
    for page in pypdf.PdfReader(path).pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont", "")))
    return fonts


@dataclass
class HeaderRow:
    """One line of a table's header row in a PDF: bold text in the tables' small type."""

    page: int
    left: float
    right: float
    words: list[str]


def header_rows(pdf: Path) -> list[HeaderRow]:
    """The header lines of every table in ``pdf`` (pdfplumber's words: text with a gap between
    two cells is two words; cells that touch run together into one)."""
    import pdfplumber

    rows = []
    with pdfplumber.open(pdf) as document:
        for number, page in enumerate(document.pages, start=1):
            lines: dict[int, list[dict[str, Any]]] = {}
            for word in page.extract_words(extra_attrs=["fontname", "size"]):
                if "Bold" in word["fontname"] and word["size"] < TABLE_TYPE_LIMIT:
                    lines.setdefault(round(word["top"]), []).append(word)
            for words in lines.values():
                rows.append(HeaderRow(number, min(w["x0"] for w in words),
                                      max(w["x1"] for w in words), [w["text"] for w in words]))
    return rows


def widest(rows: list[HeaderRow]) -> float:
    return max((row.right - row.left for row in rows), default=0.0)


TABLE_TYPE_LIMIT = 9  # pt: table text is 8.5 pt (7.5 pt in the annex); headings are larger
A4_TEXT_WIDTH = 595.28 - 2 * 59.53  # pt: A4 less the 2.1 cm side margins of both templates


@pytest.mark.slow
@needs_quarto
def test_the_russian_spcr_tables_take_the_text_width_with_separate_header_cells(
        both_renderers):
    pdf = both_renderers / "quarto" / "uzb-strategic-procurement-ru.pdf"
    rows = header_rows(pdf)
    # the indicator table's columns have widths: it spans the text column (less cell insets)
    assert widest(rows) >= 0.95 * A4_TEXT_WIDTH, widest(rows)
    words = {w for row in rows for w in row.words}
    # its header cells, each a word of its own ("ПоказательГод" would be one)
    assert {"Показатель", "Год", "Значение", "Источник"} <= words
    assert not any(re.search(r"[а-яё][А-ЯЁ]", w) for w in words), words


@pytest.fixture(scope="module")
def both_renderers(tmp_path_factory):
    """Every shipped report built with the built-in renderer and with Quarto."""
    root = tmp_path_factory.mktemp("renderers")
    for renderer in ("builtin", "quarto"):
        code = main(["build", "--all", "--renderer", renderer, "--output-dir",
                     str(root / renderer)])
        assert code == 0, f"{renderer} build failed: see {root / renderer}/build-summary.json"
    return root


@pytest.mark.slow
@needs_quarto
@pytest.mark.parametrize("params_file", sorted(p.name for p in paths.params_dir().glob("*.yaml")))
def test_quarto_report_matches_the_builtin_report(both_renderers, params_file):
    name = yaml.safe_load((paths.params_dir() / params_file).read_text(encoding="utf-8"))["name"]
    builtin_page = (both_renderers / "builtin" / f"{name}.html").read_text(encoding="utf-8")
    quarto_page = (both_renderers / "quarto" / f"{name}.html").read_text(encoding="utf-8")
    assert_offline(quarto_page)
    built, quarto = structure(builtin_page), structure(quarto_page)
    assert quarto.headings == built.headings
    assert (quarto.tables, quarto.charts) == (built.tables, built.charts)
    assert quarto.lang == built.lang
    # the same line, but for the build time: the two builds ran one after the other
    stamp = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
    assert stamp.sub("<built>", quarto.provenance) == stamp.sub("<built>", built.provenance)
    quarto_text = visible_text(quarto_page)
    for caption in built.captions:  # "Table 2: ..." in one, the same words in the other
        assert caption.split(":", 1)[-1].strip() in quarto_text
    assert '<header id="title-block-header" class="title-block">' in quarto_page
    assert 'id="TOC"' in quarto_page and 'class="header-section-number"' in quarto_page
    # no Bootstrap (its CSS or JS, or its banner); Vega's bootstrapCI function is not it
    assert not re.search(r"bootstrap(\.bundle)?(\.min)?\.(css|js)|Bootstrap\s+v\d|"
                         r"bootstrap-icons", quarto_page, re.I)

    quarto_pdf = both_renderers / "quarto" / f"{name}.pdf"
    assert any("NotoSans" in font for font in pdf_fonts(quarto_pdf)), pdf_fonts(quarto_pdf)
    # the same page, whichever renderer: at most one page more
    builtin_pdf = both_renderers / "builtin" / f"{name}.pdf"
    builtin_count = len(pdf_pages(builtin_pdf))
    assert len(pdf_pages(quarto_pdf)) <= builtin_count + 1, (len(pdf_pages(quarto_pdf)),
                                                             builtin_count)
    # the tables: as wide, and every header cell its own word (none run together)
    built_rows, quarto_rows = header_rows(builtin_pdf), header_rows(quarto_pdf)
    assert abs(widest(quarto_rows) - widest(built_rows)) <= 2, (widest(quarto_rows),
                                                                 widest(built_rows))
    assert sorted(w for row in quarto_rows for w in row.words) == sorted(
        w for row in built_rows for w in row.words)
    quarto_body = " ".join(pdf_pages(quarto_pdf))
    builtin_body = " ".join(pdf_pages(both_renderers / "builtin" / f"{name}.pdf"))
    for heading in built.headings:
        assert heading in quarto_body
    cyrillic = re.compile(r"[А-Яа-яЁё]")
    assert bool(cyrillic.search(quarto_body)) == bool(cyrillic.search(builtin_body))


def test_foreign_html_keeps_no_handler_no_script_link_and_no_remote_image():
    """pandoc's HTML reader alone keeps ``onerror=`` as an image attribute and ``javascript:``
    links, and fetches an ``<iframe>``'s page at render time: the HTML is cleaned first."""
    nb = nbformat.v4.new_notebook()
    hostile = ('<p onclick="x">Foreign</p><script>alert(1)</script>'
               "<img src=https://example.invalid/x.png onerror=alert(2)>"
               '<a href="javascript:alert(3)">c</a><iframe src="https://example.invalid/"></iframe>')
    nb.cells = [code("foreign", "x", [nbformat.v4.new_output(
        "display_data", data={"text/html": hostile, "text/plain": "x"})])]
    prepared = prepare_for_quarto(nb, META)
    markdown = "".join(o.data.get("text/markdown", "") for c in prepared.cells
                       if c.cell_type == "code" for o in c.outputs)
    assert "Foreign" in markdown and "c" in markdown
    for gone in ("alert", "onerror", "onclick", "javascript:", "example.invalid", "iframe"):
        assert gone not in markdown


def test_attachment_becomes_a_raw_html_link_and_a_note_elsewhere():
    from analysis.report.display import Attachment

    item = Attachment(b"a,b\r\n", "activities.csv", "text/csv", "List <b>", "See the *HTML*.")
    nb = executed_notebook()
    nb.cells.append(code("annex", "display(list)", [nbformat.v4.new_output(
        "display_data", data=item._repr_mimebundle_())]))
    prepared = prepare_for_quarto(nb, META)
    [cell] = [c for c in prepared.cells if c.get("id", "").startswith("annex")]
    [output] = cell.outputs
    assert set(output["data"]) == {"text/markdown", "text/plain"}  # no text/html form
    assert "#| output: asis" in cell.source
    assert output["data"]["text/markdown"] == (
        "\n```{=html}\n<p class=\"attachment\"><a href=\"data:text/csv;base64,YSxiDQo=\" "
        "download=\"fixture-activities.csv\" type=\"text/csv\">List &lt;b&gt;</a></p>\n```\n"
        "\n::: {.content-visible unless-format=\"html\"}\nSee the \\*HTML\\*\\.\n:::\n")
    assert not widget_triggers(prepared)


def test_an_attachment_beside_the_report_becomes_a_relative_link_for_quarto(tmp_path):
    """The runner moves a large list out of the notebook (analysis.report.attachments); the page
    Quarto makes links to the file published beside it, and other formats get the note."""
    from analysis.report.attachments import externalise
    from analysis.report.display import Attachment

    item = Attachment(b"a,b\r\n" * 10, "activities.csv", "text/csv", "List", "inside")
    nb = executed_notebook()
    nb.cells.append(code("annex", "display(list)", [nbformat.v4.new_output(
        "display_data", data=item._repr_mimebundle_())]))
    assert externalise(nb, tmp_path, "fixture", "en", limit=10) == [
        tmp_path / "fixture-activities.csv"]
    prepared = prepare_for_quarto(nb, META)
    [cell] = [c for c in prepared.cells if c.get("id", "").startswith("annex")]
    markdown = cell.outputs[0]["data"]["text/markdown"]
    assert ('<a href="fixture-activities.csv" download="fixture-activities.csv" '
            'type="text/csv">List (1\u00a0KB, a separate file kept beside this page)</a>') \
        in markdown
    assert "published beside this report" in markdown.replace("\\", "")
    assert "base64" not in markdown


# ------------------------------------------------------------------ Markdown for Quarto, the page


def test_link_destinations_stay_links_and_raw_html_after_them_stays_text():
    # display.Span writes "[text](<url>)": escaping that "<" made every source link in
    # Quarto's HTML point to "%3Chttps://..."
    assert literal_html("[WB](<https://x.org/a_(b)>) <b>x</b>") == (
        "[WB](<https://x.org/a_(b)>) \\<b>x\\</b>")
    assert literal_html("[a](<https://y><script>)") == "[a](<https://y>\\<script>)"
    # an escaped bracket does not open a link: the "<" after it stays literal
    assert literal_html("\\](<script>)") == "\\](\\<script>)"


def test_the_document_quarto_renders_is_markdown_with_floats_and_literal_output():
    nb = executed_notebook()
    nb.cells.append(code("printed", "print(x)", [nbformat.v4.new_output(
        "stream", name="stdout", text="```four``` backticks\n")]))
    prepared = prepare_report(nb, META, True)
    document = prepared.markdown()
    assert document.startswith("---\ntitle: ")
    assert "\n::: {#fig-1}\n```{=html}\n" + html_slot(1) + "\n```\n" in document
    assert ("```{=typst}\n#box(image(\"coopreport-figures/chart-1.svg\"))\n```\n\n"
            "Activities \\<\\/script\\>\\<script\\>alert\\(1\\)\\<\\/script\\>\n:::") in document
    assert "\n::: {#tbl-1}\n" in document
    assert "Narrative written in the notebook.\n" in document
    assert "```` {.cell-output-stdout}\n```four``` backticks\n````\n" in document
    assert "printed by parameters" not in document  # parameters cells show nothing
    assert document.rstrip().endswith(
        '```{=html}\n<footer class="report-footer"><p class="colophon-title">About this '
        'edition</p><p>coopreport 0.1 · parameters: '
        "label=&lt;/script&gt;</p></footer>\n```")


def test_an_image_that_is_not_a_chart_is_a_data_uri_on_the_page_and_a_file_in_the_pdf():
    nb = executed_notebook()
    png = base64.b64encode(b"\x89PNG image").decode("ascii")
    nb.cells.append(code("picture", "Image(...)", [nbformat.v4.new_output(
        "display_data", data={"image/png": png, "text/plain": "<Image>"})]))
    prepared = prepare_report(nb, META)
    document = prepared.markdown()
    assert prepared.files[f"{FIGURES_DIR}/image-1.png"] == b"\x89PNG image"
    assert f'<img alt="" src="data:image/png;base64,{png}">' in document
    assert f'#box(image("{FIGURES_DIR}/image-1.png"))' in document


def project_with_styles(tmp_path: Path) -> Path:
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "report.css").write_text("p { color: red } /* </style> */",
                                                    encoding="utf-8")
    return tmp_path


def test_finish_html_fills_each_slot_inlines_the_styles_and_adds_vega_once(tmp_path):
    from analysis.render.quarto import finish_html

    project = project_with_styles(tmp_path)
    page = ('<html><head><link rel="stylesheet" href="styles/report.css">'
            '<link rel="stylesheet" href="styles/other.css"></head><body>'
            f'{html_slot(2)}<p>text</p>{html_slot(1)}</body></html>')
    done = finish_html(page, project, "var vega = 1;", ["<table>A</table>", "<div>B</div>"])
    assert done.index("<div>B</div>") < done.index("<p>text</p>") < done.index("<table>A")
    assert "data-coopreport-html" not in done
    assert "<style>\np { color: red } /* <\\/style> */\n</style>" in done
    # a sheet that is not one of the project's styles/ is left for html_problems to refuse
    assert '<link rel="stylesheet" href="styles/other.css">' in done
    assert done.count("var vega = 1;") == 1
    assert done.index("var vega = 1;") < done.index("</body>")
    assert html_problems(done) == ["loads styles/other.css from a file beside the page"]


def test_finish_html_refuses_a_page_that_lost_or_invented_a_block(tmp_path):
    from analysis.render.quarto import finish_html

    project = project_with_styles(tmp_path)
    with pytest.raises(RenderError, match=r"lost 1 of the report's 2 .*slots \[2\]"):
        finish_html(f"<body>{html_slot(1)}</body>", project, None, ["a", "b"])
    with pytest.raises(RenderError, match="unexpected block slot"):
        finish_html(f"<body>{html_slot(3)}</body>", project, None, ["a"])
    with pytest.raises(RenderError, match="unexpected block slot"):
        finish_html(f"<body>{html_slot(1)}{html_slot(1)}</body>", project, None, ["a"])
    with pytest.raises(RenderError, match="no </body>"):
        finish_html("<p>cut short", project, "var vega;", [])


def test_a_chart_with_only_a_description_keeps_its_caption():
    # a concatenated chart draws its titles inside; the built-in PDF captions it with the
    # description, and so must Quarto's float
    nb = executed_notebook()
    spec = {key: value for key, value in SPEC.items() if key != "title"}
    spec["description"] = "Values known for two years or more"
    nb.cells[5].outputs[1].data["application/vnd.vegalite.v6+json"] = spec
    chart = [c for c in prepare_for_quarto(nb, META).cells if c.cell_type == "code"][1]
    assert options(chart) == {"echo": False, "label": "fig-1",
                              "fig-cap": "Values known for two years or more"}
