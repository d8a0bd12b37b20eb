"""Built-in PDF renderer: executed notebook → Markdown → pandoc (Typst writer) → Typst → PDF.

The notebook's outputs are assembled into one Markdown document: narrative and tables from
their escaped ``text/markdown`` form (real tables, not monospace text), charts as vector SVG
files with numbered captions. pandoc (from the ``pypandoc-binary`` wheel) writes Typst with the
project's template and the ``typst`` package compiles it with the shipped Noto Sans font, so
text stays selectable and searchable, Cyrillic included.
"""

from __future__ import annotations

import base64
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

from analysis.core import paths
from analysis.core.errors import RenderError
from analysis.core.process import run_bounded
from analysis.render.meta import ReportMeta
from analysis.render.sanitize import sanitize_notebook
from analysis.report.chart_images import chart_caption
from analysis.report.display import escape_markdown
from analysis.report.i18n import translate

TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.typ"
# the page both renderers draw (title band, contents, headings, tables, captions): imported by
# TEMPLATE and by Quarto's reports/typst-template.typ from the folder a report compiles in
TYPST_MODULE = TEMPLATE.with_name("coopreport.typ")
LITERAL_FILTER = TEMPLATE.with_name("typst-literal.lua")  # line-start markers stay literal
SAFE_FILTER = TEMPLATE.with_name("safe-links.lua")  # only our figures; only web/mail links
TABLE_BODY_FILTER = TEMPLATE.with_name("table-body.lua")  # a table without its caption
RANGES_FILTER = TEMPLATE.with_name("typst-ranges.lua")  # "2017–2025" never split at the dash
# each step of the PDF (pandoc, then Typst) is stopped at these bounds, so that no notebook
# can make the build hang or eat the machine's memory
PDF_TIMEOUT = 120  # seconds
PDF_MEMORY = 2 << 30  # bytes (Typst: address space; pandoc: its heap)
# Typst runs in a child process, so that the bounds hold it
TYPST_CHILD = ("import sys, typst\ntry:\n    typst.compile(sys.argv[1], output=sys.argv[2], "
               "root=sys.argv[3], font_paths=[sys.argv[4]], pdf_tags=False)\nexcept "
               "(RuntimeError, MemoryError) as exc:\n    sys.exit(str(exc) or 'out of memory')")
SKIP_TAGS = {"parameters", "injected-parameters", "remove-output", "remove-cell"}
# what pandoc reads: the notebook's text is never metadata, raw HTML or a raw attribute block
MARKDOWN_READER = "markdown-raw_html-raw_attribute-yaml_metadata_block-pandoc_title_block"
# a line width no table row exceeds: pandoc then leaves column widths to Typst
PANDOC_COLUMNS = "100000"


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def html_to_markdown(html: str) -> str:
    import pypandoc

    return str(pypandoc.convert_text(html, "markdown-raw_html", format="html"))


def notebook_markdown(nb: nbformat.NotebookNode, media: Path) -> str:
    """The report as pandoc Markdown; chart SVGs are written into ``media``."""
    media.mkdir(parents=True, exist_ok=True)
    blocks: list[str] = []
    figure = 0
    for cell in nb.cells:
        if SKIP_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            continue
        if cell.cell_type == "markdown":
            blocks.append(_text(cell.source))
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue
            spec_key = next((k for k in data if k.startswith("application/vnd.vegalite.")), None)
            if "image/svg+xml" in data or "image/png" in data:
                figure += 1
                caption = chart_caption(data[spec_key]) if spec_key else ""
                if "image/svg+xml" in data:
                    name = f"figure-{figure}.svg"
                    (media / name).write_text(_text(data["image/svg+xml"]), encoding="utf-8")
                else:
                    name = f"figure-{figure}.png"
                    (media / name).write_bytes(base64.b64decode(_text(data["image/png"])))
                alt = escape_markdown(caption) or "\\ "
                blocks.append(f"![{alt}]({media.name}/{name})")
            elif "text/markdown" in data:
                blocks.append(_text(data["text/markdown"]))
            elif "text/html" in data:  # e.g. a plain DataFrame: pandoc reads the HTML table
                blocks.append(html_to_markdown(_text(data["text/html"])))
            elif "text/plain" in data:
                blocks.append("```\n" + _text(data["text/plain"]) + "\n```")
    return "\n\n".join(blocks) + "\n"


