"""Render executed report notebooks with Quarto, inside a copy of the ``reports/`` project.

Quarto renders the executed notebook as it is (``--no-execute``; the project also disables
execution), to HTML and to PDF through Typst, with the project's shared look: ``_quarto.yml``,
``styles/`` and the template partials ``title-block.html``, ``typst-template.typ`` and
``typst-show.typ``. What Quarto gets is a prepared copy of the notebook
(:func:`prepare_for_quarto`, pure and testable without Quarto):

- a front matter raw cell: title, subtitle, language, dates, kicker and provenance line,
  each escaped so Quarto's Markdown reader shows it literally;
- one cell per output, so each output can carry its own cell options: charts get
  ``#| label: fig-N`` and ``#| fig-cap:`` (the Vega-Lite title), narrative and headings
  ``#| output: asis`` (headings then reach the table of contents and are numbered);
- report tables (:class:`analysis.display.Table`) keep only their escaped Markdown form, whose
  caption line gets the cross-reference id ``{#tbl-N}``: one numbered caption, no second one
  from the HTML ``<caption>``. (A ``tbl-cap`` cell option would be forwarded as a div attribute
  and read as Markdown again, escaping only ``'``; data text could not stay literal.);
- for HTML, each chart gains a ``text/html`` form (vega-embed target, escaped JSON spec, SVG
  fallback), which Quarto prefers for HTML; Typst takes the SVG. The Vega JavaScript and its
  start-up script are included once with ``include-after-body``; ``embed-resources`` keeps the
  page one self-contained file;
- no ``remove-cell`` cells, no outputs of the parameters cells, no code.
"""

from __future__ import annotations

import copy
import html
import json
import logging
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
import yaml

from analysis import paths
from analysis.display import escape_markdown
from analysis.errors import RenderError
from analysis.i18n import translate
from analysis.render_html import font_css, svg_base64, vega_javascript, vega_json
from analysis.renderer import chart_title
from analysis.report_meta import ReportMeta, read_meta

log = logging.getLogger(__name__)

QUARTO_FORMATS = {"html": "html", "pdf": "typst"}
PROJECT_DIR = "quarto"  # the project copy inside a report's work folder
OUTPUT_DIR = "_build"  # project.output-dir in reports/_quarto.yml
FONTS_DIR = "fonts"  # font-paths in reports/_quarto.yml (Typst and SVG charts)
FONTS_CSS = "styles/fonts.css"  # rewritten with the fonts embedded as data URIs
VEGA_INCLUDE = "_coopreport-vega.html"  # the Vega bundle, included once after the body
REMOVED_TAGS = {"remove-cell"}
NO_OUTPUT_TAGS = {"parameters", "injected-parameters", "remove-output"}
VEGALITE_PREFIX = "application/vnd.vegalite."
TIMEOUT_SECONDS = 600
STDERR_TAIL = 6000  # characters of Quarto's diagnostics kept in an error message

_TABLE_HTML = re.compile(r'\s*<table class="report-table"><caption>')  # display.Table
_CAPTION_LINE = re.compile(r"\n: (?P<caption>[^\n]+)\n*\Z")
_PLAIN_OPTION = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")
_YAML_WORDS = {"true", "false", "yes", "no", "on", "off", "null", "y", "n"}

VEGA_START = """<script>
(function () {
  document.querySelectorAll(".coopreport-chart").forEach(function (chart) {
    var target = chart.querySelector(".vega-chart");
    var specNode = chart.querySelector("script.vega-spec");
    if (!target || !specNode || typeof vegaEmbed !== "function") { return; }
    vegaEmbed(target, JSON.parse(specNode.textContent), {actions: false, renderer: "svg"})
      .then(function () { chart.classList.add("interactive"); })
      .catch(function (error) { console.warn("chart kept as a static image:", error); });
  });
})();
</script>
"""


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def chart_html(spec: dict[str, Any], svg: str | None, description: str) -> str:
    """The interactive HTML form of a chart: vega-embed target, spec, static SVG fallback.

    The spec is JSON that cannot close its ``<script>`` element and the description is
    HTML-escaped, so no text from the data becomes markup.
    """
    label = html.escape(description or "chart", quote=True)
    parts = [
        '<div class="coopreport-chart">',
        f'<div class="vega-chart" role="img" aria-label="{label}"></div>',
        f'<script type="application/json" class="vega-spec">{vega_json(spec)}</script>',
    ]
    if svg:
        parts.append('<div class="vega-fallback"><img alt="' + label + '" '
                     f'src="data:image/svg+xml;base64,{svg_base64(svg)}"></div>')
    parts.append("</div>")
    return "\n".join(parts) + "\n"


