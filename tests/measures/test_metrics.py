"""Tests for analysis.measures.metrics on small frames built by hand; expectations are worked out
by hand.

The shared frame ``ACTS`` (five activities, two countries):

====  =======  ====  ==========  ============================  ===================  ======
id    country  year  type        themes                        partners             amount
====  =======  ====  ==========  ============================  ===================  ======
A1    UZB      2021  meeting     governance, procurement       UNDP, World Bank     100
A2    UZB      2021  report      governance                    UNDP                 --
A3    UZB      2023  conference  anti_corruption               OECD, ADB            50
A4    AZE      2021  meeting     procurement                   World Bank           30
A5    AZE      2024  report      governance, anti_corruption   UNDP                 --
====  =======  ====  ==========  ============================  ===================  ======
"""

from __future__ import annotations

import csv
import math
from collections import Counter
from typing import Any

import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.data.registry import load_registry
from analysis.data.registry_format import FRAME_COLUMNS, empty_activities
from analysis.measures import metrics
from tests.helpers import FIXTURE_REGISTRY

NAN = math.nan


def activity(activity_id: str, country: str, year: int, activity_type: str,
             themes: tuple[str, ...], partners: tuple[str, ...], amount: float = NAN
             ) -> dict[str, Any]:
    """One row with every column of the registry's activities frame."""
    day = pd.Timestamp(year=year, month=1, day=1)
    return {
        "activity_id": activity_id, "date": str(year), "date_precision": "year",
        "start": day, "end": pd.Timestamp(year=year, month=12, day=31), "year": year,
        "country": country, "partners": partners, "counterpart": "", "activity_type":
        activity_type, "themes": themes, "title": f"activity {activity_id}",
        "amount_usd": amount, "source": "hand-made", "source_url": "",
        "source_language": "en", "line": 0,
    }


def make_frame(*rows: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(FRAME_COLUMNS))


ACTS = make_frame(
    activity("A1", "UZB", 2021, "meeting", ("governance", "procurement"),
             ("UNDP", "World Bank"), 100.0),
    activity("A2", "UZB", 2021, "report", ("governance",), ("UNDP",)),
    activity("A3", "UZB", 2023, "conference", ("anti_corruption",), ("OECD", "ADB"), 50.0),
    activity("A4", "AZE", 2021, "meeting", ("procurement",), ("World Bank",), 30.0),
    activity("A5", "AZE", 2024, "report", ("governance", "anti_corruption"), ("UNDP",)),
)


def ids(frame: pd.DataFrame) -> list[str]:
    return list(frame["activity_id"])


def rows(frame: pd.DataFrame) -> list[tuple[Any, ...]]:
    """Rows as plain tuples, NaN kept as NaN (compare ratios separately)."""
    return [tuple(r) for r in frame.itertuples(index=False)]


# --- filter_activities --------------------------------------------------------------------

def test_filter_without_arguments_keeps_everything_as_a_copy() -> None:
    result = metrics.filter_activities(ACTS)
    assert ids(result) == ["A1", "A2", "A3", "A4", "A5"]
    assert list(result.columns) == list(ACTS.columns)
    result.loc[result.index[0], "country"] = "KAZ"
    assert ACTS.loc[0, "country"] == "UZB"


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"countries": ["UZB"]}, ["A1", "A2", "A3"]),
    ({"countries": "AZE"}, ["A4", "A5"]),  # a single string is one country, not 3 letters
    ({"years": (2021, 2021)}, ["A1", "A2", "A4"]),
    ({"years": (2022, 2024)}, ["A3", "A5"]),  # inclusive at both ends
    ({"types": ["meeting"]}, ["A1", "A4"]),
    ({"themes": ["procurement"]}, ["A1", "A4"]),
    ({"themes": ["procurement", "anti_corruption"]}, ["A1", "A3", "A4", "A5"]),  # ANY theme
    ({"partners": ["World Bank"]}, ["A1", "A4"]),
    ({"partners": ["ADB", "UNDP"]}, ["A1", "A2", "A3", "A5"]),
    ({"countries": ["UZB"], "themes": ["governance"], "years": (2021, 2022)}, ["A1", "A2"]),
    ({"countries": []}, []),  # an empty list keeps nothing; None would keep everything
    ({"themes": ["no_such_theme"]}, []),
])
def test_filter_each_field(kwargs: dict[str, Any], expected: list[str]) -> None:
    assert ids(metrics.filter_activities(ACTS, **kwargs)) == expected


