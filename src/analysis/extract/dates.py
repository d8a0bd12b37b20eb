"""Dates in Russian, Uzbek (Cyrillic and Latin), Azerbaijani and English press prose.

Rules, not guesses: each pattern below is a form press items use, with month names from
``data/extract/months.csv`` (a month word may carry a case suffix: ``декабрда``,
``dekabrın``, ``martda``):

===============  ==================================================================
year first       ``2018 йил 2 мартъ``, ``2023-yil 14-dekabrda``, ``2023-cü il dekabrın 5-də``
day first        ``16 августа 2025``, ``24 July 2023``, ``14 декабрь куни``, ``22-23 May``
month first      ``July 24, 2023``, ``December 5``
numeric          ``14.12.2023``, ``2023-12-14``
month and year   ``в декабре 2023``, ``December 2023`` (precision ``month``)
dateline         ``ТАШКЕНТ, 28 ноя —``, ``Bakı, 5 dekabr (AZƏRTAC)``: the publication date
relative         ``сегодня``, ``вчера``, ``в среду``, ``chorshanba kuni``, ``çərşənbə günü``,
                 ``on Wednesday``: counted back from the publication date
                 (``data/extract/relative.csv``)
===============  ==================================================================

A date written without a year takes the publication date's year (the previous year when that
would put it more than 60 days after publication). dateparser (ru, uz, az, en) reads the
metadata dates of HTML pages that the rules do not cover.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from analysis.extract.lexicon import month_forms, normalise, relative_words, tokenise

WORD = r"[^\W\d_]+'?"
DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"
RANGE = r"(?:\s*(?:-|–|—|по|va|и|and|to|və)\s*\d{1,2})?"
YEAR = r"(?P<year>(?:19|20)\d{2})"
YEAR_WORD = r"\s*-?\s*(?:йил|yil|il)\w*"
PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.UNICODE)) for name, pattern in (
        ("iso", rf"\b{YEAR}-(?P<mnum>\d{{2}})-(?P<day>\d{{2}})\b"),
        ("numeric", rf"\b(?P<day>\d{{1,2}})\.(?P<mnum>\d{{1,2}})\.{YEAR}\b"),
        ("year_day_month", rf"\b{YEAR}{YEAR_WORD}\s+{DAY}\s*-?\s*(?P<month>{WORD})"),
        ("year_month_day", rf"\b{YEAR}\s*-?\s*(?:ci|cı|cu|cü)?\s*il\w*\s+(?P<month>{WORD})"
                           rf"\s+{DAY}\b"),
        ("day_month", rf"\b{DAY}{RANGE}\s*-?\s*(?:of\s+)?(?P<month>{WORD})\.?"
                      rf"(?:\s*,?\s*{YEAR})?"),
        ("month_day", rf"\b(?P<month>{WORD})\.?\s+{DAY}{RANGE}\b(?:,?\s+{YEAR})?"),
        ("year_month", rf"\b{YEAR}{YEAR_WORD}\s+(?P<month>{WORD})"),
        ("month_year", rf"\b(?P<month>{WORD})\s+{YEAR}"),
    ))
SUFFIXES = ("ning", "нинг", "nın", "nin", "ida", "ида", "dan", "dən", "дан", "da", "də", "да",
            "ın", "in", "un", "ün", "ь", "ъ", "'")
WINDOW_AFTER = dt.timedelta(days=60)


@dataclass(frozen=True)
class FoundDate:
    """A date found in a sentence: the date, its precision, how it was found and where."""

    date: dt.date
    precision: str  # "day" or "month"
    kind: str  # "explicit", "relative" or "dateline"
    start: int
    end: int
    has_year: bool = True

    @property
    def text(self) -> str:
        """The registry's form: ``YYYY-MM-DD`` or ``YYYY-MM``."""
        return self.date.isoformat() if self.precision == "day" else self.date.strftime("%Y-%m")


def month_of(word: str) -> int | None:
    """The month a (normalised) month word names, allowing a case suffix; None if none."""
    forms = month_forms()
    word = word.rstrip(".'")
    if word in forms:
        return forms[word]
    for suffix in SUFFIXES:
        if word.endswith(suffix) and word[: -len(suffix)] in forms:
            return forms[word[: -len(suffix)]]
    return None


