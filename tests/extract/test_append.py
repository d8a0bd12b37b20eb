"""The append path: validates, appends only, flags duplicates, never rewrites existing rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.core.errors import DataValidationError
from analysis.data.registry import read_activities
from analysis.extract.append import append_drafts
from tests.helpers import GOOD_ROW

EXISTING = [
    {**GOOD_ROW, "activity_id": "UZB-2023-05-17-wb", "date": "2023-05-17"},
    {**GOOD_ROW, "activity_id": "AZE-2022-01-10-eu", "date": "2022-01-10", "country": "AZE",
     "partners": "European Union"},
]


def draft(**changes: str) -> dict[str, str]:
    return {**GOOD_ROW, "activity_id": "UZB-2024-02-07-new", "date": "2024-02-07",
            "title": "Conference with World Bank on strategic procurement",
            "title_ru": "", "detected_language": "uz-Latn", **changes}


@pytest.fixture
def registry(write_registry: Callable[..., Path]) -> Path:
    return write_registry(EXISTING)


def test_appends_after_the_unchanged_bytes(registry: Path) -> None:
    before = registry.read_bytes()
    result = append_drafts([draft()], registry)
    after = registry.read_bytes()
    assert result.appended == ["UZB-2024-02-07-new"]
    assert after.startswith(before)
    assert after[len(before):].decode().startswith("UZB-2024-02-07-new,2024-02-07,day,UZB,")
    frame, checked = read_activities(registry)
    assert checked.problems == [] and len(frame) == 3


def test_an_invalid_draft_is_skipped_and_the_valid_one_appended(registry: Path) -> None:
    result = append_drafts([draft(activity_type="meting"), draft(activity_id="UZB-ok")],
                           registry)
    assert result.appended == ["UZB-ok"]
    [(skipped, reason)] = result.skipped
    assert skipped == "UZB-2024-02-07-new" and "did you mean 'meeting'" in reason


def test_an_id_already_in_the_registry_is_skipped(registry: Path) -> None:
    before = registry.read_bytes()
    result = append_drafts([draft(activity_id="AZE-2022-01-10-eu")], registry)
    assert result.appended == []
    assert "duplicate id" in result.skipped[0][1]
    assert registry.read_bytes() == before  # nothing to append: the file is not touched


def test_likely_duplicates_are_flagged_and_skipped_unless_included(registry: Path) -> None:
    # same country, partner, 3 days after UZB-2023-05-17-wb
    near = draft(activity_id="UZB-2023-05-20-near", date="2023-05-20")
    result = append_drafts([near], registry)
    assert result.appended == []
    assert "likely duplicate of UZB-2023-05-17-wb" in result.skipped[0][1]
    assert result.duplicates is not None and len(result.duplicates) == 1
    again = append_drafts([near], registry, include_duplicates=True)
    assert again.appended == ["UZB-2023-05-20-near"]


def test_an_invalid_registry_gets_nothing(write_registry: Callable[..., Path]) -> None:
    broken = write_registry([{**GOOD_ROW, "date": "2023-02-30"}])
    before = broken.read_bytes()
    with pytest.raises(DataValidationError, match="impossible date"):
        append_drafts([draft()], broken)
    assert broken.read_bytes() == before


def test_a_file_without_final_newline_and_with_crlf_keeps_its_bytes(
        write_registry: Callable[..., Path]) -> None:
    text = "\r\n".join(open_lines(write_registry(EXISTING)))  # no final line ending
    path = write_registry(text.encode(), name="crlf.csv")
    before = path.read_bytes()
    append_drafts([draft()], path)
    after = path.read_bytes()
    assert after.startswith(before + b"\r\n") and after.endswith(b"\r\n")


def test_formula_starts_are_neutralised_when_appended(registry: Path) -> None:
    append_drafts([draft(title="=HYPERLINK(1)")], registry)
    assert "'=HYPERLINK(1)" in registry.read_text(encoding="utf-8")


def open_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\n"])
@pytest.mark.parametrize("final", [True, False])
def test_a_registry_with_any_line_ending_keeps_its_bytes_and_its_kind(
        write_registry: Callable[..., Path], ending: str, final: bool) -> None:
    """Old Mac files (CR only) validate, so appending to them must work too: a repeated id is
    skipped at its own line, and the new line ends as the others do."""
    from tests.helpers import registry_text

    text = registry_text(EXISTING).replace("\r\n", "\n").replace("\n", ending)
    registry = write_registry(text.encode() if final else text.rstrip(ending).encode())
    before = registry.read_bytes()
    assert not read_activities(registry)[1].problems
    result = append_drafts([draft(activity_id="UZB-2023-05-17-wb"), draft()], registry)
    assert result.appended == ["UZB-2024-02-07-new"]
    assert [activity for activity, _ in result.skipped] == ["UZB-2023-05-17-wb"]
    assert "duplicate id" in result.skipped[0][1]
    after = registry.read_bytes()
    assert after.startswith(before.rstrip(ending.encode()))
    lines = after.count(ending.encode())
    assert after.count(b"\r") + after.count(b"\n") == lines * len(ending)  # one kind only
    frame, checked = read_activities(registry)
    assert not checked.problems and len(frame) == 3


def test_what_a_killed_append_left_is_removed_by_the_next(registry: Path, tmp_path) -> None:
    """A scratch folder (a full copy of the registry) and a half-written temporary file of a
    process that is gone are removed; those of a live process are not."""
    import os
    import subprocess
    import sys
    import tempfile

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    scratch = Path(tempfile.gettempdir()) / f"coopreport-append-{gone}-x1"
    scratch.mkdir()
    (scratch / registry.name).write_bytes(registry.read_bytes())
    half = registry.with_name(f".{registry.name}.{gone}-abc.tmp")
    half.write_text("half", encoding="utf-8")
    live = registry.with_name(f".{registry.name}.{os.getpid()}-def.tmp")
    live.write_text("mine, still writing", encoding="utf-8")
    append_drafts([draft()], registry)
    assert not scratch.exists() and not half.exists()
    assert live.exists()
    live.unlink()