def test_filter_on_empty_frame_keeps_the_columns() -> None:
    result = metrics.filter_activities(empty_activities(), countries=["UZB"], themes=["x"],
                                       years=(2020, 2021))
    assert result.empty
    assert list(result.columns) == list(FRAME_COLUMNS)


def test_filter_rejects_a_reversed_year_range() -> None:
    with pytest.raises(ParameterError, match="start <= end"):
        metrics.filter_activities(ACTS, years=(2024, 2021))


# --- count_activities: the counting rule -----------------------------------------------------

def test_themes_count_once_under_each_theme() -> None:
    uzb = metrics.filter_activities(ACTS, countries=["UZB"])  # A1, A2, A3: 3 activities
    result = metrics.count_activities(uzb, by="theme")
    # governance: A1, A2 = 2; procurement: A1 = 1; anti_corruption: A3 = 1
    assert rows(result) == [("anti_corruption", 1), ("governance", 2), ("procurement", 1)]
    assert result["activities"].sum() == 4  # 2 + 1 + 1 = 4 > 3 activities
    assert list(result.columns) == ["theme", "activities"]
    assert result["activities"].dtype == "int64"


def test_partners_count_once_under_each_partner() -> None:
    uzb = metrics.filter_activities(ACTS, countries=["UZB"])
    result = metrics.count_activities(uzb, by=["partner"])
    # ADB: A3; OECD: A3; UNDP: A1, A2; World Bank: A1 -> 1 + 1 + 2 + 1 = 5 > 3 activities
    assert rows(result) == [("ADB", 1), ("OECD", 1), ("UNDP", 2), ("World Bank", 1)]


def test_without_theme_or_partner_each_activity_counts_once() -> None:
    result = metrics.count_activities(ACTS, by=("country",))
    assert rows(result) == [("AZE", 2), ("UZB", 3)]  # 2 + 3 = 5 activities
    by_type = metrics.count_activities(ACTS, by="activity_type")
    assert rows(by_type) == [("conference", 1), ("meeting", 2), ("report", 2)]


def test_theme_and_partner_together_count_pairs() -> None:
    result = metrics.count_activities(ACTS, by=("theme", "partner"),
                                      categories={"theme": ["procurement"],
                                                  "partner": ["World Bank", "UNDP"]})
    # procurement with World Bank: A1, A4 = 2; with UNDP: A1 = 1
    assert rows(result) == [("procurement", "World Bank", 2), ("procurement", "UNDP", 1)]


# --- count_activities: the zero grid -----------------------------------------------------

def test_years_without_activity_appear_with_zero() -> None:
    result = metrics.count_activities(ACTS, years=(2021, 2024), countries=["UZB", "AZE"])
    assert list(result.columns) == ["country", "year", "activities"]
    assert rows(result) == [
        ("UZB", 2021, 2), ("UZB", 2022, 0), ("UZB", 2023, 1), ("UZB", 2024, 0),
        ("AZE", 2021, 1), ("AZE", 2022, 0), ("AZE", 2023, 0), ("AZE", 2024, 1),
    ]


def test_default_grid_spans_the_data_and_sorts_by_the_by_columns() -> None:
    result = metrics.count_activities(ACTS, by=("year", "country"))
    # years 2021..2024 (min..max of the data), countries present, sorted
    assert rows(result) == [
        (2021, "AZE", 1), (2021, "UZB", 2), (2022, "AZE", 0), (2022, "UZB", 0),
        (2023, "AZE", 0), (2023, "UZB", 1), (2024, "AZE", 1), (2024, "UZB", 0),
    ]


