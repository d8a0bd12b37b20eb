"""The procurement-system section and compute_findings on a hand-made registry and the
hand-made reference data in tests/fixtures/system/ (all fictional).

Report: UZB, 2023–2024 (previous period 2021–2022), peer AZE, judged on 2024-12-31.

Activities (procurement-related unless noted; pillars from data/taxonomy/themes.csv):
  U1 2021-03-01 World Bank  public_procurement;strategic_procurement   (previous period)
  U2 2022-06-01 World Bank  e_procurement                              (previous period)
  U3 2022-12-01 ADB         contract_management                        (previous period)
  U4 2023-02-01 World Bank  e_procurement → pillar II
  U5 2023-09-01 World Bank, ADB  strategic_procurement → pillar I
  U6 2023-05-01 EU          governance (not procurement-related)
  A1 2023-04-01 AZE, World Bank  public_procurement
Commitments: C1 on U4 due 2024-03 planned (overdue), C2 on U5 due 2025 planned (not yet due),
C3 on U4 due 2024-01 delivered, C4 on U6 due 2023-06 planned (U6 is not procurement-related).
Milestones of UZB: 1 Old law 2019-05, 2 Law X 2023-06-15, 3 Portal Y 2024-11-05.
Indicators (tests/fixtures/system, with their 90% intervals): UZB CPI 2016 21 (18–24), 2018 23
(20–26), 2020 26 (23–29), 2022 31 (28–34), 2024 30 (27–33); AZE CPI 2022 23 (20–26), 2024 22
(19–25); GEO CPI 2024 53 (50–56); WGI Government Effectiveness (capacity context) 2022: UZB 38.2
(30.1–45.6), AZE 50.9 (44.2–60.0). The guide there says CPI is pillar IV context, published
with 0 decimals.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis.data.reference import load_reference
from analysis.measures import findings as f
from analysis.report import procurement as p
from analysis.report import sections as r
from analysis.report import system as s
from analysis.report.display import Bullets, Paragraph, Span, Table
from tests.helpers import FIXTURES, make_row, registry_text

SYSTEM = FIXTURES / "system"
AS_OF = pd.Timestamp("2024-12-31")
ROWS = [
    ("U1", "2021-03-01", "UZB", "World Bank", "public_procurement;strategic_procurement"),
    ("U2", "2022-06-01", "UZB", "World Bank", "e_procurement"),
    ("U3", "2022-12-01", "UZB", "ADB", "contract_management"),
    ("U4", "2023-02-01", "UZB", "World Bank", "e_procurement"),
    ("U5", "2023-09-01", "UZB", "World Bank;ADB", "strategic_procurement"),
    ("U6", "2023-05-01", "UZB", "EU", "governance"),
    ("A1", "2023-04-01", "AZE", "World Bank", "public_procurement"),
]
COMMITMENTS = """commitment_id,activity_id,commitment,due,status,evidence_activity_ids,note
C1,U4,Publish a report,2024-03,planned,,
C2,U5,Train staff,2025,planned,,
C3,U4,Open a portal,2024-01,delivered,,
C4,U6,Something else,2023-06,planned,,
"""


def nbsp(text: str) -> str:
    """Babel's no-break spaces as plain spaces, to compare with sentences typed here."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.fixture(scope="module")
def registry_path(tmp_path_factory):
    folder = tmp_path_factory.mktemp("system")
    rows = [make_row(activity_id=a, date=d, country=c, partners=ps, themes=ts,
                     title=f"Activity {a}") for a, d, c, ps, ts in ROWS]
    (folder / "reg.csv").write_text(registry_text(rows), encoding="utf-8")
    (folder / "reg.commitments.csv").write_text(COMMITMENTS, encoding="utf-8")
    return folder / "reg.csv"


@pytest.fixture(scope="module")
def ref():
    return load_reference(SYSTEM)


def report(path, lang="en"):
    return r.prepare_report(path, ["UZB"], 2023, 2024, lang)


