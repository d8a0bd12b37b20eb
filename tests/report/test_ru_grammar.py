"""Russian names in the case a sentence needs, checked on whole sentences written by hand."""

from __future__ import annotations

import pytest

from analysis.core.formats import format_share, format_usd
from analysis.report.i18n import cell_list, in_sentence, plural, plural_word, translate
from analysis.report.ru_grammar import apply_spec, inflect_name, languages_phrase, with_preposition


@pytest.mark.parametrize(("name", "sentence"), [
    ("Узбекистан", "В реестре учтено 5 мероприятий с Узбекистаном."),
    ("Азербайджан", "В реестре учтено 5 мероприятий с Азербайджаном."),
    ("Казахстан", "В реестре учтено 5 мероприятий с Казахстаном."),
    ("Грузия", "В реестре учтено 5 мероприятий с Грузией."),
    ("Швеция", "В реестре учтено 5 мероприятий со Швецией."),
    ("Всемирный банк", "В реестре учтено 5 мероприятий со Всемирным банком."),
    ("Европейский союз", "В реестре учтено 5 мероприятий с Европейским союзом."),
    ("Азиатский банк развития", "В реестре учтено 5 мероприятий с Азиатским банком развития."),
    ("ПРООН", "В реестре учтено 5 мероприятий с ПРООН."),
    ("АБР", "В реестре учтено 5 мероприятий с АБР."),
    ("Соединенные Штаты", "В реестре учтено 5 мероприятий с Соединёнными Штатами."),
    ("Республика Корея", "В реестре учтено 5 мероприятий с Республикой Корея."),
    ("Партнёрство «Открытое правительство»",
     "В реестре учтено 5 мероприятий с Партнёрством «Открытое правительство»."),
    ("GIZ (Германия)", "В реестре учтено 5 мероприятий с GIZ (Германия)."),
])
def test_with_instrumental(name, sentence):
    assert f"В реестре учтено 5 мероприятий {apply_spec(name, 'с+ablt')}." == sentence


@pytest.mark.parametrize(("name", "sentence"), [
    ("Азербайджан", "Для сравнения: у Азербайджана за тот же период 2 мероприятия."),
    ("Узбекистан", "Для сравнения: у Узбекистана за тот же период 2 мероприятия."),
    ("Федеральное министерство финансов Германии",
     "Для сравнения: у Федерального министерства финансов Германии за тот же период "
     "2 мероприятия."),
    ("Агентство государственных закупок Грузии",
     "Для сравнения: у Агентства государственных закупок Грузии за тот же период "
     "2 мероприятия."),
    ("ЕБРР", "Для сравнения: у ЕБРР за тот же период 2 мероприятия."),
])
def test_with_genitive(name, sentence):
    text = f"Для сравнения: {apply_spec(name, 'у+gent')} за тот же период " \
           f"{plural('activity', 2, 'ru')}."
    assert text == sentence


def test_a_list_inflects_every_item():
    assert inflect_name("Всемирный банк, ЕБРР и Европейский союз", "ablt") == \
        "Всемирным банком, ЕБРР и Европейским союзом"


def test_unknown_case_is_refused():
    with pytest.raises(ValueError, match="unknown case"):
        inflect_name("Узбекистан", "vocative")


@pytest.mark.parametrize(("preposition", "phrase", "expected"), [
    ("с", "Узбекистаном", "с Узбекистаном"),
    ("с", "Всемирным банком", "со Всемирным банком"),
    ("с", "Швецией", "со Швецией"),
    ("в", "Франции", "во Франции"),
    ("в", "Узбекистане", "в Узбекистане"),
    ("о", "Азербайджане", "об Азербайджане"),
    ("у", "Грузии", "у Грузии"),
])
def test_preposition_forms(preposition, phrase, expected):
    assert with_preposition(preposition, phrase) == expected


def test_catalogue_messages_inflect_names():
    assert translate("summary.peer_none", "ru", peer="Азербайджан") == (
        "Для сравнения: у Азербайджана за тот же период не зарегистрировано ни одного "
        "мероприятия.")
    assert translate("overlap.only", "ru", country="Узбекистан", count=2,
                     names="АБР, ЕБРР") == (
        "Партнёры, работающие только с Узбекистаном (2): АБР, ЕБРР.")
    assert translate("gaps.every_year", "ru", country="Азербайджан") == (
        "Для Азербайджана в каждом году периода есть хотя бы одно мероприятие.")
    # English texts share the placeholder and show the name as it is
    assert translate("overlap.only", "en", country="Uzbekistan", count=2, names="ADB, EBRD") \
        == "Partners working only with Uzbekistan (2): ADB, EBRD."


@pytest.mark.parametrize(("previous", "years", "sentence"), [
    # numbers to ten in words, agreeing with the noun left out ("мероприятие": neuter)
    (1, 4, "За предыдущие четыре года (2018–2021 гг.) таких мероприятий было лишь одно."),
    (3, 5, "За предыдущие пять лет (2017–2021 гг.) таких мероприятий было лишь три."),
    (11, 2, "За предыдущие два года (2020–2021 гг.) таких мероприятий было лишь 11."),
    (2, 21, "За предыдущие 21 год (2001–2021 гг.) таких мероприятий было лишь два."),
])
def test_numerals_agree_with_the_noun(previous, years, sentence):
    span = plural("previous_span", years, "ru")
    assert translate("summary.trend_up", "ru", start=2022 - years, end=2021, span=span,
                     previous_words=plural("previous_numeral", previous, "ru")) == sentence


