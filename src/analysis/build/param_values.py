"""The checks on a params file's parameter values by their conventional names (``country``,
``peer``, ``start_year``, ``lang``, ``data_path``...), which need no notebook: one message per
problem, each naming the params file and the key (:func:`check_values`); and the data file a
report reads (:func:`data_read`), whose own problems are the data's, not the params file's
(:mod:`analysis.build.problems`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from analysis.core import paths
from analysis.core.errors import show_text, show_value
from analysis.data.taxonomy import LANGUAGES, is_country


def check_values(source: Path, values: dict[str, Any]) -> list[str]:
    """Domain checks on parameter values by their conventional names; one message per problem.

    ``country``/``peer``/``countries`` are ISO alpha-3 codes (a peer other than the country),
    years are plausible and ordered, ``lang`` is supported, and ``data_path`` names a registry
    (or sources file) that exists. Whether that data validates is the data's problem, not the
    params file's: :func:`check_report_spec` reads it (:mod:`analysis.build.problems`).
    """
    where = f"{source}: parameters"
    problems: list[str] = []
    for key in ("country", "peer"):
        code = values.get(key)
        if isinstance(code, str) and code and not is_country(code):
            problems.append(f"{where}.{key}: {show_value(code)} is not an ISO 3166-1 alpha-3 "
                            "country code (e.g. UZB, AZE, KAZ)")
    if values.get("peer") and values.get("peer") == values.get("country"):
        problems.append(f"{where}.peer: the peer must be another country than "
                        f"{show_text(values['country'])} (or \"\" for none)")
    benchmarks = values.get("benchmarks")
    if isinstance(benchmarks, list):
        bad = [c for c in benchmarks if not (isinstance(c, str) and is_country(c))]
        if bad:
            problems.append(f"{where}.benchmarks: not ISO 3166-1 alpha-3 country code(s): "
                            f"{show_text(', '.join(map(str, bad)))}; list good-practice "
                            "countries such as [GEO]")
        elif values.get("country") in benchmarks:
            problems.append(f"{where}.benchmarks: the report's own country "
                            f"{show_text(str(values['country']))} cannot be its benchmark")
    contracting = values.get("contracting_data")
    if isinstance(contracting, str) and contracting:
        resolved = paths.resolve_data_path(contracting)
        if not _is_file(resolved):
            problems.append(f"{where}.contracting_data: no file at {show_value(contracting)} "
                            "(a Parquet file written by coopreport import ocds; relative paths "
                            f"start at the project root, {paths.project_root()})")
    as_of = values.get("as_of")
    if isinstance(as_of, str) and as_of and not _is_day(as_of):
        problems.append(f"{where}.as_of: {show_value(as_of)} is not a day; write the report's "
                        "date as YYYY-MM-DD, or \"\" for the build day")
    countries = values.get("countries")
    if isinstance(countries, list):
        bad = [c for c in countries if not is_country(c)]
        if bad:
            problems.append(f"{where}.countries: not ISO 3166-1 alpha-3 country code(s): "
                            f"{show_text(', '.join(map(str, bad)))}")
        elif len(set(countries)) != len(countries) or len(countries) < 2:
            problems.append(f"{where}.countries: list two or more different countries")
    start, end = values.get("start_year"), values.get("end_year")
    for key, year in (("start_year", start), ("end_year", end)):
        if isinstance(year, int) and not 1900 <= year <= 2100:
            problems.append(f"{where}.{key}: {show_value(year)} is not a plausible year "
                            "(1900-2100)")
    if isinstance(start, int) and isinstance(end, int) and start > end:
        problems.append(f"{where}: start_year {show_value(start)} is after end_year "
                        f"{show_value(end)}")
    lang = values.get("lang")
    if lang is not None and lang not in LANGUAGES:
        problems.append(f"{where}.lang: {show_value(lang)} is not a supported language "
                        f"({', '.join(LANGUAGES)})")
    data_path = values.get("data_path")
    if isinstance(data_path, str):
        resolved = paths.resolve_data_path(data_path)
        if not _is_file(resolved):
            problems.append(f"{where}.data_path: no file at {show_value(data_path)} (relative "
                            f"paths start at the project root, {paths.project_root()})")
    return problems


def data_read(values: dict[str, Any]) -> Path | None:
    """The data file a report with these parameters reads: its ``data_path`` (empty: the
    default registry, :func:`analysis.core.paths.default_data_path`); None when it declares no
    ``data_path`` or names no file (a params problem, :func:`check_values`)."""
    data_path = values.get("data_path")
    if not isinstance(data_path, str):
        return None
    resolved = paths.resolve_data_path(data_path)
    return resolved if _is_file(resolved) else None


def _is_day(text: str) -> bool:
    try:
        return len(text) == 10 and bool(dt.date.fromisoformat(text))
    except ValueError:
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:  # a name the system cannot even look up (too long...)
        return False
