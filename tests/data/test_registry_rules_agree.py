"""The registry's rules are written twice: row by row (:mod:`analysis.data.registry_rows`, the
reference for every message) and on whole columns (:mod:`analysis.data.registry_columns`, for
speed). A row the column rules fail to flag is accepted without the reference's check, so the
two must agree. Generated registries (valid rows, rows broken in one column, rows of anything)
give the same problems and the same activities through ``read_activities`` as through the
reference applied to every row (Hypothesis).
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from analysis.core.errors import Problem
from analysis.data.csvfile import read_csv_file
from analysis.data.registry import read_activities
from analysis.data.registry_format import (
    AMOUNT_KINDS,
    COLUMNS,
    FRAME_COLUMNS,
    KIND,
    OPTIONAL_COLUMNS,
)
from analysis.data.registry_rows import check_row
from analysis.data.taxonomy import PILLARS, load_taxonomy

VOCAB = load_taxonomy()
TYPES = sorted(VOCAB.activity_types)
THEMES = sorted(VOCAB.themes)
PARTNERS = sorted(VOCAB.partners)
ALL_COLUMNS = (*COLUMNS, *OPTIONAL_COLUMNS)
# the first example found is enough (no shrinking): these only show that one exists
SEARCH = settings(database=None, derandomize=True, max_examples=3000, phases=[Phase.generate])

# characters the rules treat specially: controls, bidi controls, noncharacters, formula starts,
# separators, quotes, spaces of several kinds; and letters of the registry's languages
TRICKY = "\t\n\r\x0b\x0c\x1b\x7f\x85\u200e\u202e\u2066\ufdd0\uffff=+-@;,\" \u00a0\u3000"
LETTERS = "abcXYZ09 .ЎўҚқАБВгдеЁё'"
anything = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00")
                   | st.sampled_from(TRICKY), max_size=12)
words = st.text(alphabet=LETTERS, min_size=1, max_size=20).map(lambda s: s.strip(" ") or "x")


def near(values: list[str]) -> st.SearchStrategy[str]:
    """A known value, the same in another case or with spaces, cut short, or anything."""
    known = st.sampled_from(values)
    return st.one_of(known, known.map(str.upper), known.map(lambda v: f" {v}\t"),
                     known.map(lambda v: v[:-1]), anything)


def listed(values: list[str], known: bool) -> st.SearchStrategy[str]:
    """A ';'-separated list: of distinct known items, or of anything near them."""
    if known:
        return st.lists(st.sampled_from(values), min_size=1, max_size=3,
                        unique=True).map(";".join)
    return st.lists(near(values), max_size=3).map(";".join)


@st.composite
def date_and_precision(draw: Callable[..., Any]) -> tuple[str, str]:
    precision = draw(st.sampled_from(["day", "month", "year"]))
    day = draw(st.dates(min_value=pd.Timestamp("1900-01-01").date(),
                        max_value=pd.Timestamp("2100-12-31").date()))
    return {"day": str(day), "month": str(day)[:7], "year": str(day)[:4]}[precision], precision


@st.composite
def valid_rows(draw: Callable[..., Any]) -> dict[str, str]:
    date, precision = draw(date_and_precision())
    amount = draw(st.one_of(st.just(""), st.integers(0, 10**12).map(str)))
    return {
        "activity_id": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,8}", fullmatch=True)),
        "date": date, "date_precision": precision,
        "country": draw(st.sampled_from(["UZB", "AZE", "KAZ", "DEU"])),
        "partners": draw(listed(PARTNERS, known=True)),
        "counterpart": draw(st.one_of(st.just(""), words)),
        "activity_type": draw(st.sampled_from(TYPES)),
        "themes": draw(listed(THEMES, known=True)),
        "title": draw(words),
        "amount_usd": amount,
        "amount_kind": draw(st.sampled_from(AMOUNT_KINDS)) if amount else "",
        "source": draw(st.sampled_from(["gov.uz", "World Bank", ""])),
        "source_url": draw(st.sampled_from(["https://gov.uz/news/1", "http://x.az/a?b=1"])),
        "source_language": draw(st.sampled_from(["en", "ru", "uz", ""])),
        "title_ru": draw(st.one_of(st.just(""), words)),
        "title_uz": draw(st.one_of(st.just(""), words)),
        "maps_pillars": draw(st.one_of(st.just(""), listed(list(PILLARS), known=True))),
        "scope": draw(st.sampled_from(["", "bilateral", "multi-country"])),
        "operation_id": draw(st.sampled_from(["", "P123456", "WB-AZE-2020.1", "P1;P2"])),
    }


# Values at the edges of each rule, every one of them checked (below), and drawn among others
EDGES: dict[str, list[str]] = {
    "activity_id": ["", "-x", "a b", "é1", "a/b", "x" * 300, "A.b_c:d-9", "a\tb"],
    # month ends and leap days (1900 and 2100 were no leap years, 2000 was), odd shapes
    "date": ["2023-02-29", "2024-02-29", "2024-02-30", "1900-02-29", "2000-02-29",
             "2100-02-29", "2023-04-31", "2023-12-31", "2023-13", "2023-00", "1899", "1900",
             "2100", "2101", "2023-1-5", "23-01-05", "2023-05-17 ", "２０２３", ""],
    "date_precision": ["day", "Day", "days", ""],
    "country": ["UZB", "uzb", "XXX", "UZ", "U Z B", ""],
    "partners": ["World Bank;World Bank", "World Bank;", ";", "WB", "world bank", "Nobody", ""],
    "counterpart": ["=1+1", "+x", "-x", "@x", "\tx", "a\x0cb", "a\u202eb", "ok"],
    "activity_type": ["seminar", "Seminar", "seminars", ""],
    "themes": ["governance;governance", "governance;", "Governance", "nothing", ""],
    "title": ["=HYPERLINK()", "x\ny", "x\ufdd0", "\u2066x", ""],
    "amount_usd": ["-5", "-0", "-0.0", "1.50", "1.", ".5", "1e3", "nan", "inf", "12,5", " 7", "0",
                   "10000000000000", "10000000000001", "007", "١٢٣"],
    "amount_kind": [*AMOUNT_KINDS, "Committed", "pledged", ""],
    "source": ["=cmd", "gov.uz\x85", ""],
    "source_url": ["http://x", "ftp://x", "https://a b", "HTTPS://X", "https://[x]",
                   "https://[::1]/", "https:///x", "https://x\u200e.uz", "//x.uz", "https:x"],
    "source_language": ["en", "EN", "xx", "e", "eng", ""],
    "title_ru": ["=x", "x\ty", "Семинар"],
    "title_uz": ["=x", "x\ty", "O'zbekiston", "Oʻzbekiston"],
    "maps_pillars": ["I;I", "i", "V", "I;", "II;IV", ""],
    "scope": ["bilateral", "multi-country", "Bilateral", "multicountry", "multi country", " ", ""],
    "operation_id": ["P123456", "", "P 123", "-P1", "P1/2", "=P1", "P1\u200b", "P1;P2", "P1; P2",
                     "P1;P1", "P1;", ";P1", "P1;;P2"],
}
BROKEN = {
    "activity_id": st.one_of(st.sampled_from(EDGES["activity_id"]), anything),
    "date": st.one_of(st.sampled_from(EDGES["date"]),
                      st.builds(lambda y, m: f"{y:04d}-{m:02d}", st.integers(1890, 2110),
                                st.integers(0, 13)),
                      st.builds(lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
                                st.integers(1899, 2101), st.integers(1, 12),
                                st.integers(28, 32)),
                      st.integers(1890, 2110).map(str), anything),
    "date_precision": st.one_of(st.sampled_from(EDGES["date_precision"]),
                                near(["day", "month", "year"])),
    "country": st.one_of(st.sampled_from(EDGES["country"]), near(["UZB", "AZE"])),
    "partners": st.one_of(st.sampled_from(EDGES["partners"]), listed(PARTNERS, known=False)),
    "counterpart": st.one_of(st.sampled_from(EDGES["counterpart"]), anything),
    "activity_type": st.one_of(st.sampled_from(EDGES["activity_type"]), near(TYPES)),
    "themes": st.one_of(st.sampled_from(EDGES["themes"]), listed(THEMES, known=False)),
    "title": st.one_of(st.sampled_from(EDGES["title"]), anything),
    "amount_usd": st.one_of(st.sampled_from(EDGES["amount_usd"]),
                            st.integers(0, 10**14).map(str), anything),
    "amount_kind": st.one_of(st.sampled_from(EDGES["amount_kind"]), near([*AMOUNT_KINDS])),
    "source": st.one_of(st.sampled_from(EDGES["source"]), anything),
    "source_url": st.one_of(st.sampled_from(EDGES["source_url"]), anything),
    "source_language": st.one_of(st.sampled_from(EDGES["source_language"]),
                                 near(["en", "ru", "uz", "az"])),
    "title_ru": st.one_of(st.sampled_from(EDGES["title_ru"]), anything),
    "title_uz": st.one_of(st.sampled_from(EDGES["title_uz"]), anything),
    "maps_pillars": st.one_of(st.sampled_from(EDGES["maps_pillars"]),
                              listed(list(PILLARS), known=False)),
    "scope": st.one_of(st.sampled_from(EDGES["scope"]), anything),
    "operation_id": st.one_of(st.sampled_from(EDGES["operation_id"]), anything),
}


@st.composite
def broken_rows(draw: Callable[..., Any]) -> dict[str, str]:
    """A valid row with one or two columns replaced by something near a valid value."""
    row = draw(valid_rows())
    for column in draw(st.lists(st.sampled_from(ALL_COLUMNS), min_size=1, max_size=2)):
        row[column] = draw(BROKEN[column])
    return row


@st.composite
def broken_in(draw: Callable[..., Any], column: str) -> dict[str, str]:
    """A valid row with ``column`` replaced as :func:`broken_rows` replaces it."""
    row = draw(valid_rows())
    row[column] = draw(BROKEN[column])
    return row


ROWS = st.one_of(valid_rows(), broken_rows(), st.fixed_dictionaries(BROKEN))


def write(rows: list[dict[str, str]], folder: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(ALL_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path = folder / "generated.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def by_reference(path: Path) -> tuple[list[Problem], list[dict[str, object]]]:
    """What ``read_activities`` says when nothing runs on columns: the file read by the csv
    module, every record through :func:`check_row`, then its id against those before it."""
    csv_file = read_csv_file(path, COLUMNS, KIND, optional=OPTIONAL_COLUMNS)
    if not csv_file.readable:
        return csv_file.problems, []
    if not csv_file.records:
        csv_file.problem(1, "(file)", "", "the registry has a header but no activities; "
                         "add one row per activity")
    rows: list[dict[str, object]] = []
    first_line: dict[str, int] = {}
    for line, record in csv_file.records:
        row = check_row(csv_file, line, record, VOCAB)
        value = record.get("activity_id", "")
        if value and value in first_line:
            csv_file.problem(line, "activity_id", value, "duplicate id: already used on line "
                             f"{first_line[value]}; every activity needs its own id")
        elif value:
            first_line[value] = line
        if row is not None:
            rows.append(row)
    return csv_file.problems, rows


def plain(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Rows comparable whatever the frame's dtypes: dates as text, no amount as None."""
    def value(v: object) -> object:
        if isinstance(v, pd.Timestamp):
            return v.isoformat()
        if isinstance(v, float) and math.isnan(v):
            return None
        if hasattr(v, "item"):  # numpy scalars
            return v.item()
        return tuple(v) if isinstance(v, list | tuple) else v
    return [{k: value(row[k]) for k in FRAME_COLUMNS} for row in rows]


