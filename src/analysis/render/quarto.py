"""Render executed report notebooks with Quarto, inside a copy of the ``reports/`` project.

What Quarto gets is the executed notebook prepared as one Quarto Markdown document
(:mod:`analysis.render.quarto_prepare`: front matter, figure and table labels, charts as raw
HTML and Typst blocks), ``report.md``: Quarto's markdown engine renders it, so no Jupyter
engine starts and nothing is executed. One ``quarto render report.md --to all`` run (one Deno
start per report) writes HTML and the PDF through Typst, with the project's shared look:
``_quarto.yml``, ``styles/`` and the template partials ``title-block.html``,
``typst-template.typ`` and ``typst-show.typ``.

Three rules keep Quarto's output the report we mean (each seen with a real Quarto 1.10):

- **Quarto works in a folder it recognises as a project.** Quarto ignores ``_quarto.yml`` for a file
  whose path has a folder starting with ``.`` or ``_`` and renders a standalone page (Bootstrap
  look, files under ``NAME_files/`` that are never published, default Typst template). The project
  copy is therefore made under :func:`analysis.render.quarto_cli.quarto_work_root` (the system's
  temporary folder, or ``COOPREPORT_QUARTO_TMP``), never under the output folder, and a path with
  such a component is refused before Quarto runs.
- **The rendered files are taken only from the project's ``output-dir``** (``_build/``).
  Anything else — a file beside the notebook, nothing at all — is a :class:`RenderError` that
  lists what Quarto wrote and where.
- **The HTML must be one self-contained file**: :func:`finish_html` inlines the project's
  style sheets and adds the Vega bundle (instead of pandoc's slow ``embed-resources`` pass);
  a page that still loads a script, style sheet, font or image from the network or from a
  file beside it is a :class:`RenderError`, never published.
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import nbformat

from analysis.core import paths
from analysis.core.errors import RenderError, UnavailableError
from analysis.core.process import run_bounded
from analysis.render.html import REPORT_CSS, font_css, vega_javascript
from analysis.render.meta import read_meta
from analysis.render.pdf import RANGES_FILTER, TYPST_MODULE
from analysis.render.quarto_cli import (
    QUARTO_INSTALL_HINT,
    find_quarto,
    hidden_components,
    quarto_work_root,
)
from analysis.render.quarto_prepare import has_charts, prepare_for_quarto, widget_triggers

log = logging.getLogger(__name__)

QUARTO_FORMATS = {"html": "html", "pdf": "typst"}
OUTPUT_DIR = "_build"  # project.output-dir in reports/_quarto.yml
FONTS_DIR = "fonts"  # font-paths in reports/_quarto.yml (Typst and SVG charts)
FONTS_CSS = "styles/fonts.css"  # rewritten with the fonts embedded as data URIs
DOCUMENT_NAME = "report.md"  # the prepared document in the project copy (markdown engine)
TIMEOUT_SECONDS = 600
STDERR_TAIL = 6000  # characters of Quarto's diagnostics kept in an error message
LISTED_FILES = 20  # files named when Quarto's output is not where the project puts it

VEGA_START = """<script>
(function () {
  function draw() {
    document.querySelectorAll(".coopreport-chart").forEach(function (chart) {
      var target = chart.querySelector(".vega-chart");
      var specNode = chart.querySelector("script.vega-spec");
      if (!target || !specNode || typeof vegaEmbed !== "function") { return; }
      var spec;
      try { spec = JSON.parse(specNode.textContent); }
      catch (error) { console.warn("chart kept as a static image:", error); return; }
      vegaEmbed(target, spec, {actions: false, renderer: "svg"})
        .then(function () { chart.classList.add("interactive"); })
        .catch(function (error) { console.warn("chart kept as a static image:", error); });
    });
  }
  // Vega measures axis labels when it draws: wait for the embedded font, or labels measured
  // in a fallback font overlap the axis titles
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(draw, draw); }
  else { draw(); }
})();
</script>
"""


def vega_include_html(vega_js: str) -> str:
    """What :func:`finish_html` adds to an HTML report: the Vega bundle, then its start-up.

    ``vega_js`` is :func:`analysis.render.html.vega_javascript` (already safe inside a
    ``<script>`` element).
    """
    return f"<script>{vega_js}</script>\n{VEGA_START}"


def copy_project(project: Path) -> None:
    """Copy ``reports/`` (without built output), the shipped fonts, the shared Typst page
    module (:data:`analysis.render.pdf.TYPST_MODULE`) and the built-in renderer's style sheet
    (:data:`analysis.render.html.REPORT_CSS`) to ``project``."""
    shutil.copytree(paths.reports_dir(), project, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("_output", OUTPUT_DIR, ".quarto", "*.ipynb",
                                                 "README.md"))
    shutil.copytree(paths.ASSETS_DIR / "fonts", project / FONTS_DIR, dirs_exist_ok=True)
    shutil.copyfile(TYPST_MODULE, project / TYPST_MODULE.name)  # typst-template.typ imports it
    shutil.copyfile(RANGES_FILTER, project / RANGES_FILTER.name)  # _quarto.yml's Typst filter
    # the one style sheet of both renderers (Quarto-only rules: reports/styles/quarto.css)
    shutil.copyfile(REPORT_CSS, project / "styles" / "report.css")
    (project / FONTS_CSS).parent.mkdir(parents=True, exist_ok=True)
    (project / FONTS_CSS).write_text(font_css() + "\n", encoding="utf-8")


def make_project_dir(stem: str) -> Path:
    """A new, empty folder for one Quarto render, where Quarto will apply the project.

    Raises
    ------
    RenderError
        When the folder's path has a component starting with ``.`` or ``_`` (Quarto would
        ignore the project), or it cannot be made.
    """
    root = quarto_work_root()
    hidden = hidden_components(root)
    if hidden:
        raise RenderError(
            f"cannot render with Quarto in {root}: its path has the folder(s) "
            f"{', '.join(repr(h) for h in hidden)}, and Quarto ignores the project file "
            f"(_quarto.yml) under a folder whose name starts with '.' or '_'; set "
            f"{paths.QUARTO_TMP_ENV} to a folder without such a component (e.g. /tmp)")
    try:
        return Path(tempfile.mkdtemp(prefix=f"coopreport-quarto-{stem[:40]}-", dir=root))
    except OSError as exc:
        raise RenderError(f"cannot make a Quarto work folder in {root} ({exc}); set "
                          f"{paths.QUARTO_TMP_ENV} to a writable folder") from exc


def _diagnostics(text: str | None) -> str:
    text = (text or "").strip() or "(no output)"
    return "[...]\n" + text[-STDERR_TAIL:] if len(text) > STDERR_TAIL else text


def _files_in(project: Path, before: set[Path]) -> list[str]:
    """Files under ``project`` that were not there before Quarto ran, relative, sorted."""
    new = sorted(str(p.relative_to(project)) for p in project.rglob("*")
                 if p.is_file() and p not in before)
    if len(new) > LISTED_FILES:
        new = [*new[:LISTED_FILES], f"... and {len(new) - LISTED_FILES} more"]
    return new


def run_quarto(quarto: str, project: Path, notebook: str,
               formats: Sequence[str]) -> dict[str, Path]:
    """Run ``quarto render NOTEBOOK --to all --no-execute`` (or ``--to html`` / ``--to typst``
    for one format) once in ``project``.

    Returns
    -------
    dict
        Format (``html``/``pdf``) → the file Quarto wrote in the project's ``output-dir``.

    Raises
    ------
    RenderError
        When Quarto cannot run, fails (the message carries its diagnostics), or its output
        is not in ``output-dir`` (the message lists what it wrote and where).
    """
    # Quarto takes one format after --to: "--to html,typst" is "Unknown format html,typst"
    # (quarto-cli#5947), and without --to it renders only the first; "--to all" renders every
    # format of reports/_quarto.yml, which are exactly html and typst (checked with 1.10.18)
    targets = QUARTO_FORMATS[formats[0]] if len(formats) == 1 else "all"
    command = [quarto, "render", notebook, "--to", targets, "--no-execute"]
    before = {p for p in project.rglob("*") if p.is_file()}
    log.debug("running %s in %s", " ".join(command), project)
    try:
        # in a process group of its own: at the time limit Quarto's helpers (Deno, pandoc,
        # Typst) are stopped with it
        done = run_bounded(command, timeout=TIMEOUT_SECONDS, cwd=project)
    except subprocess.CalledProcessError as exc:
        raise RenderError(f"{notebook}: quarto render --to {targets} failed "
                          f"(exit {exc.returncode}):\n"
                          f"{_diagnostics(exc.stderr or exc.stdout)}") from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"{notebook}: quarto render --to {targets} did not finish in "
                          f"{TIMEOUT_SECONDS} s") from exc
    except OSError as exc:
        raise RenderError(f"{notebook}: cannot run {quarto} ({exc}); check the Quarto "
                          "installation or QUARTO_PATH") from exc
    log.debug("quarto: %s", done.stderr.strip()[-STDERR_TAIL:])
    produced: dict[str, Path] = {}
    missing = []
    for fmt in formats:
        name = f"{Path(notebook).stem}.{fmt}"
        if (project / OUTPUT_DIR / name).is_file():
            produced[fmt] = project / OUTPUT_DIR / name
        else:
            missing.append(name)
    if missing:
        wrote = _files_in(project, before)
        raise RenderError(
            f"{notebook}: quarto render --to {targets} reported success but wrote no "
            f"{' or '.join(missing)} in the project's output-dir ({project / OUTPUT_DIR}); "
            f"it wrote {', '.join(wrote) if wrote else 'nothing'} in {project}. Output "
            "elsewhere means Quarto did not apply reports/_quarto.yml (a standalone render): "
            "check the Quarto version (>= 1.5) and that _quarto.yml is valid")
    return produced


class _Resources(HTMLParser):
    """Every URL an HTML page loads (scripts, style sheets, images, frames, media, CSS url())."""

    LOADING = {"script": "src", "img": "src", "iframe": "src", "source": "src", "audio": "src",
               "video": "src", "embed": "src", "track": "src", "input": "src",
               "object": "data", "link": "href"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[str] = []
        self._style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        wanted = self.LOADING.get(tag)
        for name, value in attrs:
            if value and (name == wanted or name == "srcset" or name == "poster"):
                self.urls.append(value.strip())
            if name == "style" and value:
                self.urls += _css_urls(value)
        self._style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._style = False

    def handle_data(self, data: str) -> None:
        if self._style:
            self.urls += _css_urls(data)


def _css_urls(css: str) -> list[str]:
    found = [m.strip("'\" ") for m in re.findall(r"url\(\s*([^)]*)\)", css)]
    found += [m for m in re.findall(r"@import\s+['\"]([^'\"]+)", css)]
    return found


def html_problems(page: str) -> list[str]:
    """Why an HTML page is not one self-contained file: each resource it would load from the
    network or from a file beside it (``NAME_files/``, ``site_libs/`` ...)."""
    parser = _Resources()
    parser.feed(page)
    problems = []
    for url in parser.urls:
        if url.startswith(("data:", "#")) or not url:
            continue
        remote = url.startswith("//") or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", url)
        where = "the network" if remote else "a file beside the page"
        problems.append(f"loads {url[:120]} from {where}")
    return problems


def render_with_quarto(executed: Path, workdir: Path, formats: Sequence[str],
                       quarto: str | None = None) -> list[Path]:
    """Render ``executed`` with Quarto into ``workdir`` as ``NAME.html`` / ``NAME.pdf``.

    Parameters
    ----------
    executed
        The executed notebook (papermill's output, with ``metadata.coopreport``).
    workdir
        Where the rendered files go (the report's work folder).
    formats
        ``html`` and/or ``pdf``.
    quarto
        The quarto executable; found with :func:`analysis.render.quarto_cli.find_quarto` when None.

    Raises
    ------
    RenderError
        When Quarto is missing or fails (the message carries Quarto's own diagnostics), when
        its output is not where the project puts it, or when the HTML is not self-contained.
    """
    quarto = quarto or find_quarto()
    if quarto is None:
        raise UnavailableError(f"Quarto was not found; {QUARTO_INSTALL_HINT}")
    unknown = set(formats) - set(QUARTO_FORMATS)
    if unknown:
        raise RenderError(f"{executed.name}: unknown format(s) {', '.join(sorted(unknown))}; "
                          "use html and/or pdf")
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError) as exc:
        raise RenderError(f"{executed}: cannot read the executed notebook ({exc})") from exc
    project = make_project_dir(executed.stem)
    try:
        return _render_in(project, nb, executed, workdir, list(formats), quarto)
    finally:
        shutil.rmtree(project, ignore_errors=True)


def _inline_style(match: re.Match[str], project: Path) -> str:
    css = (project / match["href"]).read_text(encoding="utf-8")
    return "<style>\n" + css.replace("</", "<\\/") + "\n</style>"


def finish_html(page: str, project: Path, vega_js: str | None,
                blocks: Sequence[str] = ()) -> str:
    """Quarto's HTML page made one self-contained file: each slot
    (:func:`analysis.render.quarto_prepare.html_slot`) replaced by its block of ``blocks``
    (charts, tables, attachments), the project's style sheets (``styles/*.css``, which Quarto
    links) inlined, and, for interactive charts, the Vega bundle and its start-up script
    added once before ``</body>``.

    This is what ``embed-resources: true`` would do with pandoc's second pass over the whole
    page (1.5-2 s per report with Quarto 1.10); only files of the project copy this module
    wrote are read. Whatever else the page loads stays, and :func:`html_problems` refuses it.
    """
    filled: set[int] = set()

    def fill(match: re.Match[str]) -> str:
        number = int(match["number"])
        if not 1 <= number <= len(blocks) or number in filled:
            raise RenderError(f"Quarto's HTML has an unexpected block slot {match[0]}")
        filled.add(number)
        return blocks[number - 1]

    page = _HTML_SLOT.sub(fill, page)
    if len(filled) != len(blocks):
        missing = sorted(set(range(1, len(blocks) + 1)) - filled)
        raise RenderError(f"Quarto's HTML lost {len(missing)} of the report's {len(blocks)} "
                          f"charts, tables or attachments (slots {missing[:10]})")
    styles = {str(p.relative_to(project)) for p in (project / "styles").glob("*.css")}

    def inline(match: re.Match[str]) -> str:
        return _inline_style(match, project) if match["href"] in styles else match[0]

    page = _STYLE_LINK.sub(inline, page)
    if vega_js is not None:
        end = page.rfind("</body>")
        if end < 0:
            raise RenderError("Quarto's HTML has no </body>: cannot add the chart script")
        page = page[:end] + vega_include_html(vega_js) + page[end:]
    return page


_HTML_SLOT = re.compile(r'<div data-coopreport-html="(?P<number>\d+)"></div>')
_STYLE_LINK = re.compile(r'<link rel="stylesheet" href="(?P<href>[A-Za-z0-9_./-]+\.css)"\s*/?>')


def _render_in(project: Path, nb: nbformat.NotebookNode, executed: Path, workdir: Path,
               formats: list[str], quarto: str) -> list[Path]:
    copy_project(project)
    interactive = "html" in formats and has_charts(nb)
    prepared = prepare_for_quarto(nb, read_meta(executed), interactive)
    left = widget_triggers(prepared.notebook)
    if left:  # prepare_for_quarto removes them all; never let Quarto add CDN scripts
        raise RenderError(f"{executed.name}: the notebook for Quarto still has outputs that "
                          f"make Quarto load scripts from a CDN: {'; '.join(left[:5])}")
    document = prepared.markdown()
    for relative, content in prepared.files.items():
        (project / relative).parent.mkdir(parents=True, exist_ok=True)
        (project / relative).write_bytes(content)
    (project / DOCUMENT_NAME).write_text(document, encoding="utf-8")
    produced = run_quarto(quarto, project, DOCUMENT_NAME, formats)
    if "html" in produced:
        page = finish_html(produced["html"].read_text(encoding="utf-8"), project,
                           vega_javascript() if interactive else None, prepared.html_blocks)
        problems = html_problems(page)
        if problems:
            raise RenderError(
                f"{executed.name}: Quarto's HTML is not one self-contained file: "
                f"{'; '.join(problems[:5])}"
                + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
                + ". Check reports/_quarto.yml (minimal: true, no theme or scripts)")
        produced["html"].write_text(page, encoding="utf-8")
    outputs = []
    for fmt in formats:
        target = workdir / f"{executed.stem}.{fmt}"
        shutil.move(str(produced[fmt]), target)
        outputs.append(target)
    return outputs
