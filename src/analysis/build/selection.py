"""What a report reads of the data: its *selection* (countries and years) and the files it
reads whole, so that an incremental build rebuilds it only when those change.

The shipped notebooks read, through :mod:`analysis.report` (audited, issue 28):

- ``country_profile.ipynb``: the registry's rows of ``country`` in ``start_year``–``end_year``
  (:func:`analysis.report.context.prepare_report`), and no reference data;
- ``country_comparison.ipynb``: the rows of ``countries`` in every year (each country's
  milestones are shown beside its activities of any year: ``analysis.report.system``), their
  commitments, indicators, milestones and procurement-system facts;
- ``strategic_procurement.ipynb``: the same for ``country``, ``peer`` and ``benchmarks``
  (reforms are matched with activities of any year; the fall in activity compares the period
  with the previous one).

Every report also reads the span of each country whose coverage it prints (that country's
first and last record in any year: ``country`` of a profile, ``countries`` of a comparison,
``country`` and ``peer`` of an SPCR, not its ``benchmarks``, whose activities it does not
show; :func:`analysis.measures.coverage.country_coverage`, :mod:`analysis.build.rows`). A
row that moves one country's span rebuilds the reports about that country and no other:
no report prints a fact of the whole registry.

Every report also reads the taxonomy, the indicator guide, the sources' Russian and Uzbek
names and the counterparts' names (``data/extract/counterparts.csv``), which are hashed
whole. What no report reads is left out: documentation (``*.md``), the extractor's other
lexicons, registry files the report does not read (``data/sources/``, the default registry
when it reads another). A notebook not in :data:`READS` (an analyst's own) may read
anything: every row of every per-country table and every file under ``data/`` count for it.

Standard library only: a build with nothing to do reads these too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.build import rows
from analysis.core import paths

MISSING = "missing"


@dataclass(frozen=True)
class Reads:
    """What a notebook reads of the per-country tables."""

    countries: tuple[str, ...]  # the parameters naming its countries (a code or a list)
    years: str  # of the registry: "period" (start_year-end_year), "previous" (and the
    # period of equal length before it), or "all"
    reference: bool  # whether it reads data/reference (indicators, milestones, facts)
    coverage: tuple[str, ...]  # the parameters naming the countries whose span it prints
    # (analysis.report.context.ReportData.coverage_countries)


READS: dict[str, Reads] = {
    "country_profile.ipynb": Reads(("country",), "period", reference=False,
                                   coverage=("country",)),
    "country_comparison.ipynb": Reads(("countries",), "all", reference=True,
                                      coverage=("countries",)),
    "strategic_procurement.ipynb": Reads(("country", "peer", "benchmarks"), "all",
                                         reference=True, coverage=("country", "peer")),
}
# data/reference's per-country tables (analysis.data.reference: tests check the names agree)
REFERENCE_TABLES = {"indicators": "country_indicators.csv",
                    "milestones": "procurement_milestones.csv",
                    "system": "procurement_system.csv"}
# read by the extractor alone, except this one: reports name institutions with it
REPORT_EXTRACT_FILES = ("counterparts.csv",)
LABELS = {"registry": "registry rows", "commitments": "commitments",
          "indicators": "indicator values", "milestones": "milestones",
          "system": "procurement-system facts"}


def selection(parameters: Mapping[str, Any], notebook: Path, registries: list[Path],
              commitments: list[Path], config: Path | None = None) -> dict[str, Any]:
    """The report's selection, as recorded in the build manifest (JSON).

    ``parameters`` are the report's (defaults included); ``registries`` the registry files it
    reads (one, or those of the sources file ``config``) and ``commitments`` theirs.
    """
    reads = READS.get(notebook.name)
    countries: list[str] | None = None
    covered: list[str] | None = None  # None: every row is read, every span with it
    years: list[int] | None = None
    if reads is not None:
        countries = _named(parameters, reads.countries)
        covered = _named(parameters, reads.coverage)
        start, end = parameters.get("start_year"), parameters.get("end_year")
        if reads.years != "all" and isinstance(start, int) and isinstance(end, int):
            years = [start - (end - start + 1) if reads.years == "previous" else start, end]
    extra = []
    contracting = parameters.get("contracting_data")
    if isinstance(contracting, str) and contracting.strip():
        extra.append(str(paths.resolve_data_path(contracting).resolve()))
    return {
        "notebook": notebook.name, "known": reads is not None,
        "countries": countries, "years": years, "coverage": covered,
        "reference": reads.reference if reads is not None else True,
        "registries": [str(p.resolve()) for p in registries],
        "commitments": [str(p.resolve()) for p in commitments],
        "extra": extra,
        "config": str(config.resolve()) if config is not None else "",
        "as_of": str(parameters.get("as_of") or "").strip(),
    }


def _named(parameters: Mapping[str, Any], keys: tuple[str, ...]) -> list[str]:
    """The country codes the parameters ``keys`` name (a code or a list), sorted."""
    named: set[str] = set()
    for key in keys:
        value = parameters.get(key)
        values = value if isinstance(value, (list, tuple)) else [value]
        named |= {str(v).strip().upper() for v in values if v and str(v).strip()}
    return sorted(named)


def _reference_paths(spec: Mapping[str, Any]) -> dict[str, str]:
    if not spec.get("reference"):
        return {}
    folder = paths.reference_dir()
    return {kind: str((folder / name).resolve()) for kind, name in REFERENCE_TABLES.items()}


def table_paths(spec: Mapping[str, Any]) -> list[str]:
    """The per-country tables the selection reads (their file hashes are recorded: while
    none changed, neither did the rows selected from them)."""
    return sorted({*spec["registries"], *spec["commitments"],
                   *_reference_paths(spec).values()})


_CACHE: dict[tuple[str, str, str], rows.Table] = {}  # one read per file version per process


def _read(kind: str, path: str, digest: str, country_of: Mapping[str, str] | None = None,
          key: str = "") -> rows.Table:
    cached = _CACHE.get((kind, path, digest + key))
    if cached is None:
        cached = (rows.read_registry(Path(path)) if kind == "registry"
                  else rows.read_by_country(Path(path), country_of))
        _CACHE[(kind, path, digest + key)] = cached
    return cached


def selected_rows(spec: Mapping[str, Any], hashes: Mapping[str, str]) -> dict[str, Any]:
    """Per table and country the rows the report selects (count, fingerprint), and the span
    of each country whose coverage it prints: ``{"registry|PATH|AZE": [36, sha],
    "span|AZE": [first day, its rows, last day, its rows], ...}``.

    ``hashes`` are the tables' file hashes, keys of the cache of the tables read.
    """
    countries = spec["countries"]
    years = tuple(spec["years"]) if spec["years"] else None
    found: dict[str, Any] = {}
    country_of: dict[str, str] = {}
    registries = []
    for path in spec["registries"]:
        table = _read("registry", path, hashes.get(path, MISSING))
        registries.append(table)
        country_of.update(table.countries)
        for code, value in rows.selected(table, countries, years).items():
            found[f"registry|{path}|{code}"] = list(value)
    for code in spec.get("coverage") or ():
        found[f"span|{code}"] = rows.span(registries, code)
    key = "|".join(hashes.get(p, MISSING) for p in spec["registries"])
    for path in spec["commitments"]:
        table = _read("commitments", path, hashes.get(path, MISSING), country_of, key)
        for code, value in rows.selected(table, countries, None).items():
            found[f"commitments|{path}|{code}"] = list(value)
    for kind, path in _reference_paths(spec).items():
        table = _read(kind, path, hashes.get(path, MISSING))
        for code, value in rows.selected(table, countries, None).items():
            found[f"{kind}|{path}|{code}"] = list(value)
        if kind == "indicators":
            found[f"shape|{path}"] = table.shape
    return found


def whole_files(spec: Mapping[str, Any]) -> list[Path]:
    """The files under ``data/`` (and beyond it, named by the parameters) the report reads
    whole: all but documentation, the per-country tables (read by row), and what no report
    reads (see the module notes). A notebook not in :data:`READS` reads every file."""
    data = paths.data_dir()
    tables_read = set(table_paths(spec))
    known = spec.get("known", False)
    skipped = {"cache", "__pycache__", ".ipynb_checkpoints"}
    found = []
    for root, dirs, files in os.walk(data):
        dirs[:] = sorted(d for d in dirs if d not in skipped and not d.startswith("."))
        here = Path(root)
        for name in sorted(files):
            path = here / name
            if name.endswith((".md", ".tmp", ".pyc")) or name.startswith("."):
                continue
            resolved = str(path.resolve())
            if resolved in tables_read:
                continue
            if known and resolved != spec.get("config") and _not_read(path, data):
                continue
            found.append(path)
    found += [Path(p) for p in spec.get("extra", [])]
    return found


def _not_read(path: Path, data: Path) -> bool:
    """A file under ``data/`` that no shipped notebook reads whole."""
    relative = path.relative_to(data)
    top = relative.parts[0] if len(relative.parts) > 1 else ""
    if top == "sources":  # importers' registry files: read only through a sources file
        return True
    if top == "extract":
        return relative.name not in REPORT_EXTRACT_FILES
    if top == "reference":  # the per-country tables are read by row, or not at all
        return relative.name in REFERENCE_TABLES.values()
    # a registry, commitments or sources file at the top that this report does not read
    return top == "" and (relative.name in (paths.REGISTRY_NAME, paths.COMMITMENTS_NAME)
                          or relative.name.endswith((".commitments.csv", ".yaml", ".yml")))


def describe_rows(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What changed among the selected rows, in words: ``registry rows for AZE changed (37
    rows, was 36)``, ``registry span for AZE changed (last record 2026-10-14, was
    2026-09-30)``."""
    several = {kind: len({k.split("|")[1] for k in now if k.startswith(kind + "|")}) > 1
               for kind in LABELS}
    parts = []
    for key in sorted(before.keys() | now.keys()):
        old, new = before.get(key), now.get(key)
        if old == new:
            continue
        kind, *rest = key.split("|")
        if kind == "span":  # "span|AZE"; an older record's "span" was the whole registry's
            parts.append(_describe_span(rest[0] if rest else "", old, new))
            continue
        path = rest[0]
        if kind == "shape":
            parts.append(f"indicator years or list changed ({paths.display_path(Path(path))})")
            continue
        where = f" in {paths.display_path(Path(path))}" if several.get(kind) else ""
        count = f"{new[0]} rows" if new else "no longer read"
        was = f"was {old[0]}" if old else "not read before"
        if old and new and old[0] == new[0]:
            detail = f"{new[0]} rows, edited"
        else:
            detail = f"{count}, {was}"
        parts.append(f"{LABELS.get(kind, kind)} for {rest[1] or '(no country)'}{where} changed "
                     f"({detail})")
    return parts


def _describe_span(country: str, old: Any, new: Any) -> str:
    name = f"registry span for {country}" if country else "registry span"
    if not old or not new:
        return f"{name} changed"
    if not new[0]:
        return f"{name} changed (no record any more)"
    if not old[0]:
        return f"{name} changed (first record {new[0]}, none before)"
    changes = [f"{label} record {n[0]}, was {o[0]}" if n[0] != o[0] else f"{label} record edited"
               for label, o, n in (("first", old[:2], new[:2]), ("last", old[2:], new[2:]))
               if o != n]
    return f"{name} changed ({'; '.join(changes)})"
