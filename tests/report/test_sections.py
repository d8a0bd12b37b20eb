"""Report sections: financing by amount kind, coverage flags, Russian texts from the data.

Registries are hand-made (fictional rows); every expectation is computed by hand.
"""

from __future__ import annotations

import datetime as dt

from analysis.report import annex as a
from analysis.report import sections as r
from analysis.report.display import Paragraph, Table
from analysis.report.warnings import MIMETYPE, ReportWarning, collect_warnings, split_expected
from tests.helpers import make_row, registry_text

AS_OF = dt.date(2026, 11, 30)  # the build day of these tests: 2026 is not over

# Uzbekistan 2023: a committed loan of USD 100m (World Bank), a visit announcing USD 14m
# (USAID), a memorandum listing projects worth USD 300m (KOICA), and a seminar with no amount.
ROWS = [
    make_row(activity_id="L1", date="2023-03-01", partners="World Bank", activity_type="financing",
             themes="public_procurement", amount_usd="100000000", amount_kind="committed",
             title="Board approves USD 100m loan", title_ru="Одобрен заём на 100 млн долл. США"),
    make_row(activity_id="V1", date="2023-06-01", partners="USAID", activity_type="meeting",
             themes="governance", amount_usd="14000000", amount_kind="announced",
             title="Visit announcing USD 14m"),
    make_row(activity_id="M1", date="2023-09-01", partners="KOICA", activity_type="agreement",
             themes="governance", amount_usd="300000000", amount_kind="indicative",
             title="MoU listing 29 projects (~USD 300m)"),
    make_row(activity_id="S1", date="2023-10-01", partners="UNDP",
             themes="public_procurement", title="Seminar", title_ru="Семинар"),
    make_row(activity_id="S2", date="2017-05-05", partners="UNDP",
             themes="public_procurement", title="First seminar", title_ru="Первый семинар"),
    make_row(activity_id="S3", date="2026-02", date_precision="month", partners="UNDP",
             themes="public_procurement", title="Latest seminar", title_ru="Последний семинар"),
]


def prepared(tmp_path, lang="en", years=(2023, 2023), countries=("UZB",), rows=ROWS):
    path = tmp_path / "reg.csv"
    path.write_text(registry_text(rows), encoding="utf-8")
    return r.prepare_report(path, list(countries), years[0], years[1], lang, as_of=AS_OF)


def test_financing_counts_only_committed_money(tmp_path):
    heading, note, years, partners, themes = r.financing_view(prepared(tmp_path))
    assert isinstance(years, Table)
    assert years.frame.iloc[0].tolist() == ["2023", "Uzbekistan", 3, "$100M", "$314M"]
    by_partner = {row[0]: row[2:] for row in partners.frame.itertuples(index=False)}
    assert by_partner == {"World Bank": ("$100M", "—"), "USAID": ("—", "$14M"),
                          "KOICA": ("—", "$300M")}
    assert "Approvals" not in years.frame.columns
    assert isinstance(note, Paragraph)
    text = repr(note)
    assert "not a partner's portfolio" in text
    assert ("In 2023: committed $100M (1 activity); announced or indicative, not counted as "
            "financing: $314M (2 activities).") in text


def test_financing_in_russian(tmp_path):
    _, note, years, _, _ = r.financing_view(prepared(tmp_path, "ru"))
    assert years.frame.iloc[0, 3:].tolist() == ["100\xa0млн\xa0долл.\xa0США",
                                                "314\xa0млн\xa0долл.\xa0США"]
    assert ("За 2023 г. принятые обязательства составили 100\xa0млн\xa0долл.\xa0США "
            "(1 мероприятие), а объявленные или ориентировочные суммы, не учитываемые как "
            "финансирование, — "
            "314\xa0млн\xa0долл.\xa0США (2 мероприятия).") in repr(note)