def test_indicator_table_values_and_gaps(registry_path, ref):
    table = s.indicator_table(report(registry_path), ref, ["AZE"])
    # years from 2018 (5 before the period) to 2024 that have any value: 2018, 2020, 2022-2024
    assert list(table.frame.columns) == ["Indicator", "Country", "2018", "2020", "2022", "2023",
                                         "2024"]
    cpi = "Corruption Perceptions Index score (TI, 0–100)"
    wgi = "WGI Government Effectiveness, percentile rank"
    # values as published (the guide's decimals: 0 for both indices) and their intervals
    assert table.frame.values.tolist() == [
        [cpi, "Uzbekistan", "23 (20–26)", "26 (23–29)", "31 (28–34)", "—", "30 (27–33)"],
        [cpi, "Azerbaijan", "—", "—", "23 (20–26)", "—", "22 (19–25)"],
        [wgi, "Uzbekistan", "—", "—", "38 (30–46)", "—", "—"],
        [wgi, "Azerbaijan", "—", "—", "51 (44–60)", "—", "—"],
        ["Public procurement volume, trillion UZS", "Uzbekistan", "—", "—", "—", "12.5", "—"],
    ]  # GEO is neither country nor peer; 2016 is before the window
    ru = s.indicator_table(report(registry_path, "ru"), ref, ["AZE"])
    assert ru.frame.iloc[2].tolist()[:5] == ["WGI «Эффективность государственного управления», "
                                             "процентильный ранг", "Узбекистан", "—", "—",
                                             "38 (30–46)"]


def test_indicator_gaps_in_words(registry_path, ref):
    en = repr(s.indicator_gaps(report(registry_path), ref, ["AZE"]))
    missing = "WGI Control of Corruption, percentile rank; Open Budget Index (OBI, Open Budget " \
              "Survey, 0–100)."
    assert en.startswith(f"Gaps: no value is recorded for Uzbekistan for {missing} "
                         f"Gaps: no value is recorded for Azerbaijan for {missing} "
                         "No PEFA PI-24 (procurement) score is recorded for any country")
    ru = repr(s.indicator_gaps(report(registry_path, "ru"), ref, []))
    assert ru.startswith("Для Узбекистана в справочных данных нет значений: WGI «Контроль "
                         "коррупции», процентильный ранг; индекс открытости бюджета (OBI, "
                         "0–100). Баллы по показателю PI-24")


def test_indicator_sources_one_item_per_source_with_years(registry_path, ref):
    bullets = s.indicator_sources(report(registry_path), ref, ["AZE"])
    assert isinstance(bullets, Bullets)
    cpi = "Corruption Perceptions Index score (TI, 0–100)"
    wgi = "WGI Government Effectiveness, percentile rank"
    assert [(i[0].text, i[0].href, i[1]) for i in bullets.items] == [
        ("S-A", "https://example.org/a", f": {cpi}, Uzbekistan 2018"),
        ("S-B", "https://example.org/b", f": {cpi}, Uzbekistan 2020"),
        ("S-C", "https://example.org/c", f": {cpi}, Uzbekistan 2022"),
        ("S-E", "https://example.org/e", f": {cpi}, Azerbaijan 2022, 2024"),
        ("WGI", "https://example.org/w",
         f": {wgi}, Uzbekistan 2022; {wgi}, Azerbaijan 2022"),
        ("MoF", "https://example.org/m", ": Public procurement volume, trillion UZS, "
                                         "Uzbekistan 2023"),
        ("S-D", "https://example.org/d", f": {cpi}, Uzbekistan 2024"),
    ]
    assert s._year_ranges([2021, 2017, 2018, 2019]) == "2017–2019, 2021"