def infer_year(month: int, day: int, anchor: dt.date | None) -> int | None:
    """The year of a day-and-month date, from the publication date (see the module notes)."""
    if anchor is None:
        return None
    try:
        candidate = dt.date(anchor.year, month, min(day, 28) if month == 2 else day)
    except ValueError:
        return None
    return anchor.year - 1 if candidate - anchor > WINDOW_AFTER else anchor.year


def find_dates(text: str, anchor: dt.date | None = None) -> list[FoundDate]:
    """Every explicit date in ``text`` (non-overlapping, in order of position).

    ``anchor`` (the publication date) gives the year of dates written without one; such a
    date is dropped when there is no anchor.
    """
    folded = normalise(text)
    taken: list[tuple[int, int]] = []
    found: list[FoundDate] = []
    for name, pattern in PATTERNS:
        for match in pattern.finditer(folded):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            parsed = _parse(name, match, anchor)
            if parsed is not None:
                taken.append(span)
                found.append(parsed)
    return sorted(found, key=lambda f: f.start)


def _parse(name: str, match: re.Match[str], anchor: dt.date | None) -> FoundDate | None:
    groups = match.groupdict()
    month = int(groups["mnum"]) if groups.get("mnum") else month_of(groups.get("month") or "")
    if month is None or not 1 <= month <= 12:
        return None
    day = int(groups["day"]) if groups.get("day") else None
    has_year = bool(groups.get("year"))
    if has_year:
        year: int | None = int(groups["year"])
    elif day is not None:
        year = infer_year(month, day, anchor)
    else:
        return None
    if year is None:
        return None
    try:
        date = dt.date(year, month, day or 1)
    except ValueError:
        return None
    precision = "day" if day is not None else "month"
    return FoundDate(date, precision, "explicit", match.start(), match.end(), has_year)


# a dateline's places: "ТАШКЕНТ, ", "BAKU, Azerbaijan, ", "ТАШКЕНТ/МОСКВА, ", "Тошкент. "
DATELINE = re.compile(r"^\s*[^\W\d_][^\W\d_'\- ]{1,30}(?:(?:,\s*|/)[^\W\d_][^\W\d_'\- ]{1,30})?"
                      r"[,.]\s*")


def find_dateline(paragraph: str, anchor: dt.date | None = None) -> FoundDate | None:
    """The date of a dateline at the start of a paragraph (``ТАШКЕНТ, 28 ноя —``), or None."""
    head = DATELINE.match(paragraph)
    if head is None:
        return None
    rest = paragraph[head.end():head.end() + 40]
    dates = find_dates(rest, anchor)
    if not dates or dates[0].start != 0 or dates[0].precision != "day":
        return None
    first = dates[0]
    return FoundDate(first.date, "day", "dateline", head.end() + first.start,
                     head.end() + first.end, first.has_year)


def find_relative(text: str, anchor: dt.date) -> list[FoundDate]:
    """``today``, ``yesterday`` and weekday words in ``text``, resolved against ``anchor``.

    A weekday is the latest such day on or before the publication date (``в среду`` in an item
    published on a Wednesday is that day).
    """
    tokens = tokenise(text)
    words = [t.text for t in tokens]
    found: list[FoundDate] = []
    index = 0
    while index < len(tokens):
        for form, kind, value in relative_words():
            if tuple(words[index:index + len(form)]) == form:
                if kind == "offset":
                    date = anchor + dt.timedelta(days=value)
                else:
                    date = anchor - dt.timedelta(days=(anchor.weekday() - value) % 7)
                last = tokens[index + len(form) - 1]
                found.append(FoundDate(date, "day", "relative", tokens[index].start, last.end))
                index += len(form) - 1
                break
        index += 1
    return found


def parse_loose_date(text: str) -> dt.date | None:
    """A date from free metadata text (``Published 5 Dec 2023``), with dateparser; or None."""
    import dateparser

    found = find_dates(text)
    if found and found[0].precision == "day":
        return found[0].date
    parsed = dateparser.parse(text, languages=["ru", "uz", "az", "en"],
                              settings={"PREFER_DAY_OF_MONTH": "first",
                                        "REQUIRE_PARTS": ["day", "month", "year"]})
    return parsed.date() if parsed is not None else None
