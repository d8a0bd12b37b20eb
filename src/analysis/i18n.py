"""The texts charts and reports show, in every report language.

:data:`MESSAGES` maps a message id to its text per language (``str.format`` placeholders
allowed); :func:`translate` looks one up. The languages are :data:`analysis.taxonomy.LANGUAGES`;
every message has a text in each of them (a test checks this). Labels of data categories
(themes, activity types, partners) live in ``data/taxonomy/``, not here.
"""

from __future__ import annotations

from analysis.errors import ParameterError
from analysis.taxonomy import LANGUAGES

DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    # chart titles
    "chart.activities_per_year": {
        "en": "Activities per year",
        "ru": "Мероприятия по годам",
    },
    "chart.theme_heatmap": {
        "en": "Activities by theme",
        "ru": "Мероприятия по темам",
    },
    "chart.partner_bars": {
        "en": "Partners by number of activities",
        "ru": "Партнёры по числу мероприятий",
    },
    "chart.partner_bars.top": {
        "en": "Top {top} of {total} partners",
        "ru": "Первые {top} из {total} партнёров",
    },
    "chart.timeline": {
        "en": "Timeline of activities",
        "ru": "Хронология мероприятий",
    },
    # axis, legend and tooltip titles
    "field.activities": {"en": "Activities", "ru": "Мероприятия"},
    "field.activity_count": {"en": "Number of activities", "ru": "Число мероприятий"},
    "field.activity_type": {"en": "Activity type", "ru": "Тип мероприятия"},
    "field.country": {"en": "Country", "ru": "Страна"},
    "field.date": {"en": "Date", "ru": "Дата"},
    "field.kind": {"en": "Partner type", "ru": "Тип партнёра"},
    "field.partner": {"en": "Partner", "ru": "Партнёр"},
    "field.partners": {"en": "Partners", "ru": "Партнёры"},
    "field.share": {"en": "Share", "ru": "Доля"},
    "field.source": {"en": "Source", "ru": "Источник"},
    "field.theme": {"en": "Theme", "ru": "Тема"},
    "field.title": {"en": "Title", "ru": "Название"},
    "field.year": {"en": "Year", "ru": "Год"},
    # partner kinds (analysis.taxonomy.PARTNER_KINDS)
    "kind.multilateral": {"en": "Multilateral", "ru": "Многосторонний"},
    "kind.bilateral": {"en": "Bilateral", "ru": "Двусторонний"},
    "kind.agency": {"en": "Agency", "ru": "Агентство"},
    "kind.network": {"en": "Network", "ru": "Сеть"},
    # notes
    "note.no_data": {
        "en": "No activities recorded for this selection",
        "ru": "По этой выборке не зарегистрировано ни одного мероприятия",
    },
    "note.data": {
        "en": "Source of every figure: the activity registry {file} (SHA-256 {sha}…), {rows} "
              "validated activities, of which {selected} fall in this report's selection "
              "({start}–{end}).",
        "ru": "Источник всех показателей: реестр мероприятий {file} (SHA-256 {sha}…), "
              "{rows} проверенных записей, из них {selected} входят в выборку отчёта "
              "({start}–{end}).",
    },
    # report furniture
    "report_kicker": {"en": "Development cooperation report",
                      "ru": "Отчёт о сотрудничестве в целях развития"},
    "report.contents": {"en": "Contents", "ru": "Содержание"},
    "field.total": {"en": "Total", "ru": "Всего"},
    "field.pillar": {"en": "MAPS pillar", "ru": "Компонент MAPS"},
    # section headings
    "section.key_figures": {"en": "Key figures", "ru": "Основные показатели"},
    "section.activity": {"en": "Cooperation over time", "ru": "Динамика сотрудничества"},
    "section.themes": {"en": "Themes", "ru": "Тематика"},
    "section.partners": {"en": "Partners", "ru": "Партнёры"},
    "section.timeline": {"en": "Timeline of activities", "ru": "Хронология мероприятий"},
    "section.annex": {"en": "Annex: activities and sources",
                      "ru": "Приложение: мероприятия и источники"},
    "section.comparison": {"en": "Country comparison", "ru": "Сравнение стран"},
    "section.procurement": {"en": "Procurement-related cooperation",
                            "ru": "Сотрудничество в сфере закупок"},
    "section.pillars": {"en": "Reform themes against the MAPS pillars",
                        "ru": "Темы реформ по компонентам MAPS"},
    "section.commitments": {"en": "Commitments and follow-up",
                            "ru": "Обязательства и их выполнение"},
    # key figures table
    "kf.caption": {"en": "Key figures, {start}–{end}", "ru": "Основные показатели, {start}–{end}"},
    "kf.activities": {"en": "Activities", "ru": "Мероприятия"},
    "kf.partners": {"en": "Partners", "ru": "Партнёры"},
    "kf.themes": {"en": "Themes", "ru": "Темы"},
    "kf.procurement": {"en": "Procurement-related", "ru": "Связанные с закупками"},
    "kf.empty_years": {"en": "Years with no activity", "ru": "Годы без мероприятий"},
    # sentences
    "gaps.none_at_all": {
        "en": "No activity is recorded for {country} in {start}–{end}; every chart shows zeros.",
        "ru": "Для страны {country} за {start}–{end} гг. не зарегистрировано ни одного "
              "мероприятия; все графики показывают нули.",
    },
    "gaps.some": {
        "en": "No activity is recorded for {country} in {years}: these years show as zero "
              "(a gap in the record, not necessarily in cooperation).",
        "ru": "Для страны {country} нет записей за {years}: эти годы показаны как ноль "
              "(пробел в данных, не обязательно в сотрудничестве).",
    },
    "gaps.every_year": {
        "en": "{country} has at least one recorded activity in every year of the period.",
        "ru": "Для страны {country} в каждом году периода есть хотя бы одно мероприятие.",
    },
    "themes.caption": {
        "en": "Activities per theme (an activity counts under each of its themes)",
        "ru": "Мероприятия по темам (мероприятие учитывается по каждой из своих тем)",
    },
    "partners.caption": {"en": "Partners by number of activities",
                         "ru": "Партнёры по числу мероприятий"},
    "partners.years": {"en": "Years", "ru": "Годы"},
    "partners.themes": {"en": "Main themes", "ru": "Основные темы"},
    "annex.caption": {"en": "All {count} activities of the report with their sources",
                      "ru": "Все мероприятия отчёта ({count}) с источниками"},
    "comparison.caption": {"en": "Activities per year: {a} and {b}",
                           "ru": "Мероприятия по годам: {a} и {b}"},
    "field.difference": {"en": "Difference", "ru": "Разница"},
    "field.ratio": {"en": "Ratio", "ru": "Соотношение"},
    # procurement
    "proc.summary": {
        "en": "{country}: {count} of {total} recorded activities in {start}–{end} ({share}) "
              "are procurement-related.",
        "ru": "{country}: {count} из {total} зарегистрированных мероприятий за {start}–{end} гг. "
              "({share}) связаны с закупками.",
    },
    "proc.none_at_all": {
        "en": "{country}: no activity is recorded in {start}–{end}, so none is "
              "procurement-related.",
        "ru": "{country}: за {start}–{end} гг. не зарегистрировано мероприятий, в том числе "
              "связанных с закупками.",
    },
    "proc.partners_caption": {"en": "Partners in procurement-related activities",
                              "ru": "Партнёры в мероприятиях, связанных с закупками"},
    "pillars.caption": {
        "en": "Activities per MAPS pillar and year (an activity counts once under each pillar "
              "its themes bear on)",
        "ru": "Мероприятия по компонентам MAPS и годам (мероприятие учитывается по одному разу "
              "в каждом компоненте, к которому относятся его темы)",
    },
    "pillars.no_gaps": {"en": "Every MAPS pillar has at least one recorded activity.",
                        "ru": "По каждому компоненту MAPS есть хотя бы одно мероприятие."},
    "pillars.gaps": {
        "en": "Gaps: no recorded cooperation bears on {count} MAPS pillar(s): {pillars}.",
        "ru": "Пробелы: ни одно зарегистрированное мероприятие не относится к компонентам "
              "MAPS ({count}): {pillars}.",
    },
    "commitments.none": {"en": "No commitment is recorded for these activities.",
                         "ru": "Для этих мероприятий обязательства не зарегистрированы."},
    "commitments.no_due": {"en": "no due date", "ru": "срок не указан"},
    "commitments.item": {
        "en": "{text} — status: {status}; due: {due}; later activities as evidence: {evidence}",
        "ru": "{text} — статус: {status}; срок: {due}; подтверждающих мероприятий: {evidence}",
    },
}


def translate(key: str, lang: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text of message ``key`` in ``lang``, with ``values`` filled into its placeholders.

    Parameters
    ----------
    key
        A message id from :data:`MESSAGES`, such as ``"field.date"``.
    lang
        A report language (:data:`analysis.taxonomy.LANGUAGES`); an unknown language falls back
        to English.
    values
        Values for the message's ``{placeholders}``.

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
            f"unknown message id {key!r}; add it to MESSAGES in analysis/i18n.py "
            f"with a text for each language ({', '.join(LANGUAGES)})"
        )
    template = texts[lang if lang in LANGUAGES else DEFAULT_LANGUAGE]
    try:
        return template.format(**values)
    except (KeyError, IndexError) as exc:
        raise ParameterError(
            f"message {key!r} needs a value for the placeholder {exc}; "
            f"pass it as translate({key!r}, lang, name=value)"
        ) from exc