def test_indicator_values_keep_gaps_for_the_chart(registry_path, ref):
    values = s.indicator_values(report(registry_path), ref, ["AZE"])
    # headline indicators with any value: CPI score and WGI government effectiveness;
    # 2 indicators x 2 countries x 7 years (2018-2024)
    assert len(values) == 28
    assert list(pd.unique(values["indicator"])) == [
        "Corruption Perceptions Index score (TI, 0–100)",
        "WGI Government Effectiveness, percentile rank"]
    at = {(i[:3], c, y): (v, lo, hi) for i, c, y, v, lo, hi in values.itertuples(index=False)}
    assert at[("Cor", "Uzbekistan", 2020)] == (26, 23, 29)
    assert at[("WGI", "Azerbaijan", 2022)] == (50.9434, 44.2, 60.0)
    assert all(math.isnan(x) for x in at[("Cor", "Uzbekistan", 2021)])
    spec = s.indicator_chart(report(registry_path), ref, ["AZE"]).to_dict()
    panels = spec["concat"]
    assert [x["title"]["text"] for x in panels] == list(pd.unique(values["indicator"]))
    for panel in panels:  # a 0-100 index on 0-100, from the first year with a value (2018)
        line = next(layer for layer in panel["layer"] if layer["mark"]["type"] == "line")
        assert line["encoding"]["y"]["scale"]["domain"] == [0.0, 100.0]
        assert line["encoding"]["x"]["scale"]["domain"] == [2018, 2024]


def test_milestone_table_numbers_dates_and_activities_within_twelve_months(registry_path, ref):
    table = s.milestone_table(report(registry_path), ref)
    assert isinstance(table, Table)
    frame = table.frame
    assert frame.iloc[:, :4].values.tolist() == [
        # U1 (2021-03-01) is 22 months after May 2019
        ["1", "May 2019", "Old law", "—"],
        # U2 (2022-06-01) is 379 days before; U3 196, U4 134 days before, U5 78 days after
        # each cited as a reader finds it in the annex: its date and partners
        ["2", "June 15, 2023", "Law X", "December 1, 2022, ADB; February 1, 2023, World Bank; "
                                        "September 1, 2023, World Bank, ADB"],
        # U5 (2023-09-01) is 431 days before; U6 is not procurement-related
        ["3", "November 5, 2024", "Portal Y", "—"],
    ]
    assert frame.iloc[1, 4] == Span("S-M1", href="https://example.org/m1")
    ru = s.milestone_table(report(registry_path, "ru"), ref)
    assert [nbsp(d) for d in ru.frame.iloc[:, 1]] == ["май 2019 г.", "15 июня 2023 г.",
                                                       "5 ноября 2024 г."]
    assert list(ru.frame.columns)[:3] == ["№", "Дата", "Этап"]
    other = s.milestone_table(report(registry_path), ref, country="GEO")
    assert isinstance(other, Paragraph)
    assert repr(other) == "No procurement milestone of Georgia is recorded in the reference data."


def test_milestone_chart_shares_the_numbers_and_counts_every_year(registry_path, ref):
    spec = s.milestone_chart(report(registry_path), ref).to_dict()
    rows = [row for dataset in spec["datasets"].values() for row in dataset]
    bars = {row["year"]: row["activities"] for row in rows if "activities" in row}
    # from the first milestone's year (2019) to the period's end; all UZB procurement activities
    assert bars == {"2019": 0, "2020": 0, "2021": 1, "2022": 2, "2023": 2, "2024": 0}
    marks = [(row["number"], row["milestone"]) for row in rows if "milestone" in row]
    assert marks == [(1, "Old law"), (2, "Law X"), (3, "Portal Y")]
    assert spec["title"]["text"] == ("Uzbekistan: Procurement-related activities per year and "
                                     "reform milestones")


