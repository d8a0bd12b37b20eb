"""Sections of the Strategic Procurement report on a small fictional registry."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.core.errors import ParameterError
from analysis.report import annex as a
from analysis.report import procurement as p
from analysis.report import sections as r
from analysis.report.display import Paragraph, Table
from tests.helpers import HEADER, make_row, registry_text

COMMITMENTS = ("commitment_id,activity_id,commitment,due,status,evidence_activity_ids,note\n"
               "C1,U1,Publish a procurement strategy,2023-06,planned,,\n"
               "C2,U1,Train 100 officials,2030,in_progress,U2,\n"
               "C3,U2,Launch e-procurement,2023,delivered,U4,\n"
               "C4,U1,Write a roadmap,,planned,,\n")


@pytest.fixture
def registry_path(tmp_path):
    rows = [
        make_row(activity_id="U1", date="2022-03-01", themes="public_procurement;governance",
                 partners="World Bank;EU", maps_pillars="I"),
        make_row(activity_id="U2", date="2023-05", date_precision="month",
                 themes="e_procurement;capacity_building", partners="World Bank"),
        make_row(activity_id="U4", date="2024-01-10", themes="anti_corruption", partners="OECD"),
        make_row(activity_id="A1", country="AZE", date="2022-02-02",
                 themes="public_procurement", partners="ADB"),
    ]
    path = tmp_path / "reg.csv"
    path.write_text(registry_text(rows, [*HEADER, "maps_pillars"]), encoding="utf-8")
    (tmp_path / "reg.commitments.csv").write_text(COMMITMENTS, encoding="utf-8")
    return path


def data_for(path, lang="en", years=(2022, 2024)):
    return r.prepare_report(path, ["UZB"], years[0], years[1], lang)


def test_pillar_table_and_gaps(registry_path):
    data = data_for(registry_path)
    table = p.pillar_table(data)
    totals = dict(zip(table.frame.iloc[:, 0], table.frame["Total"], strict=True))
    # U1 explicit maps_pillars I; U2 e_procurement -> II; U4 anti_corruption alone is not
    # procurement-related, so it is on no pillar (IV stays empty)
    assert [totals[k] for k in sorted(totals)] == [1, 1, 0, 0]
    assert p.pillar_gaps(data).parts == (
        "Gaps: no procurement-related activity on record is tagged to 2 MAPS pillars: "
        "III. Public procurement operations and market practices; IV. Accountability, "
        "integrity and transparency of the public procurement system.",)
    assert "Procurement-related activities" in table.caption
    # Russian names a pillar as «компонент IV MAPS «…»»
    assert p.pillar_gaps(data_for(registry_path, lang="ru")).parts == (
        "Пробелы: ни одно из учтённых мероприятий по закупкам не относится к компонентам "
        "III MAPS «Закупочные операции и рыночная практика»; IV MAPS "
        "«Подотчётность, добросовестность и прозрачность системы государственных закупок».",)


def test_method_says_how_many_activities_each_rule_placed(registry_path):
    bullets = p.scope_and_method(data_for(registry_path))
    text = " ".join(part for item in bullets.items for part in item)
    # U1 by the analyst (the maps_pillars column), U2 by its themes; nothing left unplaced
    assert ("One by its themes; one was placed by hand by the analyst; every one is placed. "
            "An activity counts once") in text
    # the reader is told the rule in words, never the registry's column or file names
    assert "maps_pillars" not in text and "themes.csv" not in text


def test_commitments_overdue_as_of_a_date(registry_path):
    table = p.commitments_table(data_for(registry_path), as_of=pd.Timestamp("2024-01-01"))
    assert isinstance(table, Table)
    rows = {row["Commitment"]: row for row in table.frame.to_dict("records")}
    # C1 due June 2023, planned -> past due; C2 due 2030 -> not; C3 delivered -> never;
    # C4 undated, made 2022-03-01: not stale on 2024-01-01 (22 months), stale on 2024-03-02
    follow = "Follow-up"
    assert rows["Publish a procurement strategy"][follow] == (
        "past due; no evidence of delivery recorded")
    assert rows["Train 100 officials"][follow] == ""
    assert rows["Launch e-procurement"][follow] == ""
    assert rows["Write a roadmap"][follow] == ""
    assert rows["Train 100 officials"]["Later activities as evidence"] == "May 2023"
    assert rows["Publish a procurement strategy"]["Announced"] == "March 1, 2022"
    assert "(past due: 1; stale: 0)" in table.caption
    later = p.commitments_table(data_for(registry_path), as_of=pd.Timestamp("2024-03-02"))
    rows = {row["Commitment"]: row for row in later.frame.to_dict("records")}
    assert rows["Write a roadmap"][follow] == (
        "stale: no due date and no evidence of delivery recorded")
    assert "(past due: 1; stale: 1)" in later.caption


def test_commitments_follow_the_report_date_by_default(registry_path):
    """One clock: without ``as_of`` the table is judged on the report's own date."""
    import datetime as dt

    data = r.prepare_report(registry_path, ["UZB"], 2022, 2024, "en", as_of="2024-03-02")
    assert data.as_of == dt.date(2024, 3, 2)
    table = p.commitments_table(data)
    assert "as of March 2, 2024 (past due: 1; stale: 1)" in table.caption


