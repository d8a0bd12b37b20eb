"""The page of a report that failed in the last build: ``_failed/NAME.html`` beside its executed
notebook, linked from the portal.

A reader (or the analyst on call) opens it in a browser, not a raw ``.ipynb``: the report's
name and title, the reason the build recorded, and each cell that raised with its source and
traceback as plain text (papermill's terminal colours removed). Self-contained like the portal
(no script, nothing loaded), every value escaped, headings in every report language.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import nbformat

from analysis.core.files import atomic_write
from analysis.core.version import __version__
from analysis.data.taxonomy import LANGUAGES
from analysis.report.i18n import translate
from analysis.report.output_budget import INJECTED_TAG

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # terminal colour codes in tracebacks
MAX_TRACEBACK = 20_000  # characters of one traceback shown; its end, where the error is


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _every(key: str, **values: object) -> str:
    """A text in every report language, " · " between (once when they agree)."""
    return " · ".join(dict.fromkeys(translate(key, lang, **values) for lang in LANGUAGES))


def failed_cells(nb: Any) -> list[tuple[int, str, str]]:
    """The cells of an executed notebook that raised: ``(number, source, traceback)``, the
    number as the notebook's author counts (papermill's injected parameters cell not counted),
    the traceback without terminal colours."""
    found = []
    number = 0
    for cell in nb.get("cells", []):
        if INJECTED_TAG in (cell.get("metadata", {}).get("tags") or []):
            continue
        number += 1
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if output.get("output_type") != "error":
                continue
            lines = output.get("traceback") or [f"{output.get('ename', '')}: "
                                                f"{output.get('evalue', '')}"]
            text = ANSI.sub("", "\n".join(str(line) for line in lines))
            if len(text) > MAX_TRACEBACK:
                text = "…\n" + text[-MAX_TRACEBACK:]
            source = cell.get("source", "")
            found.append((number, "".join(source) if isinstance(source, list) else str(source),
                          text))
    return found


def render_error_page(name: str, title: str, error: str, notebook: Any | None,
                      notebook_link: str | None) -> str:
    """The page as HTML text. ``notebook``: the executed notebook (None when the kernel died
    before one was written); ``notebook_link``: where the page links it for download."""
    reason = error.strip() or _every("portal.no_reason")
    cells = "".join(
        f"<section><h2>{_e(_every('error.cell', number=number))}</h2>"
        f"<pre class=\"source\">{_e(source)}</pre><pre class=\"traceback\">{_e(trace)}</pre>"
        "</section>" for number, source, trace in (failed_cells(notebook) if notebook else []))
    download = (f'<p><a href="{_e(notebook_link)}">{_e(_every("portal.executed"))}</a> '
                "(.ipynb)</p>" if notebook_link else "")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="coopreport {_e(__version__)}">
<title>{_e(_every("error.title", name=name))}</title>
<style>
body {{ font-family: "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #1d2733;
       max-width: 68rem; margin: 0 auto; padding: 1rem 1.5rem 2rem; line-height: 1.45; }}
h1 {{ font-size: 1.4rem; border-left: 4px solid #b3261e; padding-left: .8rem; }}
h2 {{ font-size: 1.05rem; color: #1f5f8b; }}
pre {{ background: #f4f6f8; border: 1px solid #d5dbe3; padding: .6rem; overflow-x: auto;
       white-space: pre-wrap; font-size: .85rem; }}
.traceback {{ border-color: #e0b4b1; }}
a {{ color: #1f5f8b; }}
</style></head>
<body><p><a href="../index.html">{_e(_every("error.back"))}</a></p>
<h1>{_e(_every("error.title", name=name))}</h1>
<p class="title">{_e(title)}</p>
<h2>{_e(_every("error.reason"))}</h2>
<pre class="reason">{_e(reason)}</pre>
{cells}{download}<p>{_e(_every("error.kept"))}</p>
</body></html>
"""


def write_error_page(folder: Path, name: str, title: str, error: str,
                     notebook: Path | None) -> Path:
    """Write ``folder/NAME.html`` atomically; ``notebook`` is the failed executed notebook in
    ``folder`` (None: there is none). An unreadable notebook leaves the reason alone."""
    nb = None
    if notebook is not None:
        try:
            nb = nbformat.read(notebook, as_version=4)
        except (OSError, ValueError):
            nb = None
    page = render_error_page(name, title, error, nb,
                             notebook.name if notebook is not None else None)
    return atomic_write(folder / f"{name}.html", page)
