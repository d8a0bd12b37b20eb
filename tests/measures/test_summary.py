"""The executive summary is rebuilt from a small registry; every stated figure is checked.

Fixture (fictional): Uzbekistan 2022-2024 has four activities, two procurement-related
(U1 public_procurement, U2 e_procurement); the previous period 2019-2021 has one (U5);
Azerbaijan, the peer, has two activities in 2022-2024, one procurement-related.
"""

from __future__ import annotations

import re

import pytest

from analysis.data.registry import load_registry
from analysis.data.taxonomy import load_taxonomy
from analysis.measures.summary import summary_facts
from analysis.report.summary import summary_sentences
from tests.helpers import make_row

ROWS = [
    dict(activity_id="U1", date="2022-03-01", themes="public_procurement;governance",
         partners="World Bank;EU"),
    dict(activity_id="U2", date="2023-05", date_precision="month", themes="e_procurement",
         partners="World Bank"),
    dict(activity_id="U3", date="2023", date_precision="year", themes="governance",
         partners="UNDP"),
    dict(activity_id="U4", date="2024-01-10", themes="anti_corruption", partners="OECD"),
    dict(activity_id="U5", date="2020-06-01", themes="public_procurement", partners="ADB"),
    dict(activity_id="A1", country="AZE", date="2022-02-02", themes="public_procurement",
         partners="ADB"),
    dict(activity_id="A2", country="AZE", date="2024-07-07", themes="governance", partners="EU"),
]

EXPECTED = {
    "en": [
        "In 2022–2024 the registry records 4 cooperation activities with Uzbekistan; "
        "2 of them (50%) are procurement-related.",
        "That is more than in the previous period of equal length, 2019–2021, which had 1.",
        "The leading partners in procurement-related cooperation are World Bank (2) and "
        "European Union (1).",
        # U1 (public_procurement; governance) names no pillar; U4 (anti_corruption alone) is
        # not procurement-related, so pillar IV stays empty; U2 (e_procurement) -> II
        "Procurement-related activities on record are tagged to pillar II of the Methodology "
        "for Assessing Procurement Systems (MAPS) only (1 activity); none is tagged to pillars "
        "I (Legal, "
        "regulatory and policy framework), III (Public "
        "procurement operations and market practices), and IV (Accountability, integrity and "
        "transparency of the public procurement system).",
        "For comparison, in the same period Azerbaijan has 1 procurement-related activity "
        "out of 2 activities (50%).",
    ],
    "ru": [
        "За 2022–2024 гг. в реестре учтено 4 мероприятия сотрудничества с Узбекистаном; "
        "из них два (50\u202f%) связаны с закупками.",
        # the previous three years, and their one activity, in words
        "За предыдущие три года (2019–2021 гг.) таких мероприятий было лишь одно.",
        "Чаще других в мероприятиях по закупкам участвовали Всемирный банк (2) и "
        "Европейский союз (1).",
        # a pillar's name in «quotes», not a second pair of brackets
        "По Методологии оценки закупочных систем (MAPS) мероприятия по закупкам отнесены "
        "только к компоненту II (1 мероприятие); к компонентам I «Правовая, нормативная "
        "и политическая база», III «Закупочные операции и рыночная практика» и IV "
        "«Подотчётность, добросовестность и прозрачность системы государственных закупок» "
        "не отнесено ни одного.",
        "Для сравнения: у Азербайджана за тот же период с закупками связано одно из "
        "2 мероприятий (50\u202f%).",
    ],
}


def frame(write_registry, rows):
    return load_registry(write_registry([make_row(**r) for r in rows])).activities


def sentences(df, lang, country="UZB", peer="AZE", years=(2022, 2024)):
    facts = summary_facts(df, load_taxonomy(), country, years, peer=peer)
    # babel writes a no-break space before the Russian percent sign
    return [s.replace("\xa0", " ") for s in summary_sentences(facts, load_taxonomy(), lang)]


def test_facts_computed_by_hand(write_registry):
    facts = summary_facts(frame(write_registry, ROWS), load_taxonomy(), "UZB", (2022, 2024),
                          peer="AZE")
    assert (facts.current.activities, facts.current.procurement) == (4, 2)
    assert facts.previous_years == (2019, 2021)
    assert (facts.previous.activities, facts.previous.procurement) == (1, 1)
    assert facts.leading_partners == (("World Bank", 2), ("European Union", 1))
    assert facts.pillars_with == ("II",) and facts.pillars_without == ("I", "III", "IV")
    assert facts.pillar_counts == (("I", 0), ("II", 1), ("III", 0), ("IV", 0))
    assert facts.peer_facts is not None
    assert (facts.peer_facts.activities, facts.peer_facts.procurement) == (2, 1)


