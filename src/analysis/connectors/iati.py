"""Import IATI activity files (standard 2.0x; the older 1.0x codes are accepted too).

Parsed as a stream (``iterparse`` through ``defusedxml``): each ``<iati-activity>`` is read into
an :class:`IatiActivity`, then cleared and dropped from the tree, so memory stays flat. Each
activity gives one registry row per recipient country (ISO alpha-2 → alpha-3); the rules are:
partners = the reporting org (``@ref`` or narrative) through the aliases of ``partners.csv``;
date = actual start, else planned start; themes = DAC 5-digit sector codes through
``data/mappings/dac_sectors.csv`` (``other`` when none maps); amount_usd = the sum of commitment
transactions when all are in USD (the country's ``@percentage`` share when there are several
recipients), other currencies are not converted but named in the title; activity_type is
``project`` (rows are dated by the project's start, not by an approval or signature); the title
is the English narrative, else the first. Activities from unknown reporting orgs, for a region
only, or without a start date are skipped and counted (:class:`ImportStats`, logged).
"""

from __future__ import annotations

import csv
import functools
import itertools
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

import pycountry
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from analysis.connectors.limits import (
    MAX_ACTIVITY_ELEMENTS,
    MAX_NUMBER_CHARS,
    MAX_TEXT_CHARS,
    MAX_XML_DEPTH,
)
from analysis.connectors.output import check_replaceable, write_registry_rows
from analysis.core import paths
from analysis.core.errors import ConnectorError
from analysis.data import fields
from analysis.data.taxonomy import Taxonomy, is_country, load_taxonomy

logger = logging.getLogger(__name__)

SECTOR_MAP: Path = paths.MAPPINGS_DIR / "dac_sectors.csv"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ACTUAL_START, PLANNED_START = ("2", "start-actual"), ("1", "start-planned")  # 2.0x, 1.0x codes
COMMITMENT = frozenset({"2", "C"})
DAC_5_DIGIT = frozenset({"1", "DAC"})  # sector vocabularies of DAC 5-digit purpose codes
IMPLEMENTING = frozenset({"4", "implementing"})
WEB_PAGE = "A12"  # DocumentCategory "Activity web page"
OTHER_THEME = "other"
UNKNOWN_ORG = "reporting organisation not in data/taxonomy/partners.csv"
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._:-]+")
_XSD_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_NUMBER_LIKE = re.compile(r"[+-]?(\.?[0-9]|nan|inf|snan)", re.IGNORECASE)
PERCENT = 100


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


@dataclass
class ImportStats:
    """What an import read, wrote and skipped (and why)."""

    activities: int = 0
    rows: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unknown_orgs: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        skipped = "; ".join(f"{n} {why}" for why, n in self.skipped.most_common())
        return f"{self.activities} activities read, {self.rows} rows" + (
            f"; skipped: {skipped}" if skipped else "")


# -- parsing -----------------------------------------------------------------------------------

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


# -- rows --------------------------------------------------------------------------------------

def load_sector_map(path: Path | None = None, taxonomy: Taxonomy | None = None
                    ) -> dict[str, str]:
    """DAC 5-digit sector code → theme id (``data/mappings/dac_sectors.csv``).

    Raises ConnectorError (with the line) for an unreadable file, a bad code or unknown theme.
    """
    source = path or SECTOR_MAP
    shown, themes = paths.display_path(source), (taxonomy or load_taxonomy()).themes
    mapping: dict[str, str] = {}
    try:
        with source.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if not {"code", "theme"} <= set(reader.fieldnames or []):
                raise ConnectorError(f"{shown}:1: the header needs the columns code,theme,name")
            for line, row in enumerate(reader, start=2):
                code, theme = (row.get("code") or "").strip(), (row.get("theme") or "").strip()
                problem = (f"code {code!r} is not a DAC 5-digit sector code"
                           if not re.fullmatch(r"\d{5}", code) else
                           f"code {code} is listed twice" if code in mapping else
                           f"unknown theme {theme!r}; the list is in data/taxonomy/themes.csv"
                           if theme not in themes else None)
                if problem:
                    raise ConnectorError(f"{shown}:{line}: {problem}")
                mapping[code] = theme
    except (OSError, UnicodeDecodeError) as exc:
        raise ConnectorError(f"{shown}: cannot read the sector mapping ({exc})") from exc
    return mapping


