"""What changed between two records of a report: hand-made records, expectations by hand."""

from __future__ import annotations

from analysis.report.changes import (
    Changes,
    FigureChange,
    ValueChange,
    compare_records,
    record_problem,
)
from analysis.report.edition_record import finding_id


def act(ident: str, date: str = "2024-01-01") -> dict[str, str]:
    return {"id": ident, "date": date, "precision": "day", "title": f"Title of {ident}"}


def fig(key: str, country: str, value: float) -> dict[str, object]:
    return {"key": key, "country": country, "value": value}


def ref(indicator: str, country: str, year: int, value: float) -> dict[str, object]:
    return {"indicator": indicator, "country": country, "year": year, "value": value}


OLD = {
    "activities": [act("A1"), act("A2"), act("A3")],
    "figures": [fig("activities", "UZB", 3), fig("partners", "UZB", 2),
                fig("activities", "AZE", 1), fig("financing", "AZE", 5_000_000)],
    "findings": [{"id": "pillar_gap pillar=II", "text": "No activity on pillar II."},
                 {"id": "overdue", "text": "2 commitments are past due."}],
    "references": [ref("cpi_score", "UZB", 2022, 31), ref("cpi_score", "UZB", 2023, 33),
                   ref("wgi", "AZE", 2023, 20.5)],
}
NEW = {
    # A2 removed, A4 and A0 added
    "activities": [act("A4", "2024-09-05"), act("A1"), act("A3"), act("A0")],
    # UZB 3 → 3 (same), partners 2 → 4; AZE activities 1 → 2; financing gone; themes new
    "figures": [fig("activities", "UZB", 3), fig("partners", "UZB", 4),
                fig("themes", "UZB", 2), fig("activities", "AZE", 2)],
    # the pillar gap went, overdue stays with another count, a new one appeared
    "findings": [{"id": "overdue", "text": "3 commitments are past due."},
                 {"id": "behind indicator=cpi_score peer=AZE", "text": "Behind AZE."}],
    # 2023 revised 33 → 34, 2022 withdrawn, 2024 published, AZE unchanged
    "references": [ref("cpi_score", "UZB", 2023, 34), ref("cpi_score", "UZB", 2024, 35),
                   ref("wgi", "AZE", 2023, 20.5)],
}


def test_every_kind_of_change_is_found_in_a_stable_order():
    changes = compare_records(OLD, NEW)
    assert [a["id"] for a in changes.added] == ["A0", "A4"]
    assert changes.added[1] == act("A4", "2024-09-05")
    assert [a["id"] for a in changes.removed] == ["A2"]
    # countries in the order the records list them (UZB first), then the figures' order
    assert changes.figures == (
        FigureChange("partners", "UZB", 2, 4), FigureChange("themes", "UZB", None, 2),
        FigureChange("activities", "AZE", 1, 2), FigureChange("financing", "AZE", 5e6, None))
    assert [f["id"] for f in changes.appeared] == ["behind indicator=cpi_score peer=AZE"]
    assert [f["id"] for f in changes.disappeared] == ["pillar_gap pillar=II"]
    assert changes.references == (
        ValueChange("cpi_score", "UZB", 2022, 31, None),
        ValueChange("cpi_score", "UZB", 2023, 33, 34),
        ValueChange("cpi_score", "UZB", 2024, None, 35))
    assert not changes.empty


def test_a_record_compared_with_itself_has_no_changes():
    assert compare_records(NEW, NEW) == Changes()
    assert compare_records(NEW, NEW).empty
    # a value written as 3 or 3.0 is the same figure
    same = {"figures": [fig("activities", "UZB", 3.0)]}
    assert compare_records({"figures": [fig("activities", "UZB", 3)]}, same).empty


def test_from_an_empty_record_everything_is_new():
    changes = compare_records({}, {"activities": [act("B")], "figures": [fig("partners", "X", 1)]})
    assert [a["id"] for a in changes.added] == ["B"]
    assert changes.figures == (FigureChange("partners", "X", None, 1),)


def test_a_finding_is_identified_by_what_it_is_about_not_its_numbers():
    assert finding_id("pillar_gap", {"pillar": "II"}) == "pillar_gap pillar=II"
    assert finding_id("overdue", {"count": 3}) == "overdue"
    assert finding_id("behind", {"indicator": "cpi_score", "country": "UZB", "peer": "AZE",
                                 "value": 33.0, "peer_value": 25.0, "decimals": 0}) == \
        "behind indicator=cpi_score country=UZB peer=AZE"


def test_malformed_records_are_named():
    assert record_problem(NEW) is None
    assert record_problem([]) == "not an object"
    assert record_problem({"activities": "A1"}) == "activities is not a list"
    assert record_problem({"figures": [fig("a", "UZB", 1), {"key": "b"}]}) == \
        "item 2 of figures lacks one of key, country, value"
