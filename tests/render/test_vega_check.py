"""A chart is drawn in the page only when nothing in its spec can make the browser load
something (analysis.render.vega_check). Hostile specs of each class, and the report's own."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from analysis.render.sanitize import sanitize_output
from analysis.render.vega_check import expression_problem, spec_problem

REMOTE = "url(http://example.invalid/paint)"
BASE: dict[str, Any] = {
    "$schema": "https://vega.github.io/schema/vega-lite/v6.4.1.json",
    "data": {"values": [{"x": "a", "n": 1, "c": "#1f4e79"}]},
    "mark": "bar",
    "encoding": {"x": {"field": "x", "type": "nominal"},
                 "y": {"field": "n", "type": "quantitative"}},
}


def spec(**changes: Any) -> dict[str, Any]:
    made = copy.deepcopy(BASE)
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = made
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return made


# one spec per way a paint value can reach the SVG Vega draws (and a few escapes of it)
HOSTILE = {
    "mark fill": spec(mark={"type": "bar", "fill": REMOTE}),
    "mark stroke": spec(mark={"type": "bar", "stroke": REMOTE, "strokeWidth": 3}),
    "mark color": spec(mark={"type": "bar", "color": REMOTE}),
    "config mark fill": spec(config__mark__fill=REMOTE),
    "config bar stroke": spec(config__bar__stroke=REMOTE),
    "config background": spec(config__background=REMOTE),
    "background": spec(background=REMOTE),
    "fill value": spec(encoding__fill={"value": REMOTE}),
    "stroke condition": spec(encoding__stroke={"condition": {"test": "datum.n > 0",
                                                             "value": REMOTE},
                                               "value": "red"}),
    "color from data, no scale": spec(
        data={"values": [{"x": "a", "n": 1, "c": REMOTE}]},
        encoding__fill={"field": "c", "type": "nominal", "scale": None}),
    "scale range": spec(encoding__color={"field": "x", "type": "nominal",
                                         "scale": {"range": [REMOTE]}}),
    "gradient stop": spec(mark={"type": "bar", "fill": {
        "gradient": "linear", "stops": [{"offset": 0, "color": REMOTE},
                                        {"offset": 1, "color": "white"}]}}),
    "CSS escape": spec(mark={"type": "bar", "fill": "u\\72l(http://example.invalid/e)"}),
    "JS escape in an expression": spec(mark={"type": "bar", "fill": {
        "expr": "'\\u0075rl(http://example.invalid/x)'"}}),
    "string built by an expression": spec(mark={"type": "bar", "fill": {
        "expr": "'ur' + 'l(//example.invalid/x)'"}}),
    "method in an expression": spec(transform=[{"calculate": "datum.x.concat('l(x)')",
                                                "as": "y"}]),
    "relative paint": spec(mark={"type": "bar", "fill": "url(pattern.svg#p)"}),
    "data from the network": spec(data={"url": "https://example.invalid/d.json"}),
    "image mark": spec(mark="image", encoding__url={"field": "x"}),
    "link channel": spec(encoding__href={"field": "x"}),
    "embed options": spec(usermeta={"embedOptions": {"loader": {"baseURL": "//x"}}}),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_each_way_to_load_something_is_refused(name):
    assert spec_problem(HOSTILE[name]) is not None


@pytest.mark.parametrize("value", [
    "not a spec", json.dumps(BASE), ["a", "list"], 42, None,
])
def test_a_spec_that_is_not_an_object_is_refused_not_a_traceback(value):
    assert spec_problem(value) is not None
    cleaned = sanitize_output({"output_type": "display_data", "metadata": {},
                               "data": {"application/vnd.vegalite.v6+json": value,
                                        "image/svg+xml": "<svg/>"}})
    assert cleaned is not None and "application/vnd.vegalite.v6+json" not in cleaned["data"]


@pytest.mark.parametrize("allowed", [
    BASE,
    spec(mark={"type": "bar", "fill": "#1f4e79", "stroke": "rgb(1, 2, 3)"}),
    spec(encoding__color={"field": "x", "type": "nominal",
                          "scale": {"domain": ["a"], "range": ["steelblue"]}}),
    spec(transform=[{"calculate": "indexof(['b', 'a'], datum.x)", "as": "order"},
                    {"filter": "(datum.n > 0) && isValid(datum.x)"}]),
    spec(encoding__y={"field": "n", "type": "quantitative",
                      "axis": {"labelExpr": "datum.value % 2 == 0 ? datum.label : ''"}}),
    spec(data={"values": [{"x": "Seminar (online): C++ & SQL", "n": 1}]}),
])
def test_charts_that_load_nothing_are_allowed(allowed):
    assert spec_problem(allowed) is None


@pytest.mark.parametrize(("expression", "allowed"), [
    ("datum.a > 1", True),
    ("datum['a b'] === 'x'", True),
    ('({"II. A": ["II.", "A"]})[datum.label] || datum.label', True),
    ("indexof([\"a\"], datum.t)", True),
    ("'a' + 'b'", False),  # joins strings
    ("upper(datum.x)", False),  # not in the list of functions
    ("window.fetch('x')", False),
    ("datum.x.toString()", False),  # a method
    ("datum.x ? 'url(//x)' : ''", False),
])
def test_expressions_are_checked_by_their_grammar(expression, allowed):
    assert (expression_problem(expression) is None) is allowed


def test_the_reports_own_charts_are_drawn(tmp_path):
    """Every chart the shipped notebooks make passes (checked on the report a notebook builds
    from the frozen registry: the charts of the three notebooks)."""
    from analysis.report import procurement as p
    from analysis.report import sections as r
    from analysis.report import system as s
    from tests.helpers import FIXTURE_REGISTRY

    for lang in ("en", "ru"):
        data = r.prepare_report(str(FIXTURE_REGISTRY), ["UZB", "AZE"], 2017, 2026, lang)
        ref = s.load_reference()
        charts = [r.activity_chart(data), r.small_multiples_chart(data), r.theme_chart(data),
                  r.partner_chart(data), r.timeline_chart(data), p.pillar_chart(data),
                  *[c for c in s.system_view(data, ref) if hasattr(c, "to_dict")]]
        for chart in charts:
            assert spec_problem(chart.to_dict()) is None, chart.to_dict().get("title")
