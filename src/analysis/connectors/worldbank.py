"""World Bank projects → registry rows: the Projects API v2 (paged, cached) and saved exports.

Pure parsing (:func:`parse_response`, :func:`project_to_row`, :func:`projects_to_rows`) is kept
apart from the HTTP client (:func:`fetch_projects`) and the cache (:func:`rebuild_from_cache`).
A project becomes one row: type ``financing`` (``project`` when nothing is committed), partner
World Bank, date = board approval day, amount = ``totalcommamt`` (else ``totalamt``), themes
from ``data/mappings/worldbank_themes.csv``: a ``pattern`` matches a theme, sector or major-theme
name case-insensitively where a word starts (``ICT`` matches "ICT Services", not "district");
each match adds its ``theme``; no match gives ``other``. Titles and agencies stay as the Bank
writes them (ALL-CAPS included), whitespace collapsed. Projects without a single country
(regional, multi-country), an approval date or an id are skipped and counted in the log.
The cache keeps each raw page as ``<cache>/<YYYY-MM-DD>/<iso2>-os<offset>.json`` beside a
``.provenance.json`` sidecar (URL, UTC time, SHA-256, HTTP status).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pycountry
import requests

from analysis.connectors.cache import SIDECAR, write_cache_pages
from analysis.connectors.http import get_json, polite_session
from analysis.connectors.limits import MAX_JSON_BYTES, bounded_amount, bounded_count, parse_json
from analysis.connectors.output import check_replaceable, write_registry_rows
from analysis.core import paths
from analysis.core.errors import ConnectorError, DataValidationError, ParameterError
from analysis.data import fields
from analysis.data.csvfile import read_csv_file
from analysis.data.taxonomy import load_taxonomy, suggest

log = logging.getLogger(__name__)

API_URL = "https://search.worldbank.org/api/v2/projects"
PROJECT_PAGE = "https://projects.worldbank.org/en/projects-operations/project-detail/{id}"
CACHE_DIR = paths.CACHE_DIR / "worldbank"
MAPPING_FILE = paths.MAPPINGS_DIR / "worldbank_themes.csv"
SOURCE_API, SOURCE_EXPORT = "World Bank Projects API", "World Bank projects export"
# Codes the Bank used that are not ISO 3166-1 alpha-2 (seen in its exports); digits = regions.
LEGACY_CODES = {"RY": "YE", "ZR": "CD", "GZ": "PS", "TP": "TL", "YF": "RS"}
REGIONAL = "no single country (regional or multi-country)"
OFFLINE_HINT = "; --offline rebuilds from the last cached responses"


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
    csv_file = read_csv_file(path or MAPPING_FILE, ("pattern", "theme"), "theme mapping")
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


# --- parsing (pure) -------------------------------------------------------------------------

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


# --- fetching and the cache -----------------------------------------------------------------

def fetch_projects(countries: Sequence[str], since: int | None = None, *,
                   base_url: str = API_URL, rows: int = 500, timeout: float = 30.0,
                   retries: int = 4, backoff: float = 1.0, min_interval: float = 1.0,
                   cache_root: Path | None = None, session: requests.Session | None = None
                   ) -> list[dict[str, Any]]:
    """Fetch the projects of ``countries`` (ISO3) from the API, cache the pages, return them.

    Pages of ``rows`` (offset ``os``) are requested at most one per ``min_interval`` seconds,
    each with ``timeout`` seconds and up to ``retries`` retries with exponential ``backoff``
    (factor in seconds) on connection errors, timeouts, 429 and 5xx; a given ``session`` is
    used as it is. Once every page has arrived, they replace that day's pages of these
    countries in ``cache_root/<YYYY-MM-DD UTC>/`` (default ``data/cache/worldbank``).
    ``since`` keeps projects approved in or after that year; the cache keeps them all.

    Raises
    ------
    ConnectorError
        Naming the URL: no network, timeout or 429/5xx after the retries, other HTTP errors,
        malformed JSON, JSON without projects. The cache is then left as it was.
    """
    codes = [_iso2(code) for code in countries]
    client = session or polite_session(retries, backoff)
    pages: list[tuple[str, str, bytes, int, str]] = []
    projects: list[dict[str, Any]] = []
    last = 0.0
    try:
        for iso2 in codes:
            offset = 0
            while True:
                if pages:  # a polite rate: at most one request per min_interval seconds
                    time.sleep(max(0.0, last + min_interval - time.monotonic()))
                last = time.monotonic()
                query: dict[str, str | int] = {"format": "json", "countrycode_exact": iso2,
                                               "rows": rows, "os": offset}
                url = requests.Request("GET", base_url, params=query).prepare().url or base_url
                data, body, status = get_json(client, url, timeout, retries, hint=OFFLINE_HINT)
                found, total = parse_page(data, origin=url)
                stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
                pages.append((f"{iso2.lower()}-os{offset:06d}.json", url, body, status, stamp))
                projects += found
                log.info("World Bank %s: %d projects from offset %d of %s", iso2, len(found),
                         offset, total)
                offset += rows
                if not found or total is None or offset >= total:
                    break
    finally:
        if session is None:
            client.close()
    write_cache_pages(pages, cache_root or CACHE_DIR, {code.lower() for code in codes},
                      source=SOURCE_API)
    log.info("cached %d World Bank page(s) in %s", len(pages),
             paths.display_path(cache_root or CACHE_DIR))
    return _approved_since(projects, since)


def _iso2(iso3: str) -> str:
    country = pycountry.countries.get(alpha_3=iso3) if fields.check_country(iso3)[0] else None
    if country is None:
        raise ParameterError(f"--country {iso3}: not an ISO 3166-1 alpha-3 code such as UZB")
    return str(country.alpha_2)


def _approved_since(projects: list[dict[str, Any]], since: int | None) -> list[dict[str, Any]]:
    return [p for p in projects
            if since is None or (day := approval_date(p)) is None or day.year >= since]


def rebuild_from_cache(cache_root: Path | None = None, date: str | None = None, *,
                       countries: Sequence[str] | None = None, since: int | None = None
                       ) -> list[dict[str, Any]]:
    """The projects of cached pages, each checked against its sidecar's SHA-256.

    ``date`` (``YYYY-MM-DD``) picks a run folder; by default each of ``countries`` (ISO3) comes
    from the newest folder that has its pages, and without ``countries`` the newest folder is
    read whole. ``since`` keeps projects approved in or after that year.

    Raises
    ------
    ConnectorError
        When nothing is cached (for a country), or a page or its sidecar is unreadable or
        does not match.
    """
    root = cache_root or CACHE_DIR
    folders = sorted((d for d in (root.glob("*") if root.is_dir() else ()) if d.is_dir()
                      and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.name) and date in (None, d.name)),
                     reverse=True)
    pages: list[Path] = []
    for prefix in [_iso2(c).lower() + "-" for c in countries] if countries else [""]:
        found = next((f for d in (folders if prefix else folders[:1])
                      if (f := [p for p in sorted(d.glob(f"{prefix}*.json"))
                                if not p.name.endswith(SIDECAR)])), [])
        if not found:
            what = f"{prefix[:2].upper()} pages" if prefix else "responses"
            raise ConnectorError(f"{root}: no cached World Bank {what}" + (
                f" of {date}" if date else "") + "; fetch them online first")
        pages += found
    projects: list[dict[str, Any]] = []
    for page in pages:
        sidecar = page.with_name(page.name + SIDECAR)
        try:
            body, meta = page.read_bytes(), json.loads(sidecar.read_text("utf-8"))
            data = parse_json(body, str(page))
        except (OSError, ValueError) as exc:
            raise ConnectorError(f"{page}: cannot read the cached page or its {SIDECAR} ({exc}); "
                                 "delete the folder and fetch again") from exc
        if not isinstance(meta, dict) or meta.get("sha256") != hashlib.sha256(body).hexdigest():
            raise ConnectorError(f"{page}: SHA-256 differs from {sidecar.name}: the cached page "
                                 "was changed or truncated; delete the folder and fetch again")
        projects += parse_response(data, origin=str(page))
    return _approved_since(projects, since)


# --- command-line entry points --------------------------------------------------------------

def _check_countries(countries: Sequence[str] | None) -> list[str]:
    codes = [c.strip().upper() for c in countries or ()]
    for code in codes:
        reason = fields.check_country(code)[1]
        if reason:
            raise ParameterError(f"--country {code}: {reason}")
    return codes


def _write(rows: list[dict[str, str]], output: Path, what: str, command: str, force: bool
           ) -> tuple[Path, int]:
    if not rows:
        raise ConnectorError(f"{what}: no World Bank project left after the country and year "
                             f"filters; {paths.display_path(output)} was not written")
    count = write_registry_rows(rows, output, origin=what, command=command, force=force)
    log.info("wrote %d World Bank activities to %s", count, paths.display_path(output))
    return output, count


def run_fetch(countries: list[str], since: int | None, output: Path | None, offline: bool,
              *, force: bool = False) -> tuple[Path, int]:
    """``coopreport fetch worldbank``: fetch (or, ``offline``, rebuild from the cache) and write.

    Returns the written file (default ``data/sources/worldbank.csv``) and its row count.

    ``force`` replaces an output the importer did not write (see
    :mod:`analysis.connectors.output`).

    Raises
    ------
    ParameterError
        No country, an unknown country code, an implausible ``since``, or an output that may
        not be replaced (checked before any request).
    ConnectorError, DataValidationError
        When fetching fails or the rows would not form a valid registry; nothing is written.
    """
    codes = _check_countries(countries)
    if not codes:
        raise ParameterError("--country: name at least one ISO 3166-1 alpha-3 code, e.g. UZB")
    if since is not None and not fields.MIN_YEAR <= since <= fields.MAX_YEAR:
        raise ParameterError(f"--since {since}: not a plausible year")
    target = output or paths.SOURCES_DIR / "worldbank.csv"
    check_replaceable(target.resolve(), force)
    mapping = load_theme_mapping()
    projects = (rebuild_from_cache(countries=codes, since=since) if offline
                else fetch_projects(codes, since))
    what = f"World Bank API ({', '.join(codes)})"
    rows = projects_to_rows(projects, mapping, countries=codes, since=since, origin=what)
    return _write(rows, target, what, "fetch worldbank", force)


def run_import(file: Path, countries: list[str] | None, output: Path | None, *,
               force: bool = False) -> tuple[Path, int]:
    """``coopreport import worldbank FILE.json``: a saved API response or export → registry.

    Returns the written file (default ``data/sources/worldbank-<stem>.csv``) and its row count.

    Raises
    ------
    ParameterError
        An unknown country code, or an output that may not be replaced (``force`` overrides;
        see :mod:`analysis.connectors.output`).
    ConnectorError, DataValidationError
        The file is unreadable, not JSON or not a World Bank export, or no valid rows result.
    """
    codes = _check_countries(countries)
    target = output or paths.SOURCES_DIR / f"worldbank-{file.stem}.csv"
    check_replaceable(target.resolve(), force)
    try:
        if file.stat().st_size > MAX_JSON_BYTES:
            raise ConnectorError(f"{file}: {file.stat().st_size:,} bytes, more than the "
                                 f"{MAX_JSON_BYTES // 2**20} MB a World Bank export can be")
        body = file.read_bytes()
    except OSError as exc:
        raise ConnectorError(f"{file}: cannot read the file ({exc.strerror or exc})") from exc
    data = parse_json(body, str(file), "not JSON", "; import a World Bank projects API "
                      "response or export saved as JSON")
    projects = parse_response(data, origin=str(file))
    rows = projects_to_rows(projects, load_theme_mapping(), countries=codes, source=SOURCE_EXPORT,
                            origin=str(file))
    return _write(rows, target, paths.display_path(file), "import worldbank", force)
