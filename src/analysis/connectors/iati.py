"""Import IATI activity files (standard 2.0x; the older 1.0x codes are accepted too).

The file is read as a stream of :class:`~analysis.connectors.iati_xml.IatiActivity`
(:mod:`analysis.connectors.iati_xml`), so memory stays flat. Each activity gives one registry row
per recipient country (ISO alpha-2 → alpha-3); the rules are:
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

import pycountry

from analysis.connectors.iati_xml import (
    Commitment,
    IatiActivity,
    iter_activities,
)
from analysis.connectors.output import check_replaceable, write_registry_rows
from analysis.core import paths
from analysis.core.errors import ConnectorError
from analysis.data import fields
from analysis.data.taxonomy import Taxonomy, is_country, load_taxonomy

logger = logging.getLogger(__name__)

SECTOR_MAP_NAME = "dac_sectors.csv"  # in data/mappings/
OTHER_THEME = "other"
UNKNOWN_ORG = "reporting organisation not in data/taxonomy/partners.csv"
_UNSAFE_ID = re.compile(r"[^A-Za-z0-9._:-]+")


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


# -- rows --------------------------------------------------------------------------------------

def load_sector_map(path: Path | None = None, taxonomy: Taxonomy | None = None
                    ) -> dict[str, str]:
    """DAC 5-digit sector code → theme id (``data/mappings/dac_sectors.csv``).

    Raises ConnectorError (with the line) for an unreadable file, a bad code or unknown theme.
    """
    source = path or paths.mappings_dir() / SECTOR_MAP_NAME
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
    target = output if output is not None else paths.sources_dir() / f"iati-{file.stem}.csv"
    check_replaceable(target, force)
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
