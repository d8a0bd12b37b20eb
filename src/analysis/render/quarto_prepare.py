"""The copy of an executed report notebook that Quarto renders (pure; no Quarto needed).

:func:`prepare_for_quarto` turns an executed notebook into what Quarto should see:

- a front matter raw cell: title, subtitle, language, dates, kicker and provenance line,
  each escaped so Quarto's Markdown reader shows it literally;
- one code cell per output, so each output carries its own cell options (``#| echo: false``
  always; charts ``#| label: fig-N`` and ``#| fig-cap:``; narrative and headings
  ``#| output: asis``, so headings reach the table of contents and are numbered);
- report tables (:class:`analysis.report.display.Table`) keep only their escaped Markdown form,
  whose caption line gets the cross-reference id ``{#tbl-N}``: one numbered caption. (A ``tbl-cap``
  cell option would be read as Markdown again and data text could not stay literal.);
- every chart becomes Markdown holding two raw blocks: ```` ```{=html} ```` with the chart's
  HTML (vega-embed target, escaped JSON spec, static SVG fallback), which only the HTML writer
  keeps, and ```` ```{=typst} ```` drawing the chart's SVG file, which only the Typst writer
  keeps. The SVG files are returned with the notebook (:class:`PreparedReport`);
- **no output keeps a** ``text/html`` **or** ``application/javascript`` **form**. Quarto adds
  require.js and jQuery from a CDN to the HTML page whenever any output carries one (its "javascript
  widgets", quarto-cli src/core/jupyter/widgets.ts), which breaks the one-file, no-request promise.
  HTML that is not ours (a plain DataFrame, say) is converted to Markdown by pandoc, which keeps
  tables and text and drops scripts; JavaScript and widget outputs are dropped with a warning;
- an attachment (:class:`analysis.report.display.Attachment`, the full activity list) becomes its
  download link in a raw HTML block and its note in a block shown in every other format;
- no ``remove-cell`` cells, no outputs of the parameters cells, no stderr, no code;
- the same trust boundary as the built-in renderer: the notebook first goes through
  :func:`analysis.render.sanitize.sanitize_notebook` (no JavaScript, widgets, raw cells, charts that
  load data), and raw HTML in Markdown outputs and cells is made literal text
  (:func:`literal_html`): only this module's own raw blocks reach Quarto as HTML.
"""

from __future__ import annotations

import base64
import copy
import html
import json
import logging
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import yaml

from analysis.data.taxonomy import language_tag
from analysis.render.html import svg_base64, vega_json
from analysis.render.meta import ReportMeta
from analysis.render.pdf import typst_tables
from analysis.report.chart_images import chart_caption, chart_title
from analysis.report.display import ATTACHMENT_MIMETYPE, attachment_html, escape_markdown
from analysis.report.i18n import translate

log = logging.getLogger(__name__)

FIGURES_DIR = "coopreport-figures"  # chart files beside the prepared notebook (Typst)
REMOVED_TAGS = {"remove-cell"}
NO_OUTPUT_TAGS = {"parameters", "injected-parameters", "remove-output"}
VEGALITE_PREFIX = "application/vnd.vegalite."
# what makes Quarto load require.js and jQuery from a CDN (quarto-cli core/jupyter/widgets.ts)
WIDGET_TRIGGERS = ("text/html", "application/javascript",
                   "application/vnd.jupyter.widget-view+json",
                   "application/vnd.jupyter.widget-state+json")
DISPLAY_TYPES = ("display_data", "execute_result")

_TABLE_HTML = re.compile(r'\s*<table class="report-table[a-z0-9 -]*"><caption>')  # display.Table
_CAPTION_LINE = re.compile(r"\n: (?P<caption>[^\n]+)\n*\Z")
# the caption's own attribute block (display.Table: classes, tbl-colwidths); text from the data
# is escaped, so an unescaped "{" at the end can only be that block
_CAPTION_ATTRIBUTES = re.compile(r"(?<!\\) \{(?P<attributes>[^{}\\\n]*)\}\Z")
_CAPTION_ELEMENT = re.compile(r"<caption>.*?</caption>", re.S)  # display.Table's, escaped text
_PLAIN_OPTION = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}


