"""World Bank projects as registry rows: parsing API responses and exports (pure).

A project becomes one row: type ``financing`` (``project`` when nothing is committed), partner
World Bank, date = board approval day, amount = ``totalcommamt`` (else ``totalamt``), themes
from ``data/mappings/worldbank_themes.csv``: a ``pattern`` matches a theme, sector or major-theme
name case-insensitively where a word starts (``ICT`` matches "ICT Services", not "district");
each match adds its ``theme``; no match gives ``other``. Titles and agencies stay as the Bank
writes them (ALL-CAPS included), whitespace collapsed. Projects without a single country
(regional, multi-country), an approval date or an id are skipped and counted in the log.
Fetching, the cache and the commands are :mod:`analysis.connectors.worldbank`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry

from analysis.connectors.limits import bounded_amount, bounded_count
from analysis.core import paths
from analysis.core.errors import ConnectorError, DataValidationError
from analysis.data import fields
from analysis.data.csvfile import read_csv_file
from analysis.data.taxonomy import load_taxonomy, suggest

log = logging.getLogger(__name__)

PROJECT_PAGE = "https://projects.worldbank.org/en/projects-operations/project-detail/{id}"
MAPPING_NAME = "worldbank_themes.csv"  # in data/mappings/
REGIONAL = "no single country (regional or multi-country)"
SOURCE_API, SOURCE_EXPORT = "World Bank Projects API", "World Bank projects export"


@dataclass(frozen=True)

class ThemeRule:
    """One row of the theme mapping: part of a Bank name, and the registry theme it means."""

    pattern: str
    theme: str

    def matches(self, name: str) -> bool:
        return re.search(rf"(?<![\w-]){re.escape(self.pattern)}", name, re.IGNORECASE) is not None


def load_theme_mapping(path: Path | None = None) -> list[ThemeRule]:
    """Read the ``pattern,theme`` mapping (default ``data/mappings/worldbank_themes.csv``).

    Raises
    ------
    DataValidationError
        Listing every problem: unreadable file, empty or repeated pattern, unknown theme.
    """
    csv_file = read_csv_file(path or paths.mappings_dir() / MAPPING_NAME, ("pattern", "theme"),
                             "theme mapping")
    themes, seen, rules = load_taxonomy().themes, set(), []
    for line, rec in csv_file.records:
        pattern = rec["pattern"].casefold()
        if not pattern or pattern in seen:
            csv_file.problem(line, "pattern", rec["pattern"], "empty or repeated pattern; "
                             "write part of a Bank theme or sector name, once")
        if rec["theme"] not in themes:
            guess = suggest(rec["theme"], themes)
            csv_file.problem(line, "theme", rec["theme"], "unknown theme; " + (
                f"did you mean '{guess}'? " if guess else "") + "see data/taxonomy/themes.csv")
        seen.add(pattern)
        rules.append(ThemeRule(rec["pattern"], rec["theme"]))
    if csv_file.problems:
        raise DataValidationError(csv_file.problems)
    return rules


def _text(value: Any) -> str:
    """A field as one clean line (lists joined with ``; ``)."""
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value if v)
    return " ".join(str(value).split()) if value else ""


def approval_date(project: dict[str, Any]) -> dt.date | None:
    """Board approval day from ``2013-09-30T00:00:00Z`` or ``9/30/2013 12:00:00 AM``, else None."""
    text = _text(project.get("boardapprovaldate"))
    iso = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    us = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    parts = (iso[1], iso[2], iso[3]) if iso else (us[3], us[1], us[2]) if us else None
    try:
        return dt.date(*(int(p) for p in parts)) if parts else None
    except ValueError:
        return None


def project_country(project: dict[str, Any]) -> tuple[str | None, str | None]:
    """``(ISO3, None)`` for a single-country project, else ``(None, why it is skipped)``."""
    raw = project.get("countrycode")
    codes = {str(c).strip().upper() for c in (raw if isinstance(raw, list) else [raw]) if c}
    if len(codes) != 1:
        return None, REGIONAL if codes else "no country code"
    code = LEGACY_CODES.get(min(codes), min(codes))
    if any(ch.isdigit() for ch in code):  # the Bank's region codes: 1W, 3A, 4E, ...
        return None, REGIONAL
    country = pycountry.countries.get(alpha_2=code)
    return (country.alpha_3, None) if country else (None, "unknown country code")


def theme_names(project: dict[str, Any]) -> list[str]:
    """Every theme, sector and major-theme name of a project, in any of the Bank's layouts."""
    names: list[str] = []

    def walk(value: Any, named: bool) -> None:
        if isinstance(value, str) and named and value.strip():
            names.append(value.strip())
        elif isinstance(value, list):
            for item in value:
                walk(item, named)
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(item, key.lower() == "name" or key.lower().startswith("theme"))

    for key, value in project.items():
        if re.match(r"(mj)?theme|sector", key) and not re.search(r"(?<!name)code$", key):
            walk(value, True)
    return names


