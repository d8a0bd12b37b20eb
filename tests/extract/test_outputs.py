"""What ``coopreport extract --output`` and the importers may write over: only files they made
(sidecar), never curated data, never a folder, link, device, pipe or socket; and every text
they write is free of spreadsheet formulas, review columns included."""

from __future__ import annotations

import csv
import hashlib
import os
import stat
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.core import paths
from tests.helpers import FIXTURES, GOOD_ROW, make_row, registry_text

PRESS = FIXTURES / "press" / "az-01.txt"
EXPORT = FIXTURES / "worldbank" / "export_array.json"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def extract(output: Path) -> int:
    return main(["extract", str(PRESS), "--output", str(output)])


def test_drafts_replace_only_drafts_the_extractor_wrote(tmp_path, capsys):
    drafts = tmp_path / "drafts.csv"
    assert extract(drafts) == 0
    assert (tmp_path / "drafts.csv.provenance.json").is_file()
    assert extract(drafts) == 0  # its own, unedited: replaced
    reviewed = drafts.read_text(encoding="utf-8").replace(",seminar,", ",meeting,", 1)
    drafts.write_text(reviewed, encoding="utf-8")
    assert extract(drafts) == 2  # a reviewed file keeps its edits
    assert "has changed since coopreport wrote it" in capsys.readouterr().err
    assert drafts.read_text(encoding="utf-8") == reviewed


def test_a_file_the_extractor_did_not_write_is_refused(tmp_path, capsys):
    mine = tmp_path / "mine.csv"
    mine.write_text("name,notes\nx,do not lose\n", encoding="utf-8")
    before = digest(mine)
    assert extract(mine) == 2
    err = capsys.readouterr().err
    assert "mine.csv: the file exists and it was not written by coopreport" in err
    assert digest(mine) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.csv"]


def test_curated_data_is_never_written_by_the_extractor(tmp_path, monkeypatch, capsys):
    registry = tmp_path / "cooperation_events.csv"
    registry.write_text(registry_text([GOOD_ROW]), encoding="utf-8")
    monkeypatch.setattr(paths, "default_registry", lambda: registry)
    before = digest(registry)
    assert extract(registry) == 2
    assert "is curated data" in capsys.readouterr().err
    assert digest(registry) == before


@pytest.mark.parametrize("kind", ["folder", "link", "fifo", "device"])
def test_special_outputs_are_refused_by_the_extractor_and_the_importers(tmp_path, kind,
                                                                         capsys):
    target = tmp_path / "out.csv"
    if kind == "folder":
        target.mkdir()
    elif kind == "link":
        real = tmp_path / "real.csv"
        real.write_text(registry_text([GOOD_ROW]), encoding="utf-8")
        target.symlink_to(real)
    elif kind == "fifo":
        os.mkfifo(target)  # reading its first line would wait forever
    else:
        target = Path("/dev/null")
    before = os.lstat(target)
    assert extract(target) == 2
    assert main(["import", "worldbank", str(EXPORT), "--output", str(target), "--force"]) == 2
    err = capsys.readouterr().err
    assert err.count("nothing was written") == 2
    after = os.lstat(target)
    assert (stat.S_IFMT(after.st_mode), after.st_ino) == (stat.S_IFMT(before.st_mode),
                                                          before.st_ino)


def test_an_importer_refuses_a_sidecar_path_that_is_a_folder_before_writing(tmp_path, capsys):
    out = tmp_path / "wb.csv"
    (tmp_path / "wb.csv.provenance.json").mkdir()
    assert main(["import", "worldbank", str(EXPORT), "--output", str(out)]) == 2
    assert "its sidecar is a folder" in capsys.readouterr().err
    assert not out.exists()


def test_review_columns_are_written_without_formulas_and_checked(tmp_path, capsys):
    press = tmp_path / "press.txt"
    press.write_text(PRESS.read_text(encoding="utf-8").replace(
        "Bakı, 5 dekabr", "=HYPERLINK(\"http://example.invalid\") Bakı, 5 dekabr", 1),
        encoding="utf-8")
    drafts = tmp_path / "drafts.csv"
    assert main(["extract", str(press), "--output", str(drafts)]) == 0
    with drafts.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    cells = [value for row in rows for value in row.values()]
    assert any(value.startswith("'=HYPERLINK") for value in cells)  # the sentence is evidence
    assert not any(value[:1] in "=+-@" for value in cells if value)
    # a hand edit that puts a formula in a review column is reported by validate
    rows[0]["evidence_partners"] = "=cmd|' /C calc'!A0"
    with drafts.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    assert main(["validate", str(drafts)]) == 2
    assert "drafts.csv:2: evidence_partners: " in capsys.readouterr().err


def test_importers_neutralise_formulas_in_every_column(tmp_path):
    from analysis.data.cleaning import clean_rows

    row = make_row(counterpart="=1+1", title="@SUM(A1)", source="-x", source_language="+en")
    clean = next(clean_rows([row], "test"))
    assert [clean[c] for c in ("counterpart", "title", "source", "source_language")] == [
        "'=1+1", "'@SUM(A1)", "'-x", "'+en"]
