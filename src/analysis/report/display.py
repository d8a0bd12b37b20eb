"""Display objects for report notebooks: text and tables that are safe in HTML and in PDF.

Each object has an HTML form (escaped with :func:`html.escape`) for the HTML report and a
Markdown form (every ASCII punctuation character backslash-escaped, which pandoc and CommonMark
read as the literal character) for the PDF report. Text from the data is therefore always shown
literally: a title like ``<script>alert(1)</script>`` or ``#$*_@`` is text, never markup.
"""

from __future__ import annotations

import base64
import html
import math
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

_PUNCTUATION = set(string.punctuation)
# what a report records for the portal (analysis.render.portal): renderers never show this type
FACTS_MIMETYPE = "application/vnd.coopreport.facts+json"


def escape_markdown(text: str) -> str:
    """Escape ``text`` so Markdown (pandoc or CommonMark) shows it literally."""
    escaped = "".join(f"\\{ch}" if ch in _PUNCTUATION else ch for ch in str(text))
    # no line breaks inside a paragraph or table cell; no-break spaces ("33 %", "2026 г.") stay
    return re.sub(r"[^\S\u00a0\u2007\u202f]+", " ", escaped)


@dataclass(frozen=True)
class Span:
    """A piece of text, optionally strong or linked (the link target is escaped too)."""

    text: str
    strong: bool = False
    href: str | None = None
    address: bool = False  # the text is an address or id: HTML may wrap it anywhere (.url)

    def html(self) -> str:
        body = html.escape(self.text)
        if self.strong:
            body = f"<strong>{body}</strong>"
        kind = ' class="url"' if self.address else ""
        if self.href:
            body = f'<a{kind} href="{html.escape(self.href, quote=True)}">{body}</a>'
        elif self.address:
            body = f"<span{kind}>{body}</span>"
        return body

    def markdown(self) -> str:
        body = escape_markdown(self.text)
        if self.strong:
            body = f"**{body}**"
        if self.href:
            target = self.href.replace("\\", "%5C").replace(")", "%29").replace(" ", "%20")
            body = f"[{body}](<{target.replace('>', '%3E')}>)"
        return body


Inline = str | Span


def _html(parts: Sequence[Inline]) -> str:
    return "".join(p.html() if isinstance(p, Span) else html.escape(p) for p in parts)


def _markdown(parts: Sequence[Inline]) -> str:
    return "".join(p.markdown() if isinstance(p, Span) else escape_markdown(p) for p in parts)


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of generated narrative. Plain strings are escaped; use :class:`Span` for
    emphasis and links."""

    parts: tuple[Inline, ...]

    def __init__(self, *parts: Inline):
        object.__setattr__(self, "parts", tuple(parts))

    def _repr_html_(self) -> str:
        return f"<p>{_html(self.parts)}</p>"

    def _repr_markdown_(self) -> str:
        return _markdown(self.parts)

    def __repr__(self) -> str:
        return "".join(p.text if isinstance(p, Span) else p for p in self.parts)


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of generated sentences."""

    items: tuple[tuple[Inline, ...], ...]

    def _repr_html_(self) -> str:
        return "<ul>" + "".join(f"<li>{_html(i)}</li>" for i in self.items) + "</ul>"

    def _repr_markdown_(self) -> str:
        return "\n".join(f"- {_markdown(i)}" for i in self.items)

    def __repr__(self) -> str:
        return "\n".join("- " + "".join(p.text if isinstance(p, Span) else p for p in i)
                         for i in self.items)


def percent_widths(widths: Sequence[float]) -> list[int]:
    """Relative column widths as whole percentages that add up to 100 (largest remainders
    get the rounding): Quarto reads ``tbl-colwidths`` as percentages of the text width, so
    ``(8, 2, 8, 3, 7)`` written as it is made a table 28% wide."""
    total = float(sum(widths))
    exact = [100 * w / total for w in widths]
    whole = [int(x) for x in exact]
    for i in sorted(range(len(exact)), key=lambda k: whole[k] - exact[k])[:100 - sum(whole)]:
        whole[i] += 1
    return whole