def vega_include_html(vega_js: str) -> str:
    """What ``include-after-body`` adds to an HTML report: the Vega bundle, then its start-up.

    ``vega_js`` is :func:`analysis.render_html.vega_javascript` (already safe inside a
    ``<script>`` element).
    """
    return f"<script>{vega_js}</script>\n{VEGA_START}"


def front_matter(meta: ReportMeta, vega_include: str | None = None) -> dict[str, Any]:
    """The Quarto metadata of a report, as the templates in ``reports/`` read it.

    Pandoc reads metadata strings as Markdown: every text is escaped so it prints literally.
    """
    texts = {
        "title": meta.title, "subtitle": meta.subtitle or "",
        "toc-title": translate("report.contents", meta.lang),
        "coopreport-kicker": meta.kicker, "coopreport-date": meta.date,
        "coopreport-provenance": meta.provenance,
    }
    front: dict[str, Any] = {key: escape_markdown(value) for key, value in texts.items() if value}
    front["lang"] = meta.lang
    built = str(meta.record.get("built_at", ""))
    if re.match(r"\d{4}-\d\d-\d\d", built):
        front["date"] = built[:10]
    if vega_include:
        front["format"] = {"html": {"include-after-body": vega_include}}
    return front


def _option_lines(options: dict[str, str]) -> str:
    """Quarto cell options as ``#| key: value`` lines (YAML, one line each)."""
    lines = []
    for key, value in options.items():
        # a JSON string is a valid YAML double-quoted scalar: one line, backslashes kept
        plain = _PLAIN_OPTION.fullmatch(value) and value.lower() not in _YAML_WORDS
        lines.append(f"#| {key}: {value if plain else json.dumps(value, ensure_ascii=False)}\n")
    return "".join(lines)


def _tags(cell: nbformat.NotebookNode) -> set[str]:
    return set(cell.get("metadata", {}).get("tags", []))


def _is_chart(data: dict[str, Any]) -> bool:
    return any(k.startswith(VEGALITE_PREFIX) for k in data) and (
        "image/svg+xml" in data or "image/png" in data)


def _prepare_output(output: nbformat.NotebookNode, counters: dict[str, int],
                    interactive: bool) -> tuple[nbformat.NotebookNode, dict[str, str]]:
    """One output as Quarto should render it, and the cell options that go with it."""
    output = copy.deepcopy(output)
    if output.get("output_type") not in ("display_data", "execute_result"):
        return output, {}
    data = output["data"]
    if _is_chart(data):
        spec_key = next(k for k in data if k.startswith(VEGALITE_PREFIX))
        spec = data[spec_key]
        title = chart_title(spec) if isinstance(spec, dict) else ""
        counters["chart"] += 1
        if interactive and isinstance(spec, dict):
            svg = _text(data["image/svg+xml"]) if "image/svg+xml" in data else None
            data["text/html"] = chart_html(spec, svg, title)
        if not title:
            return output, {}
        counters["fig"] += 1
        return output, {"label": f"fig-{counters['fig']}", "fig-cap": escape_markdown(title)}
    if "text/markdown" not in data:
        return output, {}  # e.g. a plain DataFrame: Quarto reads its HTML table
    markdown = _text(data["text/markdown"])
    table = _TABLE_HTML.match(_text(data.get("text/html", "")))
    data.pop("text/html", None)  # the escaped Markdown is the one representation
    caption = _CAPTION_LINE.search(markdown)
    if table and caption:
        counters["tbl"] += 1
        data["text/markdown"] = (markdown[:caption.end("caption")]
                                 + f" {{#tbl-{counters['tbl']}}}\n")
        return output, {"classes": "coopreport-table"}
    data["text/markdown"] = "\n" + markdown.strip("\n") + "\n"
    return output, {"output": "asis"}