def test_russian_annex_uses_title_ru_and_marks_english(tmp_path):
    annex = a.activity_annex(prepared(tmp_path, "ru"))
    assert annex.frame["Название"].tolist() == [
        "Одобрен заём на 100 млн долл. США", "Visit announcing USD 14m (англ.)",
        "MoU listing 29 projects (~USD 300m) (англ.)", "Семинар"]
    english = a.activity_annex(prepared(tmp_path, "en"))
    assert english.frame["Title"].tolist()[0] == "Board approves USD 100m loan"


# Coverage is each report country's own (issue 28): Uzbekistan's records run from 2017-05-05 to
# 2026-02 (ROWS), Azerbaijan's from 2019-03 to 2021; Kazakhstan holds the registry's earliest
# (2015-01-10) and latest (2026-10-01) records, which no report on Uzbekistan or Azerbaijan
# may state.
OTHER_ROWS = [
    make_row(activity_id="A1", country="AZE", date="2019-03", date_precision="month",
             partners="UNDP", themes="public_procurement", title="Mission"),
    make_row(activity_id="A2", country="AZE", date="2021", date_precision="year",
             partners="UNDP", themes="governance", title="Conference"),
    make_row(activity_id="K1", country="KAZ", date="2015-01-10", partners="UNDP",
             themes="governance", title="Earliest in the registry"),
    make_row(activity_id="K2", country="KAZ", date="2026-10-01", partners="UNDP",
             themes="governance", title="Latest in the registry"),
]


def test_a_profile_states_its_countrys_records_and_the_unfinished_year(tmp_path):
    data = prepared(tmp_path, years=(2016, 2026), rows=ROWS + OTHER_ROWS)
    assert r.coverage_sentences(data) == [
        "The registry's first record on Uzbekistan is dated May 5, 2017 and its last "
        "February 2026.",
        "This report was made on November 30, 2026.",
        "The period 2016–2026 begins before the registry's first record on Uzbekistan: for "
        "this country 2016 is not covered by the registry, so its zero means no data, not no "
        "cooperation.",
        "2026 is not over: its figures are to date (November 30, 2026) and are not comparable "
        "with full years; a lower count for 2026 is no evidence of a fall."]
    assert data.year_label(2026) == "2026 (to date)" and data.year_label(2025) == "2025"
    chart = r.activity_chart(data).to_dict()
    assert chart["title"]["subtitle"][-1] == ("2026: to date (November 30, 2026), the year is "
                                              "not over")


def test_a_comparison_states_each_countrys_records(tmp_path):
    data = prepared(tmp_path, years=(2017, 2023), countries=("UZB", "AZE"),
                    rows=ROWS + OTHER_ROWS)
    assert r.coverage_sentences(data) == [
        "The registry's first record on Uzbekistan is dated May 5, 2017 and its last "
        "February 2026.",
        "The registry's first record on Azerbaijan is dated March 2019 and its last 2021.",
        "This report was made on November 30, 2026.",
        # Uzbekistan's records start in the period's first year: only Azerbaijan's years
        "The period 2017–2023 begins before the registry's first record on Azerbaijan: for "
        "this country 2017 and 2018 are not covered by the registry, so their zeros mean no "
        "data, not no cooperation."]


def test_coverage_in_russian(tmp_path):
    data = prepared(tmp_path, "ru", years=(2015, 2026), countries=("UZB", "AZE"),
                    rows=ROWS + OTHER_ROWS)
    assert r.coverage_sentences(data) == [
        "Дата первой записи реестра по Узбекистану — 5 мая 2017\u202fг., последней — "
        "февраль 2026\u202fг.",
        "Дата первой записи реестра по Азербайджану — март 2019\u202fг., последней — "
        "2021 г.",
        "Отчёт подготовлен 30 ноября 2026\u202fг.",
        "Период 2015–2026 гг. начинается раньше первой записи реестра по Узбекистану: 2015 и "
        "2016 гг. по этой стране реестром не охвачены, и нули за эти годы означают отсутствие "
        "данных, а не отсутствие сотрудничества.",
        "Период 2015–2026 гг. начинается раньше первой записи реестра по Азербайджану: "
        "2015–2018 гг. по этой стране реестром не охвачены, и нули за эти годы означают "
        "отсутствие данных, а не отсутствие сотрудничества.",
        "Данные за 2026 г. неполные: они приведены по состоянию на 30 ноября 2026\u202fг. и не "
        "сопоставимы с данными за полные годы; меньшее число мероприятий в 2026 г. не "
        "означает спада."]


