"""The house look of every chart: the Altair theme (font, palette, sizes), titles with their
no-data note, and the notes, scopes and captions a report adds to a chart.

The theme (:func:`enable_theme`) sets font, palette and sizes. Altair applies it when a chart
becomes a spec, so enable it once per session (:func:`analysis.report.chart_images.enable_renderer`
does). :func:`with_note`, :func:`with_scope` and :func:`with_caption` take any chart of
:mod:`analysis.report.charts` or :mod:`analysis.report.system_charts` and return a copy.
"""

from __future__ import annotations

from typing import Any, Final

import altair as alt
import pandas as pd

from analysis.report.i18n import translate

THEME_NAME = "coopreport"
FONT = "Noto Sans"
# What charts ask for: FONT, then the generic family. Without the fallback, vl-convert draws no
# text at all on a machine where FONT is neither installed nor registered.
# Coopreport Minus: the minus sign U+2212 (d3-format's minus), which Noto Sans lacks
FONT_STACK = f"{FONT}, Coopreport Minus, sans-serif"
WIDTH = 560
HEIGHT = 300
INK = "#222222"
MUTED = "#5f6b76"
GRID = "#e5e8eb"
DOMAIN = "#9aa3ab"
# Sober categorical palette: navy, mid blue, ochre, green, plum, brick, grey, olive.
PALETTE: tuple[str, ...] = (
    "#1f4e79", "#d08c2e", "#4a90c2", "#5b8c5a", "#8a6a8e", "#b0513b", "#7f8891", "#a89a3c",
)
HEATMAP_SCHEME: Final = "blues"


# Numbers and dates in a chart as the report's tables write them, for both renderers: Vega-Lite's
# config.locale travels in the spec, so the interactive chart (vega-embed) and its static SVG
# (vl-convert) read the same one. Russian: decimal comma, no-break-space thousands, the minus
# sign U+2212, "33 %" with a narrow no-break space, Russian month and day names. Languages
# without an entry keep Vega's default (en-US).
CHART_LOCALES: Final[dict[str, dict[str, Any]]] = {
    "ru": {
        "number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3],
                   "currency": ["", "\u00a0₽"], "minus": "\u2212", "percent": "\u202f%"},
        "time": {
            "dateTime": "%A, %e %B %Y г. %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
            "periods": ["AM", "PM"],
            "days": ["воскресенье", "понедельник", "вторник", "среда", "четверг", "пятница",
                     "суббота"],
            "shortDays": ["вс", "пн", "вт", "ср", "чт", "пт", "сб"],
            "months": ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август",
                       "сентябрь", "октябрь", "ноябрь", "декабрь"],
            "shortMonths": ["янв.", "февр.", "март", "апр.", "май", "июнь", "июль", "авг.",
                            "сент.", "окт.", "нояб.", "дек."],
        },
    },
    # Uzbek (Latin): decimal comma, no-break-space thousands, the minus sign, babel's uz
    # day and month names
    "uz": {
        "number": {"decimal": ",", "thousands": "\u00a0", "grouping": [3],
                   "currency": ["", "\u00a0soʻm"], "minus": "\u2212", "percent": "%"},
        "time": {
            "dateTime": "%Y-yil %e-%B, %A, %X", "date": "%d.%m.%Y", "time": "%H:%M:%S",
            "periods": ["TO", "TK"],
            "days": ["yakshanba", "dushanba", "seshanba", "chorshanba", "payshanba", "juma",
                     "shanba"],
            "shortDays": ["Yak", "Dush", "Sesh", "Chor", "Pay", "Jum", "Shan"],
            "months": ["yanvar", "fevral", "mart", "aprel", "may", "iyun", "iyul", "avgust",
                       "sentabr", "oktabr", "noyabr", "dekabr"],
            "shortMonths": ["yan", "fev", "mar", "apr", "may", "iyn", "iyl", "avg", "sen",
                            "okt", "noy", "dek"],
        },
    },
}
# a number without its own format (tooltips, labels): at most two decimals, grouped, as the
# tables round them ("15.2380952835" was shown before)
NUMBER_FORMAT: Final = ",.2~f"


def theme_name(lang: str = "en") -> str:
    """The name the house theme is registered under for ``lang`` (one per chart locale)."""
    return THEME_NAME if lang not in CHART_LOCALES else f"{THEME_NAME}-{lang}"