def test_compute_findings_every_rule_with_evidence_in_severity_order(registry_path, ref):
    data = report(registry_path)
    found = s.compute_findings(data, ref, "AZE", p.placed_on_pillars(data), as_of=AS_OF)
    assert [x.kind for x in found] == ["reform_unsupported", "pillar_gap", "pillar_gap",
                                       "overdue", "indicator_improved", "ahead_of",
                                       "period_fall"]
    unsupported, gap3, gap4, overdue, better, ahead, fall = found
    assert unsupported.evidence == (f.Cited("Portal Y", "UZB", "S-M2", "https://example.org/m2"),)
    assert (gap3.values, gap4.values) == ({"pillar": "III"}, {"pillar": "IV"})
    assert overdue.evidence == ("C1",) and overdue.values == {"count": 1}
    assert fall.evidence == ("2021–2022: U1, U2, U3", "2023–2024: U4, U5")
    # 2016 21 (18–24) → 2024 30 (27–33): apart; the last step 31 → 30 is inside the intervals
    assert better.evidence == (
        f.Cited("cpi_score", "UZB", "S-Z", "https://example.org/z", 2016, 21.0),
        f.Cited("cpi_score", "UZB", "S-D", "https://example.org/d", 2024, 30.0))
    # 2024: 30 (27–33) against AZE 22 (19–25): apart; WGI GE (capacity) is never compared
    assert (ahead.values["value"], ahead.values["peer_value"]) == (30.0, 22.0)
    # no dependence: only 2 procurement-related activities in the period (fewer than 3)

    sentences = [s.finding_sentence(data, x) for x in found]
    assert sentences == [
        "The reform step “Portal Y” (November 5, 2024) has no procurement-related partner "
        "activity on record within 12 months of it.",
        "MAPS pillar III (Public procurement operations and market practices): no "
        "procurement-related activity on record in this registry is tagged to it in the period.",
        "MAPS pillar IV (Accountability, integrity and transparency of the public procurement "
        "system): no procurement-related activity on record in this registry is tagged to it "
        "in the period.",
        "Follow-up: 1 commitment announced at procurement-related activities is past due, with "
        "no evidence of delivery recorded.",
        "Corruption Perceptions Index score (TI, 0–100) improved from 21 (2016) to 30 (2024), "
        "by more than the published margin of error.",
        "Corruption Perceptions Index score (TI, 0–100) in 2024: 30, better than Azerbaijan "
        "(22) by more than the margin of error.",
        "Procurement-related activities on record fell from 3 in 2021–2022 to 2 in 2023–2024.",
    ]
    table = s.findings_table(data, found)
    assert isinstance(table, Table)
    assert list(table.frame.columns) == ["No.", "Finding", "Evidence"]
    assert table.frame["No."].tolist() == ["1", "2", "3", "4", "5", "6", "7"]
    assert table.frame["Evidence"].tolist() == [
        "S-M2",
        "Procurement-related activities per MAPS pillar and year (an activity counts once "
        "under each pillar it is placed on)",
        "Procurement-related activities per MAPS pillar and year (an activity counts once "
        "under each pillar it is placed on)",
        "«Publish a report»",  # commitment C1, by its text
        "Uzbekistan 2016: 21 (S-Z); Uzbekistan 2024: 30 (S-D)",
        "Uzbekistan 2024: 30 (S-D); Azerbaijan 2024: 22 (S-E)",
        "2021–2022: March 1, 2021, World Bank; June 1, 2022, World Bank; December 1, 2022, ADB; "
        "2023–2024: February 1, 2023, World Bank; September 1, 2023, World Bank, ADB",
    ]
    assert s.findings_lead(data, found, top=1) == f"Most important findings: {sentences[0]}"