def test_coverage_in_uzbek(tmp_path):
    data = prepared(tmp_path, "uz", years=(2018, 2023), countries=("AZE",),
                    rows=ROWS + OTHER_ROWS)
    assert r.coverage_sentences(data)[::2] == [
        "Reyestrdagi Ozarbayjonga oid birinchi yozuv sanasi — 2019-yil mart, oxirgisi — "
        "2021-yil.",
        "2018–2023-yillar davri reyestrdagi Ozarbayjonga oid birinchi yozuvdan oldin "
        "boshlanadi: bu davlat boʻyicha 2018-yil reyestr bilan qamrab olinmagan, shu sababli "
        "bu yilgi nol koʻrsatkich hamkorlik yoʻqligini emas, balki maʼlumot yoʻqligini "
        "bildiradi."]


def test_an_spcr_states_its_countrys_and_its_peers_records(tmp_path):
    """The SPCR compares the country with its peer (its data holds the country alone)."""
    path = tmp_path / "reg.csv"
    path.write_text(registry_text(ROWS + OTHER_ROWS), encoding="utf-8")
    data = r.prepare_report(path, ["AZE"], 2022, 2025, "en", as_of=AS_OF, peer="UZB")
    assert data.countries == ("AZE",) and data.coverage_countries == ("AZE", "UZB")
    assert r.coverage_sentences(data) == [
        "The registry's first record on Azerbaijan is dated March 2019 and its last 2021.",
        "The registry's first record on Uzbekistan is dated May 5, 2017 and its last "
        "February 2026.",
        "This report was made on November 30, 2026."]


def test_a_country_with_no_record_at_all_is_said_so(tmp_path):
    data = prepared(tmp_path, years=(2017, 2023), countries=("UZB", "KAZ"))
    assert r.coverage_sentences(data) == [
        "The registry's first record on Uzbekistan is dated May 5, 2017 and its last "
        "February 2026.",
        "The registry has no record on Kazakhstan.",
        "This report was made on November 30, 2026."]


def test_a_finished_period_inside_the_countrys_records_has_no_flags(tmp_path):
    data = prepared(tmp_path, years=(2017, 2023), rows=ROWS + OTHER_ROWS)
    assert len(r.coverage_sentences(data)) == 2  # the span and the day only
    assert data.partial_year is None


def test_a_country_with_no_activities_is_a_warning_and_said_in_words(tmp_path):
    data = prepared(tmp_path, years=(2017, 2026), countries=("KAZ",))
    [warning] = data.warnings()
    assert (warning.kind, warning.text) == (
        "empty-country", "no activities for Kazakhstan in 2017–2026: the report shows only zeros")
    # said in a reader's language, the country named as that language names it
    assert warning.say("ru") == ("по Казахстану за 2017–2026 гг. нет мероприятий: в отчёте "
                                 "только нули")
    assert repr(r.gaps_sentence(data)).startswith(
        "No activity is recorded for Kazakhstan in 2017–2026; its figures are all zero.")
    assert prepared(tmp_path, years=(2017, 2026)).warnings() == []


