"""Numbers, shares and money as each report language writes them — one place for all.

Text, tables and chart labels call these functions, so a share reads "33%" in English and
"33 %" in Russian (a narrow no-break space, U+202F, before the sign, as Russian typography
wants, and never broken across lines) everywhere, and money reads "$29.2M" / "29,2 млн
долл. США" ("долл. США" is how Russian official texts abbreviate US dollars; "$" is not used
in running Russian text).
"""

from __future__ import annotations

import datetime as dt
import math
import re

from babel.numbers import format_compact_currency, format_compact_decimal, format_decimal

NARROW_NBSP = "\u202f"
NBSP = "\xa0"
MINUS = "\u2212"  # the minus sign Russian typography uses for negative numbers


def _signed(text: str, lang: str) -> str:
    """Babel writes "-" for a negative number; Russian text wants the minus sign."""
    return MINUS + text[1:] if lang in ("ru", "uz") and text.startswith("-") else text


def format_number(value: float, lang: str, decimals: int | None = None) -> str:
    """A number in the report language: "1,234.5" / "1 234,5"; ``decimals`` fixes the digits
    after the separator (a table column reads "2,00", "1,50", not "2", "1,5"). Negative
    numbers carry the minus sign U+2212 in Russian ("−1,19")."""
    if decimals is None:
        return _signed(format_decimal(value, locale=lang), lang)
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    # "+ 0.0" turns a negative zero (-0.04 rounded to one place) into 0: never "−0,0"
    return _signed(format_decimal(round(value, decimals) + 0.0, pattern, locale=lang), lang)


def format_share(value: float, lang: str, decimals: int = 0) -> str:
    """A fraction as a percentage: 0.333 → "33%" (en), "33 %" (ru, U+202F before "%").

    Parameters
    ----------
    value
        The fraction (0.5 is 50 %).
    lang
        Report language.
    decimals
        Digits after the decimal separator.
    """
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    number = _signed(format_decimal(round(value * 100, decimals) + 0.0, pattern, locale=lang),
                     lang)
    if lang == "ru":
        return f"{number}{NARROW_NBSP}%"
    return f"{number}%"


def format_usd(value: float | None, lang: str) -> str:
    """A US-dollar amount, short: "$300M", "$29.2M" (en); "300 млн долл. США",
    "29,2 млн долл. США", "850 тыс. долл. США" (ru). ``None``/NaN is written as 0.

    The parts are joined by no-break spaces so the amount never breaks across lines.
    """
    amount = 0.0 if value is None or (isinstance(value, float) and math.isnan(value)) \
        else float(value)
    if lang == "ru":
        number = _signed(format_compact_decimal(amount, locale="ru", fraction_digits=1), lang)
        return f"{number}{NBSP}долл.{NBSP}США".replace(" ", NBSP)
    if lang == "uz":  # "300 mln AQSh dollari", "29,2 mln AQSh dollari"
        number = _signed(format_compact_decimal(amount, locale="uz", fraction_digits=1), lang)
        return f"{number}{NBSP}AQSh{NBSP}dollari".replace(" ", NBSP)
    return format_compact_currency(amount, "USD", locale=lang, fraction_digits=1)


# Where Russian typography forbids a line break (the Russian review, Ty2): between a number and
# its unit or "г."/"гг.", inside "млн долл. США", after a one-letter preposition or conjunction,
# after "№", and before a dash. A no-break space replaces the ordinary one there.
_RU_NO_BREAK = [
    # "\\?" before a full stop: the same text in escaped Markdown ("2025 г\\.") as in HTML
    re.compile(r"(?<=\d) (?=(?:г\\?\.|гг\\?\.|млн|млрд|трлн|тыс\\?\.|долл\\?\.|сумов|манатов|"
               r"руб\\?\.|п\\?\.\s?п\\?\.|км|чел\\?\.|\\?%))"),
    re.compile(r"(?<!\w)(млн|млрд|трлн|тыс\\?\.|долл\\?\.|№) (?=\S)"),
    re.compile(r"(?<![\w.\-])([ВвКкСсОоУуИиАаЯя]) (?=\S)"),
    re.compile(r"() (?=—)"),
]


def ru_typography(text: str) -> str:
    """Russian text with no-break spaces where a line must not break (see ``_RU_NO_BREAK``):
    "2022 г.", "5,2 млн долл. США", "в Ташкенте", "№ 647", "значение — 23"."""
    text = _RU_NO_BREAK[0].sub(NBSP, text)
    for rule in _RU_NO_BREAK[1:]:
        text = rule.sub(lambda m: m.group(1) + NBSP, text)
    return text


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_EN_DATE = re.compile(r"\b(?:(\d{1,2})(?:[-–](\d{1,2}))? )?(" + "|".join(_MONTHS) + r") (\d{4})\b")


def russian_dates(text: str) -> str:
    """English dates in a text from the data written as Russian writes them: "28 November
    2025" → "28 ноября 2025 г.", "13-17 December 2021" → "13–17 декабря 2021 г.", "March 2018"
    → "март 2018 г." (for a Russian report showing a source's own description)."""
    import datetime as dt

    from babel.dates import format_date, format_skeleton

    def russian(match: re.Match[str]) -> str:
        first, last, month, year = match.groups()
        number = _MONTHS.index(month) + 1
        if first is None:
            return f"{format_skeleton('yMMMM', dt.date(int(year), number, 1), locale='ru')}"
        try:
            day = format_date(dt.date(int(year), number, int(last or first)), "d MMMM y",
                              locale="ru")
        except ValueError:
            return match.group(0)
        return (f"{first}–{day}" if last else day) + NBSP + "г."

    return _EN_DATE.sub(russian, text)


def long_date(day: dt.date, lang: str) -> str:
    """A day as the report language writes it in running text: "7 December 2026" (babel's
    long form), "7 декабря 2026 г."; Uzbek as official documents write it, "2026-yil
    7-dekabr" (babel's uz form is "7-dekabr, 2026")."""
    from babel.dates import format_date

    if lang == "uz":
        return f"{day.year}-yil {day.day}-{format_date(day, 'MMMM', locale='uz')}"
    return format_date(day, format="long", locale=lang)


def month_date(year: int, month: int, lang: str) -> str:
    """A month: "May 2023", "май 2023 г.", "2023-yil may"."""
    from babel.dates import format_date, format_skeleton

    day = dt.date(year, month, 1)
    if lang == "uz":
        return f"{year}-yil {format_date(day, 'LLLL', locale='uz').lower()}"
    return format_skeleton("yMMMM", day, locale=lang)
