"""World Bank projects into the registry: the Projects API v2 (paged, cached) and saved
exports (``coopreport fetch worldbank``, ``coopreport import worldbank``).

The HTTP client (:func:`fetch_projects`) and the cache (:func:`rebuild_from_cache`) are here;
turning projects into rows is :mod:`analysis.connectors.worldbank_projects` (pure). The cache
keeps each raw page as ``<cache>/<YYYY-MM-DD>/<iso2>-os<offset>.json`` beside a
``.provenance.json`` sidecar (URL, UTC time, SHA-256, HTTP status).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pycountry
import requests

from analysis.connectors.cache import SIDECAR, write_cache_pages
from analysis.connectors.http import get_json, polite_session
from analysis.connectors.limits import MAX_JSON_BYTES, parse_json
from analysis.connectors.output import check_replaceable, write_registry_rows
from analysis.connectors.worldbank_projects import (
    SOURCE_API,
    SOURCE_EXPORT,
    approval_date,
    load_theme_mapping,
    parse_page,
    parse_response,
    projects_to_rows,
)
from analysis.core import paths
from analysis.core.errors import ConnectorError, ParameterError
from analysis.data import fields

log = logging.getLogger(__name__)

API_URL = "https://search.worldbank.org/api/v2/projects"
OFFLINE_HINT = "; --offline rebuilds from the last cached responses"


def cache_folder() -> Path:
    """Where raw API pages are cached: ``data/cache/worldbank/``."""
    return paths.cache_dir() / "worldbank"


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
    write_cache_pages(pages, cache_root or cache_folder(), {code.lower() for code in codes},
                      source=SOURCE_API)
    log.info("cached %d World Bank page(s) in %s", len(pages),
             paths.display_path(cache_root or cache_folder()))
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
    root = cache_root or cache_folder()
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
    target = output or paths.sources_dir() / "worldbank.csv"
    check_replaceable(target, force)
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
    target = output or paths.sources_dir() / f"worldbank-{file.stem}.csv"
    check_replaceable(target, force)
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