def test_a_peer_with_no_activities_is_a_warning(tmp_path):
    """Issue 28: an SPCR whose peer (KAZ) has no activity in the period was `ok`, silently;
    a comparison's second country with none is the same case. Both are `empty-peer`."""
    spcr = prepared(tmp_path, years=(2023, 2023))
    [warning] = spcr.warnings(peer="KAZ")
    assert (warning.kind, warning.text) == (
        "empty-peer", "no activities for the peer country Kazakhstan in 2023: its figures in the "
                      "report are all zero")
    assert warning.values == {"country": "KAZ", "start": 2023, "end": 2023}
    assert spcr.warnings() == []  # no peer, nothing to say
    # a peer with activities in the period (UZB has four in 2023) raises nothing
    other = prepared(tmp_path, years=(2023, 2023), countries=("KAZ",))
    assert [w.kind for w in other.warnings(peer="UZB")] == ["empty-country"]
    # ... and none outside the period: UZB has no activity in 2020
    assert [w.kind for w in prepared(tmp_path, years=(2020, 2020), countries=("KAZ",))
            .warnings(peer="UZB")] == ["empty-country", "empty-peer"]
    comparison = prepared(tmp_path, years=(2023, 2023), countries=("UZB", "KAZ"))
    assert [(w.kind, w.values["country"]) for w in comparison.warnings()] == [
        ("empty-peer", "KAZ")]
    assert [(w.kind, w.values["country"]) for w in prepared(
        tmp_path, years=(2023, 2023), countries=("KAZ", "UZB")).warnings()] == [
        ("empty-country", "KAZ")]


def test_warning_outputs_are_collected_and_removed():
    notebook = {"cells": [
        {"cell_type": "code", "outputs": [
            {"output_type": "display_data", "data": {MIMETYPE: {"warnings": [
                "w1", {"text": "w2", "kind": "empty-peer", "message": "warning.empty_peer",
                       "values": {"country": "KAZ", "start": 2020, "end": 2021}}]}}},
            {"output_type": "display_data", "data": {"text/plain": "kept"}}]},
        {"cell_type": "markdown"}]}
    found = collect_warnings(notebook)
    assert [(w.text, w.kind) for w in found] == [("w1", ""), ("w2", "empty-peer")]
    assert found[1].say("en") == ("no activities for the peer country Kazakhstan in "
                                  "2020–2021: its figures in the report are all zero")
    assert found[0].say("ru") == "w1"  # a warning without a message is its text
    assert notebook["cells"][0]["outputs"] == [
        {"output_type": "display_data", "data": {"text/plain": "kept"}}]


def test_expected_warnings_are_accepted_by_kind():
    empty_peer = ReportWarning("p", "empty-peer")
    empty_country = ReportWarning("c", "empty-country")
    cut = ReportWarning("output cut")  # no kind: never accepted
    assert split_expected([empty_peer, empty_country, cut], ["empty-peer"]) == (
        [empty_country, cut], [empty_peer])
    assert split_expected([empty_peer, cut], []) == ([empty_peer, cut], [])


def test_national_bodies_and_cited_activities_read_in_russian(tmp_path, monkeypatch):
    """A counterpart named in English in the registry is printed in Russian
    (data/extract/counterparts.csv, here a fixture), and an activity cited as evidence by its
    date and partners, never by its id."""
    from analysis.core import paths

    data_dir = tmp_path / "data"
    (data_dir / "extract").mkdir(parents=True)
    (data_dir / "extract" / "counterparts.csv").write_text(
        "country,name_en,name_ru,keyword\n"
        "UZB,Ministry of Economy and Finance,Министерство экономики и финансов,economy\n"
        "AZE,State Service X (Ministry of Economy),Государственная служба X,service x\n",
        encoding="utf-8")
    ru, en = prepared(tmp_path, "ru"), prepared(tmp_path, "en")
    monkeypatch.setattr(paths, "data_dir", lambda: data_dir)  # read on first use
    assert ru.counterpart("Ministry of Economy and Finance") == "Министерство экономики и финансов"
    assert ru.counterpart("State Service X") == "Государственная служба X"  # bracket dropped
    assert ru.counterpart("Government of Azerbaijan") == "Правительство Азербайджана"
    assert ru.counterpart("Unknown Office") == "Unknown Office (англ.)"
    assert en.counterpart("Ministry of Economy and Finance") == "Ministry of Economy and Finance"
    assert ru.reference("L1") == "1 марта 2023\u202fг., Всемирный банк"
    assert ru.reference("S3") == "февраль 2026\u202fг., ПРООН"
    assert en.reference("L1") == "March 1, 2023, World Bank"
    assert ru.reference("not an id") == "not an id"