@dataclass
class PreparedReport:
    """What Quarto gets: the notebook, and the files it refers to (path → bytes).

    Quarto renders :meth:`markdown`, the same document as Quarto Markdown: a ``.md`` file goes
    through Quarto's markdown engine, so no Jupyter engine reads a notebook.
    """

    notebook: nbformat.NotebookNode
    files: dict[str, bytes] = field(default_factory=dict)
    html_blocks: list[str] = field(default_factory=list)  # html_slot(n) stands for item n-1

    def markdown(self) -> str:
        """The prepared notebook as one Quarto Markdown document (:func:`notebook_markdown`);
        image files it names are added to :attr:`files`."""
        return notebook_markdown(self.notebook, self.files)


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def html_slot(number: int) -> str:
    """The element standing for HTML block ``number`` (from 1) until the page is finished."""
    return f'<div data-coopreport-html="{number}"></div>'


def _table_slot(number: int) -> str:
    """Where table ``number``'s Typst goes, until :func:`prepare_for_quarto` has it."""
    return f"coopreport-typst-table-{number}"


def typst_table_block(typst: str) -> str:
    """A table as the built-in PDF draws it, inside a Quarto table float: the figure pandoc
    wraps it in only passes its body on (Quarto's float gives number and caption)."""
    return f"#[#show figure.where(kind: table): it => it.body\n{typst}\n]"


def chart_html(spec: dict[str, Any] | None, image_uri: str | None, description: str) -> str:
    """The HTML form of a chart: vega-embed target and spec (when ``spec`` is given), and the
    static image (a ``data:`` URI) as the fallback.

    The spec is JSON that cannot close its ``<script>`` element and the description is
    HTML-escaped, so no text from the data becomes markup.
    """
    label = html.escape(description or "chart", quote=True)
    parts = ['<div class="coopreport-chart">']
    if spec is not None:
        parts += [f'<div class="vega-chart" role="img" aria-label="{label}"></div>',
                  f'<script type="application/json" class="vega-spec">{vega_json(spec)}</script>']
    if image_uri:
        parts.append(f'<div class="vega-fallback"><img alt="{label}" '
                     f'src="{html.escape(image_uri, quote=True)}"></div>')
    parts.append("</div>")
    return "\n".join(parts) + "\n"


_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:.+?)\1", re.S)
# a "<" that may open raw HTML; not the "<" of a link destination "](<...>)", which
# display.Span writes for every link (escaped, pandoc would take "\<https..." as the URL)
_TAG_START = re.compile(r"(?<!\\)(?<!(?<!\\)\]\()<(?=[A-Za-z/!?])")


def literal_html(markdown: str) -> str:
    """``markdown`` with every raw HTML tag, comment or autolink made literal text (its ``<``
    backslash-escaped), outside code blocks and code spans. Text the report made is already
    escaped (:func:`analysis.report.display.escape_markdown`) and stays as it is."""
    lines = markdown.split("\n")
    fence: str | None = None
    for number, line in enumerate(lines):
        opened = _FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        pieces, position = [], 0
        for span in _CODE_SPAN.finditer(line):
            pieces.append(_TAG_START.sub(r"\\<", line[position:span.start()]))
            pieces.append(span.group(0))
            position = span.end()
        pieces.append(_TAG_START.sub(r"\\<", line[position:]))
        lines[number] = "".join(pieces)
    return "\n".join(lines)


def _fence(content: str) -> str:
    """A backtick fence longer than any backtick run in ``content`` (at least three)."""
    longest = max((len(run) for run in re.findall(r"`+", content)), default=0)
    return "`" * max(3, longest + 1)


def raw_block(fmt: str, content: str) -> str:
    """A pandoc raw block for ``fmt``, fenced longer than any backtick run in ``content``."""
    fence = _fence(content)
    return f"{fence}{{={fmt}}}\n{content.rstrip()}\n{fence}\n"


def typst_image(path: str) -> str:
    """Typst that draws the image at ``path`` (relative to the notebook), at its natural size
    or the column width, whichever is smaller: what pandoc writes for a Markdown image."""
    return f"#box(image({json.dumps(path)}))"