def test_year_range_restricts_the_counted_activities() -> None:
    result = metrics.count_activities(ACTS, by="country", years=(2023, 2024))
    assert rows(result) == [("AZE", 1), ("UZB", 1)]  # A5; A3


def test_categories_fix_the_rows_in_the_given_order() -> None:
    result = metrics.count_activities(ACTS, by="theme",
                                      categories={"theme": ["procurement", "digital"]})
    # procurement: A1, A4 = 2; digital: nobody = 0; other themes are left out
    assert rows(result) == [("procurement", 2), ("digital", 0)]


def test_a_country_absent_from_the_data_gets_zero_rows() -> None:
    result = metrics.count_activities(ACTS, years=(2021, 2022), countries=["KAZ"])
    assert rows(result) == [("KAZ", 2021, 0), ("KAZ", 2022, 0)]


@pytest.mark.parametrize("frame", [empty_activities(), make_frame()])
def test_empty_input_still_gives_the_zero_grid(frame: pd.DataFrame) -> None:
    result = metrics.count_activities(frame, years=(2020, 2022), countries=["UZB", "KAZ"])
    assert rows(result) == [("UZB", 2020, 0), ("UZB", 2021, 0), ("UZB", 2022, 0),
                            ("KAZ", 2020, 0), ("KAZ", 2021, 0), ("KAZ", 2022, 0)]
    assert result["year"].dtype == "int64"
    assert result["activities"].dtype == "int64"


def test_empty_input_without_a_grid_gives_no_rows() -> None:
    result = metrics.count_activities(empty_activities(), by="theme")
    assert result.empty
    assert list(result.columns) == ["theme", "activities"]


@pytest.mark.parametrize("by", ["region", ("country", "themes"), (), ("year", "year")])
def test_unknown_dimension_raises(by: Any) -> None:
    with pytest.raises(ParameterError, match="country, year, activity_type, theme, partner"):
        metrics.count_activities(ACTS, by=by)


def test_start_after_end_raises() -> None:
    with pytest.raises(ParameterError, match="2024 is after end year 2021"):
        metrics.count_activities(ACTS, years=(2024, 2021))


@pytest.mark.parametrize("categories", [{"theme": ["x"]}, {"year": [2021]}])
def test_categories_outside_by_raise(categories: dict[str, list[Any]]) -> None:
    with pytest.raises(ParameterError, match="categories"):
        metrics.count_activities(ACTS, by=("country", "year"), categories=categories)


# --- theme_shares -------------------------------------------------------------------------

def test_theme_shares_with_a_country_without_activities() -> None:
    result = metrics.theme_shares(ACTS, countries=["UZB", "KAZ"])
    assert list(result.columns) == ["country", "theme", "activities", "share", "mix"]
    uzb = result[result["country"] == "UZB"].set_index("theme")
    # UZB: 3 activities (A1-A3) and 4 theme mentions (A1: 2, A2: 1, A3: 1)
    assert list(uzb["activities"]) == [1, 2, 1]  # anti_corruption, governance, procurement
    assert uzb.loc["governance", "share"] == pytest.approx(2 / 3)
    assert uzb.loc["procurement", "share"] == pytest.approx(1 / 3)
    assert uzb.loc["anti_corruption", "share"] == pytest.approx(1 / 3)
    assert uzb["share"].sum() == pytest.approx(4 / 3)  # shares may sum to more than 1
    assert uzb.loc["governance", "mix"] == pytest.approx(2 / 4)
    assert uzb.loc["procurement", "mix"] == pytest.approx(1 / 4)
    assert uzb["mix"].sum() == pytest.approx(1.0)
    kaz = result[result["country"] == "KAZ"]
    assert list(kaz["theme"]) == ["anti_corruption", "governance", "procurement"]
    assert list(kaz["activities"]) == [0, 0, 0]
    assert list(kaz["share"]) == [0.0, 0.0, 0.0]
    assert list(kaz["mix"]) == [0.0, 0.0, 0.0]