def test_the_data_note_speaks_of_the_selection_only(tmp_path):
    """The note never states the whole registry's size or checksum: a report is not rebuilt
    when another country's rows change (analysis.build.selection), so it must not say them."""
    some = repr(r.data_note(prepared(tmp_path, "ru"), with_abbreviations=False).shown)
    # six validated rows, four of them in 2023
    assert some == ("Источник данных о мероприятиях — реестр сотрудничества; в отчёт за "
                    "2023 г. включено 4 мероприятия.")
    every = repr(r.data_note(prepared(tmp_path, "en", years=(2017, 2026)),
                             with_abbreviations=False).shown)
    assert every == ("Source of every figure: the activity registry reg.csv; activities in "
                     "this report's selection (2017–2026): 6.")
    other = [*ROWS, make_row(activity_id="A9", country="AZE", date="2023-04-04")]
    assert repr(r.data_note(prepared(tmp_path, "ru", rows=other),
                            with_abbreviations=False).shown) == some  # another country's row


def test_country_panels_follow_the_reports_order(tmp_path):
    rows = [*ROWS, make_row(activity_id="A1", country="AZE", date="2023-01-05")]
    data = prepared(tmp_path, "ru", countries=("UZB", "AZE"), rows=rows)
    facet = r.timeline_chart(data).to_dict()["facet"]["row"]
    # Azerbaijan's activity comes first by date and by alphabet; Uzbekistan's panel is first
    assert facet["sort"] == ["Узбекистан", "Азербайджан"]


def test_a_gap_in_the_theme_mix_is_the_gap_of_the_printed_shares(tmp_path):
    """Uzbekistan: one activity, three themes (each 1/3 of its mentions); Azerbaijan: two
    activities, six mentions (public procurement 1/6). Printed: 33.3% and 16.7%; the gap is
    33.3 − 16.7 = 16.6, not the 16.666… of the unrounded shares (16.7)."""
    rows = [make_row(activity_id="U1", date="2023-03-01",
                     themes="public_procurement;governance;e_procurement"),
            make_row(activity_id="A1", country="AZE", date="2023-03-01",
                     themes="public_procurement;governance;e_procurement"),
            make_row(activity_id="A2", country="AZE", date="2023-04-01",
                     themes="governance;anti_corruption;capacity_building")]
    table = r.theme_mix_table(prepared(tmp_path, countries=("UZB", "AZE"), rows=rows))
    row = table.frame.set_index("Theme").loc["Public procurement"].tolist()
    assert row == ["33.3%", "16.7%", "16.6"]


def test_the_summary_flags_a_previous_period_before_the_countrys_own_first_record(tmp_path):
    """The fall is the country's own: Azerbaijan's previous period 2017–2021 starts before its
    first record (2019), though Uzbekistan's and Kazakhstan's are older."""
    from analysis.report import procurement as p

    path = tmp_path / "reg.csv"
    path.write_text(registry_text(ROWS + OTHER_ROWS), encoding="utf-8")
    aze = r.prepare_report(path, ["AZE"], 2022, 2026, "en", as_of=AS_OF, peer="UZB")
    assert ("The previous period 2017–2021 begins before the registry's first record on "
            "Azerbaijan (2019), so it is only partly covered and the comparison with it is not "
            "like for like.") in repr(p.executive_summary(aze, "UZB"))
    uzb = r.prepare_report(path, ["UZB"], 2022, 2026, "en", as_of=AS_OF, peer="AZE")
    assert "begins before" not in repr(p.executive_summary(uzb, "AZE"))  # UZB starts 2017
    russian = r.prepare_report(path, ["AZE"], 2022, 2026, "ru", as_of=AS_OF, peer="UZB")
    assert ("Предыдущий период (2017–2021 гг.) начинается раньше первой записи реестра по "
            "Азербайджану (2019 г.): он охвачен лишь частично, и сравнение с ним "
            "некорректно.") in repr(p.executive_summary(russian, "UZB"))
