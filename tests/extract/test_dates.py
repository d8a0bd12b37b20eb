"""Date rules of `coopreport extract`, per language; expectations worked out by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from analysis.extract.dates import find_dateline, find_dates, find_relative, month_of

ANCHOR = dt.date(2023, 12, 15)  # a Friday


@pytest.mark.parametrize(("text", "expected"), [
    # Russian
    ("16 августа 2025 года прошла встреча", "2025-08-16"),
    ("с 22 по 24 мая 2017 г. в Баку", "2017-05-22"),
    ("Отчёт опубликован в декабре 2023 года", "2023-12"),
    # Uzbek, Cyrillic: month names, 'йил' and 'куни' forms
    ("14 декабрь куни Тошкентда", "2023-12-14"),
    ("2018 йил 2 мартъ куни имзоланди", "2018-03-02"),
    ("Лойиҳа 2021 йил 23 июнда тасдиқланди", "2021-06-23"),
    ("2023 йил декабрь ойида", "2023-12"),
    # Uzbek, Latin
    ("2023-yil 14-dekabrda seminar", "2023-12-14"),
    ("2022-yil 5-oktabrda uchrashuv", "2022-10-05"),
    # Azerbaijani
    ("2023-cü il dekabrın 5-də seminar", "2023-12-05"),
    ("9 iyun 2022-ci il tarixində", "2022-06-09"),
    # English
    ("On 24 July 2023, the Bank", "2023-07-24"),
    ("July 24, 2023", "2023-07-24"),
    ("22-23 May 2017", "2017-05-22"),
    # numeric
    ("14.12.2023", "2023-12-14"),
])
def test_explicit_dates(text: str, expected: str) -> None:
    assert [f.text for f in find_dates(text, ANCHOR)] == [expected]


def test_yearless_date_takes_the_publication_year_or_the_one_before() -> None:
    # 14 December with a publication date of 15 December 2023: 2023
    assert find_dates("14 декабрь куни", ANCHOR)[0].date == dt.date(2023, 12, 14)
    # 20 December seen from 5 January 2024 would be 350 days ahead: the year before
    assert find_dates("20 декабря", dt.date(2024, 1, 5))[0].date == dt.date(2023, 12, 20)
    # without a publication date a yearless date is not guessed
    assert find_dates("14 декабрь куни") == []


def test_numbers_that_are_not_dates_are_ignored() -> None:
    assert find_dates("15 million dollars and 2 agencies", ANCHOR) == []


@pytest.mark.parametrize(("word", "month"), [
    ("декабрда", 12), ("dekabrın", 12), ("martda", 3), ("мартъ", 3), ("ноя", 11),
    ("avqustun", 8), ("sept", 9), ("word", None),
])
def test_month_words_with_case_suffixes(word: str, month: int | None) -> None:
    assert month_of(word) == month


@pytest.mark.parametrize(("paragraph", "expected"), [
    ("ТАШКЕНТ, 28 ноя — Sputnik. Сегодня", dt.date(2023, 11, 28)),
    ("Bakı, 5 dekabr, AZƏRTAC. Seminar", dt.date(2023, 12, 5)),
    ("TASHKENT, Uzbekistan, November 28, 2023 — The", dt.date(2023, 11, 28)),
    ("Toshkent, 24-noyabr. Agentlik", dt.date(2023, 11, 24)),
    # a full stop or a slash between the places (real datelines, issue 27)
    ("Тошкент. 21 сентябр. Президент", dt.date(2023, 9, 21)),
    ("ТАШКЕНТ/МОСКВА, 23 декабря. Агентства", dt.date(2023, 12, 23)),  # within 60 days after
])
def test_datelines(paragraph: str, expected: dt.date) -> None:
    found = find_dateline(paragraph, ANCHOR)
    assert found is not None and found.date == expected and found.kind == "dateline"


def test_no_dateline_in_an_ordinary_sentence() -> None:
    assert find_dateline("The meeting took place on 5 December 2023.", ANCHOR) is None


# 29 November 2023 was a Wednesday
@pytest.mark.parametrize(("text", "expected"), [
    ("В среду в Ташкенте прошла встреча", dt.date(2023, 11, 29)),
    ("Вчера министр провёл встречу", dt.date(2023, 11, 28)),
    ("chorshanba kuni seminar o'tkazdi", dt.date(2023, 11, 29)),
    ("Dushanba kuni uchrashuv", dt.date(2023, 11, 27)),
    ("Кеча учрашди", dt.date(2023, 11, 28)),
    ("Çərşənbə axşamı görüş keçirilib", dt.date(2023, 11, 28)),  # Tuesday, not Wednesday
    ("Çərşənbə günü görüş keçirilib", dt.date(2023, 11, 29)),
    ("On Friday the delegation met", dt.date(2023, 11, 24)),
])
def test_relative_days_count_back_from_publication(text: str, expected: dt.date) -> None:
    assert [f.date for f in find_relative(text, dt.date(2023, 11, 29))] == [expected]