def test_recommendations_answer_findings_with_owner_instrument_and_time(registry_path, ref):
    data = report(registry_path)
    found = s.compute_findings(data, ref, "AZE", p.placed_on_pillars(data), as_of=AS_OF,
                               benchmarks=["GEO"])
    assert [x.kind for x in found][4:6] == ["indicator_improved", "behind_benchmark"]
    table = s.recommendations_table(data, found)
    assert isinstance(table, Table)
    rows = table.frame.to_dict("records")
    # the reform (1), both pillar gaps (2, 3) in one, the overdue commitment (4), Georgia (6);
    # the improvement, the peer and the fall in activity call for none
    assert [r["Findings"] for r in rows] == ["1", "2, 3", "4", "6"]
    assert [r["Recommendation"] for r in rows] == [
        "Review with the authorities how these reform steps are being implemented, and record "
        "any partner support given: «Portal Y» (November 5, 2024).",
        "Carry out a MAPS-based diagnostic of pillars III (indicators 9–10) and IV (indicators "
        "11–14) to establish whether the system needs support there, and agree on any support "
        "from its results.",
        "Ask the parties for the status of «Publish a report»; where delivered, obtain the "
        "document and record it as evidence, otherwise agree a new date.",
        "Arrange a peer-learning exchange with the procurement authority of Georgia, which does "
        "better on: Corruption Perceptions Index score (TI, 0–100); focus it on the practices "
        "behind that result.",
    ]
    # owners from the data: make_row's counterpart, and the partners of the activities
    # (U4 for C1: World Bank; the period's U4 and U5: World Bank twice, ADB once); the
    # exchange with Georgia names no partner: none of Georgia's is recorded here
    assert [r["Owner"] for r in rows] == [
        "Test Ministry; partners: World Bank and ADB",
        "Test Ministry; partners: World Bank and ADB",
        "Test Ministry; partner: World Bank",
        "Test Ministry"]
    assert [r["Time frame"] for r in rows] == ["Within 6 months", "Within 12 months",
                                               "Within 3 months", "Within 12 months"]
    assert len({r["Recommendation"] for r in rows}) == len(rows)  # no sentence twice
    ru = s.recommendations_table(report(registry_path, "ru"), found)
    assert ru.frame.iloc[3, 1] == (
        # the index named in lower case inside the sentence, no brackets within brackets
        "Организовать обмен опытом с ведомством по закупкам Грузии, где лучше показатели: "
        "индекс восприятия коррупции (ИВК, 0–100); сосредоточить его на практиках, "
        "обеспечивших этот результат.")


def test_an_exchange_already_recorded_with_the_benchmark_is_built_on(tmp_path, ref):
    """When the country already cooperates with a partner of the benchmark country, the
    recommendation builds on it, cites it, and names that partner as the owner's partner."""
    rows = [make_row(activity_id=a, date=d, country=c, partners=ps, themes=ts,
                     title=f"Activity {a}") for a, d, c, ps, ts in ROWS]
    rows.append(make_row(activity_id="U7", date="2024-04-18", partners="SPA Georgia",
                         themes="public_procurement;anti_corruption", title="Exchange"))
    (tmp_path / "reg.csv").write_text(registry_text(rows), encoding="utf-8")
    (tmp_path / "reg.commitments.csv").write_text(COMMITMENTS, encoding="utf-8")
    data = report(tmp_path / "reg.csv")
    found = s.compute_findings(data, ref, "AZE", p.placed_on_pillars(data), as_of=AS_OF,
                               benchmarks=["GEO"])
    table = s.recommendations_table(data, found)
    assert isinstance(table, Table)
    last = table.frame.iloc[-1]
    assert last["Recommendation"] == (
        "Build on the exchange already recorded with State Procurement Agency of Georgia "
        "(April 18, 2024) "
        "and focus it on the practices behind Georgia's better results on: Corruption "
        "Perceptions Index score (TI, 0–100).")
    assert last["Owner"] == "Test Ministry; partner: State Procurement Agency of Georgia"


def test_no_indicator_value_after_the_report_date_is_read(registry_path, ref):
    """One clock: a report dated in 2023 judges CPI on 2016–2022 values (21 → 31, apart), and
    compares with the peer in 2022 (31 against 23: 28–34 and 20–26 touch no more than at 26 <
    28, apart), never with the 2024 values."""
    data = r.prepare_report(registry_path, ["UZB"], 2023, 2024, "en", as_of="2023-06-30")
    found = s.compute_findings(data, ref, "AZE", p.placed_on_pillars(data))
    better = next(x for x in found if x.kind == "indicator_improved")
    ahead = next(x for x in found if x.kind == "ahead_of")
    assert (better.values["year"], better.values["value"]) == (2022, 31.0)
    assert (ahead.values["year"], ahead.values["peer_value"]) == (2022, 23.0)
    assert not any(x.kind == "overdue" for x in found)  # C1 is due 2024-03: not yet


