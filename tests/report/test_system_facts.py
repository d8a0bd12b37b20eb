"""The procurement-system section on hand-made reference facts (tests/fixtures/system,
fictional) and hand-made contracting data: values, years, MAPS placement, sources, gaps, the
executive summary's first sentence, and the contracting-data table or its one sentence.

Facts: UZB 2021 volume 100.5 trillion UZS (Src-A), 20% of GDP (Src-A), e-procurement 19% of
value (Src-A); UZB 2022 volume 120 (Src-B); UZB 2023 complaints body (text, Src-C); AZE 2024
single-source 54.4% of value (Src-D).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis.connectors.ocds import import_ocds
from analysis.core.errors import DataValidationError
from analysis.data.reference import load_reference, read_system
from analysis.report import sections as r
from analysis.report import system_facts as sf
from analysis.report.display import Paragraph, Table
from tests.connectors.test_ocds import RELEASES, package
from tests.helpers import FIXTURES, make_row, registry_text


@pytest.fixture(scope="module")
def ref():
    return load_reference(FIXTURES / "system")


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    folder = tmp_path_factory.mktemp("facts")
    rows = [make_row(activity_id="U1", date="2023-03-01"),
            make_row(activity_id="A1", country="AZE", date="2023-03-01")]
    (folder / "reg.csv").write_text(registry_text(rows), encoding="utf-8")
    return folder / "reg.csv"


def report(path, countries=("UZB",), lang="en"):
    return r.prepare_report(path, list(countries), 2021, 2024, lang)


def test_one_countrys_facts_with_year_maps_and_source(registry, ref):
    table = sf.facts_table(report(registry), ref)
    assert isinstance(table, Table)
    rows = table.frame.to_dict("records")
    # the order of WANTED: volume (2021, 2022), share of GDP, e-procurement, complaints body
    assert [(x["Fact"], x["Year"], x["Value"], x["MAPS pillar (indicator)"]) for x in rows] == [
        ("Public procurement volume", "2021", "100.5 trillion UZS", "II (7)"),
        ("Public procurement volume", "2022", "120 trillion UZS", "II (7)"),
        ("Public procurement volume, share of GDP", "2021", "20% of GDP", "II (7)"),
        ("Share through e-procurement, by value", "2021", "19% of value", "II (7)"),
        ("Complaints and review body", "2023", "Test Review Board", "IV (13)")]
    assert [(x["Source"].text, x["Source"].href) for x in rows][-1] == (
        "Src-C", "https://example.org/c")


def test_countries_side_by_side_take_each_facts_latest_year(registry, ref):
    table = sf.facts_table(report(registry, ("UZB", "AZE")), ref)
    assert isinstance(table, Table)
    by_fact = {x["Fact"]: (x["Uzbekistan"], x["Azerbaijan"])
               for x in table.frame.to_dict("records")}
    assert by_fact["Public procurement volume"] == ("120 trillion UZS (2022)", "—")
    assert by_fact["Share by single-source (direct) procurement, by value"] == (
        "—", "54.4% of value (2024)")


def test_the_executive_summary_opens_with_the_system(registry, ref):
    assert sf.system_lead(report(registry), ref) == (
        "In 2022, public procurement in Uzbekistan amounted to 120 trillion UZS (Src-B). "
        "Latest recorded shares: 20% of GDP (2021); 19% of value through e-procurement (2021).")
    assert sf.system_lead(report(registry, lang="ru"), ref) == (
        "В 2022 г. объём государственных закупок Узбекистана составил 120 трлн сумов; "
        "источник — Src-B. По последним данным, объём закупок составлял 20\u202f% ВВП "
        "(2021 г.); на электронные закупки приходилось 19\u202f% стоимости (2021 г.).")
    assert sf.system_lead(report(registry, ("AZE",)), ref) == (
        "No figure of the size of Azerbaijan's public procurement is recorded in the reference "
        "data.")


def test_missing_facts_are_named_as_gaps_and_a_series_is_charted(registry, ref):
    gaps = repr(sf.facts_gaps(report(registry), ref))
    # listed after a colon: lower-case initials, abbreviations kept ("PEFA PI-24")
    assert gaps == ("Gaps for Uzbekistan, not found in a citable source: share by competitive "
                    "methods, by value; procurement procedures; average bids per procedure; "
                    "complaints received; PEFA PI-24 (procurement) score; latest diagnostic "
                    "(MAPS, CPAR, CSPRA, PEFA).")
    chart = sf.facts_chart(report(registry), ref)
    assert chart is not None  # the volume: 2021 and 2022
    spec = chart.to_dict()
    [panel] = spec["vconcat"]
    values = [row for data in spec["datasets"].values() for row in data]
    assert [(v["year"], v["value"]) for v in values] == [("2021", 100.5), ("2022", 120.0)]
    assert panel["title"] == "Public procurement volume"
    assert sf.facts_chart(report(registry, ("AZE",)), ref) is None  # one year only


def test_no_contracting_data_is_one_sentence_never_zeros(registry, ref):
    [sentence] = sf.contracting_view(report(registry), "")
    assert isinstance(sentence, Paragraph)
    assert repr(sentence).startswith("No contracting data (OCDS) is configured for Uzbekistan")


def test_contracting_indicators_shown_by_year_with_their_base(registry, tmp_path):
    source = tmp_path / "p.json"
    source.write_text(json.dumps(package(RELEASES)), encoding="utf-8")
    out = tmp_path / "c.parquet"
    import_ocds([source], out)
    [table] = sf.contracting_view(report(registry), str(out))
    assert isinstance(table, Table)
    shown = dict(zip(table.frame["Indicator"], table.frame["2023"], strict=True))
    # worked out in tests/connectors/test_ocds.py: 1 of 3 single bidder, mean 2 bids, ...
    assert shown["Competitive tenders with a single bidder"] == "33% (3)"
    assert shown["Average bids, competitive tenders"] == "2 (3)"
    assert shown["Days from tender end to award (median)"] == "20 (2)"
    assert shown["Share of processes by method: open"] == "50% (4)"
    assert shown["Processes with a published contract"] == "50% (4)"
    [nothing] = sf.contracting_view(report(registry, ("AZE",)), str(out))
    assert "has no process of these countries and years" in repr(nothing)


@pytest.mark.parametrize(("row", "column", "reason"), [
    ("UZB,2023-03,tenders_count,5,procedures,III,9,S,https://e.org,2023,", "year", "not a year"),
    ("UZB,2023,tenders_count,many,procedures,III,9,S,https://e.org,2023,", "value",
     "not a number"),
    ("UZB,2023,tenders_count,5,procedures,V,9,S,https://e.org,2023,", "maps_pillar",
     "use I, II, III or IV"),
    ("UZB,2023,tenders_count,5,procedures,III,9,S,,2023,", "source_url", "required"),
])
def test_a_bad_fact_is_refused_with_its_line_and_field(tmp_path, row, column, reason):
    header = (FIXTURES / "system" / "procurement_system.csv").read_text(
        encoding="utf-8").splitlines()[0]
    path = tmp_path / "procurement_system.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    _, checked = read_system(path)
    [problem] = checked.problems
    assert (problem.line, problem.column) == (2, column) and reason in problem.reason


def test_a_fact_given_twice_for_a_year_is_refused(tmp_path):
    text = (FIXTURES / "system" / "procurement_system.csv").read_text(encoding="utf-8")
    folder = tmp_path / "ref"
    folder.mkdir()
    for name in ("country_indicators.csv", "procurement_milestones.csv", "indicator_guide.csv"):
        (folder / name).write_bytes((FIXTURES / "system" / name).read_bytes())
    (folder / "procurement_system.csv").write_text(
        text + text.splitlines()[1] + "\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match="already has this fact on line 2"):
        load_reference(folder)


def test_reference_without_a_system_file_has_no_facts(tmp_path: Path):
    for name in ("country_indicators.csv", "procurement_milestones.csv", "indicator_guide.csv"):
        (tmp_path / name).write_bytes((FIXTURES / "system" / name).read_bytes())
    ref = load_reference(tmp_path)
    assert ref.system is not None and ref.system.empty


def test_a_fact_or_unit_the_catalogue_does_not_know_shows_as_written(registry, tmp_path):
    for name in ("country_indicators.csv", "procurement_milestones.csv", "indicator_guide.csv"):
        (tmp_path / name).write_bytes((FIXTURES / "system" / name).read_bytes())
    (tmp_path / "procurement_system.csv").write_text(
        "country,year,fact,value,unit,maps_pillar,maps_indicator,source,source_url,release,note\n"
        "UZB,2023,framework_agreements,12,%,III,9,S,https://e.org,2024,\n"
        "UZB,2023,new_measure,5,widgets,,,S,https://e.org,2024,\n", encoding="utf-8")
    table = sf.facts_table(report(registry), load_reference(tmp_path))
    assert isinstance(table, Table)
    assert [(x["Fact"], x["Value"], x["MAPS pillar (indicator)"])
            for x in table.frame.to_dict("records")] == [
        ("framework agreements", "12%", "III (9)"), ("new measure", "5 widgets", "—")]


def reference_with(tmp_path: Path, system: str):
    """The fixture reference folder with ``system`` as its procurement_system.csv."""
    for name in ("country_indicators.csv", "procurement_milestones.csv", "indicator_guide.csv"):
        (tmp_path / name).write_bytes((FIXTURES / "system" / name).read_bytes())
    (tmp_path / "procurement_system.csv").write_text(system, encoding="utf-8")
    return load_reference(tmp_path)


RUSSIAN_FORMS = (
    "country,year,fact,value,unit,maps_pillar,maps_indicator,source,source_url,release,note,"
    "value_ru,release_ru\n"
    "UZB,2023,complaints_body,Test Review Board,text,IV,13,Src-C,https://e.org/c,"
    "undated page,,Тестовая комиссия по жалобам,страница без даты\n"
    "UZB,2023,diagnostic,A diagnostic in words,text,II,8,Src-D,https://e.org/d,undated,,,\n"
    "UZB,2023,tenders_count,19602,procedures,III,9,Src-E,https://e.org/e,2024-02-17,,,\n"
    "UZB,2023,avg_bids,3.5,bids per procedure,III,10,Src-E,https://e.org/e,2024-02-17,,,\n")


def test_a_russian_report_prints_the_russian_forms_of_facts_and_releases(registry, tmp_path):
    ref = reference_with(tmp_path, RUSSIAN_FORMS)
    table = sf.facts_table(report(registry, lang="ru"), ref)
    assert isinstance(table, Table)
    values = table.frame["Значение"].tolist()
    # WANTED order: procedures, bids, complaints body, diagnostic; a number agrees with its
    # unit, a fact in words has its Russian form, or the English marked as untranslated
    assert values == ["19\u00a0602 процедуры", "3,5 заявки на процедуру",
                      "Тестовая комиссия по жалобам", "A diagnostic in words (англ.)"]
    sources = [repr(Paragraph(*item)) for item in sf.facts_sources(
        report(registry, lang="ru"), ref).items]
    # the release: its Russian form, a date written in Russian, or the English marked;
    # the facts grouped by country and year, in lower case after the colon
    assert sources == [
        "Src-C (страница без даты): Узбекистан, 2023 г.: орган рассмотрения жалоб.",
        "Src-D (undated (англ.)): Узбекистан, 2023 г.: последняя диагностика (MAPS, CPAR, "
        "CSPRA, PEFA).",
        "Src-E (17 февраля 2024\u202fг.): Узбекистан, 2023 г.: число закупочных процедур, среднее "
        "число заявок на процедуру."]
    english = sf.facts_table(report(registry), ref)
    assert isinstance(english, Table)
    assert english.frame["Value"].tolist() == ["19,602 procedures", "3.5 bids per procedure",
                                               "Test Review Board", "A diagnostic in words"]


def test_a_russian_form_of_a_number_is_refused(tmp_path):
    path = tmp_path / "procurement_system.csv"
    path.write_text(RUSSIAN_FORMS.splitlines()[0] + "\n"
                    "UZB,2023,tenders_count,5,procedures,III,9,S,https://e.org,2024,,пять,\n",
                    encoding="utf-8")
    _, checked = read_system(path)
    [problem] = checked.problems
    assert (problem.line, problem.column, problem.value) == (2, "value_ru", "пять")
    assert "only a fact in words" in problem.reason


def test_each_country_has_its_own_panel_scale_and_unit(registry, tmp_path):
    """Trillion sums and billion manats never share an axis; a year without a figure inside
    a series is on the axis as a gap."""
    ref = reference_with(tmp_path, (
        "country,year,fact,value,unit,maps_pillar,maps_indicator,source,source_url,release,"
        "note\n"
        "UZB,2021,volume_national,147.4,trillion UZS,II,7,S,https://e.org/a,2022,\n"
        "UZB,2025,volume_national,248.6,trillion UZS,II,7,S,https://e.org/b,2026,\n"
        "AZE,2020,volume_national,6.6,billion AZN,II,7,S,https://e.org/c,2021,\n"
        "AZE,2022,volume_national,6.7,billion AZN,II,7,S,https://e.org/d,2023,\n"))
    chart = sf.facts_chart(report(registry, ("UZB", "AZE")), ref)
    assert chart is not None
    [row] = chart.to_dict()["vconcat"]
    panels = row["hconcat"]
    assert [p["title"] for p in panels] == ["Uzbekistan", "Azerbaijan"]
    assert [p["encoding"]["y"]["title"] for p in panels] == ["trillion UZS", "billion AZN"]
    assert [p["encoding"]["x"]["scale"]["domain"] for p in panels] == [
        ["2021", "2022", "2023", "2024", "2025"], ["2020", "2021", "2022"]]
