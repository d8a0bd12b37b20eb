"""Rows as the toolkit writes them into a registry file: cleaned, never refused.

Importers and ``coopreport extract`` both write rows that came from outside (an API, an IATI
file, a press text). Before they are written:

- unsafe characters (:mod:`analysis.core.textsafety`: control characters, Unicode
  noncharacters, bidirectional controls) are removed from every value, tabs and line breaks
  become spaces;
- a value of any column that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
  return before one) gets an apostrophe ``'`` in front, so spreadsheets show it as text (OWASP
  CSV-injection guidance); ``validate`` accepts the result in free-text columns, and refuses
  it where a controlled value is expected (a partner, a theme, a date), so nothing that would
  run in a spreadsheet is ever written.

Each change is logged as a warning naming the input, the activity id, the column and what was
done.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence

from analysis.core.textsafety import clean_text, neutralise_formula
from analysis.data.registry_format import IMPORT_COLUMNS

log = logging.getLogger(__name__)


def clean_rows(rows: Iterable[Mapping[str, str]], origin: str,
               columns: Sequence[str] = IMPORT_COLUMNS) -> Iterator[dict[str, str]]:
    """Rows with ``columns`` only, unsafe characters removed and formula-like text neutralised
    in every one of them (each change logged)."""
    for row in rows:
        where = row.get("activity_id") or "(no id)"
        yield {column: clean_value(str(row.get(column, "") or ""), origin, where, column)
               for column in columns}


def clean_value(value: str, origin: str, where: str, column: str) -> str:
    """One value as the toolkit writes it into a CSV (see the module notes); logged."""
    value, removed = clean_text(value)
    if removed:
        log.warning("%s: %s: %s: removed %s", origin, where, column, "; ".join(removed))
    if neutralise_formula(value) != value:
        log.warning("%s: %s: %s: starts with %r, which spreadsheets run as a formula: written "
                    "with an apostrophe before it", origin, where, column, value[0])
        value = neutralise_formula(value)
    return value