@pytest.mark.parametrize(("count", "spec", "expected"), [
    (1, "wn", "одно"), (2, "wf", "две"), (2, "wn", "два"), (1, "wfg", "одной"),
    (4, "wg", "четырёх"), (10, "w", "десять"), (11, "w", "11"), (0, "w", "0"),
])
def test_numbers_to_ten_in_words(count, spec, expected):
    from analysis.report.i18n import number_words

    assert number_words(count, "ru", spec) == expected


@pytest.mark.parametrize(("value", "lang", "expected"), [
    (29_200_000, "ru", "29,2\xa0млн\xa0долл.\xa0США"),
    (300_000_000, "ru", "300\xa0млн\xa0долл.\xa0США"),
    (1_600_000_000, "ru", "1,6\xa0млрд\xa0долл.\xa0США"),
    (850_000, "ru", "850\xa0тыс.\xa0долл.\xa0США"),
    (29_200_000, "en", "$29.2M"),
    (None, "ru", "0\xa0долл.\xa0США"),
])
def test_money(value, lang, expected):
    assert format_usd(value, lang) == expected


@pytest.mark.parametrize(("value", "lang", "decimals", "expected"), [
    (1 / 3, "ru", 0, "33\u202f%"),
    (1 / 3, "en", 0, "33%"),
    (0.1234, "ru", 1, "12,3\u202f%"),
    (0.5, "en", 1, "50.0%"),
])
def test_shares(value, lang, decimals, expected):
    assert format_share(value, lang, decimals) == expected


def test_a_sentence_ending_in_an_abbreviation_keeps_one_full_stop():
    from analysis.report.i18n import translate

    sentence = translate("coverage.span", "ru", country="Узбекистан", first="7 апреля 2017 г.",
                         last="май 2026 г.")
    assert sentence == ("Дата первой записи реестра по Узбекистану — 7 апреля 2017 г., "
                        "последней — май 2026 г.")
    assert translate("coverage.made", "ru", as_of="30 ноября 2026 г.") == (
        "Отчёт подготовлен 30 ноября 2026 г.")


def test_no_break_spaces_survive_markdown_escaping():
    from analysis.report.display import escape_markdown

    # "33 %" and "2026 г." keep their no-break spaces in the PDF's Markdown; other runs of
    # white space, line breaks included, become one space
    assert escape_markdown("9 (33\u202f%)\n  связаны, 2026\u00a0г.") == (
        "9 \\(33\u202f\\%\\) связаны\\, 2026\u00a0г\\.")


@pytest.mark.parametrize(("names", "expected"), [
    (["английский"], "на английском языке"),
    (["английский", "русский"], "на английском и русском языках"),
    (["азербайджанский", "английский", "узбекский"],
     "на азербайджанском, английском и узбекском языках"),
    (["xx"], "на xx языке"),  # a code babel has no name for stays as written
])
def test_languages_of_the_sources_in_a_sentence(names, expected):
    assert languages_phrase(names) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Государственные закупки", "государственные закупки"),
    ("Индекс открытости бюджета (OBI, 0–100)", "индекс открытости бюджета (OBI, 0–100)"),
    ("WGI «Контроль коррупции»", "WGI «Контроль коррупции»"),  # an abbreviation keeps capitals
    ("PEFA PI-24", "PEFA PI-24"), ("ИВК", "ИВК"), ("E-procurement", "e-procurement"),
    ("Oʻqitilgan mutaxassislar", "oʻqitilgan mutaxassislar"),  # ʻ has no case
    ("", ""),
])
def test_a_label_inside_a_sentence_starts_in_lower_case(text, expected):
    assert in_sentence(text) == expected


def test_a_list_in_a_cell_keeps_only_its_first_capital():
    assert cell_list(["Государственные закупки", "Развитие потенциала", "ИВК"]) == (
        "Государственные закупки, развитие потенциала, ИВК")


@pytest.mark.parametrize(("number", "expected"), [
    (1, "процедура"), (2, "процедуры"), (19602, "процедуры"), (5, "процедур"),
    (11, "процедур"), (21, "процедура"), (3.5, "процедуры"),
])
def test_a_counted_unit_agrees_with_its_number(number, expected):
    assert plural_word("unit.procedures", number, "ru") == expected
    assert plural_word("unit.no such unit", number, "ru") is None


def test_the_date_precision_counts_up_to_ten_in_words_in_the_genitive():
    """Reader review, issue 28: «только месяц — для 9» read as a figure where the style
    guide wants words up to ten; after «для» they take the genitive."""
    assert [plural("for_activities", n, "ru") for n in (0, 1, 2, 9, 10, 12)] == [
        "ни для одного", "для одного", "для двух", "для девяти", "для десяти", "для 12"]