@dataclass(frozen=True)
class Table:
    """A captioned table of a DataFrame, rendered as a real table in HTML and in PDF.

    Cells may hold :class:`Span` objects (for links); other values are formatted with
    ``formats[column]`` (a callable) or ``str`` and escaped.

    ``widths`` gives relative column widths (one per column, e.g. ``(12, 18, 10, 45, 15)``):
    a ``<colgroup>`` in HTML, and in the Markdown form the caption attribute
    ``tbl-colwidths`` that the PDF filter (``typst-literal.lua``) and Quarto both read.
    ``classes`` are added to the table (``compact``: smaller type, as for an annex). Without
    widths the columns are left to the browser's and Typst's automatic layout.
    """

    frame: pd.DataFrame
    caption: str
    formats: dict[str, Any] = field(default_factory=dict)
    numeric: tuple[str, ...] = ()
    widths: tuple[int, ...] = ()
    classes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.widths and len(self.widths) != len(self.frame.columns):
            raise ValueError(f"Table {self.caption!r}: {len(self.widths)} widths for "
                             f"{len(self.frame.columns)} columns")
        if not all(re.fullmatch(r"[a-z][a-z0-9-]*", c) for c in self.classes):
            raise ValueError(f"Table {self.caption!r}: classes must be lower-case words, "
                             f"not {self.classes}")

    def _cells(self) -> list[list[Inline]]:
        rows: list[list[Inline]] = []
        for record in self.frame.itertuples(index=False, name=None):
            row: list[Inline] = []
            for column, value in zip(self.frame.columns, record, strict=True):
                if isinstance(value, Span):
                    row.append(value)
                elif column in self.formats:
                    row.append(str(self.formats[column](value)))
                elif value is None or (isinstance(value, float) and math.isnan(value)):
                    row.append("")
                else:
                    row.append(str(value))
            rows.append(row)
        return rows

    def _repr_html_(self) -> str:
        align = [' class="num"' if c in self.numeric else "" for c in self.frame.columns]
        head = "".join(f"<th{a}>{html.escape(str(c))}</th>"
                       for c, a in zip(self.frame.columns, align, strict=True))
        body = "".join(
            "<tr>" + "".join(f"<td{a}>{_html([v])}</td>" for v, a in zip(row, align, strict=True))
            + "</tr>" for row in self._cells())
        classes = " ".join(("report-table", *self.classes))
        total = sum(self.widths)
        cols = ("<colgroup>" + "".join(f'<col style="width: {100 * w / total:.1f}%">'
                                       for w in self.widths) + "</colgroup>"
                if self.widths and total > 0 else "")
        return (f'<table class="{classes}"><caption>{html.escape(self.caption)}</caption>'
                f"{cols}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")

    def _repr_markdown_(self) -> str:
        header = "| " + " | ".join(escape_markdown(str(c)) for c in self.frame.columns) + " |"
        cells = [[_markdown([v]) for v in row] for row in self._cells()]
        # no column widths: pandoc (run with a huge --columns) leaves them to Typst's auto
        # layout, which gives long words the room they need and wraps long titles
        rule = "|" + "|".join("--:" if c in self.numeric else ":--"
                              for c in self.frame.columns) + "|"
        lines = [header, rule]
        for row in cells:
            lines.append("| " + " | ".join(v or " " for v in row) + " |")
        return "\n".join(lines) + f"\n\n: {escape_markdown(self.caption)}{self._attributes()}\n"

    def _attributes(self) -> str:
        """The caption's pandoc attribute block (classes, column widths), or ``""``."""
        parts = [f".{c}" for c in self.classes]
        if self.widths:
            parts.append(f'tbl-colwidths="[{",".join(map(str, percent_widths(self.widths)))}]"')
        return f" {{{' '.join(parts)}}}" if parts else ""

    def __repr__(self) -> str:
        plain = pd.DataFrame([[v.text if isinstance(v, Span) else v for v in row]
                              for row in self._cells()], columns=list(self.frame.columns))
        return f"{self.caption}\n{plain.to_string(index=False)}"


@dataclass(frozen=True)
class Heading:
    """A section heading in the report language (level 1 = a section, numbered in the PDF
    unless ``numbered`` is False, as for an executive summary or an annex)."""

    text: str
    level: int = 1
    numbered: bool = True

    def _repr_html_(self) -> str:
        kind = "" if self.numbered else ' class="unnumbered"'
        return f"<h{self.level}{kind}>{html.escape(self.text)}</h{self.level}>"

    def _repr_markdown_(self) -> str:
        suffix = "" if self.numbered else " {.unnumbered}"
        return f"{'#' * self.level} {escape_markdown(self.text)}{suffix}"

    def __repr__(self) -> str:
        return self._repr_markdown_()


@dataclass(frozen=True)
class Recorded:
    """A display object shown as it is, which also records ``facts`` (JSON-able key figures
    such as the number of activities and the period) in the executed notebook, under
    :data:`FACTS_MIMETYPE`, for the portal to read. The renderers drop that type (it is not
    on :mod:`analysis.render.sanitize`'s allow-list), so the report shows only ``shown``."""

    shown: Paragraph
    facts: dict[str, Any]

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        return {FACTS_MIMETYPE: self.facts, "text/html": self.shown._repr_html_(),
                "text/markdown": self.shown._repr_markdown_(), "text/plain": repr(self.shown)}

    def __repr__(self) -> str:
        return repr(self.shown)


# A file carried by the report (the full activity list): a download link in the HTML report,
# a sentence in the PDF. The payload is kept once, under this type; the renderers build the
# link from it with the report's name (analysis.render.html, analysis.render.quarto_prepare).
ATTACHMENT_MIMETYPE = "application/vnd.coopreport.attachment+json"
ATTACHMENT_TYPES = {"text/csv": "csv", "application/zip": "zip"}  # media type → extension
ATTACHMENT_SUFFIX = re.compile(r"[a-z0-9][a-z0-9_-]{0,40}\.(csv|zip)")
_STRICT_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,200}")


