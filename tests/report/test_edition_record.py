"""A report's record for the "what changed" page, on the hand-made registry and reference data
of tests/report/test_system.py (fictional): report UZB 2023–2024, peer AZE, judged on
2024-12-31. In the period: U4 (World Bank, e_procurement), U5 (World Bank and ADB,
strategic_procurement), U6 (EU, governance: not procurement-related); the commitment C1 of U4
is past due."""

from __future__ import annotations

import pandas as pd

from analysis.data.reference import load_reference
from analysis.report import edition_record as e
from analysis.report import procurement as p
from analysis.report import sections as r
from analysis.report import system as s
from tests.helpers import FIXTURES, make_row, registry_text
from tests.report.test_system import COMMITMENTS, ROWS


def test_the_record_holds_activities_figures_findings_and_reference_values(tmp_path):
    rows = [make_row(activity_id=a, date=d, country=c, partners=ps, themes=ts,
                     title=f"Activity {a}", title_ru=f"Мероприятие {a}")
            for a, d, c, ps, ts in ROWS]
    (tmp_path / "reg.csv").write_text(registry_text(rows), encoding="utf-8")
    (tmp_path / "reg.commitments.csv").write_text(COMMITMENTS, encoding="utf-8")
    data = r.prepare_report(tmp_path / "reg.csv", ["UZB"], 2023, 2024, "ru", "2024-12-31")
    ref = load_reference(FIXTURES / "system")
    found = s.compute_findings(data, ref, "AZE", p.placed_on_pillars(data),
                               as_of=pd.Timestamp("2024-12-31"))
    record = e.report_record(data, ref, found, ["AZE"])

    assert record["lang"] == "ru"
    assert record["activities"] == [
        {"id": a, "date": d, "precision": "day", "title": f"Мероприятие {a}"}
        for a, d in (("U4", "2023-02-01"), ("U5", "2023-09-01"), ("U6", "2023-05-01"))]
    # partners World Bank, ADB, EU; three themes; U4 and U5 procurement-related; no amounts
    assert record["figures"] == [
        {"key": "activities", "country": "UZB", "value": 3},
        {"key": "partners", "country": "UZB", "value": 3},
        {"key": "themes", "country": "UZB", "value": 3},
        {"key": "procurement", "country": "UZB", "value": 2}]
    assert "overdue" in [f["id"] for f in record["findings"]]
    assert all(f["text"] for f in record["findings"])
    cpi = [(v["country"], v["year"], v["value"]) for v in record["references"]
           if v["indicator"] == "cpi_score"]
    # from 2018 (five years before the period) to 2024; the peer's too, never GEO's
    assert cpi == [("AZE", 2022, 23.0), ("AZE", 2024, 22.0), ("UZB", 2018, 23.0),
                   ("UZB", 2020, 26.0), ("UZB", 2022, 31.0), ("UZB", 2024, 30.0)]
    # a report without reference data or findings records none
    bare = e.report_record(data)
    assert bare["findings"] == [] and bare["references"] == []
