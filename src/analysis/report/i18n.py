"""The texts charts and reports show, in every report language.

:data:`MESSAGES` maps a message id to its text per language (``str.format`` placeholders allowed);
:func:`translate` looks one up. The languages are :data:`analysis.data.taxonomy.LANGUAGES`; every
message has a text in each of them (a test checks this). Labels of data categories (themes, activity
types, partners) live in ``data/taxonomy/``, not here.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import Any

import yaml
from babel import Locale
from babel.numbers import format_decimal

from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.data.taxonomy import LANGUAGES
from analysis.report.ru_grammar import CASES, apply_spec
from analysis.report.uz_grammar import CASES as UZ_CASES
from analysis.report.uz_grammar import apply_spec as uz_apply_spec

DEFAULT_LANGUAGE = "en"

MESSAGES_FILE = paths.ASSETS_DIR / "messages.yaml"


def _load_messages() -> dict[str, dict[str, str]]:
    with MESSAGES_FILE.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    plurals = data.pop("plural", {}) if isinstance(data, dict) else {}
    PLURALS.update(plurals)
    return {str(k): {str(lang): str(text) for lang, text in v.items()} for k, v in data.items()}


# Nouns that agree with a number: {id: {lang: {CLDR plural category: form}}}.
PLURALS: dict[str, dict[str, dict[str, str]]] = {}
MESSAGES: dict[str, dict[str, str]] = _load_messages()


# Numbers a sentence spells out ("лишь четыре", "one commitment"): one to ten, in Russian by
# gender (m, f, n) and case (nominative; g = genitive). Larger numbers stay figures.
_WORDS = {
    "en": ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"],
    "ru": ["один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять", "десять"],
    "ru-f": ["одна", "две"], "ru-n": ["одно", "два"],
    "ru-g": ["одного", "двух", "трёх", "четырёх", "пяти", "шести", "семи", "восьми", "девяти",
             "десяти"],
    "ru-fg": ["одной"],
}


def number_words(count: int, lang: str, spec: str = "w") -> str:
    """``count`` in words when it is one to ten (else as a figure): spec ``w`` (masculine or
    English), ``wf`` / ``wn`` (Russian feminine / neuter), with ``g`` for the genitive
    (``wg``, ``wfg``, ``wng``)."""
    if lang not in ("en", "ru") or not 1 <= count <= 10:
        return format_decimal(count, locale=lang)
    flags = spec[1:]
    if lang == "en":
        return _WORDS["en"][count - 1]
    gender = "f" if "f" in flags else "n" if "n" in flags else ""
    genitive = "g" in flags
    for key in ([f"ru-{gender}g", "ru-g"] if genitive else [f"ru-{gender}", "ru"]):
        words = _WORDS.get(key, [])
        if count <= len(words):
            return words[count - 1]
    return _WORDS["ru"][count - 1]


class _Count(int):
    """The number a plural form fills in: ``{n}`` as a figure ("1 234"), ``{n:w}`` (and the
    other :func:`number_words` specs) in words."""

    lang: str = DEFAULT_LANGUAGE

    def __format__(self, spec: str) -> str:
        if spec.startswith("w"):
            return number_words(int(self), self.lang, spec)
        return format_decimal(int(self), locale=self.lang)


COUNTERS = {"uz": "ta"}  # the counting word a language puts after a number
ONE = {"uz": "bitta"}  # and how it says one thing


def plural(key: str, count: int, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """A phrase about ``count`` things in the form the language's plural rules need.

    Russian has three forms (1 мероприятие, 3 мероприятия, 5 мероприятий); babel knows the rule
    (CLDR plural categories one/few/many/other); a phrase may also give a ``zero`` form ("ни
    одного мероприятия"). A form containing ``{n}`` gets the formatted number (``{n:w}``, in
    words, see :func:`number_words`) and ``values`` filled in; any other form is prefixed with
    the number.
    """
    forms = PLURALS.get(key)
    if forms is None:
        raise ParameterError(f"unknown plural phrase {key!r}; add it under 'plural' in "
                             f"{MESSAGES_FILE.name}")
    language = lang if lang in forms else DEFAULT_LANGUAGE
    category = Locale.parse(language).plural_form(abs(count))
    by_category = forms[language]
    zero = by_category.get("zero") if count == 0 else None
    form = zero or by_category.get(category) or by_category["other"]
    number = _Count(count)
    number.lang = language
    if "{n" in form or zero:
        if language in ONE and count == 1:  # Uzbek says one thing "bitta", not "1 ta"
            form = form.replace("{n} ta ", f"{ONE[language]} ")
        return form.format(n=number, **values)
    # Uzbek counts things with «ta» between the number and the (singular) noun: "27 ta tadbir"
    counter = COUNTERS.get(language)
    if counter and count == 1:
        return f"{ONE[language]} {form}"  # "bitta tadbir"
    figure = format_decimal(count, locale=language)
    return f"{figure} {counter} {form}" if counter else f"{figure} {form}"


def plural_word(key: str, number: float, lang: str = DEFAULT_LANGUAGE) -> str | None:
    """The word form ``number`` takes (plural phrase ``key`` without a number: "процедура",
    "процедуры", "процедур"; after a fraction "3,5 заявки"), or None when ``key`` has none."""
    forms = PLURALS.get(key)
    if forms is None:
        return None
    language = lang if lang in forms else DEFAULT_LANGUAGE
    category = Locale.parse(language).plural_form(abs(number))
    return forms[language].get(category) or forms[language]["other"]


def sentence_start(text: str) -> str:
    """``text`` with its first character upper-case when it is a letter (a clause that opens a
    sentence; "21 обязательство" stays as it is)."""
    stripped = text.lstrip()
    if not stripped or not stripped[0].isalpha():
        return text
    start = len(text) - len(stripped)
    return text[:start] + stripped[0].upper() + stripped[1:]


def in_sentence(text: str) -> str:
    """A label as it reads inside a sentence or after a colon: the first letter lower-case
    ("Государственные закупки" → "государственные закупки"), unless the first word is an
    abbreviation or code ("WGI «…»", "PEFA PI-24", "ИВК"), which keeps its capitals."""
    stripped = text.lstrip()
    word = stripped.split(" ", 1)[0] if stripped else ""
    # the letters that have a case ("Oʻqitilgan": the ʻ of oʻ has none)
    cased = [c for c in word if c.isupper() or c.islower()]
    if len(cased) < 2 or not word[0].isupper() or not cased[1].islower():
        return text
    start = len(text) - len(stripped)
    return text[:start] + stripped[0].lower() + stripped[1:]


def cell_list(labels: Iterable[str]) -> str:
    """Labels listed in a table cell: the first as written, the others as they read inside a
    phrase ("Государственные закупки, развитие потенциала, электронное правительство")."""
    return ", ".join(label if i == 0 else in_sentence(label) for i, label in enumerate(labels))


_SAME_YEAR = re.compile(r"\b(\d{4})–\1\b( гг\.)?")


def _one_year_periods(text: str) -> str:
    """A period of one year reads as that year: "2021–2021" → "2021" ("2021 г." in Russian)."""
    return _SAME_YEAR.sub(lambda m: m.group(1) + (" г." if m.group(2) else ""), text)


def _is_case_spec(spec: str) -> bool:
    return spec.rpartition("+")[2] in CASES | UZ_CASES


class _MessageFormatter(string.Formatter):
    """``str.format`` plus grammatical case specs: ``{country:ablt}``, ``{peer:у+gent}``.

    In Russian the value (a name in the nominative) is inflected by
    :mod:`analysis.report.ru_grammar` ("{country:с+ablt}" with "Узбекистан" gives "с Узбекистаном");
    other languages show the value as it is, so an English text may share the placeholder names. """

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> Any:
        # a count in words: "{count:wg}" → "трёх" (see number_words)
        if format_spec[:1] == "w" and isinstance(value, int) and not isinstance(value, bool):
            return number_words(value, self.lang, format_spec)
        if format_spec and _is_case_spec(format_spec):
            if self.lang == "ru":
                return apply_spec(str(value), format_spec)
            if self.lang == "uz":  # a suffix: "{country:loct}" → "Oʻzbekistonda"
                return uz_apply_spec(str(value), format_spec)
            preposition = format_spec.rpartition("+")[0]
            return f"{preposition} {value}" if preposition else str(value)
        return super().format_field(value, format_spec)


_DOUBLE_STOP = re.compile(r"(?<=[^\W\d_]\.)\.(?!\.)")


def _one_stop(text: str) -> str:
    """One full stop where an abbreviation ends a sentence: "30 ноября 2026 г.." → "… г."."""
    return _DOUBLE_STOP.sub("", text)


def fill(template: str, lang: str, values: Mapping[str, object]) -> str:
    """``template`` with ``values`` in its ``{placeholders}``, as :func:`translate` fills a
    message: case specs (``{country:gent}``) inflect names in Russian and Uzbek, a period of one
    year reads as that year ("2021–2021" → "2021"), and no sentence ends in two full stops.
    ``values`` is a mapping, so a placeholder may be named ``lang`` (a report parameter).

    Raises
    ------
    KeyError, IndexError
        A placeholder has no value (a named one, or a positional ``{}``).
    ValueError
        The template's braces do not pair, or a format spec does not fit its value.
    """
    return _one_stop(_one_year_periods(_MessageFormatter(lang).vformat(template, (), values)))


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text of message ``key`` in ``lang``, with ``values`` filled into its placeholders.

    Parameters
    ----------
    key
        A message id from :data:`MESSAGES`, such as ``"field.date"``.
    lang
        A report language (:data:`analysis.data.taxonomy.LANGUAGES`); an unknown language falls back
        to English.
    values
        Values for the message's ``{placeholders}``. A Russian text may ask for a name in a
        grammatical case, with a preposition if needed: ``{country:с+ablt}`` ("с
        Узбекистаном"), ``{peer:у+gent}`` ("у Азербайджана"); see :mod:`analysis.report.ru_grammar`.

    Returns
    -------
    str
        The translated, formatted text.

    Raises
    ------
    ParameterError
        When ``key`` is not a known message id, or a placeholder has no value.
    """
    texts = MESSAGES.get(key)
    if texts is None:
        raise ParameterError(
            f"unknown message id {key!r}; add it to analysis/assets/messages.yaml "
            f"with a text for each language ({', '.join(LANGUAGES)})"
        )
    template = texts[lang if lang in LANGUAGES else DEFAULT_LANGUAGE]
    try:
        return fill(template, lang, values)
    except (KeyError, IndexError) as exc:
        raise ParameterError(
            f"message {key!r} needs a value for the placeholder {exc}; "
            f"pass it as translate({key!r}, lang, name=value)"
        ) from exc