@pytest.mark.parametrize("lang", ["en", "ru"])
def test_summary_sentences(write_registry, lang):
    assert sentences(frame(write_registry, ROWS), lang) == EXPECTED[lang]


def test_russian_summary_has_no_english(write_registry):
    text = " ".join(sentences(frame(write_registry, ROWS), "ru"))
    assert set(re.findall(r"[A-Za-z]+", text)) <= {"MAPS", "I", "II", "III", "IV"}


def test_a_change_in_the_data_changes_the_text(write_registry):
    more = [*ROWS, dict(activity_id="U6", date="2024-05-05", themes="contract_management",
                        partners="ADB")]
    first = sentences(frame(write_registry, more), "en")[0]
    # 5 activities, 3 procurement-related (U1, U2, U6): 60 %
    assert first == ("In 2022–2024 the registry records 5 cooperation activities with "
                     "Uzbekistan; 3 of them (60%) are procurement-related.")
    # contract_management is a procurement theme on pillar III: III is no longer a gap
    assert sentences(frame(write_registry, more), "en")[3] == (
        "Procurement-related activities on record are tagged to pillars II (1), III (1) of the "
        "Methodology for Assessing Procurement Systems (MAPS) (activities tagged per pillar in "
        "brackets); none is tagged to pillars I (Legal, regulatory and "
        "policy framework) and IV (Accountability, integrity and transparency of the public "
        "procurement system).")


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", ["No cooperation activity with Kazakhstan is recorded for 2022–2024, so every "
            "measure in this report is zero.",
            "The previous period of equal length, 2019–2021, had none on record either.",
            "No partner has procurement-related cooperation on record in the period.",
            "No procurement-related activity on record can be placed on a pillar of the "
            "Methodology for Assessing Procurement Systems (MAPS)."]),
    ("ru", ["За 2022–2024 гг. в реестре нет ни одного мероприятия сотрудничества с "
            "Казахстаном, поэтому все показатели отчёта равны нулю.",
            "За предыдущие три года (2019–2021 гг.) таких мероприятий тоже не было.",
            "За этот период не зарегистрировано ни одного мероприятия по закупкам с участием "
            "партнёров.",
            "Ни одно из зарегистрированных мероприятий по закупкам не удалось отнести "
            "к компонентам Методологии оценки закупочных систем (MAPS)."]),
])
def test_country_with_nothing_reads_well(write_registry, lang, expected):
    assert sentences(frame(write_registry, ROWS), lang, country="KAZ", peer=None) == expected


def test_trend_down_and_single_partner(write_registry):
    rows = [dict(activity_id="P1", date="2019-01-01", themes="public_procurement",
                 partners="ADB"),
            dict(activity_id="P2", date="2020-01-01", themes="public_procurement",
                 partners="ADB"),
            dict(activity_id="C1", date="2023-01-01", themes="green_procurement",
                 partners="EBRD")]
    text = sentences(frame(write_registry, rows), "en", peer=None)
    assert text[1] == ("That is fewer than in the previous period of equal length, "
                       "2019–2021, which had 2.")
    assert text[2] == "The only partner in procurement-related cooperation is EBRD (1)."
    assert len(text) == 4  # no peer sentence without a peer


def test_partners_tied_at_the_cut_are_all_named(write_registry):
    rows = [dict(activity_id=f"T{i}", date="2023-01-01", themes="public_procurement",
                 partners=partners)
            for i, partners in enumerate(["ADB", "ADB", "ADB", "EU", "EU", "UNEP", "World Bank",
                                          "OECD"])]
    facts = summary_facts(frame(write_registry, rows), load_taxonomy(), "UZB", (2022, 2024))
    # ADB 3, EU 2, then OECD, UNEP and World Bank tied at 1: all three are named
    assert facts.leading_partners == (("ADB", 3), ("European Union", 2), ("OECD", 1),
                                      ("UNEP", 1), ("World Bank", 1))


def test_a_one_year_period_reads_as_one_year(write_registry):
    text = sentences(frame(write_registry, ROWS), "en", years=(2023, 2023))
    # 2023: U2 (e-procurement) and U3; previous period 2022: U1 (procurement)
    assert text[0] == ("In 2023 the registry records 2 cooperation activities with Uzbekistan; "
                       "1 of them (50%) is procurement-related.")
    assert text[1] == "That is as many as in the previous period of equal length, 2022."
    ru = sentences(frame(write_registry, ROWS), "ru", years=(2023, 2023))
    assert ru[0].startswith("За 2023 г. в реестре учтено 2 мероприятия сотрудничества")
