"""Numbers as each report language writes them (analysis.core.formats)."""

from __future__ import annotations

import pytest

from analysis.core.formats import MINUS, format_number, format_share, format_usd


@pytest.mark.parametrize(("value", "lang", "decimals", "expected"), [
    (-1.19, "ru", None, "\u22121,19"),           # the minus sign, not a hyphen
    (-1.19, "en", None, "-1.19"),
    (1234.5, "ru", None, "1\u00a0234,5"),
    (2, "ru", 2, "2,00"),                         # fixed decimals for a table column
    (1.5, "en", 2, "1.50"),
    (-0.6, "ru", 2, "\u22120,60"),
    (11.9, "ru", 1, "11,9"),
    (7, "ru", 0, "7"),
])
def test_format_number(value, lang, decimals, expected):
    assert format_number(value, lang, decimals) == expected


def test_negative_shares_and_amounts_carry_the_minus_sign_in_russian():
    assert format_share(-0.125, "ru", 1) == f"{MINUS}12,5\u202f%"
    assert format_share(-0.125, "en", 1) == "-12.5%"
    assert format_usd(-2_500_000, "ru").startswith(f"{MINUS}2,5")


@pytest.mark.parametrize(("text", "expected"), [
    ("в 2022 г. 5,2 млн долл. США", "в\xa02022\xa0г. 5,2\xa0млн\xa0долл.\xa0США"),
    ("Указ № 647 — значение — 23 (2023–2024 гг.)",
     "Указ №\xa0647\xa0— значение\xa0— 23 (2023–2024\xa0гг.)"),
    ("с партнёрами и с ЕС", "с\xa0партнёрами и\xa0с\xa0ЕС"),
    # Latin words, ids and markup are left alone
    ('<p class="x">UP-259 a b</p>', '<p class="x">UP-259 a b</p>'),
    ("33 %", "33\xa0%"),
])
def test_russian_typography_keeps_what_must_not_break_together(text, expected):
    from analysis.core.formats import ru_typography

    assert ru_typography(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Sputnik Uzbekistan, 28 November 2025", "Sputnik Uzbekistan, 28 ноября 2025\xa0г."),
    ("news item, 13-17 December 2021", "news item, 13–17 декабря 2021\xa0г."),
    ("press release, 2 March 2018", "press release, 2 марта 2018\xa0г."),
    ("31 February 2020", "31 February 2020"),  # no such day: left as written
    ("no date here", "no date here"),
])
def test_english_dates_in_data_text_read_as_russian(text, expected):
    from analysis.core.formats import russian_dates

    assert russian_dates(text) == expected


def test_russian_typography_reads_escaped_markdown_as_the_same_text():
    """The PDF and Quarto read a report's escaped Markdown: "2025 г\\." keeps its space too."""
    from analysis.core.formats import ru_typography

    assert ru_typography(r"до 31 \(2025 г\.\); 5,2 млн долл\. США; 20 тыс\. сумов; 33 \%") == (
        "до 31 \\(2025\xa0г\\.\\); 5,2\xa0млн\xa0долл\\.\xa0США; 20\xa0тыс\\.\xa0сумов; 33\xa0\\%")


@pytest.mark.parametrize(("value", "lang", "decimals", "expected"), [
    (-0.04, "ru", 1, "0,0"), (-0.04, "en", 1, "0.0"), (-0.06, "ru", 1, "−0,1"),
])
def test_a_value_that_rounds_to_zero_has_no_sign(value, lang, decimals, expected):
    # "−0,0" in a table of differences reads as a negative value (review 2026-12)
    assert format_number(value, lang, decimals) == expected
    assert format_share(value / 100, lang, decimals).startswith(expected)