def _partner(activity: IatiActivity, taxonomy: Taxonomy) -> str | None:
    names = (activity.reporting_org_ref, *activity.reporting_org_names)
    return next((p for name in names if name and (p := taxonomy.resolve_partner(name))), None)


def skip_reason(activity: IatiActivity, taxonomy: Taxonomy) -> str | None:
    """Why an activity gives no registry row at all, or None when it gives some."""
    if not activity.identifier:
        return "without iati-identifier"
    if _partner(activity, taxonomy) is None:
        return UNKNOWN_ORG
    if not activity.countries:
        return ("for a region only (no recipient country)" if activity.regions
                else "without recipient country")
    if not (activity.actual_start or activity.planned_start):
        return "without start date (actual or planned)"
    return None


def activity_to_rows(activity: IatiActivity, taxonomy: Taxonomy, sector_map: dict[str, str],
                     country: str | None = None, *, stats: ImportStats | None = None
                     ) -> list[dict[str, str]]:
    """Registry rows of one activity: one per recipient country (only ``country`` if given).

    A skipped activity gives ``[]``; ``stats``, when given, counts why.
    """
    tally, country = stats if stats is not None else ImportStats(), _check_country(country)
    reason = skip_reason(activity, taxonomy)
    if reason is not None:
        tally.skipped[reason] += 1
        if reason == UNKNOWN_ORG:
            name = (activity.reporting_org_names or ("(no name)",))[0]
            tally.unknown_orgs[f"{name!r} (ref {activity.reporting_org_ref or '-'})"] += 1
        return []
    partner = _partner(activity, taxonomy) or ""
    date = activity.actual_start or activity.planned_start or ""
    themes = list(dict.fromkeys(sector_map[c] for c in activity.sectors if c in sector_map))
    counterpart = next((name for name in activity.implementing_orgs
                        if taxonomy.resolve_partner(name) is None), "")
    publisher = (activity.reporting_org_names or (partner,))[0]
    several = len(activity.countries) + len(activity.regions) > 1
    slug = _UNSAFE_ID.sub("-", activity.identifier).strip("-")
    rows = []
    for code, share in activity.countries:
        iso3 = _iso3(code)
        if iso3 is None:
            tally.skipped[f"rows for recipient-country {code!r} (not in ISO 3166)"] += 1
        if iso3 is None or (country and iso3 != country):
            continue
        amount, note = _amount(activity.commitments, share, several)
        rows.append({
            "activity_id": f"{iso3}-{date}-iati-{slug}", "date": date, "date_precision": "day",
            "country": iso3, "partners": partner, "counterpart": counterpart,
            "activity_type": "project", "themes": ";".join(themes or [OTHER_THEME]),
            "title": (activity.title or f"IATI activity {activity.identifier}") + note,
            "amount_usd": amount, "source": f"{publisher} (IATI)",
            # the sum of commitment transactions (type C): committed money (data/README.md)
            "amount_kind": "committed" if amount else "",
            "source_url": activity.website if not fields.check_url(activity.website) else "",
            "source_language": "" if fields.check_language(activity.title_lang)
            else activity.title_lang,
        })
    return rows


@functools.lru_cache(maxsize=512)
def _iso3(alpha_2: str) -> str | None:
    found = pycountry.countries.get(alpha_2=alpha_2) if len(alpha_2) == 2 else None
    return found.alpha_3 if found is not None else None


def _amount(commitments: Iterable[Commitment], share: Decimal | None, several: bool
            ) -> tuple[str, str]:
    """(amount_usd, note for the title) of one recipient country's row."""
    totals: dict[str, Decimal] = {}
    for item in commitments:
        totals[item.currency] = totals.get(item.currency, Decimal(0)) + item.value
    if not totals:
        return "", ""
    if set(totals) != {"USD"}:
        stated = " + ".join(f"{currency or '(currency not stated)'} {_money(value)}"
                            for currency, value in totals.items())
        scope = "; whole activity, several recipients" if several else ""
        return "", f" [commitment {stated} not converted{scope}]"
    total = totals["USD"]
    if total <= 0:
        return "", ""
    if share is not None and share < 100:
        part = (total * share / 100).quantize(Decimal(1), ROUND_HALF_UP)
        return str(part), f" [{share.normalize():f}% of commitment USD {_money(total)}]"
    if share is None and several:
        return "", f" [commitment USD {_money(total)} for several recipients, not split]"
    return str(total.quantize(Decimal(1), ROUND_HALF_UP)), ""


