"""Uzbek (Latin script) editions: case suffixes, numbers and dates, the fallback to Russian,
the apostrophe rule, whole sentences of the catalogue. Expectations written by hand."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from analysis.core.formats import format_number, format_share, format_usd, long_date
from analysis.core.textsafety import check_uzbek
from analysis.data.taxonomy import LANGUAGES, country_name, language_tag
from analysis.report.context import format_activity_date, localized_text
from analysis.report.i18n import MESSAGES, PLURALS, translate
from analysis.report.uz_grammar import inflect


@pytest.mark.parametrize(("name", "case", "expected"), [
    ("Oʻzbekiston", "loct", "Oʻzbekistonda"),
    ("Oʻzbekiston", "gent", "Oʻzbekistonning"),
    ("Oʻzbekiston", "ablv", "Oʻzbekistondan"),
    ("Gruziya", "accs", "Gruziyani"),
    ("Ozarbayjon", "datv", "Ozarbayjonga"),
    ("Jahon banki", "datv", "Jahon bankiga"),
    ("Jahon banki", "ablt", "Jahon banki bilan"),
    ("Iroq", "datv", "Iroqqa"),        # -qa after q
    ("bank", "datv", "bankka"),        # -ka after k
    ("OTB", "gent", "OTBning"),        # an abbreviation takes the suffix directly
    ("GIZ (Germaniya)", "datv", "GIZ (Germaniya)-ga"),  # after a bracket: a hyphen
    ("Oʻzbekiston", "nomn", "Oʻzbekiston"),
])
def test_a_name_takes_its_case_suffix(name, case, expected):
    assert inflect(name, case) == expected


def test_an_unknown_case_is_refused():
    with pytest.raises(ValueError, match="unknown Uzbek case"):
        inflect("Oʻzbekiston", "dativ")


def test_the_catalogue_applies_uzbek_suffixes_in_whole_sentences():
    # a spec on a name placeholder: the suffix written onto the name, in a whole sentence
    from analysis.report.i18n import _MessageFormatter

    text = _MessageFormatter("uz").format("{country:loct} {n} ta tadbir, {partner:ablt}.",
                                          country="Oʻzbekiston", n=27, partner="Jahon banki")
    assert text == "Oʻzbekistonda 27 ta tadbir, Jahon banki bilan."


def test_uzbek_is_a_report_language_with_its_script_in_the_page_tag():
    assert "uz" in LANGUAGES and language_tag("uz") == "uz-Latn"
    assert country_name("UZB", "uz") == "Oʻzbekiston"  # babel's uz, with U+02BB


@pytest.mark.parametrize(("value", "decimals", "expected"), [
    (1234567.5, None, "1\u00a0234\u00a0567,5"), (-0.6, 2, "\u22120,60"), (20.1, 1, "20,1"),
])
def test_numbers_use_the_decimal_comma_and_the_minus_sign(value, decimals, expected):
    assert format_number(value, "uz", decimals) == expected


def test_shares_and_money():
    assert format_share(0.33, "uz") == "33%"
    assert format_usd(300_000_000, "uz") == "300\u00a0mln\u00a0AQSh\u00a0dollari"
    assert format_usd(29_200_000, "uz") == "29,2\u00a0mln\u00a0AQSh\u00a0dollari"


def test_dates_as_uzbek_official_documents_write_them():
    # babel's uz long form is "6-dekabr, 2026"; official documents write "2026-yil 6-dekabr"
    assert long_date(dt.date(2026, 12, 6), "uz") == "2026-yil 6-dekabr"
    assert format_activity_date("2018-04-09", "day", "uz") == "2018-yil 9-aprel"
    assert format_activity_date("2023-05", "month", "uz") == "2023-yil may"
    assert format_activity_date("2023", "year", "uz") == "2023-yil"


def test_an_untranslated_text_falls_back_to_russian_marked():
    assert localized_text("Seminar", "Семинар", "uz", "Seminar (uz)") == "Seminar (uz)"
    assert localized_text("Seminar", "Семинар", "uz") == "Семинар (rus.)"
    assert localized_text("Seminar", "", "uz") == "Seminar (ingl.)"
    assert localized_text("Seminar", "Семинар", "ru", "Seminar (uz)") == "Семинар"
    assert localized_text("Seminar", "Семинар", "en", "Seminar (uz)") == "Seminar"


@pytest.mark.parametrize("text", ["O'zbekiston", "Oʼzbekiston".replace("ʼ", "’"), "ta`lim",
                                  "g‘oya"])
def test_an_apostrophe_look_alike_in_uzbek_is_refused(text):
    reason = check_uzbek(text)
    assert reason is not None and "U+02BB" in reason


def test_the_uzbek_letters_are_accepted():
    assert check_uzbek("Oʻzbekiston Respublikasi, taʼlim, gʻoya, «Davlat xaridlari»") is None


def _placeholders(text: str) -> set[str]:
    return {m.split(":")[0] for m in re.findall(r"\{([^{}]+)\}", text)}


def test_every_message_has_an_uzbek_text_with_the_same_placeholders_and_letters():
    for key, texts in MESSAGES.items():
        uz = texts["uz"]
        assert uz.strip(), key
        assert check_uzbek(uz) is None, (key, uz)
        # the values the code passes: the English text's, or the Russian one's (a Russian or
        # Uzbek sentence may use a count in words where English states the figure)
        assert _placeholders(uz) <= _placeholders(texts["en"]) | _placeholders(texts["ru"]), key
        assert not re.search("[А-Яа-яЁё]", uz), (key, uz)  # no Cyrillic in an Uzbek text
    for key, forms in PLURALS.items():
        assert set(forms["uz"]) >= {"one", "other"}, key
        for form in forms["uz"].values():
            assert check_uzbek(form) is None, (key, form)


def test_an_uzbek_sentence_of_the_catalogue():
    # the summary's volume sentence with a name in the locative and the year with its suffix
    text = translate("facts.lead", "uz", country="Oʻzbekiston", year=2025,
                     value="248,6 trln soʻm", source="Yuz.uz")
    assert "Oʻzbekiston" in text and "248,6 trln soʻm" in text and "2025" in text
    assert "{" not in text and not re.search("[А-Яа-я]", text)


def test_whole_catalogue_sentences_put_the_suffix_on_the_name():
    # the milestone table's caption: the country in the genitive (-ning)
    caption = translate("system.milestones_caption", "uz", country="Ozarbayjon")
    assert caption.startswith("Ozarbayjonning xaridlar islohoti bosqichlari")
    # "more than 24 months" in the ablative (-dan) after a plural phrase with its number
    from analysis.report.i18n import plural

    stale = translate("finding.stale_old", "uz",
                      commitments=plural("stale_commitments", 2, "uz"),
                      months=plural("months_within", 24, "uz"))
    assert "2 ta majburiyatning" in stale and "24 oydan koʻproq" in stale


def test_one_thing_is_bitta_and_more_take_ta():
    from analysis.report.i18n import plural

    assert plural("activity", 1, "uz") == "bitta tadbir"
    assert plural("activity", 27, "uz") == "27 ta tadbir"
    one = plural("overdue_commitments", 1, "uz")
    assert "bitta majburiyatning" in one and "1 ta" not in one and not one.startswith("bitta")
