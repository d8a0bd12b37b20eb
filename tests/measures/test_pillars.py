"""MAPS pillar placement (analysis.measures.pillars) and the optional ``maps_pillars`` registry
column.

Fixtures are fictional. Expectations are counted by hand from the rows written here.
"""

from __future__ import annotations

import pytest

from analysis.core.errors import DataValidationError
from analysis.data.registry import load_registry
from analysis.data.taxonomy import load_taxonomy
from analysis.measures.pillars import (
    activities_on_pillar,
    count_by_pillar,
    pillar_totals,
    place_on_pillars,
    rule_counts,
)
from tests.helpers import HEADER, make_row, registry_text

WITH_PILLARS = [*HEADER, "maps_pillars"]


def placed(tmp_path, rows):
    path = tmp_path / "reg.csv"
    path.write_text(registry_text(rows, WITH_PILLARS), encoding="utf-8")
    tax = load_taxonomy()
    acts = load_registry(path).activities
    return place_on_pillars(acts, {k: t.pillar for k, t in tax.themes.items()},
                            tax.procurement_themes())


ROWS = [
    # procurement-related, placed by themes: e_procurement -> II, capacity_building -> II
    # (once), anti_corruption -> IV
    make_row(activity_id="P1", date="2022-01-01",
             themes="e_procurement;capacity_building;anti_corruption"),
    # procurement-related, explicit column wins over the themes (green_procurement -> I)
    make_row(activity_id="P2", date="2023-01-01", themes="green_procurement",
             maps_pillars="III;II"),
    # procurement-related but only the generic theme: no pillar
    make_row(activity_id="P3", date="2023-06-01", themes="public_procurement;governance"),
    # NOT procurement-related: sme_support and capacity_building place nothing on their own
    make_row(activity_id="N1", date="2023-01-01", themes="sme_support;capacity_building"),
]


def test_only_procurement_related_activities_are_placed(tmp_path):
    result = placed(tmp_path, ROWS)
    assert result["activity_id"].tolist() == ["P1", "P2", "P3"]
    by_id = dict(zip(result["activity_id"], zip(result["rule"], result["pillars"], strict=True),
                     strict=True))
    assert by_id == {"P1": ("themes", ("II", "IV")), "P2": ("explicit", ("II", "III")),
                     "P3": ("none", ())}
    assert rule_counts(result) == {"explicit": 1, "themes": 1, "none": 1}


def test_counts_per_pillar_and_year_with_zeros(tmp_path):
    result = placed(tmp_path, ROWS)
    counts = count_by_pillar(result, (2022, 2024))
    got = {(r.pillar, r.year): r.activities for r in counts.itertuples()}
    assert len(counts) == 4 * 3
    assert got[("II", 2022)] == 1 and got[("IV", 2022)] == 1  # P1
    assert got[("II", 2023)] == 1 and got[("III", 2023)] == 1  # P2
    assert got[("I", 2023)] == 0 and got[("III", 2024)] == 0
    assert pillar_totals(result) == {"I": 0, "II": 2, "III": 1, "IV": 1}
    assert activities_on_pillar(result, "II") == ["P1", "P2"]


def test_file_without_the_column_is_valid(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text(registry_text([make_row()]), encoding="utf-8")
    assert load_registry(path).activities["maps_pillars"].tolist() == [()]


@pytest.mark.parametrize(("value", "reason"), [
    ("V", "unknown MAPS pillar; use I, II, III or IV"),
    ("ii", "unknown MAPS pillar; did you mean 'II'?"),
    ("II;II", "'II' is listed twice"),
    ("I;;IV", "empty item between ';' separators"),
])
def test_bad_pillar_values_point_at_file_line_and_column(tmp_path, value, reason):
    path = tmp_path / "reg.csv"
    path.write_text(registry_text([make_row(), make_row(activity_id="X2", maps_pillars=value)],
                                  WITH_PILLARS), encoding="utf-8")
    with pytest.raises(DataValidationError) as info:
        load_registry(path)
    [problem] = info.value.problems
    assert (problem.line, problem.column) == (3, "maps_pillars")
    assert reason in str(problem) and str(problem).startswith(f"{problem.file}:3: maps_pillars: ")