def test_peer_table_same_measures(registry_path):
    table = p.peer_table(data_for(registry_path), "AZE")
    values = {row["Measure"]: (row["Uzbekistan"], row["Azerbaijan"])
              for row in table.frame.to_dict("records")}
    assert values["Activities"] == ("3", "1")
    assert values["Procurement-related"] == ("2", "1")
    assert values["Share procurement-related"] == ("67%", "100%")
    # UZB: U1 explicit I, U2 II; AZE: A1 public_procurement names no pillar
    assert values["MAPS pillars with activity"] == ("I, II", "—")


def test_peer_is_optional_and_checked(registry_path):
    data = data_for(registry_path)
    assert isinstance(p.peer_table(data, None), Paragraph)
    with pytest.raises(ParameterError, match="peer must differ"):
        p.peer_table(data, "UZB")
    with pytest.raises(ParameterError, match="not an ISO 3166-1"):
        p.executive_summary(data, "XYZ")


def test_coverage_shows_zero_years(registry_path):
    table = p.coverage_table(data_for(registry_path, years=(2021, 2024)))
    assert table.frame.iloc[:, 0].tolist() == ["2021", "2022", "2023", "2024"]
    assert table.frame.iloc[:, 1].tolist() == [0, 1, 1, 1]
    assert table.frame.iloc[:, 2].tolist() == [0, 1, 1, 0]


def test_russian_sections_have_no_english_outside_the_data(registry_path, monkeypatch):
    data = data_for(registry_path, lang="ru")
    # the list of abbreviations is data (data/taxonomy/abbreviations_ru.csv): left out here
    monkeypatch.setattr(p, "_abbreviations", lambda data: "")
    monkeypatch.setattr(r, "abbreviations", lambda data: "")
    # only acronyms and Roman pillar numbers; no file path, column name or checksum any more
    # (WGI: the index's own name)
    allowed = {"MAPS", "WGI", "I", "II", "III", "IV"}
    texts = [repr(p.executive_summary(data, "AZE")), repr(p.scope_and_method(data)),
             repr(p.pillar_gaps(data)), repr(r.gaps_sentence(data)), repr(r.data_note(data))]
    for make in (p.coverage_table, p.instrument_table, p.pillar_table, r.key_figures,
                 r.theme_table, r.partner_table, a.activity_annex):
        table = make(data)
        texts += [table.caption, *map(str, table.frame.columns)]
    commitments = p.commitments_table(data)
    assert isinstance(commitments, Table)
    texts += [commitments.caption, *commitments.frame.columns]
    peer = p.peer_table(data, "AZE")
    assert isinstance(peer, Table)
    texts += [peer.caption, *peer.frame.columns, *peer.frame.iloc[:, 0]]
    text = re.sub(r"\b[0-9a-f]{12}\b", "", " ".join(texts))  # the data file's checksum
    latin = set(re.findall(r"[A-Za-z]+", text))
    assert latin <= allowed, latin - allowed


def test_russian_timeline_shows_russian_types_and_every_year(registry_path):
    spec = r.timeline_chart(data_for(registry_path, lang="ru")).to_dict()
    values = [row for dataset in spec["datasets"].values() for row in dataset]
    types = {row["activity_type"] for row in values if row["layer"] == "bars"}
    assert types and not any(re.search(r"[A-Za-z]", t) for t in types)
    assert {row["country"] for row in values} == {"Узбекистан"}
    years = spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    assert years == ["2022", "2023", "2024"]  # the period, empty years included


def test_commitment_due_dates_follow_the_language(registry_path):
    table = p.commitments_table(data_for(registry_path, lang="ru"),
                                as_of=pd.Timestamp("2024-01-01"))
    assert isinstance(table, Table)
    assert sorted(table.frame["Срок"]) == ["2023", "2030", "июнь 2023\u202fг.", "—"]


def test_every_chart_and_table_says_its_scope(registry_path):
    for lang, proc, every in (("en", "procurement-related activities", "all activities"),
                              ("ru", "в сфере закупок", "все мероприятия")):
        data = data_for(registry_path, lang=lang)
        # English joins with a dash; Russian makes the scope part of the phrase
        # («Партнёры по числу мероприятий в сфере закупок»; «… (все мероприятия)»)
        tail, whole = ((f" — {proc}", f" — {every}") if lang == "en"
                       else (f"мероприятий {proc}", f" ({every})"))
        assert p.partner_chart(data).to_dict()["title"]["text"].endswith(tail)
        assert p.pillar_chart(data).to_dict()["title"]["text"].endswith(f" {proc}")
        assert p.timeline_chart(data).to_dict()["title"]["text"].endswith(whole)
        assert p.partner_table(data).caption.endswith(tail)
        assert " — " not in p.partner_table(data).caption or lang == "en"
    partners = p.partner_table(data_for(registry_path)).frame
    # procurement-related: U1 (World Bank, EU) and U2 (World Bank); OECD's U4 is not
    assert sorted(partners["Partner"]) == ["European Union", "World Bank"]
    # the EU's one year reads "2022", not "2022–2022"
    years = dict(zip(partners["Partner"], partners["Years"], strict=True))
    assert years == {"European Union": "2022", "World Bank": "2022–2023"}


