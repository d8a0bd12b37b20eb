"""Checks for single field values shared by the registry and the commitments file.

Each ``check_*`` function takes the raw text and returns ``(parsed value, problem reason)``;
exactly one of the two is None. Reasons say what is wrong and how to fix it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
from urllib.parse import urlsplit

import pandas as pd
import pycountry

from analysis.core.textsafety import find_unsafe
from analysis.data.taxonomy import country_codes, is_country, suggest

DATE_SHAPES = {
    "day": (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII), "YYYY-MM-DD"),
    "month": (re.compile(r"^(\d{4})-(\d{2})$", re.ASCII), "YYYY-MM"),
    "year": (re.compile(r"^(\d{4})$", re.ASCII), "YYYY"),
}
MIN_YEAR, MAX_YEAR = 1900, 2100
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]*$")
AMOUNT_PATTERN = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")  # ASCII digits, no exponent or sign
MAX_AMOUNT = 1e13  # USD 10 trillion: larger is a typing error, not a cooperation amount


def date_precision_of(text: str) -> str | None:
    """``day``, ``month`` or ``year`` by the shape of a date text, None if it has no known shape."""
    for precision, (pattern, _) in DATE_SHAPES.items():
        if pattern.match(text):
            return precision
    return None


def check_date(text: str) -> tuple[tuple[pd.Timestamp, pd.Timestamp] | None, str | None]:
    """Parse ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` into the first and last day it covers."""
    precision = date_precision_of(text)
    if precision is None:
        return None, ("not a date; write YYYY-MM-DD, or YYYY-MM / YYYY when only the month or "
                      "year is known")
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None, f"year {year} is outside {MIN_YEAR}-{MAX_YEAR}; check for a typing error"
    month = parts[1] if len(parts) > 1 else None
    if month is not None and not 1 <= month <= 12:
        return None, f"impossible date: there is no month {month:02d}"
    if len(parts) == 3:
        assert month is not None
        try:
            day = dt.date(year, month, parts[2])
        except ValueError:
            last = calendar.monthrange(year, month)[1]
            return None, f"impossible date: {calendar.month_name[month]} {year} has {last} days"
        return (pd.Timestamp(day), pd.Timestamp(day)), None
    if month is not None:
        last = calendar.monthrange(year, month)[1]
        return (pd.Timestamp(year, month, 1), pd.Timestamp(year, month, last)), None
    return (pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31)), None


def check_precision(precision: str, date_text: str) -> str | None:
    """Reason why ``precision`` disagrees with the shape of ``date_text``, or None if it agrees."""
    if precision not in DATE_SHAPES:
        return "unknown precision; use day, month or year"
    shape = date_precision_of(date_text)
    if shape is not None and shape != precision:
        wanted = DATE_SHAPES[precision][1]
        return (f"precision '{precision}' needs a date like {wanted}, but the date "
                f"'{date_text}' has {shape} precision; make the two agree")
    return None


def check_country(text: str) -> tuple[str | None, str | None]:
    """Validate an ISO 3166-1 alpha-3 code; suggest the code for near misses and names."""
    if is_country(text):
        return text, None
    guess: str | None = None
    if is_country(text.upper()):
        guess = text.upper()
    else:
        try:
            guess = pycountry.countries.lookup(text).alpha_3
        except LookupError:
            guess = suggest(text.upper(), country_codes()) if len(text) == 3 else None
    hint = f"; did you mean '{guess}'?" if guess else ""
    return None, f"unknown country code; use an ISO 3166-1 alpha-3 code such as UZB{hint}"


def check_amount(text: str) -> tuple[float | None, str | None]:
    """A non-negative number of US dollars, digits only (empty means not stated)."""
    if text == "":
        return math.nan, None
    if not AMOUNT_PATTERN.match(text):
        return None, ("not a number; write the amount in US dollars with digits only, "
                      "e.g. 1500000 (no currency sign, spaces or thousands separators)")
    value = float(text)
    if not math.isfinite(value):
        return None, "not a finite number"
    if value < 0:
        return None, "negative amount; amounts are committed US dollars and cannot be below 0"
    if text.startswith("-"):  # "-0": reports would print "-$0"
        return None, "a minus sign before 0; write the amount without a sign"
    if value > MAX_AMOUNT:
        return None, "implausibly large amount (over USD 10 trillion); check for extra digits"
    return value, None


def check_identifier(text: str) -> str | None:
    if not ID_PATTERN.match(text):
        return ("id may contain only letters, digits and . _ : - (no spaces), "
                "e.g. UZB-2024-05-17-wb-procurement-seminar")
    return None


def url_host(url: str) -> str:
    """The host name of ``url`` in lower case; "" when it has none or is no address at all
    (``http://[::1``, which :func:`urllib.parse.urlsplit` refuses with an error)."""
    try:
        return (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        return ""


def check_url(text: str) -> str | None:
    """Only absolute http(s) addresses: they become links in the reports."""
    if find_unsafe(text):  # a bidi override would show one address and link to another
        return "invisible or control characters in the address; retype it"
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. a bracketed host that is no IPv6 address: https://[x]/
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.netloc
            or any(c.isspace() for c in text)):
        return "not a web address; write a full http:// or https:// URL without spaces"
    return None


def check_language(text: str) -> str | None:
    if text and pycountry.languages.get(alpha_2=text.lower()) is None:
        return "unknown language; use a two-letter ISO 639-1 code such as en, ru, uz or az"
    if text and text != text.lower():
        return f"language codes are lower case; write '{text.lower()}'"
    return None


def split_list(text: str) -> list[str]:
    """Split a ``;``-separated field; empty items are kept (as '') so they can be reported."""
    if text.strip() == "":
        return []
    return [item.strip() for item in text.split(";")]