def test_russian_milestones_use_milestone_ru_and_mark_an_english_fallback(registry_path, ref):
    russian = s.localized_milestones(report(registry_path, "ru"), ref.milestones)
    english = s.localized_milestones(report(registry_path), ref.milestones)
    assert russian["milestone"].tolist() == ["Law X (англ.)", "Old law (англ.)", "Портал Y",
                                             "AZE law (англ.)"]
    assert english["milestone"].tolist() == ["Law X", "Old law", "Portal Y", "AZE law"]


def test_compute_findings_in_russian(registry_path, ref):
    data = report(registry_path, "ru")
    found = s.compute_findings(data, ref, "AZE", p.placed_on_pillars(data), as_of=AS_OF)
    sentences = [nbsp(s.finding_sentence(data, x)) for x in found]
    assert sentences == [
        "Этап реформы «Портал Y» (5 ноября 2024 г.) не сопровождался ни одним "
        "зарегистрированным мероприятием партнёров по закупкам в течение 12 месяцев до и "
        "после него.",
        "За период ни одно из учтённых мероприятий по закупкам не отнесено к компоненту "
        "III MAPS «Закупочные операции и рыночная практика».",
        "За период ни одно из учтённых мероприятий по закупкам не отнесено к компоненту "
        "IV MAPS «Подотчётность, добросовестность и прозрачность системы государственных "
        "закупок».",
        "Срок выполнения одного обязательства, принятого в ходе мероприятий по закупкам, "
        "истёк; подтверждение выполнения в реестре не зарегистрировано.",
        "По индексу восприятия коррупции Transparency International (ИВК, 0–100) значение "
        "Узбекистана улучшилось с 21 (2016 г.) до 30 (2024 г.); изменение превышает "
        "опубликованную погрешность.",
        "По индексу восприятия коррупции Transparency International (ИВК, 0–100) Узбекистан "
        "в 2024 г. опережал Азербайджан (30 против 22); разница превышает погрешность.",
        "Число зарегистрированных мероприятий по закупкам снизилось с 3 за "
        "2021–2022 гг. до 2 за 2023–2024 гг.",
    ]
    table = s.findings_table(data, found)
    assert isinstance(table, Table)
    assert table.frame["Основание"].iloc[5] == ("Узбекистан, 2024 г.: 30 (S-D); Азербайджан, "
                                                "2024 г.: 22 (S-E)")


def test_compute_findings_only_rules_past_their_threshold(registry_path, ref):
    # 2021-2022 against 2019-2020: no UZB milestone in the period, pillars I-III reached (U1,
    # U2, U3) but not IV, no commitment of these activities, 3 now against none before
    data = r.prepare_report(registry_path, ["UZB"], 2021, 2022, "en")
    found = s.compute_findings(data, ref, None, p.placed_on_pillars(data), as_of=AS_OF)
    # CPI 2016 21 (18–24) → 2022 31 (28–34): an improvement beyond the intervals; no peer:
    # no comparison; World Bank is in U1 and U2: 2 of 3 > 50 %
    assert [(x.kind, x.values.get("year"), x.values.get("partner")) for x in found] == [
        ("pillar_gap", None, None), ("indicator_improved", 2022, None),
        ("dependence", None, "World Bank")]
    assert found[2].values == {"partner": "World Bank", "count": 2, "total": 3,
                               "share": 2 / 3}
    assert found[2].evidence == ("U1", "U2")