def check_attachment(payload: Any) -> str | None:
    """Why ``payload`` is not an attachment a report may carry, or None when it is.

    An attachment is ``{"suffix": "activities.csv", "mediatype": "text/csv", "base64": ...,
    "label": ...}``: a media type of :data:`ATTACHMENT_TYPES` whose extension the suffix
    ends with, strict base64 and a text label. One too large to travel inside the report
    has ``"file": "NAME-activities.zip", "bytes": N`` instead of ``base64``: a plain file name
    (published beside the report, :mod:`analysis.report.attachments`). Executed notebooks are
    untrusted: the renderers keep only what passes (:mod:`analysis.render.sanitize`).
    """
    if not isinstance(payload, dict):
        return "not an object"
    mediatype, suffix = payload.get("mediatype"), payload.get("suffix")
    if mediatype not in ATTACHMENT_TYPES:
        return f"media type {str(mediatype)[:40]!r} is not one of {sorted(ATTACHMENT_TYPES)}"
    if not isinstance(suffix, str) or not ATTACHMENT_SUFFIX.fullmatch(suffix) \
            or not suffix.endswith("." + ATTACHMENT_TYPES[mediatype]):
        return f"file name suffix {str(suffix)[:40]!r} is not a plain name ending in " \
               f".{ATTACHMENT_TYPES[mediatype]}"
    if "file" in payload:  # too large to travel inside the report: a file beside it
        file, size = payload.get("file"), payload.get("bytes")
        if not isinstance(file, str) or not _FILE.fullmatch(file) \
                or not file.endswith("-" + suffix) or "base64" in payload:
            return f"file {str(file)[:60]!r} is not a plain name ending in -{suffix}"
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return "its size in bytes is not a whole number"
    else:
        data = payload.get("base64")
        if not isinstance(data, str) or len(data) % 4 or not _STRICT_BASE64.fullmatch(data):
            return "content is not base64"
    if not isinstance(payload.get("label"), str):
        return "label is not text"
    return None


def attachment_filename(name: str, suffix: str) -> str:
    """``uzb-strategic-procurement-activities.csv`` for the report ``name``: what the link
    saves the file as (characters other than letters, digits, ``.``, ``_``, ``-`` become
    ``-``)."""
    stem = _NAME_UNSAFE.sub("-", name).strip(".-") or "report"
    return f"{stem}-{suffix}"


def attachment_html(payload: dict[str, Any], name: str) -> str:
    """The download link of an attachment (checked by :func:`check_attachment`) for the report
    ``name``: a ``data:`` URI, so the page stays one offline file, or for an attachment
    published beside the report a link to that file. Nothing is left unescaped.

    Raises
    ------
    ValueError
        When the payload is not a valid attachment.
    """
    problem = check_attachment(payload)
    if problem:
        raise ValueError(f"not a report attachment: {problem}")
    if "file" in payload:  # a file published beside the report: a relative link to it
        href = filename = payload["file"]
    else:
        href = f"data:{payload['mediatype']};base64,{payload['base64']}"
        filename = attachment_filename(name, payload["suffix"])
    return (f'<p class="attachment"><a href="{html.escape(href, quote=True)}" '
            f'download="{html.escape(filename, quote=True)}" '
            f'type="{html.escape(payload["mediatype"], quote=True)}">'
            f"{html.escape(payload['label'])}</a></p>")


@dataclass(frozen=True)
class Attachment:
    """A file the report carries, such as the full list of its activities as CSV.

    The HTML report shows a download link (a ``data:`` URI, offline) that saves the file as
    ``NAME-suffix``, NAME being the report's name; the PDF shows ``note`` (saying where the
    file is). The content is kept once in the executed notebook, under
    :data:`ATTACHMENT_MIMETYPE`; :meth:`html` gives the link for a name.
    """

    content: bytes
    suffix: str  # e.g. "activities.csv"
    mediatype: str  # a key of ATTACHMENT_TYPES
    label: str  # the link's text
    note: str  # the PDF's sentence

    def __post_init__(self) -> None:
        problem = check_attachment(self.payload())
        if problem:
            raise ValueError(f"Attachment {self.suffix!r}: {problem}")

    def payload(self) -> dict[str, str]:
        return {"suffix": self.suffix, "mediatype": self.mediatype, "label": self.label,
                "base64": base64.b64encode(self.content).decode("ascii")}

    def html(self, name: str = "report") -> str:
        """The HTML form: the download link, saving the file as ``NAME-suffix``."""
        return attachment_html(self.payload(), name)

    def _repr_markdown_(self) -> str:
        return escape_markdown(self.note)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        # no text/html form: it would hold the content a second time
        return {ATTACHMENT_MIMETYPE: self.payload(), "text/markdown": self._repr_markdown_(),
                "text/plain": repr(self)}

    def __repr__(self) -> str:
        return f"{self.label} ({self.suffix}, {len(self.content):,} bytes)"
