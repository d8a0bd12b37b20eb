"""Colour scales and wrapped axis labels shared by the chart modules (pure functions).

- :func:`colour_encoding`: an ``alt.Color`` with an explicit scale, one colour per category
  (:mod:`analysis.data.colours`), its domain the categories present in a fixed order, shown in
  the report language;
- :func:`wrap_label` and :func:`wrapped_labels`: long category names split over lines at
  spaces, never cut ("Служба государственных закупок Республики Узбекистан" on three lines,
  not "Служба государственных закупок Респ…").
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import altair as alt

from analysis.data.colours import ordered_scale

LABEL_WIDTH = 26  # characters per line of a wrapped axis label


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
