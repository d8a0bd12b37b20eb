"""A large registry with hand-planted errors: every problem on its line, as the per-row rules say.

The columnar checks (:mod:`analysis.data.registry_columns`) pick the failing rows out of many good
ones; the expected lines and messages below are written by hand from where the errors were put.
"""

from __future__ import annotations

import pandas as pd

from analysis.data.registry import read_activities
from tests.helpers import make_row, registry_text

ROWS = 20_000


def _rows() -> list[dict[str, str]]:
    rows = [make_row(activity_id=f"UZB-{i}", title=f"Seminar number {i}") for i in range(ROWS)]
    # row index k is on line k + 2 (header on line 1, no line breaks in values)
    rows[100].update(date="2023-02-29")                                # line 102
    rows[5_000].update(country="uzb")                                  # line 5002
    rows[9_998].update(activity_id="UZB-7")                            # line 10000: repeats line 9
    rows[12_000].update(title="=cmd|' /C calc'!A0")                    # line 12002
    rows[15_000].update(partners="World Bank;WB")                       # line 15002: an alias
    rows[17_000].update(amount_usd="250000")                           # line 17002: no kind
    rows[19_999].update(date="2023-05", source_url="ftp://x.org/a")    # line 20001: two problems
    return rows


def test_planted_errors_are_found_on_their_lines_with_the_reference_messages(write_registry):
    frame, table = read_activities(write_registry(registry_text(_rows())))
    found = [(p.line, p.column, p.value, p.reason.split(";")[0]) for p in table.problems]
    assert found == [
        (102, "date", "2023-02-29", "impossible date: February 2023 has 28 days"),
        (5002, "country", "uzb", "unknown country code"),
        (10000, "activity_id", "UZB-7", "duplicate id: already used on line 9"),
        (12002, "title", "=cmd|' /C calc'!A0",
         "starts with '=': Excel and LibreOffice run such a cell as a formula"),
        (15002, "partners", "WB", "'World Bank' is listed twice"),
        (17002, "amount_kind", "", "required when amount_usd is given: say what the amount is "
         "— committed (a loan or grant approved, a financing agreement signed), disbursed "
         "(paid out), announced (stated at a visit, in a memorandum or a plan"),
        (20001, "date_precision", "day", "precision 'day' needs a date like YYYY-MM-DD, but "
         "the date '2023-05' has month precision"),
        (20001, "source_url", "ftp://x.org/a", "not a web address"),
    ]
    # the rows without problems are loaded (the repeated id's row is valid by itself)
    assert len(frame) == ROWS - 6
    assert frame["line"].is_monotonic_increasing
    assert 102 not in set(frame["line"]) and 10000 in set(frame["line"])


def test_the_frame_holds_parsed_values(write_registry):
    rows = [make_row(activity_id="a", date="2024", date_precision="year", partners="WB;EU",
                     amount_usd="12.5", amount_kind="committed", maps_pillars="II;IV"),
            make_row(activity_id="b", date="2024-02", date_precision="month"),
            make_row(activity_id="c", date="2024-02-29")]
    header = [*registry_text([]).strip().split(","), "maps_pillars"]
    frame, table = read_activities(write_registry(registry_text(rows, header=header)))
    assert table.problems == []
    assert list(frame["start"]) == [pd.Timestamp(2024, 1, 1), pd.Timestamp(2024, 2, 1),
                                    pd.Timestamp(2024, 2, 29)]
    assert list(frame["end"]) == [pd.Timestamp(2024, 12, 31), pd.Timestamp(2024, 2, 29),
                                  pd.Timestamp(2024, 2, 29)]
    assert list(frame["year"]) == [2024, 2024, 2024]
    assert frame.loc[0, "partners"] == ("World Bank", "European Union")
    assert frame.loc[0, "maps_pillars"] == ("II", "IV") and frame.loc[1, "maps_pillars"] == ()
    assert frame.loc[0, "amount_usd"] == 12.5 and pd.isna(frame.loc[1, "amount_usd"])
    assert list(frame["line"]) == [2, 3, 4]