@pytest.mark.parametrize(("count", "lang", "sentence"), [
    (2, "en", "Follow-up: 2 commitments announced at procurement-related activities are past "
              "due, with no evidence of delivery recorded."),
    # a whole sentence that says the due date passed, not that nothing was delivered (the
    # method says «срок истёк» means no evidence is recorded); the number in the genitive,
    # in words to ten, the participle agreeing
    (2, "ru", "Срок выполнения двух обязательств, принятых в ходе мероприятий по закупкам, "
              "истёк; подтверждение выполнения в реестре не зарегистрировано."),
    (5, "ru", "Срок выполнения пяти обязательств, принятых в ходе мероприятий по закупкам, "
              "истёк; подтверждение выполнения в реестре не зарегистрировано."),
    (21, "ru", "Срок выполнения 21 обязательства, принятого в ходе мероприятий по закупкам, "
               "истёк; подтверждение выполнения в реестре не зарегистрировано."),
])
def test_overdue_sentence_agrees_with_the_number(registry_path, count, lang, sentence):
    finding = f.Finding("overdue", {"count": count}, ())
    assert s.finding_sentence(report(registry_path, lang), finding) == sentence


@pytest.mark.parametrize(("total", "of_total"), [
    (21, "из 21 двустороннего мероприятия по закупкам"),
    (25, "из 25 двусторонних мероприятий по закупкам")])
def test_dependence_total_in_the_genitive(registry_path, total, of_total):
    finding = f.Finding("dependence", {"partner": "ADB", "count": 12, "total": total,
                                       "share": 12 / total})
    text = nbsp(s.finding_sentence(report(registry_path, "ru"), finding))
    assert text.startswith(f"АБР участвует в 12 {of_total} (")


def test_unsupported_reform_window_in_months_agrees(registry_path):
    finding = f.Finding("reform_unsupported", {"date": "2024", "precision": "year",
                                               "milestone": "M", "months": 1})
    assert s.finding_sentence(report(registry_path), finding).endswith("within 1 month of it.")
    assert s.finding_sentence(report(registry_path, "ru"), finding).endswith(
        "в течение 1 месяца до и после него.")


def test_system_view_orders_the_section_for_any_report(registry_path, ref):
    data = r.prepare_report(registry_path, ["UZB", "AZE"], 2023, 2024, "en")
    shown = s.system_view(data, ref)
    kinds = [type(x).__name__ for x in shown]
    # indicators chart, sources, values, gaps; UZB milestone chart and table; AZE the same
    assert kinds == ["ConcatChart", "Bullets", "Table", "Paragraph", "LayerChart", "Table",
                     "LayerChart", "Table"]
    assert shown[7].frame.iloc[:, 2].tolist() == ["AZE law"]


def test_a_russian_report_names_sources_in_russian(registry_path, tmp_path, monkeypatch):
    """source_names.csv beside the reference data gives the Russian form; a name without
    one is kept as written; an English report keeps every name."""
    from analysis.core import paths as core_paths

    (tmp_path / "source_names.csv").write_text(
        'source,source_ru\n"World Bank, WGI 2024","Всемирный банк, WGI, выпуск 2024 г."\n',
        encoding="utf-8")
    monkeypatch.setattr(core_paths, "reference_dir", lambda: tmp_path)
    data = report(registry_path, "ru")
    assert data.source("World Bank, WGI 2024") == "Всемирный банк, WGI, выпуск 2024 г."
    assert data.source("Kazinform") == "Kazinform"
    assert report(registry_path).source("World Bank, WGI 2024") == "World Bank, WGI 2024"


def test_the_legend_lists_the_reports_country_first(registry_path, ref):
    """An Azerbaijan report's indicator legend reads Azerbaijan, Uzbekistan (the colour file
    lists Uzbekistan first); each keeps its own colour."""
    aze = r.prepare_report(registry_path, ["AZE"], 2023, 2024, "en")
    uzb = report(registry_path)
    def scale(data, peer):
        panel = s.indicator_chart(data, ref, [peer]).to_dict()["concat"][0]
        line = next(layer for layer in panel["layer"] if layer["mark"]["type"] == "line")
        return line["encoding"]["color"]["scale"]
    theirs, ours = scale(aze, "UZB"), scale(uzb, "AZE")
    assert theirs["domain"] == ["Azerbaijan", "Uzbekistan"]
    assert ours["domain"] == ["Uzbekistan", "Azerbaijan"]
    assert dict(zip(theirs["domain"], theirs["range"], strict=True)) == dict(
        zip(ours["domain"], ours["range"], strict=True))