def prepare_for_quarto(nb: nbformat.NotebookNode, meta: ReportMeta,
                       vega_js_path: str | None = None) -> nbformat.NotebookNode:
    """The copy of an executed notebook that Quarto renders (``nb`` is left unchanged).

    Parameters
    ----------
    nb
        The executed report notebook.
    meta
        Its title block (:func:`analysis.report_meta.read_meta`).
    vega_js_path
        Path, relative to the notebook, of the file with the Vega JavaScript
        (:func:`vega_include_html`). Given: charts are interactive in HTML (static SVG
        fallback), and the file is included once when the report has a chart. None: charts
        are static SVG images.

    Returns
    -------
    nbformat.NotebookNode
        Front matter raw cell first, then markdown cells and one code cell per output, whose
        source is only its Quarto cell options (``#| ...``).
    """
    interactive = vega_js_path is not None
    counters = {"chart": 0, "fig": 0, "tbl": 0}
    cells: list[nbformat.NotebookNode] = []
    for index, cell in enumerate(nb.cells):
        tags = _tags(cell)
        if tags & REMOVED_TAGS:
            continue
        base_id = str(cell.get("id") or f"cell-{index}")
        if cell.cell_type != "code":
            kept = copy.deepcopy(cell)
            kept["id"] = base_id
            cells.append(kept)
            continue
        if tags & NO_OUTPUT_TAGS:
            continue
        for number, output in enumerate(cell.get("outputs", []), start=1):
            prepared, options = _prepare_output(output, counters, interactive)
            new = nbformat.v4.new_code_cell(source=_option_lines(options), outputs=[prepared],
                                            execution_count=cell.get("execution_count"))
            new["id"] = f"{base_id}-{number}"[-64:]
            cells.append(new)
    include = vega_js_path if interactive and counters["chart"] else None
    head = nbformat.v4.new_raw_cell(
        "---\n" + yaml.safe_dump(front_matter(meta, include), allow_unicode=True,
                                 sort_keys=False, width=10**6) + "---")
    head["id"] = "coopreport-front-matter"
    footer = nbformat.v4.new_raw_cell(
        f'<footer class="report-footer"><p>{html.escape(meta.provenance)}</p></footer>',
        metadata={"raw_mimetype": "text/html"})
    footer["id"] = "coopreport-footer"
    return nbformat.v4.new_notebook(cells=[head, *cells, footer],
                                    metadata=copy.deepcopy(nb.metadata))


def has_charts(nb: nbformat.NotebookNode) -> bool:
    """True when a cell Quarto would show has a chart output."""
    return any(_is_chart(output.get("data", {})) for cell in nb.cells
               if cell.cell_type == "code" and not _tags(cell) & (REMOVED_TAGS | NO_OUTPUT_TAGS)
               for output in cell.get("outputs", []))


def copy_project(project: Path) -> None:
    """Copy ``reports/`` (without built output) and the shipped fonts to ``project``."""
    shutil.copytree(paths.REPORTS_DIR, project,
                    ignore=shutil.ignore_patterns("_output", OUTPUT_DIR, ".quarto", "*.ipynb",
                                                 "README.md"))
    shutil.copytree(paths.ASSETS_DIR / "fonts", project / FONTS_DIR, dirs_exist_ok=True)
    (project / FONTS_CSS).parent.mkdir(parents=True, exist_ok=True)
    (project / FONTS_CSS).write_text(font_css() + "\n", encoding="utf-8")


