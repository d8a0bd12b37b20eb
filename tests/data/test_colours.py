"""One colour per category: the colour table, and the same colour in every shipped report's
charts, in English and Russian (specs built on the frozen test registry)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from analysis.core import paths
from analysis.core.errors import TaxonomyError
from analysis.data.colours import load_colours, ordered_scale
from analysis.data.reference import load_reference
from analysis.data.taxonomy import PARTNER_KINDS, country_name, load_taxonomy
from analysis.report import procurement, system
from analysis.report import sections as report
from analysis.report.i18n import translate
from tests.helpers import FIXTURE_REGISTRY, FIXTURES

FIXTURE_SYSTEM = FIXTURES / "system"


def colour_scales(node: Any) -> Iterator[dict[str, Any]]:
    """Every colour encoding with an explicit domain and range anywhere in a spec."""
    if isinstance(node, dict):
        colour = node.get("color")
        if isinstance(colour, dict) and "domain" in colour.get("scale", {}):
            yield colour["scale"]
        for value in node.values():
            yield from colour_scales(value)
    elif isinstance(node, list):
        for value in node:
            yield from colour_scales(value)


def shipped_charts(lang: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every chart with a colour category that the shipped reports (params/*.yaml) draw."""
    ref = load_reference(FIXTURE_SYSTEM)
    for params_file in sorted(paths.params_dir().glob("*.yaml")):
        spec = yaml.safe_load(params_file.read_text(encoding="utf-8"))
        params = spec["parameters"]
        countries = params.get("countries") or [params["country"]]
        data = report.prepare_report(FIXTURE_REGISTRY, countries, params["start_year"],
                                     params["end_year"], lang)
        made = {"activity_chart": report.activity_chart(data),
                "partner_chart": report.partner_chart(data),
                "timeline_chart": report.timeline_chart(data),
                "indicator_chart": system.indicator_chart(data, ref, [params.get("peer")])}
        if len(countries) > 1:
            made["small_multiples_chart"] = report.small_multiples_chart(data)
        if spec["notebook"] == "strategic_procurement.ipynb":
            made["procurement.partner_chart"] = procurement.partner_chart(data)
        for name, chart in made.items():
            yield f"{params_file.stem}/{lang}/{name}", chart.to_dict()


def test_every_category_has_one_colour_in_every_report_and_language():
    taxonomy = load_taxonomy()
    expected = {**{("partner_kind", k): c for k, c in load_colours().of("partner_kind").items()},
                **{("activity_type", k): c for k, c in load_colours().of("activity_type").items()},
                **{("country", k): c for k, c in load_colours().of("country").items()}}
    seen: dict[tuple[str, str], set[str]] = {}
    checked = 0
    for lang in ("en", "ru"):
        # display label in this language -> (category, id)
        ids = {translate(f"kind.{k}", lang): ("partner_kind", k) for k in PARTNER_KINDS}
        ids |= {taxonomy.type_label(t, lang): ("activity_type", t)
                for t in taxonomy.activity_types}
        ids |= {country_name(c, lang): ("country", c) for c in ("UZB", "AZE")}
        for where, spec in shipped_charts(lang):
            for scale in colour_scales(spec):
                assert len(scale["domain"]) == len(scale["range"]), where
                for label, colour in zip(scale["domain"], scale["range"], strict=True):
                    key = ids[label]
                    seen.setdefault(key, set()).add(colour)
                    assert colour == expected[key], f"{where}: {label} is {colour}"
                    checked += 1
    assert all(len(colours) == 1 for colours in seen.values()), seen
    # both countries, several partner kinds and activity types were drawn
    assert {("country", "UZB"), ("country", "AZE"), ("partner_kind", "multilateral"),
            ("partner_kind", "bilateral"), ("activity_type", "meeting")} <= set(seen)
    assert checked > 50


def test_the_colour_table_is_complete_and_distinct_within_a_category():
    colours = load_colours()
    assert list(colours.of("partner_kind")) == ["multilateral", "bilateral", "agency", "network"]
    assert set(colours.of("activity_type")) == set(load_taxonomy().activity_types)
    for category in ("partner_kind", "activity_type", "country"):
        values = list(colours.of(category).values())
        assert len(values) == len(set(values)), category


def test_ordered_scale_keeps_the_table_order_and_appends_others():
    table = {"a": "#000001", "b": "#000002", "c": "#000003"}
    assert ordered_scale(["c", "x", "a", "c"], table) == (
        ["a", "c", "x"], ["#000001", "#000003", ordered_scale(["x"], None)[1][0]])


def copy_taxonomy(tmp_path: Path, colours: str) -> Path:
    for name in ("activity_types.csv", "themes.csv", "maps_pillars.csv", "partners.csv"):
        shutil.copy(paths.taxonomy_dir() / name, tmp_path / name)
    (tmp_path / "colours.csv").write_text(colours, encoding="utf-8")
    return tmp_path / "colours.csv"


def full_table(**changes: str) -> str:
    """Every category id the taxonomy needs, each with a colour; the report type's is set
    here (#7f8891), so the cases below do not depend on the shipped colours."""
    rows = [f"{c},{i},{'#7f8891' if (c, i) == ('activity_type', 'report') else v}"
            for c in ("partner_kind", "activity_type") for i, v in load_colours().of(c).items()]
    text = "category,id,colour\n" + "\n".join(rows) + "\n"
    for old, new in changes.items():
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize(("changes", "message"), [
    ({"activity_type,report,#7f8891\n": ""}, "no colour for activity_type report"),
    ({"#7f8891": "grey"}, "is not #rrggbb"),
    ({"activity_type,report": "activity_type,webinar"}, "'webinar' is not a known"),
    ({"partner_kind,network": "theme,network"}, "unknown category 'theme'"),
])
def test_a_bad_colour_table_is_refused_with_its_line(tmp_path, changes, message):
    path = copy_taxonomy(tmp_path, full_table(**changes))
    with pytest.raises(TaxonomyError, match=message):
        load_colours(path)
