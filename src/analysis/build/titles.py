"""Titles and subtitles that follow a report's parameters.

A params file's ``title`` and ``subtitle`` may name the report's parameters in braces, so a
copy with other years or another country says so in its header without a second edit::

    title: "{country_name}: development cooperation profile"
    subtitle: "Activities with development partners, {start_year}–{end_year}"

The placeholders (:func:`title_values`) are every parameter by its name, as given or as the
notebook declares its default (``{country}`` is the code, ``{start_year}`` the year), and the
names of the countries they hold, in the report's language (``lang``): ``{country_name}``,
``{peer_name}``, ``{country_names}`` (of ``countries``: "Uzbekistan and Azerbaijan"),
``{benchmark_names}``. A Russian or Uzbek title asks for a case the way the message catalogue
does: ``{country_names:gent}`` → "Узбекистана и Азербайджана" (see
:func:`analysis.report.i18n.translate`). A literal brace is written ``{{`` or ``}}``.

:func:`fill_titles` fills them when the params file is loaded and reports, as params problems
naming the file and the key: an unknown placeholder (with the ones there are), one whose value
is empty (``{peer_name}`` with ``peer: ""``), braces that do not pair, and a year range in
the filled text that is not ``start_year``–``end_year`` (a title copied with its old years).
"""

from __future__ import annotations

import difflib
import re
import string
from pathlib import Path
from typing import Any

from babel.lists import format_list

from analysis.core.errors import show_text, show_value
from analysis.data.taxonomy import LANGUAGES, country_name
from analysis.report.i18n import DEFAULT_LANGUAGE, fill

TEXT_KEYS = ("title", "subtitle")  # the params file's keys that may hold placeholders

# the name placeholders and the parameter each names the countries of
NAMES = {"country_name": "country", "peer_name": "peer", "country_names": "countries",
         "benchmark_names": "benchmarks"}

_DASHES = "‐‑‒–—-"  # the ASCII hyphen last: literal in a character class
# a year range as titles write it: 2017–2026, 2017-2026, 2017 — 2026, 2022–26 (not a date's
# 2026-12 or 2026-12-01: no figure or dash may follow)
_RANGE = re.compile(rf"(?<![\d{_DASHES}])((?:18|19|20|21)\d\d)\s*[{_DASHES}]\s*(\d{{4}}|\d\d)"
                    rf"(?![\d{_DASHES}])")


def report_language(parameters: dict[str, Any]) -> str:
    """The language a report is written in: its ``lang`` parameter, English by default."""
    lang = parameters.get("lang")
    return lang if isinstance(lang, str) and lang in LANGUAGES else DEFAULT_LANGUAGE


def title_values(parameters: dict[str, Any]) -> dict[str, object]:
    """The values a title's placeholders may take, from a report's parameters.

    Parameters
    ----------
    parameters
        The notebook's declared defaults overridden by the params file's values.

    Returns
    -------
    dict
        Each text, number or truth value by its parameter name, a list joined with ", ",
        and the country names of :data:`NAMES` (in the report language, "" for no country)
        for the parameters the report has.
    """
    lang = report_language(parameters)
    values: dict[str, object] = {}
    for key, value in parameters.items():
        if isinstance(value, list):
            values[key] = ", ".join(map(str, value))
        elif isinstance(value, str | int | float):
            values[key] = value
    for name, key in NAMES.items():
        value = parameters.get(key)
        if name in values:  # a parameter of that name keeps its own value
            continue
        if isinstance(value, str):
            values[name] = country_name(value, lang) if value else ""
        elif isinstance(value, list) and all(isinstance(c, str) for c in value):
            values[name] = (format_list([country_name(c, lang) for c in value], locale=lang)
                            if value else "")
    return values


def fill_titles(source: Path, texts: dict[str, Any],
                parameters: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The title and subtitle of a params file with their placeholders filled, and the problems.

    Parameters
    ----------
    source
        The params file, named in every problem.
    texts
        The params file's mapping; its :data:`TEXT_KEYS` that hold text are filled.
    parameters
        The report's parameters: the notebook's defaults overridden by the file's values.

    Returns
    -------
    tuple
        The filled texts by key (only those without problems), and one message per problem.
    """
    values = title_values(parameters)
    lang = report_language(parameters)
    filled: dict[str, str] = {}
    problems: list[str] = []
    for key in TEXT_KEYS:
        template = texts.get(key)
        if not isinstance(template, str):
            continue  # missing, or the wrong type: the schema check says so
        found = _placeholder_problems(f"{source}: {key}", template, values, parameters)
        if not found:
            try:
                text = fill(template, lang, values)
            except (ValueError, KeyError, IndexError) as exc:  # a spec that does not fit
                found = [f"{source}: {key}: cannot fill {show_value(template)}: {exc}; write "
                         "a placeholder as {start_year} or, for a name in a case, "
                         "{country_name:gent}"]
            else:
                found = year_problems(f"{source}: {key}", text, parameters)
        if found:
            problems += found
        else:
            filled[key] = text
    return filled, problems


def _placeholder_problems(where: str, template: str, values: dict[str, object],
                          parameters: dict[str, Any]) -> list[str]:
    """Braces that do not pair, and placeholders that are unknown, positional or empty."""
    try:
        fields = [(name, conversion) for _, name, _, conversion
                  in string.Formatter().parse(template) if name is not None]
    except ValueError as exc:
        return [f"{where}: {exc} in {show_value(template)}; a placeholder is a parameter's "
                "name in braces, {start_year}, and a literal brace is written {{ or }}"]
    problems = []
    known = ", ".join("{" + name + "}" for name in sorted(values))
    for name, conversion in fields:
        if not name:
            problems.append(f"{where}: an empty placeholder {{}}; name a parameter, e.g. "
                            f"{{start_year}} (available: {known}), or write {{{{ and }}}} for "
                            "literal braces")
        elif name not in values:
            close = difflib.get_close_matches(name, list(values), n=1)
            hint = f"did you mean {{{close[0]}}}? " if close else ""
            problems.append(f"{where}: unknown placeholder {{{show_text(name)}}}; {hint}the "
                            f"parameters of this report give {known}")
        elif conversion is not None:
            problems.append(f"{where}: {{{show_text(name)}!{show_text(conversion)}}}: a "
                            f"placeholder takes no conversion; write {{{name}}}")
        elif values[name] == "":
            origin = NAMES.get(name, name) if name not in parameters else name
            problems.append(f"{where}: the placeholder {{{name}}} would be empty because "
                            f"parameters.{origin} is empty; give it a value or take the "
                            "placeholder out")
    return problems


def year_problems(where: str, text: str, parameters: dict[str, Any]) -> list[str]:
    """Year ranges in ``text`` other than the report's ``start_year``–``end_year``.

    A title that names the period must name the one the report covers; a range is a first
    year, a dash and a last year (``2022–2026``, ``2022-26``). Nothing is checked when the
    report has no such years.
    """
    start, end = parameters.get("start_year"), parameters.get("end_year")
    if not (type(start) is int and type(end) is int):
        return []
    problems = []
    for match in _RANGE.finditer(text):
        first, last = int(match.group(1)), match.group(2)
        if len(last) == 2:
            if int(last) <= first % 100:
                continue  # 2026-12: a month, not a range
            last_year = first - first % 100 + int(last)
        else:
            last_year = int(last)
        if (first, last_year) != (start, end):
            problems.append(
                f"{where}: the years {show_value(match.group(0))} are not the report's "
                f"start_year {start} and end_year {end}; write {{start_year}}–{{end_year}} "
                "instead, so the text follows the parameters (or correct start_year/end_year)")
    return problems
