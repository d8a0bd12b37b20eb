"""Attachments too large to travel inside a report are published beside it.

A report carries its full activity list as a download inside the HTML
(:class:`analysis.report.display.Attachment`). For a selection of tens of thousands of activities
that list alone would make the HTML page (and the executed notebook) tens of megabytes. The
build runner therefore moves every attachment larger than :func:`embed_limit` out of the
executed notebook into a file of its own, ``NAME-activities.zip``, published with the report's
other files; the HTML links to it (a relative link: it works offline as long as the folder is
kept together) and the PDF's sentence names it. Smaller attachments stay inside.
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal

from analysis.core.settings import bytes_from_environment
from analysis.data.taxonomy import LANGUAGES
from analysis.report.display import (
    ATTACHMENT_MIMETYPE,
    ATTACHMENT_SUFFIX,
    attachment_filename,
    check_attachment,
    escape_markdown,
)
from analysis.report.i18n import translate

log = logging.getLogger(__name__)

EMBED_LIMIT_ENV = "COOPREPORT_EMBED_LIMIT"  # bytes an attachment may have inside the report
# 2.5 MB inside: 3.3 MB of base64 in the HTML, which with the fonts, Vega and the charts
# (~1.5 MB) keeps a report page under 6 MB however many activities it covers
DEFAULT_EMBED_LIMIT = 2_500_000


def embed_limit() -> int:
    """Bytes an attachment may have and still travel inside the report:
    ``COOPREPORT_EMBED_LIMIT`` when set (a whole number of bytes), else
    :data:`DEFAULT_EMBED_LIMIT`."""
    return bytes_from_environment(EMBED_LIMIT_ENV, DEFAULT_EMBED_LIMIT, "2500000")


def externalise(nb: Any, folder: Path, name: str, lang: str,
                limit: int | None = None) -> list[Path]:
    """Move every attachment of ``nb`` larger than ``limit`` bytes into ``folder`` as
    ``NAME-SUFFIX``; its output then names the file instead of holding it, and its sentence
    for the PDF says where the file is. Returns the files written.

    Attachments that fail :func:`analysis.report.display.check_attachment` are left alone: the
    renderers drop them.
    """
    limit = embed_limit() if limit is None else limit
    lang = lang if lang in LANGUAGES else "en"
    written: list[Path] = []
    for output in _attachment_outputs(nb):
        payload = output["data"][ATTACHMENT_MIMETYPE]
        if check_attachment(payload) is not None or "base64" not in payload:
            continue
        content = base64.b64decode(payload["base64"])
        if len(content) <= limit:
            continue
        filename = attachment_filename(name, payload["suffix"])
        target = folder / filename
        if target in written:
            log.warning("%s: two attachments named %s; the second is left inside the report",
                        name, filename)
            continue
        target.write_bytes(content)
        written.append(target)
        # the link says it leads to a separate file: a page passed on alone loses it
        beside = translate("annex.file_beside", lang, size=file_size(len(content), lang))
        label = f"{payload['label']} ({beside})"
        output["data"][ATTACHMENT_MIMETYPE] = {
            "suffix": payload["suffix"], "mediatype": payload["mediatype"],
            "label": label, "file": filename, "bytes": len(content)}
        output["data"]["text/markdown"] = escape_markdown(
            translate("annex.file_note", lang, file=filename, size=file_size(len(content), lang)))
        output["data"]["text/plain"] = f"{payload['label']} ({filename}, {len(content):,} bytes)"
        log.info("%s: %s (%s bytes) is published beside the report, too large to go inside",
                 name, filename, f"{len(content):,}")
    return written


# decimal: 1 MB = 1,000,000 bytes
UNITS = {"en": ("KB", "MB"), "ru": ("КБ", "МБ"), "uz": ("KB", "MB")}


def file_size(size: int, lang: str) -> str:
    """``4.0 MB`` / ``4,0 МБ`` (``217 KB`` under a megabyte) in the reader's language, with a
    no-break space before the unit."""
    kilo, mega = UNITS.get(lang, UNITS["en"])
    if size < 1_000_000:
        return f"{format_decimal(max(1, round(size / 1000)), locale=lang)}\u00a0{kilo}"
    megabytes = format_decimal(round(size / 1_000_000, 1), format="#,##0.0", locale=lang)
    return f"{megabytes}\u00a0{mega}"


def published_files(notebook: Path, name: str) -> list[str]:
    """The files published beside the executed notebook of report ``name``, as its
    attachments name them (only names this module gives that report's attachments), or
    ``[]`` when the notebook cannot be read."""
    try:
        nb = json.loads(notebook.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    files = []
    for output in _attachment_outputs(nb):
        payload = output["data"][ATTACHMENT_MIMETYPE]
        if check_attachment(payload) is None and "file" in payload \
                and payload["file"] == attachment_filename(name, payload["suffix"]):
            files.append(payload["file"])
    return files


def is_published_name(filename: str, name: str) -> bool:
    """Whether ``filename`` is a name :func:`externalise` may give an attachment of report
    ``name`` (``NAME-activities.zip``)."""
    stem = attachment_filename(name, "")
    suffix = filename[len(stem):]
    return filename.startswith(stem) and bool(ATTACHMENT_SUFFIX.fullmatch(suffix))


def _attachment_outputs(nb: Any) -> list[Any]:
    found = []
    for cell in nb.get("cells", []) if isinstance(nb, dict) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data") if isinstance(output, dict) else None
            if isinstance(data, dict) and ATTACHMENT_MIMETYPE in data:
                found.append(output)
    return found