def theme_config(lang: str = "en") -> alt.theme.ThemeConfig:
    """The house theme: calm report look, one font for all text, light grid, no border, and
    numbers and dates in ``lang``'s locale (:data:`CHART_LOCALES`)."""
    theme: alt.theme.ThemeConfig = {
        "config": {
            "numberFormat": NUMBER_FORMAT,
            "font": FONT_STACK,
            "background": "white",
            "view": {"continuousWidth": WIDTH, "continuousHeight": HEIGHT, "stroke": None},
            "title": {
                "font": FONT_STACK, "fontSize": 15, "fontWeight": 600, "color": INK,
                "anchor": "start", "offset": 12, "subtitleFont": FONT_STACK,
                "subtitleFontSize": 12, "subtitleColor": MUTED,
            },
            "axis": {**_guide_text(MUTED), "gridColor": GRID, "domainColor": DOMAIN,
                     "tickColor": DOMAIN},
            # Vega cuts legend labels at 160 px ("Многосторонние организа…"): a category's
            # name is shown whole
            "legend": {**_guide_text(INK), "labelLimit": 320},
            "header": _guide_text(INK),
            "range": {"category": list(PALETTE)},
            "text": {"font": FONT_STACK, "color": INK, "fontSize": 11},
            "line": {"strokeWidth": 2},
            "point": {"filled": True, "size": 60},
        }
    }
    if lang in CHART_LOCALES:
        theme["config"]["locale"] = CHART_LOCALES[lang]  # type: ignore[typeddict-item]
        # Vega-Lite writes its own screen-reader descriptions in English ("X-axis titled …",
        # with field names); without them a chart is read by its figure's label, in the
        # report's language
        theme["config"]["aria"] = False
    return theme


def _guide_text(label_colour: str) -> Any:
    """Fonts and colours of axis, legend and header labels and titles."""
    return {"labelFont": FONT_STACK, "titleFont": FONT_STACK, "labelFontSize": 11,
            "titleFontSize": 12, "titleFontWeight": "normal", "titleColor": INK,
            "labelColor": label_colour}


def register_theme(lang: str = "en") -> None:
    """Register the house theme for ``lang`` with Altair (:func:`theme_name`), unless it is."""
    name = theme_name(lang)
    if name not in alt.theme.names():
        alt.theme.register(name, enable=False)(lambda: theme_config(lang))


def enable_theme(lang: str = "en") -> None:
    """Register the house theme for ``lang`` (once) and make it Altair's active theme."""
    register_theme(lang)
    alt.theme.enable(theme_name(lang))


def chart_title(text: str, lang: str, no_data: bool, subtitle: str | None = None
                ) -> alt.TitleParams:
    """A chart's title, with the subtitle and the no-data note (when there is no data) below."""
    lines = [s for s in (subtitle, translate("note.no_data", lang) if no_data else None) if s]
    return alt.TitleParams(text, subtitle=lines) if lines else alt.TitleParams(text)


def no_data_chart(title: str, lang: str) -> alt.Chart:
    """A chart of the title and the no-data note, where the marks would be."""
    note = translate("note.no_data", lang)
    return alt.Chart(pd.DataFrame({"note": [note]})).mark_text(
        fontSize=13, color=MUTED
    ).encode(text="note:N").properties(width=WIDTH, height=80, title=title)


def with_note(chart: alt.TopLevelMixin, note: str) -> alt.TopLevelMixin:
    """The chart with ``note`` added as the last line of its subtitle (e.g. that the current
    year is counted to date), keeping the title and any subtitle it has.

    Parameters
    ----------
    chart
        Any chart made by this module.
    note
        One line in the report language.
    """
    title = getattr(chart, "title", None)
    if isinstance(title, alt.TitleParams):
        options = {k: v for k, v in title.to_dict().items() if k not in ("text", "subtitle")}
        previous = title.to_dict().get("subtitle", [])
        lines = [previous] if isinstance(previous, str) else list(previous or [])
        return chart.properties(title=alt.TitleParams(title.text, subtitle=[*lines, note],
                                                      **options))
    if isinstance(title, str):
        return chart.properties(title=alt.TitleParams(title, subtitle=[note]))
    return chart


def with_scope(chart: alt.TopLevelMixin, scope: str, titled: str = "{title} — {scope}"
               ) -> alt.TopLevelMixin:
    """The chart with ``scope`` (e.g. "procurement-related activities") added to its title, so
    a chart always says which activities it counts.

    Parameters
    ----------
    chart
        Any chart made by this module (its title is text or ``TitleParams``).
    scope
        The scope in the report language; the title when the chart has none.
    titled
        How the language joins a title and its scope: ``{title}`` and ``{scope}`` filled in
        ("Partners by activities — procurement-related activities"; Russian "Партнёры по числу
        мероприятий в сфере закупок" writes the scope as part of the phrase).

    Returns
    -------
    A copy of the chart; the subtitle, if any, is kept.
    """
    title = getattr(chart, "title", None)
    if isinstance(title, alt.TitleParams):
        text = titled.format(title=title.text, scope=scope)
        return chart.properties(title=alt.TitleParams(
            text, **{k: v for k, v in title.to_dict().items() if k != "text"}))
    if isinstance(title, str):
        return chart.properties(title=titled.format(title=title, scope=scope))
    return chart.properties(title=scope)


def with_caption(chart: alt.TopLevelMixin, caption: str) -> alt.TopLevelMixin:
    """The chart with ``caption`` as its Vega-Lite ``description``: what the renderers print
    as the figure's caption (scope, source, how to read it), beside the chart's own title.

    Parameters
    ----------
    chart
        Any chart.
    caption
        One or two sentences in the report language; it should add to the title, not repeat it.

    Returns
    -------
    A copy of the chart.
    """
    return chart.properties(description=caption)