def render_pdf(executed: Path, target: Path, meta: ReportMeta, workdir: Path) -> Path:
    """Render an executed notebook to PDF at ``target``, using ``workdir`` for scratch files.

    Raises
    ------
    RenderError
        When pandoc or Typst fails; the message carries their diagnostics.
    """
    import pypandoc

    nb = sanitize_notebook(nbformat.read(executed, as_version=4), meta.lang)
    scratch = workdir / "pdf"
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "body.md").write_text(notebook_markdown(nb, scratch / "media"), encoding="utf-8")
    texts = {
        "title": meta.title, "subtitle": meta.subtitle or "", "date": meta.date,
        "publisher": meta.publisher or "",
        "kicker": meta.kicker, "provenance": meta.provenance, "running-title": meta.title,
        "toc-title": translate("report.contents", meta.lang),
        "colophon-title": translate("report.colophon", meta.lang),
    }
    # pandoc reads metadata strings as Markdown: escape them so they print literally
    metadata = {key: escape_markdown(value) for key, value in texts.items() if value}
    metadata["lang"] = meta.lang
    (scratch / "meta.yaml").write_text(yaml.safe_dump(metadata, allow_unicode=True),
                                       encoding="utf-8")
    shutil.copyfile(TYPST_MODULE, scratch / TYPST_MODULE.name)
    command = [
        # the heap pandoc may use (its runtime's own limit: it reserves far more address space)
        pypandoc.get_pandoc_path(), "+RTS", f"-M{PDF_MEMORY // (1 << 20)}m", "-RTS", "body.md",
        # the notebook's text is never metadata: a YAML block or a "% title" line in a
        # Markdown cell is read as text, and the title block comes from meta.yaml alone
        "--from", MARKDOWN_READER,
        "--to", "typst", "--template", str(TEMPLATE), "--metadata-file", "meta.yaml",
        "--lua-filter", str(SAFE_FILTER), "--lua-filter", str(LITERAL_FILTER),
        "--lua-filter", str(RANGES_FILTER),
        "--output", "report.typ", "--columns", PANDOC_COLUMNS,
    ]
    _bounded(command, "pandoc", executed, scratch)
    typst = [sys.executable, "-c", TYPST_CHILD, str(scratch / "report.typ"), str(target),
             str(scratch), str(paths.ASSETS_DIR / "fonts")]
    _bounded(typst, "Typst", executed, scratch)
    return target


def typst_tables(tables: list[str], scratch: Path) -> list[str]:
    """The Typst of each Markdown table (with its caption line and attributes), written as
    the built-in PDF writes it: pandoc's Typst writer with the same filters
    (``safe-links.lua``, ``typst-literal.lua``: escaped line starts, break points in long
    addresses, ``tbl-colwidths``, the smaller type of ``compact`` tables). One pandoc run for
    all tables. Each result is a ``#figure(..., kind: table)`` with the caption left out.

    Raises
    ------
    RenderError
        When pandoc fails.
    """
    import secrets

    import pypandoc

    if not tables:
        return []
    split = f"coopreport{secrets.token_hex(8)}split"  # a paragraph no data text can be
    scratch.mkdir(parents=True, exist_ok=True)
    (scratch / "tables.md").write_text(f"\n\n{split}\n\n".join(tables) + "\n",
                                       encoding="utf-8")
    command = [pypandoc.get_pandoc_path(), "+RTS", f"-M{PDF_MEMORY // (1 << 20)}m", "-RTS",
               "tables.md", "--from", MARKDOWN_READER, "--to", "typst",
               "--lua-filter", str(SAFE_FILTER), "--lua-filter", str(LITERAL_FILTER),
               "--lua-filter", str(RANGES_FILTER), "--lua-filter", str(TABLE_BODY_FILTER),
               "--output", "tables.typ", "--columns", PANDOC_COLUMNS]
    _bounded(command, "pandoc", scratch / "tables.md", scratch)
    written = (scratch / "tables.typ").read_text(encoding="utf-8")
    parts = [part.strip("\n") for part in written.split(f"\n{split}\n")]
    if len(parts) != len(tables):
        raise RenderError(f"pandoc wrote {len(parts)} Typst tables for {len(tables)} tables")
    return parts


def _bounded(command: list[str], what: str, executed: Path, scratch: Path) -> None:
    """Run one step of the PDF within :data:`PDF_TIMEOUT` and :data:`PDF_MEMORY`."""
    try:
        run_bounded(command, timeout=PDF_TIMEOUT, cwd=scratch,
                    memory=PDF_MEMORY if what == "Typst" else None)
    except subprocess.CalledProcessError as exc:
        detail = (exc.stderr or "").strip()[-2000:] or f"exit code {exc.returncode}"
        raise RenderError(f"{executed}: {what} failed: {detail}") from exc
    except subprocess.TimeoutExpired as exc:
        raise RenderError(f"{executed}: {what} did not finish in {PDF_TIMEOUT} s and was "
                          "stopped; the PDF was not made") from exc
    except OSError as exc:
        raise RenderError(f"{executed}: cannot run {what} ({exc})") from exc
