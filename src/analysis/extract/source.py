"""Read a press item (plain text or saved HTML) into paragraphs, sentences and metadata.

HTML goes through trafilatura, which keeps the main text (no menus, footers or comments) and
reads the metadata: title, publication date, canonical address, site name. With no date in
the metadata or on the page's own date line, the date the address carries is taken
(``/2023/09/30/``, ``/20251128/``). A "related news" block after the text ("Читайте также",
"Oxşar xəbərlər", "Most viewed") is left out with everything under it. Plain text is read
as UTF-8 (a BOM is allowed); its first lines may carry the same metadata by hand, one
``Key: value`` per line before a blank line (``Title:``, ``Date:``, ``URL:``, ``Source:``;
lines starting with ``#`` are comments, e.g. a note that a fixture is synthetic).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from analysis.core.errors import ExtractError
from analysis.core.textsafety import clean_text
from analysis.data.fields import check_url, url_host

log = logging.getLogger(__name__)

HTML_SUFFIXES = (".html", ".htm", ".xhtml")
MAX_BYTES = 5_000_000
HEADER_KEYS = {"title": "title", "date": "date", "url": "url", "source": "source",
               "published": "date", "source_url": "url", "publisher": "source"}
# a sentence ends at . ! ? … followed by space and a capital, digit or opening quote
SHORTEST = 5  # words: a shorter first piece (a dateline) is kept with the next sentence
INITIAL = re.compile(r"(?:^|\s)[A-ZА-ЯЁЎҚҒҲÇƏĞİÖŞÜ][a-zа-яёʻʼ'’]?\.$")
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[«\"“„(\d\w])")


@dataclass(frozen=True)
class Sentence:
    """A sentence with its paragraph and position (0-based) in the text."""

    text: str
    paragraph: int
    index: int


@dataclass
class PressText:
    """What a press item says, ready for the field extractors."""

    path: Path
    paragraphs: list[str]
    title: str = ""
    published: dt.date | None = None
    url: str = ""
    publisher: str = ""
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


def split_sentences(paragraphs: list[str]) -> list[Sentence]:
    """Split paragraphs into sentences (a short heuristic splitter good for press prose)."""
    sentences: list[Sentence] = []
    for number, paragraph in enumerate(paragraphs):
        pending = ""
        parts = SENTENCE_END.split(paragraph)
        for position, part in enumerate(parts):
            part = f"{pending} {part.strip()}".strip()
            if INITIAL.search(part):  # "Ye. Miroshnik", "U. Tuxtasheva": an initial
                pending = part
                continue
            short = len(re.findall(r"\w+", part)) < SHORTEST
            if short and ((number == 0 and not sentences) or (
                    position == 0 and len(parts) > 1 and re.search(r"\d", part))):
                pending = part  # a dateline such as "ТАШКЕНТ, 29 ноя — Sputnik." opens the lead
                continue
            pending = ""
            if part:
                sentences.append(Sentence(part, number, len(sentences)))
        if pending:
            sentences.append(Sentence(pending, number, len(sentences)))
    return sentences


def read_press_text(path: Path, source_url: str = "",
                    published: dt.date | None = None) -> PressText:
    """Read one press item.

    Parameters
    ----------
    path
        A ``.txt`` (or any text) file, or saved HTML (``.html``/``.htm``, or text that starts
        like HTML).
    source_url
        The item's address, when known (``--source-url``); wins over the file's own.
    published
        The item's publication date, when the user gives it (``--published``); wins over the
        date the file states or prints.

    Raises
    ------
    ExtractError
        When the file cannot be read, is not UTF-8 text, or has no text.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read the file ({exc.strerror or exc}); check the "
                           "path") from exc
    if len(raw) > MAX_BYTES:
        raise ExtractError(f"{path}: {len(raw)} bytes is more than a press item "
                           f"({MAX_BYTES} at most); save the article alone")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ExtractError(f"{path}: byte {exc.start + 1} is not UTF-8; save the text as "
                           "UTF-8") from exc
    looks_html = text.lstrip()[:200].lower().startswith(("<!doctype html", "<html", "<?xml"))
    if path.suffix.lower() in HTML_SUFFIXES or looks_html:
        press = _from_html(path, text)
    else:
        press = _from_plain(path, text)
    if published is not None:
        press.published = published
    if source_url:
        press.url = source_url
        press.publisher = ""  # the given address names the publisher
    elif press.url and check_url(press.url):
        log.warning("%s: the page's own address %r is left out: %s", path, press.url[:80],
                    check_url(press.url))
        press.url = ""
    if not press.publisher and press.url:
        press.publisher = url_host(press.url)
    if press.published is None and press.url:
        press.published = url_date(press.url)
        if press.published is not None:
            log.info("%s: publication date %s read from the address", path, press.published)
    if not press.paragraphs:
        raise ExtractError(f"{path}: no text found; for HTML save the article page itself "
                           "(File > Save as, complete or HTML only)")
    press.paragraphs = cut_related(press.paragraphs)
    press.sentences = split_sentences(press.paragraphs)
    return press