def test_theme_shares_for_chosen_themes() -> None:
    result = metrics.theme_shares(ACTS, countries=["AZE"], categories=["procurement", "x"])
    # AZE: 2 activities (A4, A5), 3 theme mentions (A4: 1, A5: 2); procurement on A4
    assert list(result["activities"]) == [1, 0]
    assert list(result["share"]) == pytest.approx([1 / 2, 0.0])
    assert list(result["mix"]) == pytest.approx([1 / 3, 0.0])  # out of all 3 mentions


def test_theme_shares_takes_the_documented_mapping_form() -> None:
    """``{"theme": [...]}`` lists the same themes as the plain list: same rows, same values."""
    listed = metrics.theme_shares(ACTS, countries=["AZE"], categories=["procurement", "x"])
    mapped = metrics.theme_shares(ACTS, countries=["AZE"],
                                  categories={"theme": ["procurement", "x"]})
    pd.testing.assert_frame_equal(mapped, listed)
    assert list(mapped["theme"]) == ["procurement", "x"]  # not every theme of AZE


# --- superseded_amounts: one operation, one amount ----------------------------------------

def operation_rows(*rows: tuple[str, str, float, str, str, int]) -> pd.DataFrame:
    """(id, date, amount, kind, operation_id, line) → a frame with the columns the rule reads."""
    return pd.DataFrame({
        "activity_id": [r[0] for r in rows], "start": pd.to_datetime([r[1] for r in rows]),
        "amount_usd": [r[2] for r in rows], "amount_kind": [r[3] for r in rows],
        "operation_id": [r[4] for r in rows], "line": [r[5] for r in rows]})


def test_an_operation_approved_then_signed_counts_once_at_signing() -> None:
    # A: approval of loan L (100, committed); B: signing of L and M together (150, committed);
    # C: M announced earlier (50, indicative); D: another loan, no operation id (20, committed)
    rows = operation_rows(("A", "2020-03-05", 100.0, "committed", "L", 2),
                          ("B", "2020-06-01", 150.0, "committed", "L;M", 3),
                          ("C", "2019-12-11", 50.0, "indicative", "M", 4),
                          ("D", "2020-01-01", 20.0, "committed", "", 5))
    gone = metrics.superseded_amounts(rows, ("committed", "disbursed"),
                                      ("announced", "indicative"))
    assert list(gone) == [True, False, True, False]
    # counted money: B 150 + D 20 = 170 (not 270); nothing left apart (C is inside B)
    kept = rows["amount_usd"].where(~gone)
    assert kept[rows["amount_kind"] == "committed"].sum() == 170.0
    assert kept[rows["amount_kind"] == "indicative"].sum() == 0.0


def test_the_latest_counted_row_carries_the_amount_and_ties_go_by_line() -> None:
    rows = operation_rows(("late", "2021-01-01", 5.0, "committed", "P1", 9),
                          ("early", "2020-01-01", 5.0, "committed", "P1", 2),
                          ("same-day-a", "2022-01-01", 7.0, "committed", "P2", 3),
                          ("same-day-b", "2022-01-01", 7.0, "committed", "P2", 4))
    gone = metrics.superseded_amounts(rows, ("committed",), ())
    assert list(gone) == [False, True, True, False]  # the later line wins a same-day tie


def test_rows_without_operation_or_committed_money_are_never_superseded() -> None:
    rows = operation_rows(("X", "2020-01-01", 9.0, "announced", "Q", 2),
                          ("Y", "2021-01-01", NAN, "", "Q", 3))
    assert not metrics.superseded_amounts(rows, ("committed",), ("announced",)).any()
    assert not metrics.superseded_amounts(rows.drop(columns="operation_id"), ("committed",),
                                          ("announced",)).any()


# --- summarise_partners -------------------------------------------------------------------

