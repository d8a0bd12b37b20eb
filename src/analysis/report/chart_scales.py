"""What the chart modules share (pure functions): scales, category labels, tooltips and the
check of a chart's input frame.

- :func:`colour_encoding`: an ``alt.Color`` with an explicit scale, one colour per category
  (:mod:`analysis.data.colours`), its domain the categories present in a fixed order, shown in
  the report language;
- :func:`count_scale` and :func:`count_ticks`: count axes from 0, labelled with whole
  numbers only;
- :func:`display_labels`, :func:`tip`, :func:`in_order`: the texts shown for category
  ids in the report language, tooltips with translated titles, an explicit category order;
- :func:`check_frame`: a chart's input has the columns it needs and one row per key;
- :func:`wrap_label` and :func:`wrapped_labels`: long category names split over lines at
  spaces, never cut ("Служба государственных закупок Республики Узбекистан" on three lines,
  not "Служба государственных закупок Респ…").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import altair as alt
import pandas as pd

from analysis.core.errors import ParameterError
from analysis.data.colours import ordered_scale
from analysis.data.taxonomy import country_name
from analysis.report.i18n import MESSAGES, translate

LABEL_WIDTH = 26  # characters per line of a wrapped axis label
SMALL_COUNT = 10  # count axes up to this get one tick per whole number


def colour_encoding(field: str, ids: Iterable[str], colours: Mapping[str, str] | None,
                    show: Callable[[str], str], **options: Any) -> alt.Color:
    """A colour channel whose scale gives each category its own colour, in every report.

    Parameters
    ----------
    field
        The encoded field with its type, e.g. ``"kind:N"``; the data holds display labels.
    ids
        The category ids present in the chart's data.
    colours
        Ordered id → colour (:meth:`analysis.data.colours.Colours.of`); ``None`` or a missing id
        takes the fallback colour of :func:`analysis.data.colours.fallback_colour`.
    show
        The display label of an id in the report language (what the data holds).
    options
        Passed to ``alt.Color`` (title, legend...).

    Returns
    -------
    ``alt.Color`` with ``scale(domain=[labels], range=[colours])`` and the legend in that order.
    """
    order, palette = ordered_scale(ids, colours)
    domain = [show(i) for i in order]
    return alt.Color(field, scale=alt.Scale(domain=domain, range=palette), sort=domain,
                     **options)


def wrap_label(text: str, width: int = LABEL_WIDTH) -> list[str]:
    """``text`` split into lines of at most ``width`` characters at spaces; a word longer than
    ``width`` stays whole on its own line (words are never cut).

    Examples
    --------
    >>> wrap_label("Public Procurement Service of Uzbekistan", 20)
    ['Public Procurement', 'Service of', 'Uzbekistan']
    >>> wrap_label("World Bank", 20)
    ['World Bank']
    """
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [str(text)]


def wrapped_labels(labels: Iterable[str], width: int = LABEL_WIDTH) -> dict[str, Any]:
    """Axis options that show each label over several lines where it is longer than ``width``.

    A Vega ``labelExpr`` looks the label up in a table of its lines (labels that fit are
    shown as they are), with ``labelLimit`` 0 so no line is cut.
    """
    table = {t: wrap_label(t, width) for t in dict.fromkeys(map(str, labels))
             if len(t) > width}
    options: dict[str, Any] = {"labelLimit": 0}
    if table:
        # a JSON object is a Vega expression literal; the two line separators JSON allows
        # raw in strings are not allowed raw in an expression
        lookup = (json.dumps(table, ensure_ascii=False)
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))
        options["labelExpr"] = f"({lookup})[datum.label] || datum.label"
    return options


def count_scale(most: int) -> alt.Scale:
    """A count scale from 0; small counts get an exact domain so every tick is a whole number."""
    if most <= SMALL_COUNT:
        return alt.Scale(domain=[0, max(most, 1)], nice=False)
    return alt.Scale(domainMin=0)


def count_ticks(most: int, limit: int = SMALL_COUNT) -> dict[str, Any]:
    """Axis or legend options that label counts with whole numbers only.

    Vega's ``tickMinStep`` does not stop half steps (labelled "0 1 1 2 2" with format ``d``),
    so small ranges list their ticks.
    """
    if most <= limit:
        return {"format": "d", "values": list(range(0, max(most, 1) + 1))}
    return {"format": "d", "tickMinStep": 1}


def check_frame(frame: pd.DataFrame, columns: Iterable[str], keys: tuple[str, ...], where: str,
                lang: str) -> str:
    """Check the frame's columns and that ``keys`` identify rows; return the chart title."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError(
            f"charts.{where}: the frame lacks column(s) {', '.join(missing)} "
            f"(it has {', '.join(map(str, frame.columns)) or 'none'}); pass the frame the "
            "matching metrics function returns"
        )
    repeated = frame.loc[frame.duplicated(list(keys)), list(keys)] if keys else frame.iloc[:0]
    if not repeated.empty:
        first = ", ".join(str(v) for v in repeated.iloc[0])
        raise ParameterError(
            f"charts.{where}: {'/'.join(keys)} {first} appears more than once; "
            "pass one row per combination (aggregate first)"
        )
    return translate(f"chart.{where}", lang)


def display_labels(values: pd.Series, labels: Mapping[str, str] | None, lang: str,
                   kind: str | None = None) -> pd.Series:
    """The texts shown for category ids: ``labels`` first, then a default for the kind."""
    return values.map(label_shower(labels, lang, kind)).astype(object)


def label_shower(labels: Mapping[str, str] | None, lang: str, kind: str | None = None
            ) -> Callable[[object], str]:
    """The function giving the text shown for one category id (see :func:`display_labels`)."""
    given = labels or {}

    def show(value: object) -> str:
        text = str(value)
        if text in given:
            return given[text]
        if kind == "country":
            return country_name(text, lang)
        if kind == "partner_kind" and f"kind.{text}" in MESSAGES:
            return translate(f"kind.{text}", lang)
        return text

    return show


def tip(field: str, key: str, lang: str, **options: Any) -> alt.Tooltip:
    return alt.Tooltip(field, title=translate(key, lang), **options)


def in_order(values: Iterable[str]) -> list[str]:
    """Distinct values in order of first appearance, for an explicit axis sort."""
    return list(dict.fromkeys(values))


def cell_text(value: object) -> str:
    """A cell as text; missing values (None, NaN) as ''."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def join_names(partners: object) -> str:
    if isinstance(partners, tuple | list):
        return ", ".join(str(p) for p in partners)
    return cell_text(partners)