def front_matter(meta: ReportMeta) -> dict[str, Any]:
    """The Quarto metadata of a report, as the templates in ``reports/`` read it.

    Pandoc reads metadata strings as Markdown: every text is escaped so it prints literally.
    No ``format`` key: the document is rendered to every format of ``_quarto.yml``.
    """
    texts = {
        "title": meta.title, "subtitle": meta.subtitle or "",
        "toc-title": translate("report.contents", meta.lang),
        "coopreport-kicker": meta.kicker, "coopreport-date": meta.date,
        "coopreport-publisher": meta.publisher or "",
        "coopreport-provenance": meta.provenance,
        "coopreport-colophon": translate("report.colophon", meta.lang),
    }
    front: dict[str, Any] = {key: escape_markdown(value) for key, value in texts.items() if value}
    front["lang"] = language_tag(meta.lang)  # the page's <html lang>: "uz-Latn"
    front["coopreport-lang"] = meta.lang  # Typst's text language: "uz"
    if meta.lang == "uz":  # Quarto has no Uzbek words for its cross-references
        front["language"] = {"crossref-tbl-title": "Jadval", "crossref-fig-title": "Rasm",
                             "crossref-tbl-prefix": "jadval", "crossref-fig-prefix": "rasm"}
    built = str(meta.record.get("built_at", ""))
    if re.match(r"\d{4}-\d\d-\d\d", built):
        front["date"] = built[:10]
    front["execute"] = {"echo": False, "warning": False}  # as _quarto.yml: never any code
    return front


def _option_lines(options: dict[str, str | bool]) -> str:
    """Quarto cell options as ``#| key: value`` lines (YAML, one line each)."""
    lines = []
    for key, value in options.items():
        if isinstance(value, bool):
            lines.append(f"#| {key}: {'true' if value else 'false'}\n")
            continue
        # a JSON string is a valid YAML double-quoted scalar: one line, backslashes kept
        plain = _PLAIN_OPTION.fullmatch(value) and value.lower() not in _YAML_WORDS
        lines.append(f"#| {key}: {value if plain else json.dumps(value, ensure_ascii=False)}\n")
    return "".join(lines)


def _tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _is_chart(data: dict[str, Any]) -> bool:
    return any(k.startswith(VEGALITE_PREFIX) for k in data) and (
        "image/svg+xml" in data or "image/png" in data)


