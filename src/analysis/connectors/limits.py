"""Bounds on what connectors accept, checked before the input is converted or built.

A hostile or broken input must end in a clear :class:`~analysis.core.errors.ConnectorError` naming
the file (or URL) and the field, never in a hang, a traceback or an exhausted memory:

- JSON: at most :data:`MAX_JSON_BYTES` bytes and :data:`MAX_JSON_DEPTH` levels of nesting
  (checked on the raw bytes before parsing, so ``RecursionError`` cannot happen); the literals
  ``NaN`` and ``Infinity`` stay text and fail the number checks below.
- Numbers: at most :data:`MAX_NUMBER_CHARS` characters before conversion; amounts finite,
  not negative and at most ``fields.MAX_AMOUNT`` (USD 10 trillion); counts (a page's
  ``total``) whole and at most :data:`MAX_TOTAL`.
- XML (IATI): at most :data:`MAX_XML_DEPTH` levels, :data:`MAX_ACTIVITY_ELEMENTS` elements in
  one activity and :data:`MAX_TEXT_CHARS` characters in one element's text.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np

from analysis.core.errors import ConnectorError
from analysis.data.fields import MAX_AMOUNT

MAX_JSON_BYTES = 256 * 2**20
MAX_JSON_DEPTH = 32  # World Bank pages nest 4-5 levels
MAX_NUMBER_CHARS = 40
MAX_TOTAL = 1_000_000  # projects one answer may announce (the Bank lists about 20,000 in all)
MAX_XML_DEPTH = 64  # IATI activities nest about 5 levels
MAX_ACTIVITY_ELEMENTS = 100_000
MAX_TEXT_CHARS = 1_000_000
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_CHUNK = 1 << 20


def check_json_depth(body: bytes, origin: str, limit: int = MAX_JSON_DEPTH) -> None:
    """Raise ConnectorError when ``body`` nests arrays/objects deeper than ``limit`` levels."""
    codes = np.frombuffer(_STRING.sub(b'""', body), dtype=np.uint8)
    base = 0
    for start in range(0, len(codes), _CHUNK):
        chunk = codes[start:start + _CHUNK]
        steps = ((chunk == ord("[")).astype(np.int32) + (chunk == ord("{"))
                 - (chunk == ord("]")) - (chunk == ord("}")))
        depth = base + np.cumsum(steps)
        if int(depth.max()) > limit:
            raise ConnectorError(f"{origin}: JSON nested deeper than {limit} levels; a World "
                                 "Bank response nests a few levels: the file is malformed or "
                                 "not what it claims to be (nothing was written)")
        base = int(depth[-1])


def parse_json(body: bytes, origin: str, describe: str = "not valid JSON", hint: str = ""
               ) -> Any:
    """Parse JSON within the bounds above; decimals become :class:`~decimal.Decimal`.

    Raises
    ------
    ConnectorError
        Naming ``origin``: too large, too deep, or not JSON.
    """
    if len(body) > MAX_JSON_BYTES:
        raise ConnectorError(f"{origin}: {len(body):,} bytes of JSON, more than the "
                             f"{MAX_JSON_BYTES // 2**20} MB a connector reads")
    check_json_depth(body, origin)
    try:
        return json.loads(body, parse_float=Decimal, parse_constant=str)
    except (ValueError, RecursionError) as exc:
        raise ConnectorError(f"{origin}: {describe} ({exc}){hint}") from exc


def _number_text(value: Any, origin: str, field: str) -> str | None:
    """The text of a JSON number field, bounded in length; None when empty."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise ConnectorError(f"{origin}: {field}: expected a number, found a JSON "
                             f"{type(value).__name__}")
    if isinstance(value, int) and value.bit_length() > 4 * MAX_NUMBER_CHARS:
        raise ConnectorError(f"{origin}: {field}: a {value.bit_length()}-bit integer is not a "
                             "plausible value")
    text = str(value).strip()
    if len(text) > MAX_NUMBER_CHARS:
        raise ConnectorError(f"{origin}: {field}: {text[:20]}…: a number of {len(text)} "
                             f"characters (at most {MAX_NUMBER_CHARS}) is not a plausible value")
    return text


def bounded_amount(value: Any, origin: str, field: str) -> Decimal | None:
    """A US dollar amount (``1500000``, ``"1,500,000.50"``); None when empty or not a number
    at all (``"n/a"``: the source states no amount).

    Raises
    ------
    ConnectorError
        Naming ``origin`` and ``field`` for NaN, infinity, a negative amount, one over
        ``fields.MAX_AMOUNT`` (``1e30``, ``1e999999999``) or more than
        :data:`MAX_NUMBER_CHARS` characters.
    """
    text = _number_text(value, origin, field)
    if text is None:
        return None
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    if not number.is_finite() or number < 0 or number > MAX_AMOUNT:
        why = ("not a finite number" if not number.is_finite() else "negative"
               if number < 0 else "over USD 10 trillion")
        raise ConnectorError(f"{origin}: {field}: {text!r} is not a plausible amount ({why}); "
                             "the source is malformed: fix or re-download it")
    return number if number else Decimal(0)  # "-0" is 0, written without a sign


def bounded_count(value: Any, origin: str, field: str, limit: int = MAX_TOTAL) -> int | None:
    """A whole count such as a page's ``total`` (``"1,234"``); None when empty.

    Raises
    ------
    ConnectorError
        Naming ``origin`` and ``field`` unless it is digits (thousands commas allowed) and at
        most ``limit``.
    """
    text = _number_text(value, origin, field)
    if text is None:
        return None
    digits = text.replace(",", "")
    if not (digits.isascii() and digits.isdigit()) or int(digits) > limit:
        raise ConnectorError(f"{origin}: {field}: {text!r} is not a plausible count (a whole "
                             f"number up to {limit:,}); the answer is malformed")
    return int(digits)
