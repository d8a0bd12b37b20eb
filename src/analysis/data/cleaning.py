"""Rows as the toolkit writes them into a registry file: cleaned, never refused.

Importers and ``coopreport extract`` both write rows that came from outside (an API, an IATI
file, a press text). Before they are written:

- unsafe characters (:mod:`analysis.core.textsafety`: control characters, Unicode
  noncharacters, bidirectional controls) are removed from every value, tabs and line breaks
  become spaces;
- a ``title``, ``counterpart`` or ``source`` that starts with ``=``, ``+``, ``-`` or ``@`` gets
  an apostrophe ``'`` in front, so spreadsheets show it as text (OWASP CSV-injection guidance);
  ``validate`` accepts the result.

Each change is logged as a warning naming the input, the activity id, the column and what was
done.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping

from analysis.core.textsafety import clean_text, neutralise_formula
from analysis.data.registry_format import FREE_TEXT, IMPORT_COLUMNS

log = logging.getLogger(__name__)


def clean_rows(rows: Iterable[Mapping[str, str]], origin: str) -> Iterator[dict[str, str]]:
    """Registry rows with unsafe characters removed and formula-like text neutralised (logged)."""
    for row in rows:
        clean: dict[str, str] = {}
        where = row.get("activity_id") or "(no id)"
        for column in IMPORT_COLUMNS:
            value, removed = clean_text(str(row.get(column, "") or ""))
            if removed:
                log.warning("%s: %s: %s: removed %s", origin, where, column, "; ".join(removed))
            if column in FREE_TEXT and neutralise_formula(value) != value:
                log.warning("%s: %s: %s: starts with %r, which spreadsheets run as a formula: "
                            "written with an apostrophe before it", origin, where, column,
                            value[0])
                value = neutralise_formula(value)
            clean[column] = value
        yield clean