class _Preparer:
    """Turns outputs into what Quarto renders; numbers figures and tables; collects files."""

    def __init__(self, interactive: bool, name: str = "report") -> None:
        self.interactive = interactive
        self.name = name
        self.counters = {"chart": 0, "fig": 0, "tbl": 0}
        self.files: dict[str, bytes] = {}
        self.tables: list[str] = []  # each table's Markdown, in order (for its Typst form)
        self.table_outputs: list[nbformat.NotebookNode] = []  # the outputs that show them
        self.html_blocks: list[str] = []  # HTML the page gets in place of html_slot(n)

    def html(self, content: str) -> str:
        """A raw HTML block holding only a slot; :func:`analysis.render.quarto.finish_html`
        puts ``content`` there. Quarto's pandoc runs (one per format) then never read the
        charts' specs and images (hundreds of KB), the tables or the attachment."""
        self.html_blocks.append(content)
        return raw_block("html", html_slot(len(self.html_blocks)))

    def output(self, output: nbformat.NotebookNode
               ) -> tuple[nbformat.NotebookNode | None, dict[str, str]]:
        """One output as Quarto should render it (None: leave it out) and its cell options."""
        kind = output.get("output_type")
        if kind == "stream":
            return (copy.deepcopy(output), {}) if output.get("name") == "stdout" else (None, {})
        if kind not in DISPLAY_TYPES:
            return copy.deepcopy(output), {}
        data = output.get("data", {})
        if _is_chart(data):
            return self._chart(output)
        if ATTACHMENT_MIMETYPE in data:
            return self._attachment(output)
        if "text/markdown" in data:
            return self._markdown(output)
        if "text/html" in data:
            return self._foreign_html(output)
        kept = copy.deepcopy(output)
        dropped = [key for key in WIDGET_TRIGGERS if key in kept["data"]]
        for key in dropped:
            del kept["data"][key]
        if dropped:
            log.warning("an output's %s form is left out of the Quarto report (active content; "
                        "Quarto would load scripts from a CDN for it)", ", ".join(dropped))
        return (kept, {}) if kept["data"] else (None, {})

    def _chart(self, output: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, dict[str, str]]:
        data = output["data"]
        spec = next(data[k] for k in data if k.startswith(VEGALITE_PREFIX))
        spec = spec if isinstance(spec, dict) else None
        title = chart_title(spec) if spec else ""
        # the built-in PDF's caption: the description, else the title (a chart whose title is
        # drawn inside a concatenation has only a description)
        caption = chart_caption(spec) if spec else ""
        self.counters["chart"] += 1
        number = self.counters["chart"]
        if "image/svg+xml" in data:
            svg = _text(data["image/svg+xml"])
            path = f"{FIGURES_DIR}/chart-{number}.svg"
            self.files[path] = svg.encode("utf-8")
            uri = f"data:image/svg+xml;base64,{svg_base64(svg)}"
        else:
            png = "".join(_text(data["image/png"]).split())
            path = f"{FIGURES_DIR}/chart-{number}.png"
            self.files[path] = base64.b64decode(png)
            uri = f"data:image/png;base64,{png}"
        html_form = chart_html(spec if self.interactive else None, uri, title or caption)
        markdown = "\n" + self.html(html_form) + "\n" + raw_block("typst",
                                                                           typst_image(path))
        prepared = nbformat.v4.new_output(
            output["output_type"], data={"text/markdown": markdown,
                                         "text/plain": _text(data.get("text/plain", ""))},
            **({"execution_count": output.get("execution_count")}
               if output["output_type"] == "execute_result" else {}))
        if not caption:
            return prepared, {}
        self.counters["fig"] += 1
        return prepared, {"label": f"fig-{self.counters['fig']}",
                          "fig-cap": escape_markdown(caption)}

    def _attachment(self, output: nbformat.NotebookNode
                    ) -> tuple[nbformat.NotebookNode, dict[str, str]]:
        """A file the report carries: in HTML its download link (a raw HTML block, so no
        output keeps a ``text/html`` form), elsewhere (Typst) its Markdown note."""
        data = output["data"]
        link = attachment_html(data[ATTACHMENT_MIMETYPE], self.name)
        note = literal_html(_text(data.get("text/markdown", "")))
        markdown = ("\n" + self.html(link)
                    + '\n::: {.content-visible unless-format="html"}\n' + note.strip("\n")
                    + "\n:::\n")
        prepared = nbformat.v4.new_output(
            "display_data", data={"text/markdown": markdown,
                                  "text/plain": _text(data.get("text/plain", ""))})
        return prepared, {"output": "asis"}

    def _markdown(self, output: nbformat.NotebookNode
                  ) -> tuple[nbformat.NotebookNode, dict[str, str]]:
        kept = copy.deepcopy(output)
        data = kept["data"]
        markdown = literal_html(_text(data["text/markdown"]))
        table = _TABLE_HTML.match(_text(data.get("text/html", "")))
        for key in WIDGET_TRIGGERS:  # the escaped Markdown is the one representation
            data.pop(key, None)
        caption = _CAPTION_LINE.search(markdown)
        if table and caption:
            return self._table(kept, markdown, caption, _text(output["data"]["text/html"]))
        data["text/markdown"] = "\n" + markdown.strip("\n") + "\n"
        return kept, {"output": "asis"}

    def _table(self, kept: nbformat.NotebookNode, markdown: str, caption: re.Match[str],
               page: str) -> tuple[nbformat.NotebookNode, dict[str, str]]:
        """A report table as a Quarto table float (``::: {#tbl-N}``): Quarto numbers and
        captions it; the table itself is the one the built-in renderer draws, in both
        formats: its HTML (report.css) and its Typst (:func:`analysis.render.pdf.typst_tables`,
        filled in by :func:`prepare_for_quarto`). Raw blocks keep Quarto's filters from
        walking every cell, which was most of a Quarto render's time."""
        self.counters["tbl"] += 1
        number = self.counters["tbl"]
        self.tables.append(markdown[:caption.end("caption")])
        self.table_outputs.append(kept)
        text = caption["caption"]
        own = _CAPTION_ATTRIBUTES.search(text)
        caption_text = text[:own.start()] if own else text
        body = _CAPTION_ELEMENT.sub("", page.strip(), count=1)
        kept["data"]["text/markdown"] = (
            f"\n::: {{#tbl-{number}}}\n" + self.html(body) + "\n"
            + raw_block("typst", _table_slot(number)) + "\n" + caption_text.strip() + "\n:::\n")
        return kept, {"output": "asis"}

    def _foreign_html(self, output: nbformat.NotebookNode
                      ) -> tuple[nbformat.NotebookNode, dict[str, str]]:
        """HTML the report did not make (e.g. a plain DataFrame): pandoc's Markdown of it."""
        from analysis.render.pdf import html_to_markdown
        from analysis.render.sanitize import clean_html

        kept = copy.deepcopy(output)
        data = kept["data"]
        # cleaned first: pandoc keeps onerror= and javascript: links, and fetches iframes
        markdown = html_to_markdown(clean_html(_text(data["text/html"])))
        data["text/markdown"] = "\n" + markdown.strip() + "\n"
        for key in WIDGET_TRIGGERS:
            data.pop(key, None)
        return kept, {}