def map_themes(names: Iterable[str], mapping: Sequence[ThemeRule]) -> list[str]:
    """Registry themes for Bank names, in mapping-file order; ``['other']`` when none match."""
    names = list(names)
    themes = [r.theme for r in mapping if any(r.matches(n) for n in names)]
    return list(dict.fromkeys(themes)) or ["other"]


def _convert(project: dict[str, Any], mapping: Sequence[ThemeRule], source: str,
             origin: str = "the response") -> tuple[dict[str, str] | None, str | None]:
    pid = _text(project.get("id"))
    country, reason = project_country(project)
    day = approval_date(project)
    if not re.fullmatch(r"[A-Za-z0-9]+", pid) or country is None or day is None:
        return None, "no project id" if country and day else reason or "no board approval date"
    amount = next(filter(None, (bounded_amount(project.get(name), origin, f"project {pid}: {name}")
                                for name in ("totalcommamt", "totalamt"))), None)
    url = _text(project.get("url"))
    return {
        "activity_id": f"{country}-{day.isoformat()}-wb-{pid.lower()}",
        "date": day.isoformat(), "date_precision": "day", "country": country,
        "partners": "World Bank", "counterpart": _text(project.get("impagency")),
        "activity_type": "financing" if amount else "project",
        "themes": ";".join(map_themes(theme_names(project), mapping)),
        "title": _text(project.get("project_name")) or f"World Bank project {pid}",
        "amount_usd": f"{amount.normalize():f}" if amount else "",
        # the total commitment at board approval: committed money (data/README.md)
        "amount_kind": "committed" if amount else "",
        "source": source, "source_language": "en",
        "source_url": url if url and fields.check_url(url) is None else PROJECT_PAGE.format(id=pid),
    }, None


def project_to_row(project: dict[str, Any], mapping: Sequence[ThemeRule],
                   source: str = SOURCE_API, origin: str = "the response"
                   ) -> dict[str, str] | None:
    """One project as a registry row, or None when it is skipped (see the module notes).

    Raises ConnectorError naming ``origin`` for an amount outside
    :mod:`analysis.connectors.limits`.
    """
    return _convert(project, mapping, source, origin)[0]


def projects_to_rows(projects: Iterable[dict[str, Any]], mapping: Sequence[ThemeRule], *,
                     countries: Sequence[str] | None = None, since: int | None = None,
                     source: str = SOURCE_API, origin: str = "the response"
                     ) -> list[dict[str, str]]:
    """Rows of the projects in ``countries`` (ISO3; all when empty) approved from ``since`` on.

    One row per activity id (the first seen), sorted by country, date and id; skipped
    projects are counted by reason in the log.
    """
    rows: dict[str, dict[str, str]] = {}
    skipped: Counter[str] = Counter()
    for project in projects:
        row, reason = _convert(project, mapping, source, origin)
        if row is None:
            skipped[reason or ""] += 1
        elif (not countries or row["country"] in countries) and int(row["date"][:4]) >= (
                since or 0):
            rows.setdefault(row["activity_id"], row)
    for reason, count in sorted(skipped.items()):
        log.info("skipped %d World Bank project(s): %s", count, reason)
    return sorted(rows.values(), key=lambda r: (r["country"], r["date"], r["activity_id"]))

# Codes the Bank used that are not ISO 3166-1 alpha-2 (seen in its exports); digits = regions.
LEGACY_CODES = {"RY": "YE", "ZR": "CD", "GZ": "PS", "TP": "TL", "YF": "RS"}


def parse_page(data: Any, origin: str = "the response") -> tuple[list[dict[str, Any]], int | None]:
    """The projects of one API v2 page or export, and the ``total`` it announces (or None).

    Accepts the v2 response (``projects`` an object keyed by project id, or a list; ``total``
    a string) and the older export (a JSON array of projects).

    Raises
    ------
    ConnectorError
        Naming ``origin`` when ``data`` is neither.
    """
    if isinstance(data, dict) and "projects" in data:
        raw, total = data["projects"], bounded_count(data.get("total"), origin, "total")
        if isinstance(raw, dict):
            raw = [{**v, "id": v.get("id") or k} if isinstance(v, dict) else v
                   for k, v in raw.items()]
    elif isinstance(data, list) and (not data or any(isinstance(p, dict) and "id" in p
                                                     for p in data)):
        raw, total = data, len(data)
    else:
        found = ("an empty object" if data == {} else
                 f"an object with keys {', '.join(map(str, list(data)[:5]))}"
                 if isinstance(data, dict)
                 else f"a JSON {type(data).__name__} without project objects")
        raise ConnectorError(f"{origin}: not a World Bank projects response or export: expected "
                             f"an object with 'projects' (API v2) or an array of projects with "
                             f"an 'id', found {found}")
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        raise ConnectorError(f"{origin}: 'projects' does not hold project objects; the response "
                             "is malformed or the API has changed")
    return raw, total


def parse_response(data: Any, origin: str = "the response") -> list[dict[str, Any]]:
    """The projects of one API v2 response or export (see :func:`parse_page`)."""
    return parse_page(data, origin)[0]