def test_summarise_partners() -> None:
    result = metrics.summarise_partners(ACTS, kinds={"UNDP": "multilateral"})
    assert list(result.columns) == ["partner", "kind", "activities", "countries", "first_year",
                                    "last_year", "themes", "amount_usd", "with_amount"]
    # activities: UNDP 3 (A1, A2, A5), World Bank 2 (A1, A4), ADB 1, OECD 1 (tie: by name)
    assert list(result["partner"]) == ["UNDP", "World Bank", "ADB", "OECD"]
    undp = result.iloc[0]
    assert undp["kind"] == "multilateral"
    assert undp["activities"] == 3
    assert undp["countries"] == ("AZE", "UZB")
    assert (undp["first_year"], undp["last_year"]) == (2021, 2024)
    # governance on A1, A2, A5 = 3; anti_corruption (A5) and procurement (A1) 1 each: by name
    assert undp["themes"] == ("governance", "anti_corruption", "procurement")
    assert undp["amount_usd"] == 100.0  # A1 100 + A2 and A5 not stated
    assert undp["with_amount"] == 1
    bank = result.iloc[1]
    assert bank["kind"] == ""
    assert (bank["first_year"], bank["last_year"]) == (2021, 2021)
    assert bank["themes"] == ("procurement", "governance")  # procurement 2 (A1, A4), gov. 1
    assert bank["amount_usd"] == 130.0  # A1's full 100 (not split with UNDP) + A4's 30
    # the amounts credited to partners (100 + 130 + 50 + 50) exceed the stated total (180)
    assert result["amount_usd"].sum() == 330.0


def test_summarise_partners_on_empty_input() -> None:
    result = metrics.summarise_partners(empty_activities())
    assert result.empty
    assert "amount_usd" in result.columns


# --- compare_periods ----------------------------------------------------------------------

def test_compare_periods_by_country_with_a_country_without_activities() -> None:
    result = metrics.compare_periods(ACTS, before=(2021, 2022), after=(2023, 2024),
                                     countries=["AZE", "UZB", "KAZ"])
    assert list(result.columns) == ["country", "before", "after", "difference", "ratio"]
    # AZE: A4 | A5; UZB: A1, A2 | A3; KAZ: nothing
    assert rows(result.drop(columns="ratio")) == [
        ("AZE", 1, 1, 0), ("UZB", 2, 1, -1), ("KAZ", 0, 0, 0)]
    assert result["ratio"].iloc[0] == 1.0
    assert result["ratio"].iloc[1] == 0.5
    assert math.isnan(result["ratio"].iloc[2])  # 0 / 0


def test_compare_periods_ratio_is_nan_not_inf_when_before_is_zero() -> None:
    result = metrics.compare_periods(ACTS, before=(2021, 2022), after=(2023, 2024), by="theme")
    table = result.set_index("theme")
    # anti_corruption: 0 before, A3 + A5 after = 2
    assert tuple(table.loc["anti_corruption", ["before", "after", "difference"]]) == (0, 2, 2)
    assert math.isnan(table.loc["anti_corruption", "ratio"])
    assert table.loc["governance", "ratio"] == 0.5  # A5 / (A1, A2)
    assert table.loc["procurement", "ratio"] == 0.0  # 0 / (A1, A4)
    assert table.loc["procurement", "difference"] == -2
    assert not result["ratio"].isin([math.inf, -math.inf]).any()


def test_compare_periods_by_year_lists_the_years_of_both_periods() -> None:
    result = metrics.compare_periods(ACTS, before=(2021, 2021), after=(2023, 2024), by="year")
    # 2022 lies between the periods and is not listed; 2021: A1, A2, A4; 2023: A3; 2024: A5
    assert rows(result.drop(columns="ratio")) == [
        (2021, 3, 0, -3), (2023, 0, 1, 1), (2024, 0, 1, 1)]


@pytest.mark.parametrize(("before", "after"), [((2022, 2021), (2023, 2024)),
                                               ((2021, 2022), (2024, 2023))])
def test_compare_periods_validates_each_period(before: tuple[int, int],
                                               after: tuple[int, int]) -> None:
    with pytest.raises(ParameterError, match="start <= end"):
        metrics.compare_periods(ACTS, before=before, after=after)


# --- compare_countries --------------------------------------------------------------------

