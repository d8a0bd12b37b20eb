"""Reading an IATI activity file (standard 2.0x; the older 1.0x codes too) as a stream.

Parsed with ``iterparse`` through ``defusedxml`` (no external entities, no entity expansion):
each ``<iati-activity>`` is read into an :class:`IatiActivity`, then cleared and dropped from
the tree, so memory stays flat for a file of any size. The limits of
:mod:`analysis.connectors.limits` bound each activity's nesting, elements, texts and numbers;
a breach is a :class:`~analysis.core.errors.ConnectorError` naming the activity and field.
Turning activities into registry rows is :mod:`analysis.connectors.iati`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from analysis.connectors.limits import (
    MAX_ACTIVITY_ELEMENTS,
    MAX_NUMBER_CHARS,
    MAX_TEXT_CHARS,
    MAX_XML_DEPTH,
)
from analysis.core import paths
from analysis.core.errors import ConnectorError
from analysis.data import fields

logger = logging.getLogger(__name__)

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
COMMITMENT = frozenset({"2", "C"})
_XSD_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_NUMBER_LIKE = re.compile(r"[+-]?(\.?[0-9]|nan|inf|snan)", re.IGNORECASE)
PERCENT = 100
ACTUAL_START, PLANNED_START = ("2", "start-actual"), ("1", "start-planned")  # 2.0x, 1.0x codes
DAC_5_DIGIT = frozenset({"1", "DAC"})  # sector vocabularies of DAC 5-digit purpose codes
IMPLEMENTING = frozenset({"4", "implementing"})
WEB_PAGE = "A12"  # DocumentCategory "Activity web page"


@dataclass(frozen=True)

class Commitment:
    value: Decimal
    currency: str  # ISO 4217; '' when neither the value nor the activity states one


@dataclass(frozen=True)

class IatiActivity:
    """The fields of one ``<iati-activity>`` that the registry uses."""

    identifier: str
    reporting_org_ref: str
    reporting_org_names: tuple[str, ...]  # English narrative first
    title: str
    title_lang: str
    countries: tuple[tuple[str, Decimal | None], ...]  # (ISO alpha-2, percentage or None)
    regions: tuple[str, ...]
    actual_start: str | None
    planned_start: str | None
    sectors: tuple[str, ...]  # DAC 5-digit codes, in file order
    commitments: tuple[Commitment, ...]
    implementing_orgs: tuple[str, ...]
    website: str = ""


def iter_activities(path: Path) -> Iterator[IatiActivity]:
    """Stream the activities of an IATI activity file, one at a time.

    Raises ConnectorError when ``path`` is not a readable file, not well-formed XML (the
    message gives the line), not an IATI activity file, or has no ``<iati-activity>``.
    """
    shown = paths.display_path(path)
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "no such file"
        raise ConnectorError(f"{shown}: {what}; give the path of an IATI activity XML file")
    count, depth = 0, 1
    try:
        with path.open("rb") as handle:
            events = iterparse(handle, events=("start", "end"))
            root: Element = next(events)[1]  # the first start event is the root element
            if root.tag != "iati-activities":
                kind = ("an IATI organisation file, not an activity file"
                        if root.tag == "iati-organisations" else "not an IATI activity file")
                raise ConnectorError(f"{shown}: {kind}: the root element is <{root.tag}>, "
                                     "expected <iati-activities>")
            elements = 0  # in the activity being read
            for event, elem in events:
                depth += 1 if event == "start" else -1
                if event == "start":
                    elements += 1
                    _check_size(shown, count, depth, elements, elem)
                elif elem.text is not None and len(elem.text) > MAX_TEXT_CHARS:
                    raise ConnectorError(f"{shown}: activity {count + 1}: <{elem.tag}> holds "
                                         f"{len(elem.text):,} characters of text (at most "
                                         f"{MAX_TEXT_CHARS:,}); the file is malformed")
                if event == "end" and depth == 1 and elem.tag == "iati-activity":
                    activity = parse_activity(elem, shown)
                    _release(root, elem)
                    count, elements = count + 1, 0
                    yield activity
    except ParseError as exc:
        line, column = exc.position
        raise ConnectorError(f"{shown}:{line}: malformed XML at line {line}, column {column} "
                             f"({str(exc).split(':')[0]}); fix or re-download the file") from exc
    except DefusedXmlException as exc:
        raise ConnectorError(f"{shown}: refused: the XML declares entities or external "
                             f"references ({type(exc).__name__}); IATI files do not need them"
                             ) from exc
    except OSError as exc:
        raise ConnectorError(f"{shown}: cannot read the file ({exc})") from exc
    if count == 0:
        raise ConnectorError(f"{shown}: the file has no <iati-activity>; nothing to import")


def _check_size(shown: str, count: int, depth: int, elements: int, elem: Element) -> None:
    """Refuse nesting and activity sizes no IATI file has (see :mod:`.limits`)."""
    if depth > MAX_XML_DEPTH:
        raise ConnectorError(f"{shown}: activity {count + 1}: <{elem.tag}> is nested {depth} "
                             f"elements deep (at most {MAX_XML_DEPTH}); IATI activities nest "
                             "a few levels: the file is malformed or not an IATI file")
    if elements > MAX_ACTIVITY_ELEMENTS:
        raise ConnectorError(f"{shown}: activity {count + 1} has more than "
                             f"{MAX_ACTIVITY_ELEMENTS:,} elements; the file is malformed")


def _release(root: Element, elem: Element) -> None:
    """Free a processed activity and the siblings before it (later ones may be half-built)."""
    elem.clear()
    for index, child in enumerate(root):
        if child is elem:
            del root[: index + 1]
            return


def parse_activity(elem: Element, origin: str = "the file") -> IatiActivity:
    """Read the fields the registry needs from one ``<iati-activity>`` element.

    Raises ConnectorError naming ``origin``, the activity and the field for a number outside
    the bounds of :mod:`analysis.connectors.limits` (e.g. a value of ``1e30`` or ``NaN``).
    """
    lang = _lang(elem.get(XML_LANG, ""))
    where = f"{origin}: activity {_text(elem.find('iati-identifier')) or '(no identifier)'}"
    reporting = elem.find("reporting-org")
    names = sorted(_narratives(reporting, lang), key=lambda item: item[0] != "en")
    dates: dict[str, str] = {}
    for date in elem.findall("activity-date"):
        if value := _iso_date(date):
            dates.setdefault((date.get("type") or "").strip(), value)
    countries = elem.findall("recipient-country") or elem.findall("transaction/recipient-country")
    regions = elem.findall("recipient-region") or elem.findall("transaction/recipient-region")
    sectors = [s for s in (*elem.findall("sector"), *elem.findall("transaction/sector"))
               if (s.get("vocabulary") or "1").strip() in DAC_5_DIGIT]
    website = next(((link.get("url") or "").strip() for link in elem.findall("document-link")
                    if any(c.get("code") == WEB_PAGE for c in link.findall("category"))),
                   _text(elem.find("activity-website")))
    title_lang, title = _english(_narratives(elem.find("title"), lang))
    return IatiActivity(
        identifier=_text(elem.find("iati-identifier")),
        reporting_org_ref=_attr(reporting, "ref"),
        reporting_org_names=tuple(text for _, text in names),
        title=title,
        title_lang=title_lang,
        countries=tuple(dict.fromkeys(
            (_attr(c, "code").upper(), _bounded(c.get("percentage"), where,
                                                "recipient-country/@percentage", PERCENT))
            for c in countries if _attr(c, "code"))),
        regions=tuple(dict.fromkeys(_attr(r, "code") for r in regions)),
        actual_start=next((dates[k] for k in ACTUAL_START if k in dates), None),
        planned_start=next((dates[k] for k in PLANNED_START if k in dates), None),
        sectors=tuple(dict.fromkeys(_attr(s, "code") for s in sectors if _attr(s, "code"))),
        commitments=tuple(_commitments(elem, _attr(elem, "default-currency").upper(), where)),
        implementing_orgs=tuple(
            text for p in elem.findall("participating-org")
            if _attr(p, "role").lower() in IMPLEMENTING
            for text in [_english(_narratives(p, lang))[1]] if text),
        website=website,
    )


def _commitments(elem: Element, default_currency: str, where: str) -> Iterator[Commitment]:
    for transaction in elem.findall("transaction"):
        kind, value = transaction.find("transaction-type"), transaction.find("value")
        if kind is None or _attr(kind, "code") not in COMMITMENT or value is None:
            continue
        amount = _bounded(_text(value), where, "transaction/value", fields.MAX_AMOUNT)
        if amount is None:
            logger.warning("IATI activity %s: commitment value %r is not a number; ignored",
                           _text(elem.find("iati-identifier")), _text(value))
            continue
        yield Commitment(amount, (_attr(value, "currency") or default_currency).upper())


def _attr(elem: Element | None, name: str) -> str:
    return (elem.get(name) or "").strip() if elem is not None else ""


def _text(elem: Element | None) -> str:
    return " ".join((elem.text or "").split()) if elem is not None else ""


def _lang(code: str) -> str:
    return code.strip().lower().split("-")[0]


def _narratives(elem: Element | None, default_lang: str) -> list[tuple[str, str]]:
    """(language, text) of an element's narratives; 1.0x files hold the text in the element."""
    if elem is None:
        return []
    items = [(_lang(n.get(XML_LANG, "")) or default_lang, _text(n))
             for n in elem.findall("narrative") or [elem]]
    return [(lang, text) for lang, text in items if text]