def _code_cells(nb: nbformat.NotebookNode, preparer: _Preparer
                ) -> Iterator[nbformat.NotebookNode]:
    for index, cell in enumerate(nb.cells):
        tags = _tags(cell)
        if tags & REMOVED_TAGS:
            continue
        base_id = str(cell.get("id") or f"cell-{index}")
        if cell.cell_type != "code":
            kept = copy.deepcopy(cell)
            kept["id"] = base_id
            if kept.cell_type == "markdown":
                kept.source = literal_html(_text(kept.source))
            yield kept
            continue
        if tags & NO_OUTPUT_TAGS:
            continue
        for number, output in enumerate(cell.get("outputs", []), start=1):
            prepared, options = preparer.output(output)
            if prepared is None:
                continue
            new = nbformat.v4.new_code_cell(source=_option_lines({"echo": False, **options}),
                                            outputs=[prepared],
                                            execution_count=cell.get("execution_count"))
            new["id"] = f"{base_id}-{number}"[-64:]
            yield new


def prepare_for_quarto(nb: nbformat.NotebookNode, meta: ReportMeta,
                       interactive: bool = False) -> PreparedReport:
    """The copy of an executed notebook that Quarto renders (``nb`` is left unchanged).

    Parameters
    ----------
    nb
        The executed report notebook.
    meta
        Its title block (:func:`analysis.render.meta.read_meta`).
    interactive
        True: charts carry their Vega-Lite spec in HTML (static SVG fallback), drawn by the
        Vega bundle :func:`analysis.render.quarto.finish_html` adds to the page once. False:
        charts are static SVG images.

    Returns
    -------
    PreparedReport
        The notebook (front matter raw cell first, then markdown cells and one code cell per
        output, whose source is only its Quarto cell options) and the chart files it names.
    """
    from analysis.render.sanitize import sanitize_notebook

    preparer = _Preparer(interactive=interactive, name=meta.name)
    cells = list(_code_cells(sanitize_notebook(nb, meta.lang), preparer))
    if preparer.tables:
        with tempfile.TemporaryDirectory(prefix="coopreport-tables-") as scratch:
            typst = typst_tables(preparer.tables, Path(scratch))
        for number, (output, table) in enumerate(zip(preparer.table_outputs, typst,
                                                     strict=True), start=1):
            data = output["data"]
            data["text/markdown"] = data["text/markdown"].replace(
                raw_block("typst", _table_slot(number)), raw_block("typst",
                                                                   typst_table_block(table)))
    head = nbformat.v4.new_raw_cell(
        "---\n" + yaml.safe_dump(front_matter(meta), allow_unicode=True,
                                 sort_keys=False, width=10**6) + "---")
    head["id"] = "coopreport-front-matter"
    footer = nbformat.v4.new_raw_cell(
        f'<footer class="report-footer"><p class="colophon-title">'
        f'{html.escape(translate("report.colophon", meta.lang))}</p>'
        f"<p>{html.escape(meta.provenance)}</p></footer>",
        metadata={"raw_mimetype": "text/html"})
    footer["id"] = "coopreport-footer"
    prepared = nbformat.v4.new_notebook(cells=[head, *cells, footer],
                                        metadata=copy.deepcopy(nb.metadata))
    return PreparedReport(prepared, preparer.files, preparer.html_blocks)


def code_block(text: str, classes: str = "") -> str:
    """A fenced code block showing ``text`` literally, fenced longer than any backtick run in it."""
    fence = _fence(text)
    attributes = f" {{{classes}}}" if classes else ""
    return f"{fence}{attributes}\n{text.rstrip(chr(10))}\n{fence}\n"


def _cell_options(source: str) -> dict[str, Any]:
    """The ``#| key: value`` lines this module wrote (:func:`_option_lines`), read back."""
    lines = [line[3:] for line in source.splitlines() if line.startswith("#| ")]
    loaded = yaml.safe_load("\n".join(lines)) if lines else None
    return loaded if isinstance(loaded, dict) else {}


