"""Commitments file: format checks and references to the registry's activities."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.core.errors import DataValidationError
from analysis.data.commitments import COLUMNS
from analysis.data.registry import commitments_path_for, load_registry
from tests.helpers import FIXTURE_COMMITMENTS, FIXTURE_REGISTRY, make_row

HEADER = ",".join(COLUMNS)


def write_pair(tmp_path, commitment_lines, registry_rows=None):
    """A registry X.csv and its own X.commitments.csv (fictional fixtures)."""
    from tests.helpers import registry_text

    rows = registry_rows or [make_row(activity_id="A1"), make_row(activity_id="A2")]
    registry = tmp_path / "reg.csv"
    registry.write_text(registry_text(rows), encoding="utf-8")
    commitments = tmp_path / "reg.commitments.csv"
    commitments.write_text("\n".join([HEADER, *commitment_lines]) + "\n", encoding="utf-8")
    return registry


def test_valid_commitments_load(tmp_path):
    registry = write_pair(tmp_path, ["C1,A1,Publish a report,2024-06,in_progress,A2,",
                                     "C2,A2,Hold a workshop,,planned,,note"])
    reg = load_registry(registry)
    c = reg.commitments
    assert list(c["commitment_id"]) == ["C1", "C2"]
    assert c.loc[0, "evidence_activity_ids"] == ("A2",)
    assert c.loc[0, "due_end"] == pd.Timestamp(2024, 6, 30)  # a month is due by its last day
    assert pd.isna(c.loc[1, "due_end"])
    assert reg.commitments_path == tmp_path / "reg.commitments.csv"
    assert reg.commitments_sha256 is not None and len(reg.commitments_sha256) == 64


def test_unknown_activity_references(tmp_path):
    registry = write_pair(tmp_path, ["C1,A3,Publish,2024,planned,A1;B9,"])
    with pytest.raises(DataValidationError) as caught:
        load_registry(registry)
    got = {(p.line, p.column, p.value) for p in caught.value.problems}
    assert got == {(2, "activity_id", "A3"), (2, "evidence_activity_ids", "B9")}


def test_near_miss_activity_reference_gets_a_suggestion(tmp_path):
    rows = [make_row(activity_id="UZB-2025-08-15-wb-procurement-meeting")]
    registry = write_pair(tmp_path, ["C1,UZB-2025-08-15-wb-procurment-meeting,One,,planned,,"],
                          registry_rows=rows)
    with pytest.raises(DataValidationError) as caught:
        load_registry(registry)
    [problem] = caught.value.problems
    assert "did you mean 'UZB-2025-08-15-wb-procurement-meeting'" in problem.reason


@pytest.mark.parametrize(
    ("line", "column", "reason"),
    [
        ("C1,A1,Publish,2024-02-30,planned,,", "due", "impossible date"),
        ("C1,A1,Publish,soon,planned,,", "due", "not a date"),
        ("C1,A1,Publish,2024,done,,", "status", "unknown status"),
        ("C1,A1,Publish,2024,delivred,,", "status", "did you mean 'delivered'"),
        ("C1,A1,,2024,planned,,", "commitment", "required field is empty"),
    ],
)
def test_bad_commitment_fields(tmp_path, line, column, reason):
    registry = write_pair(tmp_path, [line])
    with pytest.raises(DataValidationError) as caught:
        load_registry(registry)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (2, column)
    assert reason in problem.reason


def test_duplicate_commitment_ids(tmp_path):
    registry = write_pair(tmp_path, ["C1,A1,One,,planned,,", "C1,A2,Two,,planned,,"])
    with pytest.raises(DataValidationError) as caught:
        load_registry(registry)
    [problem] = caught.value.problems
    assert problem.line == 3 and "already used on line 2" in problem.reason


def test_problems_from_both_files_are_reported_together(tmp_path):
    rows = [make_row(activity_id="A1", country="XXX")]
    registry = write_pair(tmp_path, ["C1,A9,One,,planned,,"], registry_rows=rows)
    with pytest.raises(DataValidationError) as caught:
        load_registry(registry)
    files = {p.file.rsplit("/", 1)[-1] for p in caught.value.problems}
    assert files == {"reg.csv", "reg.commitments.csv"}


def test_pairing_rules(tmp_path):
    # the shipped layout: cooperation_events.csv pairs with commitments.csv beside it
    shutil.copy(FIXTURE_REGISTRY, tmp_path / "cooperation_events.csv")
    shutil.copy(FIXTURE_COMMITMENTS, tmp_path / "commitments.csv")
    assert commitments_path_for(tmp_path / "cooperation_events.csv") == tmp_path / "commitments.csv"
    # another registry in the same folder does not borrow those commitments
    other = tmp_path / "kaz.csv"
    assert commitments_path_for(other) is None
    (tmp_path / "kaz.commitments.csv").write_text(HEADER + "\n", encoding="utf-8")
    assert commitments_path_for(other) == tmp_path / "kaz.commitments.csv"


def test_empty_evidence_item(tmp_path):
    registry = write_pair(tmp_path, ["C1,A1,One,,planned,A2;,"])
    with pytest.raises(DataValidationError) as caught:
        load_registry(registry)
    [problem] = caught.value.problems
    assert problem.column == "evidence_activity_ids" and "empty item" in problem.reason


def test_validate_a_commitments_file_alone_uses_its_own_registry(tmp_path, capsys):
    from analysis.cli import main

    registry = write_pair(tmp_path, ["C1,A1,One,,planned,A2,"])
    assert main(["validate", str(registry.with_name("reg.commitments.csv"))]) == 0
    assert "OK, 1 commitments" in capsys.readouterr().out


def test_commitment_ru_is_optional_read_and_checked(tmp_path):
    header = ",".join([*COLUMNS, "commitment_ru"])
    registry = write_pair(tmp_path, [])
    (tmp_path / "reg.commitments.csv").write_text(
        f"{header}\nC1,A1,Publish a report,,planned,,,Опубликовать отчёт\n"
        "C2,A2,Hold a workshop,,planned,,,\n", encoding="utf-8")
    assert list(load_registry(registry).commitments["commitment_ru"]) == [
        "Опубликовать отчёт", ""]
    (tmp_path / "reg.commitments.csv").write_text(
        f"{header}\nC1,A1,Publish a report,,planned,,,=Опубликовать\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        load_registry(registry)
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (2, "commitment_ru")
    assert "formula" in problem.reason