def _money(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


# -- whole files -------------------------------------------------------------------------------

def _check_country(country: str | None) -> str | None:
    code = country.strip().upper() if country is not None else None
    if code is not None and not is_country(code):
        raise ConnectorError(f"--country {country!r}: not an ISO 3166-1 alpha-3 code; "
                             "use one such as UZB or AZE")
    return code


def iter_rows(path: Path, country: str | None = None, *, taxonomy: Taxonomy | None = None,
              sector_map: dict[str, str] | None = None, stats: ImportStats | None = None
              ) -> Iterator[dict[str, str]]:
    """Registry rows of an IATI file, streamed, with unique ids; logs a summary at the end."""
    wanted, vocab = _check_country(country), taxonomy or load_taxonomy()
    themes = sector_map if sector_map is not None else load_sector_map(taxonomy=vocab)
    tally = stats if stats is not None else ImportStats()
    seen_keys: set[tuple[str, str]] = set()
    seen_ids: set[str] = set()
    for activity in iter_activities(path):
        tally.activities += 1
        for row in activity_to_rows(activity, vocab, themes, wanted, stats=tally):
            if (row["country"], activity.identifier) in seen_keys:
                tally.skipped["rows repeating an iati-identifier already read"] += 1
                continue
            seen_keys.add((row["country"], activity.identifier))
            base, number = row["activity_id"], 1
            while row["activity_id"] in seen_ids:  # different identifiers, same safe id
                number += 1
                row["activity_id"] = f"{base}-{number}"
            seen_ids.add(row["activity_id"])
            tally.rows += 1
            yield row
    shown = paths.display_path(path)
    for org, count in tally.unknown_orgs.most_common():
        logger.warning("%s: reporting organisation %s is not in data/taxonomy/partners.csv: "
                       "%d activities skipped (add its name or IATI ref as an alias)",
                       shown, org, count)
    (logger.warning if tally.skipped else logger.info)("%s: %s", shown, tally.summary())


def read_iati(path: Path, country: str | None = None, *, taxonomy: Taxonomy | None = None,
              sector_map: dict[str, str] | None = None, stats: ImportStats | None = None
              ) -> list[dict[str, str]]:
    """All registry rows of an IATI activity file (:func:`iter_rows`); raises ConnectorError."""
    return list(iter_rows(path, country, taxonomy=taxonomy, sector_map=sector_map, stats=stats))


def run_import(file: Path, country: str | None = None, output: Path | None = None, *,
               force: bool = False) -> tuple[Path, int]:
    """Import an IATI file into a registry CSV (default ``data/sources/iati-<stem>.csv``).

    Returns (output path, rows written). Rows stream into a temporary file that is validated,
    then renamed over the output, so on any error the output is left as it was. Raises
    ParameterError (an output the importer may not replace, checked first; ``force``
    overrides, see :mod:`analysis.connectors.output`), ConnectorError (bad file or country,
    no row) or DataValidationError (invalid rows).
    """
    target = output if output is not None else paths.SOURCES_DIR / f"iati-{file.stem}.csv"
    check_replaceable(target.resolve(), force)
    stats = ImportStats()
    rows = iter_rows(file, _check_country(country), stats=stats)
    first = next(rows, None)  # fail before touching the output folder when nothing can come
    if first is None:
        scope = f" for {country.strip().upper()}" if country else ""
        raise ConnectorError(f"{paths.display_path(file)}: no activity could be imported{scope}"
                             f" ({stats.summary()}); nothing was written")
    return target, write_registry_rows(itertools.chain([first], rows), target,
                                       origin=paths.display_path(file), command="import iati",
                                       force=force)