def _image_markdown(data: dict[str, Any], number: int, files: dict[str, bytes]) -> str | None:
    """An image output that is not a chart: a data URI in HTML, its file in Typst."""
    if "image/svg+xml" in data:
        svg = _text(data["image/svg+xml"])
        path = f"{FIGURES_DIR}/image-{number}.svg"
        files[path] = svg.encode("utf-8")
        uri = f"data:image/svg+xml;base64,{svg_base64(svg)}"
    else:
        kind = next((k for k in ("image/png", "image/jpeg") if k in data), None)
        if kind is None:
            return None
        encoded = "".join(_text(data[kind]).split())
        path = f"{FIGURES_DIR}/image-{number}.{kind.split('/')[1]}"
        files[path] = base64.b64decode(encoded)
        uri = f"data:{kind};base64,{encoded}"
    page = f'<p class="cell-output-image"><img alt="" src="{html.escape(uri, quote=True)}"></p>'
    return "\n" + raw_block("html", page) + "\n" + raw_block("typst", typst_image(path))


def _output_markdown(output: nbformat.NotebookNode, number: int,
                     files: dict[str, bytes]) -> str:
    """One output of the prepared notebook as Markdown (what Quarto's Jupyter engine makes
    of it: Markdown as it is, printed text and plain values as code blocks, images)."""
    kind = output.get("output_type")
    if kind == "stream":
        return code_block(_text(output.get("text", "")), ".cell-output-stdout")
    if kind == "error":
        return code_block("\n".join(output.get("traceback", [])) or output.get("evalue", ""),
                          ".cell-output-error")
    data = output.get("data", {})
    if "text/markdown" in data:
        return _text(data["text/markdown"])
    image = _image_markdown(data, number, files)
    if image is not None:
        return image
    if "text/plain" in data:
        return code_block(_text(data["text/plain"]), ".cell-output-display")
    return ""


def notebook_markdown(nb: nbformat.NotebookNode, files: dict[str, bytes] | None = None) -> str:
    """A notebook from :func:`prepare_for_quarto` as one Quarto Markdown document.

    The cell options become Markdown: a figure label and caption a figure div
    (``::: {#fig-N}``, the caption its last paragraph), the table class a div around the
    table (whose caption already carries ``{#tbl-N}``); ``output: asis`` Markdown is the
    document's own text. Markdown cells are kept, the front matter comes first and the footer
    is a raw HTML block. Images that are not charts are added to ``files``.
    """
    files = {} if files is None else files
    blocks: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "raw":
            source = _text(cell.source)
            if cell.get("id") == "coopreport-front-matter":
                blocks.append(source + "\n")
            elif cell.get("metadata", {}).get("raw_mimetype") == "text/html":
                blocks.append(raw_block("html", source))
            continue
        if cell.cell_type == "markdown":
            blocks.append(_text(cell.source).strip("\n") + "\n")
            continue
        options = _cell_options(_text(cell.source))
        for output in cell.get("outputs", []):
            images = sum(1 for name in files if name.startswith(f"{FIGURES_DIR}/image-"))
            body = _output_markdown(output, images + 1, files).strip("\n")
            if not body:
                continue
            label, caption = options.get("label"), options.get("fig-cap")
            if isinstance(label, str) and label.startswith("fig-") and caption:
                body = f"::: {{#{label}}}\n{body}\n\n{caption}\n:::"
            elif options.get("classes"):
                classes = " ".join(f".{name}" for name in str(options["classes"]).split())
                body = f"::: {{{classes}}}\n{body}\n:::"
            blocks.append(body + "\n")
    return "\n".join(blocks)


def widget_triggers(nb: nbformat.NotebookNode) -> list[str]:
    """Where ``nb`` still has an output that makes Quarto load scripts from a CDN."""
    found = []
    for cell in nb.cells:
        for output in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if output.get("output_type") in DISPLAY_TYPES:
                keys = [k for k in output.get("data", {}) if k in WIDGET_TRIGGERS]
                found += [f"cell {cell.get('id', '?')}: {key}" for key in keys]
    return found


def has_charts(nb: nbformat.NotebookNode) -> bool:
    """True when a cell Quarto would show has a chart output."""
    return any(_is_chart(output.get("data", {})) for cell in nb.cells
               if cell.cell_type == "code" and not _tags(cell) & (REMOVED_TAGS | NO_OUTPUT_TAGS)
               for output in cell.get("outputs", []))