def test_compare_countries_by_year() -> None:
    result = metrics.compare_countries(ACTS, ("UZB", "AZE"), years=(2021, 2024))
    assert list(result.columns) == ["year", "UZB", "AZE", "difference", "ratio"]
    # UZB: 2021 A1, A2; 2023 A3. AZE: 2021 A4; 2024 A5.
    assert rows(result.drop(columns="ratio")) == [
        (2021, 2, 1, 1), (2022, 0, 0, 0), (2023, 1, 0, 1), (2024, 0, 1, -1)]
    ratio = list(result["ratio"])
    assert ratio[0] == 2.0
    assert math.isnan(ratio[1])  # 0 / 0
    assert math.isnan(ratio[2])  # 1 / 0: NaN, not inf
    assert ratio[3] == 0.0


def test_compare_countries_by_type_keeps_zero_rows() -> None:
    result = metrics.compare_countries(ACTS, ("AZE", "UZB"), by="activity_type")
    # conference: UZB A3; meeting: AZE A4, UZB A1; report: AZE A5, UZB A2
    assert rows(result.drop(columns="ratio")) == [
        ("conference", 0, 1, -1), ("meeting", 1, 1, 0), ("report", 1, 1, 0)]


@pytest.mark.parametrize(("countries", "by"), [(("UZB", "UZB"), "year"),
                                               (("UZB",), "year"),
                                               (("UZB", "AZE"), "country")])
def test_compare_countries_rejects_bad_arguments(countries: Any, by: str) -> None:
    with pytest.raises(ParameterError):
        metrics.compare_countries(ACTS, countries, by=by)


# --- amounts_by_year ----------------------------------------------------------------------

def test_amounts_by_year_with_zero_years_and_missing_amounts() -> None:
    result = metrics.amounts_by_year(ACTS, years=(2020, 2022), countries=["UZB", "AZE"])
    assert list(result.columns) == ["country", "year", "amount_usd", "with_amount",
                                    "activities"]
    assert rows(result) == [
        ("UZB", 2020, 0.0, 0, 0),
        ("UZB", 2021, 100.0, 1, 2),  # A1 100 + A2 not stated (ignored, not NaN)
        ("UZB", 2022, 0.0, 0, 0),
        ("AZE", 2020, 0.0, 0, 0),
        ("AZE", 2021, 30.0, 1, 1),  # A4
        ("AZE", 2022, 0.0, 0, 0),
    ]


def test_amounts_by_year_when_no_amount_is_stated() -> None:
    result = metrics.amounts_by_year(ACTS, years=(2024, 2024), countries="AZE")
    assert rows(result) == [("AZE", 2024, 0.0, 0, 1)]  # A5 has no amount


# --- previous_period ----------------------------------------------------------------------

@pytest.mark.parametrize(("period", "expected"), [
    ((2021, 2024), (2017, 2020)),  # 4 years back: 2021 - 4 = 2017 .. 2021 - 1 = 2020
    ((2024, 2024), (2023, 2023)),
    ((2019, 2020), (2017, 2018)),
])
def test_previous_period(period: tuple[int, int], expected: tuple[int, int]) -> None:
    assert metrics.previous_period(*period) == expected


def test_previous_period_rejects_a_reversed_period() -> None:
    with pytest.raises(ParameterError):
        metrics.previous_period(2024, 2021)


# --- the frozen fixture registry (real rows) ----------------------------------------------

def test_counts_on_the_fixture_registry_match_the_csv() -> None:
    with FIXTURE_REGISTRY.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    per_country_year = Counter((r["country"], int(r["date"][:4])) for r in records)
    first = min(year for _, year in per_country_year)
    last = max(year for _, year in per_country_year)
    assert per_country_year[("AZE", 2021)] == 0  # the fixture has no AZE activity in 2021

    result = metrics.count_activities(load_registry(FIXTURE_REGISTRY).activities,
                                      countries=["UZB", "AZE"])
    counts = {(c, y): n for c, y, n in rows(result)}
    for country in ("UZB", "AZE"):
        for year in range(first, last + 1):
            assert counts[(country, year)] == per_country_year[(country, year)]
    assert len(result) == 2 * (last - first + 1)
    assert counts[("AZE", 2021)] == 0
