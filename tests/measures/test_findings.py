"""Finding rules on hand-made frames (fictional values); sentences in en and ru."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.measures import findings as f
from analysis.report import sections as r
from analysis.report import system
from tests.helpers import make_row, registry_text


def acts(rows):
    frame = pd.DataFrame(rows, columns=["activity_id", "country", "start", "partners"])
    frame["start"] = pd.to_datetime(frame["start"])
    return frame


def test_reform_without_support_within_twelve_months():
    milestones = pd.DataFrame({
        "country": ["UZB", "UZB"], "date": ["2022-06-01", "2024-06-01"],
        "date_precision": ["day", "day"], "milestone": ["Law A", "Portal B"],
        "start": pd.to_datetime(["2022-06-01", "2024-06-01"]), "source": ["S", "S"],
        "source_url": ["https://e.org/a", "https://e.org/b"]})
    # P1 is 11 months after Law A; nothing within 12 months of Portal B (P2 is 13 months later)
    proc = acts([("P1", "UZB", "2023-05-01", ("ADB",)), ("P2", "UZB", "2025-07-15", ("ADB",))])
    found = f.find_unsupported_reforms(milestones, proc, "UZB", (2022, 2025))
    assert [x.values["milestone"] for x in found] == ["Portal B"]


def test_dependence_above_half_and_severity_order():
    proc = acts([("P1", "UZB", "2023-01-01", ("ADB",)), ("P2", "UZB", "2023-02-01", ("ADB", "EU")),
                 ("P3", "UZB", "2023-03-01", ("EU",)), ("P4", "UZB", "2023-04-01", ("ADB",))])
    [dep] = f.find_dependence(proc)  # ADB in 3 of 4 = 75 % > 50 %
    assert (dep.values["partner"], dep.values["count"], dep.evidence) == ("ADB", 3,
                                                                          ("P1", "P2", "P4"))
    assert f.find_dependence(proc.iloc[:2]) == []  # fewer than 3 activities: no finding
    gaps = f.find_pillar_gaps({"I": 1, "II": 0, "III": 2, "IV": 0})
    ordered = f.sort_findings([dep, *gaps])
    assert [x.kind for x in ordered] == ["pillar_gap", "pillar_gap", "dependence"]
    assert [x.values["pillar"] for x in gaps] == ["II", "IV"]


def test_sentences_in_both_languages(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text(registry_text([make_row(activity_id="U1", partners="ADB")]),
                    encoding="utf-8")
    finding = f.Finding("dependence", {"partner": "ADB", "count": 3, "total": 4, "share": 0.75})
    en = system.finding_sentence(r.prepare_report(path, ["UZB"], 2023, 2023, "en"), finding)
    ru = system.finding_sentence(r.prepare_report(path, ["UZB"], 2023, 2023, "ru"), finding)
    assert en == ("ADB takes part in 3 of 4 bilateral procurement-related activities (75%; "
                  "multi-country events left out).")
    # numbers to ten in words, in the genitive after «в … из»
    assert ru == ("АБР участвует в трёх из четырёх двусторонних мероприятий по закупкам "
                  "(75\u202f%; без учёта многострановых мероприятий).")


def milestone(date):
    return pd.DataFrame({"country": ["UZB"], "date": [date], "date_precision": ["day"],
                         "milestone": ["Law A"], "start": pd.to_datetime([date]),
                         "source": ["S"], "source_url": ["https://e.org/a"]})


def test_reform_window_edge_counts_as_support():
    # 2023-06-01 + 365 days = 2024-05-31 (2024 is a leap year); + 366 days = 2024-06-01
    at_edge = acts([("P1", "UZB", "2024-05-31", ("ADB",))])
    past_edge = acts([("P1", "UZB", "2024-06-01", ("ADB",))])
    assert f.find_unsupported_reforms(milestone("2023-06-01"), at_edge, "UZB", (2023, 2024)) == []
    [found] = f.find_unsupported_reforms(milestone("2023-06-01"), past_edge, "UZB", (2023, 2024))
    assert found.evidence == (f.Cited("Law A", "UZB", "S", "https://e.org/a"),)
    assert str(found.evidence[0]) == "Law A (S, https://e.org/a)"
    # a milestone outside the period is no finding, supported or not
    assert f.find_unsupported_reforms(milestone("2022-06-01"), past_edge, "UZB",
                                      (2023, 2024)) == []


def test_overdue_only_after_the_last_due_day_and_not_delivered():
    commitments = pd.DataFrame({
        "commitment_id": ["C1", "C2", "C3", "C4"], "activity_id": ["P1", "P1", "P1", "X9"],
        "due_end": pd.to_datetime(["2024-03-31", "2024-04-01", "2024-01-31", "2023-01-31"]),
        "status": ["planned", "planned", "delivered", "planned"]})
    today = pd.Timestamp("2024-04-01")
    # C2 is due today (not yet late), C3 delivered, C4 belongs to no procurement activity
    [late] = f.find_overdue(commitments, {"P1"}, today)
    assert (late.values, late.evidence) == ({"count": 1}, ("C1",))
    assert f.find_overdue(commitments, {"P1"}, pd.Timestamp("2024-03-31")) == []
    # recorded evidence of delivery (a later activity) makes it no finding, whatever the status
    with_evidence = commitments.assign(evidence_activity_ids=[("P7",), (), (), ()])
    assert f.find_overdue(with_evidence, {"P1"}, today) == []


def period_acts(years_counts):
    rows = [(f"P{y}-{i}", "UZB", f"{y}-03-01", ("ADB",))
            for y, n in years_counts.items() for i in range(n)]
    frame = acts(rows)
    frame["year"] = frame["start"].dt.year
    return frame


@pytest.mark.parametrize(("before", "now", "fires"), [
    ({2020: 2}, {2022: 1}, True),     # 2 → 1: a fall
    ({2020: 1}, {}, True),            # 1 → 0: a fall to nothing
    ({2020: 1, 2021: 1}, {2023: 2}, False),  # 2 → 2: no change
    ({2021: 1}, {2022: 1, 2023: 1}, False),  # 1 → 2: a rise is no finding
    ({}, {}, False),                  # 0 → 0
])
def test_period_fall_fires_on_a_fall_only(before, now, fires):
    proc = period_acts({**before, **now})
    found = f.find_period_fall(proc, "UZB", (2022, 2023), (2020, 2021))
    assert bool(found) is fires
    if fires:
        [fall] = found
        assert (fall.values["previous"], fall.values["current"]) == (
            sum(before.values()), sum(now.values()))


def test_period_fall_cites_both_periods_activities():
    proc = period_acts({2020: 2, 2023: 1})
    proc = pd.concat([proc, period_acts({2020: 1}).assign(country="AZE",
                                                          activity_id="AZE-1")])
    [fall] = f.find_period_fall(proc, "UZB", (2022, 2023), (2020, 2021))
    assert fall.evidence == ("2020–2021: P2020-0, P2020-1", "2022–2023: P2023-0")
    assert fall.values == {"current": 1, "previous": 2, "start": 2022, "end": 2023,
                           "prev_start": 2020, "prev_end": 2021}


def test_dependence_exactly_half_is_no_finding():
    proc = acts([("P1", "UZB", "2023-01-01", ("ADB",)), ("P2", "UZB", "2023-02-01", ("ADB",)),
                 ("P3", "UZB", "2023-03-01", ("EU",)), ("P4", "UZB", "2023-04-01", ("EU",))])
    assert f.find_dependence(proc) == []  # ADB and EU 2 of 4 each: 50 % is not more than half
    more = pd.concat([proc, acts([("P5", "UZB", "2023-05-01", ("EU",))])])
    [dep] = f.find_dependence(more)  # EU 3 of 5 = 60 %
    assert (dep.values["partner"], dep.evidence) == ("EU", ("P3", "P4", "P5"))


def test_severity_order_is_the_documented_one():
    kinds = ["dependence", "period_fall", "ahead_of", "behind", "behind_benchmark",
             "indicator_improved", "indicator_worsened", "overdue", "stale", "pillar_gap",
             "reform_unsupported"]
    ordered = f.sort_findings([f.Finding(k) for k in kinds])
    assert [x.kind for x in ordered] == list(reversed(kinds))


@pytest.mark.parametrize(("old", "ended", "en_end"), [
    (2, 0, "although more than 24 months have passed since they were announced."),
    (0, 2, "although the programme they belong to has ended."),
    (1, 1, "although more than 24 months have passed since they were announced and the "
           "programme they belong to has ended."),
])
def test_a_stale_sentence_names_the_reasons_that_hold(tmp_path, old, ended, en_end):
    path = tmp_path / "reg.csv"
    path.write_text(registry_text([make_row(activity_id="U1")]), encoding="utf-8")
    finding = f.Finding("stale", {"count": 2, "months": 24, "since": 2023, "old": old,
                                  "ended": ended})
    en = system.finding_sentence(r.prepare_report(path, ["UZB"], 2023, 2023, "en"), finding)
    assert en == ("Follow-up has stalled: 2 commitments announced at procurement-related "
                  f"activities have no due date and no evidence of delivery recorded, {en_end}")
    ru = system.finding_sentence(r.prepare_report(path, ["UZB"], 2023, 2023, "ru"), finding)
    # two, in words: Russian style spells out numbers to ten
    assert ru.startswith("По обязательствам нет движения: два обязательства, принятые "
                         "в ходе мероприятий по закупкам, не имеют ни срока, ни "
                         "зарегистрированных подтверждений выполнения, хотя ")