def agree(rows: list[dict[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = write(rows, Path(folder))
        frame, table = read_activities(path, VOCAB)
        expected_problems, expected_rows = by_reference(path)
    assert table.problems == expected_problems
    assert plain(frame.to_dict("records")) == plain(expected_rows)


PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("column", ALL_COLUMNS)
def test_column_rules_and_row_rules_agree_on_each_column(column):
    """Registries of valid rows and rows broken in ``column`` (each column in turn, so every
    rule meets its near misses): the same problems and the same activities both ways."""
    @PROPERTY
    @given(st.lists(st.one_of(broken_in(column), valid_rows()), min_size=1, max_size=4))
    def check(rows: list[dict[str, str]]) -> None:
        agree(rows)

    check()


VALID_ROW = {
    "activity_id": "UZB-1", "date": "2023-05-17", "date_precision": "day", "country": "UZB",
    "partners": "World Bank", "counterpart": "", "activity_type": "seminar",
    "themes": "governance", "title": "A seminar", "amount_usd": "", "amount_kind": "",
    "source": "gov.uz", "source_url": "", "source_language": "en", "title_ru": "", "title_uz": "",
    "maps_pillars": "", "scope": "", "operation_id": "",
}


@pytest.mark.parametrize(("column", "value"),
                         [(c, v) for c, values in EDGES.items() for v in values])
def test_column_rules_and_row_rules_agree_at_the_edges(column, value):
    """Each edge value in a valid row, with the date's precision made to fit where the date
    is the edge (and an amount beside an amount kind), so that one rule at a time decides."""
    row = dict(VALID_ROW, activity_id="UZB-2")
    row[column] = value
    if column == "date":
        row["date_precision"] = {10: "day", 7: "month", 4: "year"}.get(len(value), "day")
    if column == "amount_kind" and value:
        row["amount_usd"] = "100"
    agree([VALID_ROW, row])


@PROPERTY
@given(st.lists(ROWS, min_size=1, max_size=6))
def test_column_rules_and_row_rules_agree_on_any_rows(rows):
    """Rows of anything, several columns broken at once, duplicate ids."""
    agree(rows)


def problem_columns(row: dict[str, str]) -> set[str]:
    """The columns the reference finds wrong in a registry of this one row."""
    with tempfile.TemporaryDirectory() as folder:
        problems, _ = by_reference(write([row], Path(folder)))
    return {p.column for p in problems}


def test_the_valid_rows_are_valid():
    row = find(valid_rows(), lambda r: True, settings=SEARCH)
    assert problem_columns(row) == set()
    assert find(valid_rows(), lambda r: bool(r["amount_usd"]) and bool(r["maps_pillars"]),
                settings=SEARCH)


@pytest.mark.parametrize("column", ALL_COLUMNS)
def test_the_generated_rows_break_the_rule_of_every_column(column):
    """The strategy is not too tame: for each column, what :func:`broken_rows` puts there
    makes a valid row one the reference rejects for that column alone, so the property above
    meets every rule."""
    row = find(broken_in(column), lambda r: problem_columns(r) == {column}, settings=SEARCH)
    assert column in problem_columns(row)
