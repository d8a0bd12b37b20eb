"""The registry's rules run on whole columns: which rows break them, and the frame of the rest.

:func:`check_activities` applies every rule of the per-row reference
(:func:`analysis.data.registry_rows.check_row`) to whole pyarrow columns at once: regexes (RE2) for
ids, dates, amounts, addresses, invisible characters and formula-like starts; ``is_in`` for
countries, activity types and amount kinds; dates parsed and checked with numpy (month lengths,
leap years); duplicate ids with pandas. The ``;``-separated lists (partners, themes, MAPS
pillars) and language codes have few distinct values: each distinct value is checked once, by
the same code as the reference, and the result is spread back to the rows.

A row that any of these rules flags is then checked by the reference itself, which writes its
problems: messages, line numbers and their order are therefore those of the per-row code, and
only the (few) failing rows cost Python time. The column rules may flag more than needed, never
less; a flagged row the reference finds valid is kept.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analysis.core.errors import Problem
from analysis.core.textsafety import BIDI_CONTROLS, FORMULA_STARTS, UZBEK_LOOKALIKE_RE2
from analysis.data import fields
from analysis.data.csvtable import WHITESPACE, CsvTable
from analysis.data.registry_format import (
    AMOUNT_KINDS,
    COLUMNS,
    FRAME_COLUMNS,
    FREE_TEXT,
    REQUIRED,
    SCOPES,
    empty_activities,
)
from analysis.data.registry_rows import check_row
from analysis.data.taxonomy import PILLARS, Taxonomy, country_codes

# every character textsafety.unsafe_kind() names: controls, noncharacters, bidi controls
_UNSAFE_CODES = [(0x00, 0x1F), (0x7F, 0x9F), (0xFDD0, 0xFDEF),
                 *((p << 16 | 0xFFFE, p << 16 | 0xFFFF) for p in range(17)),
                 *((ord(c), ord(c)) for c in sorted(BIDI_CONTROLS))]
UNSAFE = "[" + "".join(f"\\x{{{a:x}}}-\\x{{{b:x}}}" for a, b in _UNSAFE_CODES) + "]"
FORMULA = "^[" + "".join(f"\\x{{{ord(c):x}}}" for c in FORMULA_STARTS) + "]"
SPACE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in WHITESPACE) + "]"
ID = r"^[A-Za-z0-9][A-Za-z0-9._:-]*$"
DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
AMOUNT = r"^-?[0-9]+(\.[0-9]+)?$"
URL = r"^(?i:https?)://[^/?#\[\]]"
_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])



def _np(values: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(values.to_numpy(zero_copy_only=False))


def _matches(column: pa.ChunkedArray, pattern: str) -> np.ndarray:
    return _np(pc.match_substring_regex(column, pattern))


def _is(column: pa.ChunkedArray, value: str) -> np.ndarray:
    return _np(pc.equal(column, value))


def _isin(column: pa.ChunkedArray, values: object) -> np.ndarray:
    return _np(pc.is_in(column, value_set=pa.array(list(values), pa.string())))  # type: ignore[call-overload]


def _per_value(column: pa.ChunkedArray, judge: Callable[[str], object]
               ) -> tuple[np.ndarray, np.ndarray]:
    """``judge`` each distinct value once; per row: (ok, judged value). None means bad."""
    distinct = pc.unique(column)
    judged = np.empty(len(distinct), dtype=object)
    judged[:] = [judge(v) for v in distinct.to_pylist()]
    where = _np(pc.index_in(column, value_set=distinct)).astype(np.int64)
    per_row = judged[where]
    return np.array([v is not None for v in judged], dtype=bool)[where], per_row


def resolve_list(text: str, resolve: Callable[[str], str | None]) -> tuple[str, ...] | None:
    """The resolved items of a ``;``-separated field, or None when the reference would report
    an empty item, an unknown item or one listed twice."""
    resolved: list[str] = []
    for item in fields.split_list(text):
        name = resolve(item) if item else None
        if name is None or name in resolved:
            return None
        resolved.append(name)
    return tuple(resolved)


def _dates(date: pa.ChunkedArray, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                    np.ndarray]:
    """(ok, start, end, length of the text) for every date; start/end as datetime64[us]."""
    shaped = _matches(date, DATE)
    length = _np(pc.utf8_length(date)).astype(np.int64)
    full = pc.if_else(pa.array(shaped), date, "2000")
    padded = np.where(shaped, length, 4)
    full = pc.binary_join_element_wise(full, pc.if_else(pa.array(padded == 4), "-01-01",
                                       pc.if_else(pa.array(padded == 7), "-01", "")), "")
    year, month, day = (_np(pc.cast(pc.utf8_slice_codeunits(full, a, b), pa.int64()))
                        for a, b in ((0, 4), (5, 7), (8, 10)))
    valid_month = (month >= 1) & (month <= 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    last = np.where(valid_month, _DAYS[np.clip(month, 1, 12) - 1], 31) + (
        (month == 2) & leap)
    ok = shaped & (year >= fields.MIN_YEAR) & (year <= fields.MAX_YEAR) & valid_month & (
        day >= 1) & (day <= last)
    year, month, day = np.where(ok, year, 2000), np.where(ok, month, 1), np.where(ok, day, 1)
    months = (year - 1970).astype("datetime64[Y]").astype("datetime64[M]") + (month - 1)
    start = months.astype("datetime64[D]") + (day - 1)
    end = np.where(length == 10, start, np.where(
        length == 7, (months + 1).astype("datetime64[D]") - 1,
        ((year - 1970 + 1).astype("datetime64[Y]")).astype("datetime64[D]") - 1))
    return ok, start.astype("datetime64[us]"), end.astype("datetime64[us]"), length


def check_activities(table: CsvTable, vocab: Taxonomy) -> pd.DataFrame:
    """Check every record of a registry table; problems go to ``table.problems`` (per line,
    as the reference writes them). Returns the frame of the valid rows (see
    :mod:`analysis.data.registry_format` for its columns)."""

    n = table.rows
    flag = np.zeros(n, dtype=bool)
    if any(c not in table.columns for c in COLUMNS):
        flag[:] = True  # the reference handles a header without all columns
    col = table.column
    for name, values in table.columns.items():
        flag |= _matches(values, UNSAFE)
        if name in FREE_TEXT:
            flag |= _matches(values, FORMULA)
        if name.endswith("_uz"):  # apostrophe look-alikes: the row checker names them
            flag |= _matches(values, UZBEK_LOOKALIKE_RE2)
    for name in REQUIRED:
        flag |= _is(col(name), "")
    flag |= ~_matches(col("activity_id"), ID)
    date_ok, start, end, length = _dates(col("date"), n)
    flag |= ~date_ok
    precision = col("date_precision")
    flag |= ~((_is(precision, "day") & (length == 10)) | (_is(precision, "month") & (length == 7))
              | (_is(precision, "year") & (length == 4)))
    flag |= ~_isin(col("country"), country_codes())
    flag |= ~_isin(col("activity_type"), vocab.activity_types)
    themes_ok, themes = _per_value(col("themes"), lambda t: resolve_list(
        t, lambda x: x if x in vocab.themes else None))
    partners_ok, partners = _per_value(col("partners"), lambda t: resolve_list(
        t, vocab.resolve_partner))
    pillars_ok, pillars = _per_value(col("maps_pillars"), lambda t: resolve_list(
        t, lambda x: x if x in PILLARS else None))
    language_ok, _ = _per_value(col("source_language"), lambda t: (
        True if fields.check_language(t) is None else None))
    flag |= ~(themes_ok & partners_ok & pillars_ok & language_ok)
    scope = col("scope")
    flag |= ~(_is(scope, "") | _isin(scope, SCOPES))
    operations_ok, _ = _per_value(col("operation_id"), lambda t: resolve_list(
        t, lambda x: None if fields.check_identifier(x) else x))
    flag |= ~operations_ok
    amount_text, kind = col("amount_usd"), col("amount_kind")
    no_amount, no_kind = _is(amount_text, ""), _is(kind, "")
    shaped = _matches(amount_text, AMOUNT)
    amount = _np(pc.cast(pc.if_else(pa.array(shaped), amount_text, "0"), pa.float64()))
    amount_ok = no_amount | (shaped & np.isfinite(amount) & (amount >= 0)
                             & ~_matches(amount_text, "^-")
                             & (amount <= fields.MAX_AMOUNT))
    flag |= ~amount_ok | (no_kind != no_amount) | ~(no_kind | _isin(kind, AMOUNT_KINDS))
    url = col("source_url")
    no_url = _is(url, "")
    flag |= no_url & _is(col("source"), "")
    flag |= ~no_url & (~_matches(url, URL) | _matches(url, SPACE))

    repeated = np.zeros(n, dtype=bool)
    first_line: dict[str, int] = {}
    if len(pc.unique(col("activity_id"))) < n:
        ids = col("activity_id").to_pandas()
        repeated = (ids.duplicated() & (ids != "")).to_numpy()
    if repeated.any():
        again = ids.isin(set(ids[repeated])).to_numpy() & ~repeated
        first_line = dict(zip(ids[again], table.lines[again].tolist(), strict=True))
    checked: list[dict[str, object]] = []
    suspects = np.flatnonzero(flag | repeated)
    for (line, record), index in zip(table.records_at(suspects), suspects, strict=True):
        row = check_row(table, line, record, vocab) if flag[index] else None
        if row is not None:
            checked.append(row)
        if repeated[index]:
            value = record["activity_id"]
            table.problems.append(Problem(
                table.name, line, "activity_id", value, "duplicate id: already used on "
                f"line {first_line[value]}; every activity needs its own id"))
    ok = ~flag
    if not ok.any() and not checked:
        return empty_activities()
    keep = None if ok.all() else pa.array(ok)

    def text(name: str) -> pd.Series:
        values = col(name) if keep is None else col(name).filter(keep)
        return pd.Series(values.to_pandas(), name=name).reset_index(drop=True)

    frame = pd.DataFrame({
        "activity_id": text("activity_id"), "date": text("date"),
        "date_precision": text("date_precision"), "start": start[ok], "end": end[ok],
        "year": start[ok].astype("datetime64[Y]").astype(np.int64) + 1970,
        "country": text("country"), "partners": partners[ok], "counterpart": text("counterpart"),
        "activity_type": text("activity_type"), "themes": themes[ok], "title": text("title"),
        "amount_usd": np.where(no_amount, np.nan, amount)[ok], "source": text("source"),
        "source_url": text("source_url"), "source_language": text("source_language"),
        "line": table.lines[ok], "source_file": table.name, "maps_pillars": pillars[ok],
        "title_ru": text("title_ru"), "title_uz": text("title_uz"),
        "amount_kind": text("amount_kind"),
        "scope": text("scope"), "operation_id": text("operation_id"),
    }, columns=list(FRAME_COLUMNS))
    if checked:
        extra = pd.DataFrame(checked, columns=list(FRAME_COLUMNS))
        frame = pd.concat([frame, extra], ignore_index=True).sort_values(
            "line", kind="stable", ignore_index=True)
    return frame