COMPACT_URL_DATE = re.compile(r"/((?:19|20)\d{2})(\d{2})(\d{2})(?=[/_\-.]|$)")


def url_date(url: str) -> dt.date | None:
    """The publication date an address carries (``/2023/09/30/``, ``/2025-12-20-...``, with
    htmldate; ``/20251128/``, as Sputnik writes it), or None; never a day after today."""
    from htmldate.extractors import extract_url_date
    from htmldate.settings import MIN_DATE
    from htmldate.utils import Extractor

    today = dt.date.today()
    latest = dt.datetime.combine(today, dt.time.max)
    found = extract_url_date(url, Extractor(False, latest, MIN_DATE, False, "%Y-%m-%d"))
    if found:
        return dt.date.fromisoformat(found)
    match = COMPACT_URL_DATE.search(url_path(url))
    if match:
        try:
            date = dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
        return date if date <= today else None
    return None


def url_path(url: str) -> str:
    """The path of an address (no host, query or fragment)."""
    from urllib.parse import urlsplit

    return urlsplit(url).path


# the heading of a page's "related news" block: what follows is other items, not this one
RELATED = re.compile(
    r"^(?:related (?:news|articles|stories)|relevant news|read also|also read|see also|"
    r"more news|more on this|latest news|latest in\b.*|most (?:viewed|read|popular)|"
    r"читайте также|смотрите также|похожие (?:новости|материалы)|другие новости|"
    r"новости по теме|по теме|последние новости|самое (?:читаемое|популярное)|"
    r"oxşar xəbərlər|digər xəbərlər|son xəbərlər|mövzu ilə bağlı(?: xəbərlər)?|"
    r"ən çox oxunan(?:lar)?|mavzuga oid(?: yangiliklar)?|o['ʻ‘’]xshash yangiliklar|"
    r"boshqa yangiliklar|so['ʻ‘’]nggi yangiliklar|yangiliklar lentasi|тегишли янгиликлар|"
    r"бошқа янгиликлар|сўнгги янгиликлар|янгиликлар лентаси)\W*$", re.IGNORECASE)


def cut_related(paragraphs: list[str]) -> list[str]:
    """The paragraphs before a "related news" heading ("Читайте также", "Oxşar xəbərlər",
    "Most viewed") that follows the item's text: the headlines under it are other items,
    whose partners and dates are not this one's."""
    seen_text = False
    for number, paragraph in enumerate(paragraphs):
        if seen_text and RELATED.match(paragraph.strip()):
            log.debug("related-news block from paragraph %d left out", number + 1)
            return paragraphs[:number]
        seen_text = seen_text or len(paragraph.split()) >= 8
    return paragraphs


def _clean_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        cleaned, _ = clean_text(line)
        cleaned = " ".join(cleaned.split())
        if cleaned:
            lines.append(cleaned)
    return lines


# a day written with numbers only: 2022-02-22, then the day-first forms pages print:
# 22.02.2022, 22/02/2022, 21-09-2017
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DAY_FIRST = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](\d{4})\b")
# a line that introduces a page's date: "Дата: 14:33, 21-09-2017.", "Published: …"
_DATE_LABEL = re.compile(r"^(?:дата|опубликовано|обновлено|date|published|updated|sana|"
                         r"сана|tarix|e[ʼ']lon qilingan)\b", re.IGNORECASE)
# how far down a page its date line may be: the title block, a byline, the date ("the first
# screen"), not a date in the body; lines of fewer than three words (a currency widget, a
# weather line, a menu) do not count
FIRST_SCREEN = 6
# letters a date line may hold besides the date and a time ("17:00:00 / Yangiliklar")
MAX_LINE_WORDS = 16
TIME = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2})?\b")


