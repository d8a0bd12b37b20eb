"""The activity registry's public CSV format: its columns, and the frame it loads into.

The format (one row per cooperation activity) is documented in docs/registry.md and in
``data/README.md``; the rules a row must follow are in :mod:`analysis.data.registry_rows` (row
by row, the reference) and :mod:`analysis.data.registry_columns` (whole columns at once).

The activities DataFrame has one row per activity and these columns:

============== ============================================================================
activity_id    str, unique
date           str, as written (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``)
date_precision str: day, month or year
start, end     Timestamp: first and last day the date covers (equal for day precision)
year           int
country        str, ISO 3166-1 alpha-3
partners       tuple[str, ...], canonical partner names (aliases resolved)
counterpart    str
activity_type  str
themes         tuple[str, ...]
title          str
amount_usd     float, NaN where the source states no amount
amount_kind    str: committed, disbursed, announced or indicative where an amount is given, else ''
title_ru       str: the title in Russian (optional column; '' where not translated)
title_uz       str: the title in Uzbek, Latin script (optional column; '' where not translated)
source         str
source_url     str ('' where none is known)
source_language str
line           int, the row's line in the CSV file (header = 1): the source trail
source_file    str, the registry file the row comes from (as shown to users)
maps_pillars   tuple[str, ...], MAPS pillars (I-IV) set explicitly by an analyst in the optional
               ``maps_pillars`` column (``;``-separated); empty when the column is absent or empty
scope          str: ``bilateral`` or ``multi-country`` (optional column; '' = not marked, counted
               as bilateral). A multi-country event (a forum, a conference many countries attend)
               is left out of partner-dependence claims and marked where pillars are counted.
operation_id   str: the financing operation the row belongs to (optional column, e.g. a World
               Bank project id ``P123456``); rows sharing one are one operation, whose money is
               counted once (:func:`analysis.measures.metrics.financing_by_operation`)
============== ============================================================================
"""

from __future__ import annotations

import pandas as pd

COLUMNS: tuple[str, ...] = (
    "activity_id", "date", "date_precision", "country", "partners", "counterpart",
    "activity_type", "themes", "title", "amount_usd", "source", "source_url", "source_language",
)
OPTIONAL_COLUMNS: tuple[str, ...] = ("maps_pillars", "title_ru", "title_uz", "amount_kind",
                                     "scope", "operation_id")
SCOPES: tuple[str, ...] = ("bilateral", "multi-country")
# What an amount is (data/README.md has the rule): only committed money is counted as financing
# by default; announced and indicative figures are shown apart, labelled.
AMOUNT_KINDS: tuple[str, ...] = ("committed", "disbursed", "announced", "indicative")
# The columns importers write: the format's columns and the kind of every amount they take.
IMPORT_COLUMNS: tuple[str, ...] = (*COLUMNS, "amount_kind")
REQUIRED: frozenset[str] = frozenset(
    {"activity_id", "date", "date_precision", "country", "partners", "activity_type", "themes",
     "title"}
)
FRAME_COLUMNS: tuple[str, ...] = (
    "activity_id", "date", "date_precision", "start", "end", "year", "country", "partners",
    "counterpart", "activity_type", "themes", "title", "amount_usd", "source", "source_url",
    "source_language", "line", "source_file", "maps_pillars", "title_ru", "amount_kind",
    "scope", "operation_id", "title_uz",
)
FREE_TEXT: frozenset[str] = frozenset({"counterpart", "title", "title_ru", "title_uz", "source"})
KIND = "activity registry"


def empty_activities() -> pd.DataFrame:
    """An activities frame with the right columns and no rows."""
    return pd.DataFrame({column: pd.Series(dtype=object) for column in FRAME_COLUMNS})