def test_commitments_and_financing_cover_procurement_related_activities(tmp_path):
    rows = [make_row(activity_id="P1", date="2023-01-01", themes="public_procurement",
                     activity_type="financing", amount_usd="1000000", amount_kind="committed"),
            make_row(activity_id="N1", date="2023-02-01", themes="sme_support",
                     activity_type="financing", amount_usd="5000000", amount_kind="committed")]
    path = tmp_path / "reg.csv"
    path.write_text(registry_text(rows), encoding="utf-8")
    (tmp_path / "reg.commitments.csv").write_text(
        "commitment_id,activity_id,commitment,due,status,evidence_activity_ids,note\n"
        "C1,P1,Procurement manual,2024,planned,,\nC2,N1,National brands contest,2024,planned,,\n",
        encoding="utf-8")
    data = data_for(path)
    table = p.commitments_table(data, as_of=pd.Timestamp("2025-01-01"))
    assert isinstance(table, Table)
    assert table.frame["Commitment"].tolist() == ["Procurement manual"]
    assert "procurement-related activities" in table.caption
    heading, note, years, partners, themes = p.financing_view(data)
    assert years.caption.endswith("— procurement-related activities")
    # only P1's USD 1,000,000 (N1's 5,000,000 is not procurement-related)
    # no amount stated: a dash, not "$0"
    assert years.frame["Committed (USD)"].tolist() == ["—", "$1M", "—"]


def test_multi_country_events_are_marked_and_left_out_of_partner_counts(tmp_path):
    rows = [make_row(activity_id="U1", date="2023-03-01", themes="public_procurement",
                     partners="World Bank", maps_pillars="II", scope="bilateral"),
            make_row(activity_id="U2", date="2023-04-01", themes="public_procurement",
                     partners="OECD;EBRD", maps_pillars="I", scope="multi-country"),
            make_row(activity_id="A1", country="AZE", date="2023-02-02",
                     themes="public_procurement", partners="ADB", scope="")]
    path = tmp_path / "reg.csv"
    path.write_text(registry_text(rows, [*HEADER, "maps_pillars", "scope"]), encoding="utf-8")
    data = data_for(path, years=(2023, 2023))
    table = p.peer_table(data, "AZE")
    values = {row["Measure"]: row["Uzbekistan"] for row in table.frame.to_dict("records")}
    # the forum's OECD and EBRD are partners of the country, not of its procurement cooperation
    assert values["Partners"] == "3"
    key = "Partners in procurement-related activities (multi-country events left out)"
    assert values[key] == "1"
    marks = a.procurement_marks(data, p.placed_on_pillars(data))
    assert marks == {"U1": "II", "U2": "I (multi-country)"}
    annex = a.activity_annex(data, marks=marks)
    assert annex.frame["Procurement: MAPS pillars"].tolist() == ["II", "I (multi-country)"]


def test_a_russian_report_lists_its_abbreviations(registry_path, tmp_path, monkeypatch):
    """The method closes with the abbreviations the report uses (its partners' and the
    indicators'), Cyrillic first; an English report has no such list."""
    from analysis.core import paths as core_paths

    (tmp_path / "taxonomy").mkdir()
    (tmp_path / "taxonomy" / "abbreviations_ru.csv").write_text(
        "abbreviation,expansion\nMAPS,Методология оценки\nЕС,Европейский союз\n"
        "ВВП,валовой внутренний продукт\nОЭСР,Организация экономического сотрудничества\n",
        encoding="utf-8")
    russian, english = data_for(registry_path, lang="ru"), data_for(registry_path)
    monkeypatch.setattr(core_paths, "data_dir", lambda: tmp_path)  # after the taxonomy is read
    bullets = p.scope_and_method(russian)
    # ВВП and MAPS always; ОЭСР is a partner of U4 (OECD); ЕС appears in no name or title
    assert bullets.items[-1] == ("Список сокращений: ВВП — валовой внутренний продукт; "
                                 "ОЭСР — Организация экономического сотрудничества; "
                                 "MAPS — Методология оценки.",)
    assert not any("Abbreviations" in part
                   for item in p.scope_and_method(english).items for part in item)
    # the profile and the comparison close with the same list (their data note); the
    # strategic procurement report, which has it in its method, asks for none there
    note = repr(r.data_note(russian).shown)
    assert note.endswith(" Список сокращений: ВВП — валовой внутренний продукт; ОЭСР — "
                         "Организация экономического сотрудничества; MAPS — Методология "
                         "оценки.")
    assert "Список сокращений" not in repr(r.data_note(russian, with_abbreviations=False).shown)
    assert "Abbreviations" not in repr(r.data_note(english).shown)