def _parse_date(text: str) -> dt.date | None:
    for pattern, order in ((_ISO_DAY, (1, 2, 3)), (_DAY_FIRST, (3, 2, 1))):
        match = pattern.search(text)
        if match:
            try:
                return dt.date(*(int(match[i]) for i in order))
            except ValueError:
                return None
    return None


def _date_line(paragraphs: list[str]) -> int | None:
    """Which of the first lines is the page's own date line, or None: a short line that is
    a date with at most a time and a word or two ("22/02/2022", "17 sen 2022, 10:45",
    "2024-11-12 17:00:00 / Yangiliklar"), or one labelled as the date ("Дата: 14:33,
    21-09-2017."). Of several, the first with a time: a site's date-of-today widget
    ("Thursday March 28 2024") is above the item's own ("19 November 2019 18:13")."""
    from analysis.extract.dates import find_dates

    wordy = 0
    candidates: list[int] = []
    for number, line in enumerate(paragraphs):
        if _DATE_LABEL.match(line) and (_parse_date(line) or find_dates(line)):
            return number
        if len(line) <= 60:
            numeric = _ISO_DAY.search(line) or _DAY_FIRST.search(line)
            found = [f for f in find_dates(line) if f.precision == "day" and f.has_year]
            span = numeric.span() if numeric else (found[0].start, found[0].end) if found \
                else None
            if span is not None:
                rest = TIME.sub("", line[:span[0]] + " " + line[span[1]:])
                if len(re.sub(r"[\W\d_]+", "", rest)) <= MAX_LINE_WORDS:
                    candidates.append(number)
        wordy += len(re.findall(r"[^\W\d_]{2,}", line)) >= 3
        if wordy >= FIRST_SCREEN:
            break
    # a site's "today" widget ("Thursday March 28 2024") has no time; the item's own date
    # line usually has one ("19 November 2019 18:13")
    timed = [n for n in candidates if TIME.search(paragraphs[n])]
    chosen = timed or candidates
    return chosen[0] if chosen else None


def _line_date(line: str) -> dt.date | None:
    """The date a date line gives (numeric, or words with a year)."""
    from analysis.extract.dates import find_dates

    numeric = _parse_date(line)
    if numeric is not None:
        return numeric
    found = [f for f in find_dates(line) if f.precision == "day" and f.has_year]
    return found[0].date if found else None


def _from_plain(path: Path, text: str) -> PressText:
    lines = text.splitlines()
    meta: dict[str, str] = {}
    body_start = 0
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("#"):
            body_start = number + 1
            continue
        key, sep, value = stripped.partition(":")
        if sep and key.strip().lower() in HEADER_KEYS:
            meta[HEADER_KEYS[key.strip().lower()]] = value.strip()
            body_start = number + 1
        else:
            break
    paragraphs = _clean_lines("\n".join(lines[body_start:]))
    published = _parse_date(meta["date"]) if meta.get("date") else None
    if published is None and paragraphs:
        # a date line among the first lines, as pages print it (under the title too)
        at = _date_line(paragraphs)
        published = _line_date(paragraphs[at]) if at is not None else None
        if published is not None and at is not None:
            paragraphs = paragraphs[:at] + paragraphs[at + 1:]
    return PressText(path, paragraphs, meta.get("title", ""), published, meta.get("url", ""),
                     meta.get("source", ""))


def _from_html(path: Path, text: str) -> PressText:
    import trafilatura

    document = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False,
                                           include_tables=False)
    if document is None or isinstance(document, dict):
        raise ExtractError(f"{path}: trafilatura found no main text in the HTML; save the "
                           "article page itself, or paste its text into a .txt file")
    paragraphs = _clean_lines(document.text or "")
    title = " ".join((document.title or "").split())
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:]
    published = _parse_date(document.date or "")  # trafilatura reads it with htmldate
    if published is None:  # no date in the page's metadata: its own date line, if any
        at = _date_line(paragraphs)
        published = _line_date(paragraphs[at]) if at is not None else None
        if published is not None and at is not None:
            paragraphs = paragraphs[:at] + paragraphs[at + 1:]
    log.debug("%s: HTML title %r, date %s, url %s", path, title, published, document.url)
    return PressText(path, paragraphs, title, published, document.url or "",
                     document.sitename or document.hostname or "")
