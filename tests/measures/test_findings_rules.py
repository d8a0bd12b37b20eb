"""The rules a procurement specialist checks, on hand-made reference data (fictional values):
a change is a finding only beyond its published uncertainty, in both directions; only pillar IV
indicators are compared between countries and only a named benchmark is recommended as a
model; undated commitments go stale; multi-country events are no dependence; the documented
look-back, tie-break and evidence cap hold at their edges."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.measures import findings as f
from analysis.measures.recommend import instrument_for, recommend

NAN = math.nan
GUIDE = pd.DataFrame({
    "indicator": ["cpi_score", "wgi_ge_pct", "obs_score"],
    "context": ["pillar_iv", "capacity", "budget_transparency"],
    "headline": [True, True, True], "higher_is_better": [True, True, True],
    "decimals": [0, 0, 0], "min_change": [NAN, NAN, NAN],
    "scale_min": [0.0, 0.0, 0.0], "scale_max": [100.0, 100.0, 100.0],
}).set_index("indicator")


def values(country: str, indicator: str, by_year: dict[int, float], *, se: float = NAN,
           ci: dict[int, tuple[float, float]] | None = None) -> pd.DataFrame:
    """Rows of one indicator: a standard error for all years, or an interval per year."""
    years = sorted(by_year)
    return pd.DataFrame({
        "country": country, "year": years, "indicator": indicator,
        "value": [by_year[y] for y in years], "unit": "u", "source": f"S-{indicator}",
        "source_url": "https://e.org/s", "note": "",
        "ci_low": [(ci or {}).get(y, (NAN, NAN))[0] for y in years],
        "ci_high": [(ci or {}).get(y, (NAN, NAN))[1] for y in years],
        "standard_error": se})


def kinds(found):
    return [(x.kind, x.values.get("before_year"), x.values.get("year")) for x in found]


# --- significance -------------------------------------------------------------------------

def test_a_change_inside_the_intervals_is_no_finding_and_the_same_change_outside_is_one():
    wide = values("UZB", "cpi_score", {2021: 30, 2022: 28},
                  ci={2021: (27, 33), 2022: (25, 31)})  # overlap on 27–31
    narrow = values("UZB", "cpi_score", {2021: 30, 2022: 28},
                    ci={2021: (29.5, 30.5), 2022: (27.5, 28.5)})  # 28.5 < 29.5: apart
    assert f.find_indicator_changes(wide, GUIDE, "UZB", (2022, 2024)) == []
    [worse] = f.find_indicator_changes(narrow, GUIDE, "UZB", (2022, 2024))
    assert (worse.kind, worse.values["before"], worse.values["value"]) == (
        "indicator_worsened", 30.0, 28.0)
    assert worse.evidence[1] == f.Cited("cpi_score", "UZB", "S-cpi_score", "https://e.org/s",
                                        2022, 28.0)


def test_a_standard_error_gives_a_ninety_percent_interval_and_touching_intervals_overlap():
    # value ± 1.6449 × 1: 30 → 28.355–31.645; 33.29 → 31.645–34.935 (touching: overlap)
    assert f.interval({"value": 30.0, "standard_error": 1.0}) == pytest.approx(
        (28.3551, 31.6449), abs=1e-4)
    touching = f.differs({"value": 30.0, "standard_error": 1.0},
                         {"value": 30.0 + 2 * f.Z90, "standard_error": 1.0})
    apart = f.differs({"value": 30.0, "standard_error": 1.0},
                      {"value": 30.0 + 2 * f.Z90 + 0.01, "standard_error": 1.0})
    assert (touching, apart) == (False, True)


def test_without_an_interval_only_the_sources_rule_of_thumb_decides_or_nothing_is_claimed():
    rows = values("UZB", "cpi_score", {2021: 30, 2022: 27})
    assert f.find_indicator_changes(rows, GUIDE, "UZB", (2022, 2024)) == []  # no interval
    thumb = GUIDE.assign(min_change=[3.0, NAN, NAN])
    [worse] = f.find_indicator_changes(rows, thumb, "UZB", (2022, 2024))  # 3 ≥ 3
    assert worse.kind == "indicator_worsened"
    smaller = values("UZB", "cpi_score", {2021: 30, 2022: 28})
    assert f.find_indicator_changes(smaller, thumb, "UZB", (2022, 2024)) == []  # 2 < 3


# --- both directions, trend, run, last step -----------------------------------------------

def test_an_improvement_over_the_period_and_a_fall_in_the_last_step_are_both_findings():
    # 2015 20 … 2021 27, 2022 22 (SE 0.5: ± 0.82). First → last 20 → 22: better (20.82 <
    # 21.18). The longest run (2015–2019, rises) is better too: one finding per direction,
    # the trend first. Last step 27 → 22: worse.
    rows = values("UZB", "cpi_score", {2015: 20, 2016: 21, 2017: 22, 2018: 24, 2019: 26,
                                       2020: 25, 2021: 27, 2022: 22}, se=0.5)
    found = f.find_indicator_changes(rows, GUIDE, "UZB", (2022, 2024))
    assert kinds(found) == [("indicator_improved", 2015, 2022),
                            ("indicator_worsened", 2021, 2022)]


def test_the_longest_run_is_a_finding_when_first_and_last_are_equal():
    # 30, 20, 22, 24, 26, 30: first = last; the run 20 → 30 (2016–2020) is the improvement
    rows = values("UZB", "cpi_score", {2015: 30, 2016: 20, 2017: 22, 2018: 24, 2019: 26,
                                       2020: 30}, se=0.5)
    assert kinds(f.find_indicator_changes(rows, GUIDE, "UZB", (2020, 2022))) == [
        ("indicator_improved", 2016, 2020)]


def test_a_lower_is_better_indicator_improves_when_it_falls():
    rows = values("UZB", "cpi_score", {2021: 30, 2022: 20}, se=0.5)
    lower = GUIDE.assign(higher_is_better=[False, True, True])
    assert [x.kind for x in f.find_indicator_changes(rows, lower, "UZB", (2022, 2022))] == [
        "indicator_improved"]


def test_values_are_read_from_ten_years_before_the_period_and_no_earlier():
    # period 2022–2024: 2012 is the first year read, 2011 is not
    rows = values("UZB", "cpi_score", {2011: 50, 2012: 10, 2024: 30}, se=0.5)
    [better] = f.find_indicator_changes(rows, GUIDE, "UZB", (2022, 2024))
    assert (better.kind, better.values["before_year"], better.values["before"]) == (
        "indicator_improved", 2012, 10.0)
    assert f.LOOKBACK_YEARS == 10


def test_only_headline_indicators_are_judged():
    rows = values("UZB", "cpi_score", {2021: 30, 2022: 20}, se=0.5)
    quiet = GUIDE.assign(headline=[False, True, True])
    assert f.find_indicator_changes(rows, quiet, "UZB", (2022, 2022)) == []


# --- constructs and benchmarks ------------------------------------------------------------

def test_government_effectiveness_is_a_finding_but_never_drives_a_recommendation():
    rows = pd.concat([values("UZB", "wgi_ge_pct", {2021: 40, 2022: 30}, se=0.5),
                      values("UZB", "cpi_score", {2021: 40, 2022: 30}, se=0.5)])
    found = f.sort_findings(f.find_indicator_changes(rows, GUIDE, "UZB", (2022, 2022)))
    assert [(x.values["indicator"], x.values["context"]) for x in found] == [
        ("cpi_score", "pillar_iv"), ("wgi_ge_pct", "capacity")]
    assert [instrument_for(x) for x in found] == ["red_flag_review", None]
    [only] = recommend(found)
    assert (only.instrument, only.numbers) == ("red_flag_review", (1,))


def peer_rows(mine: float, theirs: float, indicator: str = "cpi_score") -> pd.DataFrame:
    return pd.concat([values("UZB", indicator, {2023: mine}, ci={2023: (mine - 3, mine + 3)}),
                      values("AZE", indicator, {2023: theirs},
                             ci={2023: (theirs - 3, theirs + 3)})])


def test_comparisons_use_pillar_iv_indicators_beyond_the_uncertainty_in_both_directions():
    [ahead] = f.find_comparisons(peer_rows(33, 23), GUIDE, "UZB", ["AZE"], (2023, 2023))
    [behind] = f.find_comparisons(peer_rows(23, 33), GUIDE, "UZB", ["AZE"], (2023, 2023))
    assert (ahead.kind, behind.kind) == ("ahead_of", "behind")
    assert (ahead.values["value"], ahead.values["peer_value"]) == (33.0, 23.0)
    # 30 ± 3 and 25 ± 3 overlap: no finding; a capacity index is not compared at all
    assert f.find_comparisons(peer_rows(30, 25), GUIDE, "UZB", ["AZE"], (2023, 2023)) == []
    assert f.find_comparisons(peer_rows(23, 53, "wgi_ge_pct"), GUIDE, "UZB", ["AZE"],
                              (2023, 2023)) == []


def test_only_a_named_benchmark_that_does_better_is_recommended_as_a_model():
    behind_peer = f.find_comparisons(peer_rows(23, 33), GUIDE, "UZB", ["AZE"], (2023, 2023))
    assert recommend(behind_peer) == []  # the peer: a fact, never "study the peer"
    benchmark = f.find_comparisons(peer_rows(23, 33), GUIDE, "UZB", ["AZE"], (2023, 2023),
                                   benchmarks=["AZE"])
    [learn] = recommend(benchmark)
    assert (benchmark[0].kind, learn.instrument, learn.peer) == (
        "behind_benchmark", "peer_learning", "AZE")
    ahead = f.find_comparisons(peer_rows(33, 23), GUIDE, "UZB", ["AZE"], (2023, 2023),
                               benchmarks=["AZE"])
    assert [x.kind for x in ahead] == ["ahead_of"] and recommend(ahead) == []


# --- stale commitments --------------------------------------------------------------------

def commitments(*rows):
    frame = pd.DataFrame(rows, columns=["commitment_id", "activity_id", "due_end", "status",
                                        "evidence_activity_ids", "part_of"])
    frame["due_end"] = pd.to_datetime(frame["due_end"])
    return frame


MADE = {"A": pd.Timestamp("2023-07-31"), "B": pd.Timestamp("2025-01-31")}
FOLLOW_UP = commitments(
    ("C1", "A", None, "planned", (), ""),          # undated, made 2023-07-31
    ("C2", "A", None, "planned", ("E1",), ""),     # evidence recorded: not stale
    ("C3", "A", None, "delivered", (), ""),        # delivered
    ("C4", "B", None, "planned", (), "PROG"),      # recent, but its programme ended 2024
    ("C5", "A", "2023-12-31", "planned", (), ""),  # dated: overdue, not stale
    ("PROG", "A", "2024-12-31", "in_progress", (), ""))


def test_an_undated_commitment_is_stale_after_twenty_four_months_exactly_not_at_them():
    at_edge = f.find_stale(FOLLOW_UP, {"A"}, MADE, pd.Timestamp("2025-07-31"))
    [stale] = f.find_stale(FOLLOW_UP, {"A"}, MADE, pd.Timestamp("2025-08-01"))
    assert at_edge == []
    assert (stale.evidence, stale.values["count"]) == (("C1",), 1)


def test_an_undated_commitment_of_an_ended_programme_is_stale_however_recent():
    [stale] = f.find_stale(FOLLOW_UP, {"A", "B"}, MADE, pd.Timestamp("2025-02-01"))
    assert stale.evidence == ("C4",)  # C1 is 18 months old then; PROG ended 2024-12-31
    [both] = f.find_stale(FOLLOW_UP, {"A", "B"}, MADE, pd.Timestamp("2025-08-01"))
    assert both.evidence == ("C1", "C4")  # oldest first
    assert f.find_stale(FOLLOW_UP, {"B"}, MADE, pd.Timestamp("2024-12-31")) == []


# --- dependence: multi-country events, tie-break, evidence cap -----------------------------

def proc(rows):
    frame = pd.DataFrame(rows, columns=["activity_id", "country", "start", "partners", "scope"])
    frame["start"] = pd.to_datetime(frame["start"])
    return frame


def test_multi_country_events_are_no_dependence():
    rows = [("P1", "AZE", "2023-01-01", ("ADB",), "multi-country"),
            ("P2", "AZE", "2023-02-01", ("ADB",), "multi-country"),
            ("P3", "AZE", "2023-03-01", ("ADB",), "bilateral"),
            ("P4", "AZE", "2023-04-01", ("EU",), "bilateral"),
            ("P5", "AZE", "2023-05-01", ("WB",), "")]
    # with the forums ADB would have 3 of 5 (60 %); without them 1 of 3: no finding
    assert f.find_dependence(proc(rows)) == []
    assert f.find_dependence(proc(rows).drop(columns="scope"))[0].values["count"] == 3


def test_a_tie_goes_to_the_partner_first_by_name():
    rows = [("P1", "UZB", "2023-01-01", ("Beta", "Alpha"), ""),
            ("P2", "UZB", "2023-02-01", ("Alpha", "Beta"), ""),
            ("P3", "UZB", "2023-03-01", ("Gamma",), "")]
    [dep] = f.find_dependence(proc(rows))  # Alpha and Beta: 2 of 3 each
    assert dep.values["partner"] == "Alpha"


def test_evidence_cites_twelve_ids_then_counts_the_rest():
    rows = [(f"P{i:02d}", "UZB", f"2023-01-{i:02d}", ("ADB",), "") for i in range(1, 15)]
    [dep] = f.find_dependence(proc(rows))
    assert dep.evidence == (*(f"P{i:02d}" for i in range(1, 13)), "… (+2)")
    assert f.cite_ids(["a"] * 12) == ("a",) * 12  # exactly the cap: nothing counted
    assert f.CITED_IDS == 12


def test_a_run_that_ends_before_the_latest_value_states_the_latest_too():
    # 20, 10, 12, 14, 16, 15 (SE 0.5): first → last 20 → 15 is worse; the run 10 → 16
    # (2016–2019) is better and ends before 2020, so 15 (2020) is stated with it
    rows = values("UZB", "cpi_score", {2015: 20, 2016: 10, 2017: 12, 2018: 14, 2019: 16,
                                       2020: 15}, se=0.5)
    worse, better = f.find_indicator_changes(rows, GUIDE, "UZB", (2020, 2020))
    assert (worse.kind, "latest" in worse.values) == ("indicator_worsened", False)
    assert (better.kind, better.values["before_year"], better.values["year"]) == (
        "indicator_improved", 2016, 2019)
    assert (better.values["latest_year"], better.values["latest"]) == (2020, 15.0)
    assert [c.year for c in better.evidence] == [2016, 2019, 2020]


def test_a_stale_finding_counts_each_reason():
    [both] = f.find_stale(FOLLOW_UP, {"A", "B"}, MADE, pd.Timestamp("2025-08-01"))
    assert (both.values["old"], both.values["ended"]) == (1, 1)  # C1 old, C4 of PROG
    [ended] = f.find_stale(FOLLOW_UP, {"A", "B"}, MADE, pd.Timestamp("2025-02-01"))
    assert (ended.values["old"], ended.values["ended"]) == (0, 1)
