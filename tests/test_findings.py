"""Finding rules on hand-made frames (fictional values); sentences in en and ru."""

from __future__ import annotations

import pandas as pd

from analysis import findings as f
from analysis import report as r
from analysis import system
from tests.helpers import make_row, registry_text

IND = pd.DataFrame({
    "country": ["UZB", "UZB", "AZE"], "year": [2021, 2022, 2022],
    "indicator": ["cpi_score"] * 3, "value": [30.0, 28.0, 35.0], "unit": ["u"] * 3,
    "source": ["S1", "S2", "S3"], "source_url": ["https://e.org/1", "https://e.org/2",
                                                 "https://e.org/3"], "note": [""] * 3})


def test_indicator_fell_and_trails_peer_cite_values_years_sources():
    found = f.find_indicator_changes(IND, "UZB", "AZE", (2022, 2024), ("cpi_score",))
    assert [x.kind for x in found] == ["indicator_fell", "trails_peer"]
    fell, trails = found
    assert (fell.values["before"], fell.values["value"], fell.values["year"]) == (30.0, 28.0, 2022)
    assert fell.evidence == ("cpi_score UZB 2021: 30 (S1, https://e.org/1)",
                             "cpi_score UZB 2022: 28 (S2, https://e.org/2)")
    assert (trails.values["value"], trails.values["peer_value"]) == (28.0, 35.0)
    assert f.find_indicator_changes(IND, "AZE", "UZB", (2022, 2024), ("cpi_score",)) == []


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
    assert en == ("ADB takes part in 3 of 4 procurement-related activities (75%): cooperation "
                  "depends on one partner.")
    assert ru.replace("\xa0", " ") == ("АБР участвует в 3 из 4 мероприятий по закупкам (75%): "
                                       "сотрудничество зависит от одного партнёра.")