def _english(items: list[tuple[str, str]]) -> tuple[str, str]:
    return next((item for item in items if item[0] == "en"), items[0] if items else ("", ""))


def _iso_date(elem: Element) -> str | None:
    text = (elem.get("iso-date") or elem.text or "").strip()[:10]
    span, _ = fields.check_date(text)
    return text if span is not None and fields.date_precision_of(text) == "day" else None


def _bounded(text: str | None, where: str, field: str, limit: float) -> Decimal | None:
    """An ``xsd:decimal`` between 0 and ``limit``; None for text that is no number at all.

    Number-like text outside the bounds (exponents such as ``1e30``, NaN, infinity, a
    negative value, over ``limit`` or over :data:`.limits.MAX_NUMBER_CHARS` characters) is
    a ConnectorError naming ``where`` and ``field``: it would otherwise end in a decimal
    overflow or an absurd amount.
    """
    value = (text or "").strip()
    if not _NUMBER_LIKE.match(value):
        return None
    if len(value) <= MAX_NUMBER_CHARS and _XSD_DECIMAL.fullmatch(value):
        number = Decimal(value)
        if 0 <= number <= limit:
            return number
    shown = value if len(value) <= MAX_NUMBER_CHARS else value[:MAX_NUMBER_CHARS] + "…"
    raise ConnectorError(f"{where}: {field}: {shown!r} is not a plausible value (a decimal from "
                         f"0 to {limit:,.0f}, written without an exponent); the file is "
                         "malformed: fix or re-download it")