def run_quarto(quarto: str, project: Path, notebook: str, fmt: str) -> Path:
    """Run ``quarto render NOTEBOOK --to html|typst --no-execute`` in ``project``.

    Returns
    -------
    Path
        The file Quarto wrote (``NAME.html`` or ``NAME.pdf``).

    Raises
    ------
    RenderError
        When Quarto cannot run, fails (the message carries its diagnostics) or writes nothing.
    """
    quarto_format = QUARTO_FORMATS[fmt]
    command = [quarto, "render", notebook, "--to", quarto_format, "--no-execute"]
    # the jupyter engine reads notebooks with this Python (the project's, unless the user chose)
    env = {**os.environ, "QUARTO_PYTHON": os.environ.get("QUARTO_PYTHON") or sys.executable}
    log.debug("running %s in %s", " ".join(command), project)
    try:
        done = subprocess.run(command, cwd=project, check=True, capture_output=True, text=True,
                              timeout=TIMEOUT_SECONDS, env=env)
    except subprocess.CalledProcessError as exc:
        diagnostics = (exc.stderr or exc.stdout or "").strip() or "(no output)"
        if len(diagnostics) > STDERR_TAIL:
            diagnostics = "[...]\n" + diagnostics[-STDERR_TAIL:]
        raise RenderError(f"{notebook}: quarto render --to {quarto_format} failed "
                          f"(exit {exc.returncode}):\n{diagnostics}") from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"{notebook}: quarto render --to {quarto_format} did not finish in "
                          f"{TIMEOUT_SECONDS} s") from exc
    except OSError as exc:
        raise RenderError(f"{notebook}: cannot run {quarto} ({exc}); check the Quarto "
                          "installation or QUARTO_PATH") from exc
    log.debug("quarto: %s", done.stderr.strip()[-STDERR_TAIL:])
    name = f"{Path(notebook).stem}.{fmt}"
    # project.output-dir puts the file in _build/; look beside the notebook too, in case a
    # Quarto version leaves a format's output where it rendered it
    for produced in (project / OUTPUT_DIR / name, project / name):
        if produced.is_file():
            return produced
    raise RenderError(f"{notebook}: quarto render --to {quarto_format} reported success but "
                      f"wrote no {name} in {project / OUTPUT_DIR} or {project}")


def render_with_quarto(executed: Path, workdir: Path, formats: Sequence[str],
                       quarto: str | None = None) -> list[Path]:
    """Render ``executed`` with Quarto into ``workdir`` as ``NAME.html`` / ``NAME.pdf``.

    Parameters
    ----------
    executed
        The executed notebook (papermill's output, with ``metadata.coopreport``).
    workdir
        The report's work folder; the Quarto project copy is made in ``workdir/quarto``.
    formats
        ``html`` and/or ``pdf``.
    quarto
        The quarto executable; found with :func:`analysis.render.find_quarto` when None.

    Raises
    ------
    RenderError
        When Quarto is missing or fails; the message carries Quarto's own diagnostics.
    """
    from analysis.render import QUARTO_INSTALL_HINT, find_quarto

    quarto = quarto or find_quarto()
    if quarto is None:
        raise RenderError(f"Quarto was not found; {QUARTO_INSTALL_HINT}")
    unknown = set(formats) - set(QUARTO_FORMATS)
    if unknown:
        raise RenderError(f"{executed.name}: unknown format(s) {', '.join(sorted(unknown))}; "
                          "use html and/or pdf")
    project = workdir / PROJECT_DIR
    copy_project(project)
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError) as exc:
        raise RenderError(f"{executed}: cannot read the executed notebook ({exc})") from exc
    vega_include = None
    if "html" in formats and has_charts(nb):
        (project / VEGA_INCLUDE).write_text(vega_include_html(vega_javascript()),
                                            encoding="utf-8")
        vega_include = VEGA_INCLUDE
    prepared = prepare_for_quarto(nb, read_meta(executed), vega_include)
    nbformat.write(prepared, project / executed.name)
    outputs = []
    for fmt in formats:
        produced = run_quarto(quarto, project, executed.name, fmt)
        target = workdir / f"{executed.stem}.{fmt}"
        shutil.move(str(produced), target)
        outputs.append(target)
    return outputs
