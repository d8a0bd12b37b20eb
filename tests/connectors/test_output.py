"""What importers write (issue 11): unsafe characters removed, formula cells neutralised, and
no file replaced that the importer did not write, curated data above all.

Every source file here is written by the test; rows are fictional.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.connectors.output import write_registry_rows
from analysis.core import paths
from analysis.data.registry import read_activities
from tests.helpers import make_row, registry_text

EXPORT = paths.project_root() / "tests" / "fixtures" / "worldbank" / "export_array.json"
PROJECT = {"id": "P900001", "countrycode": "UZ", "boardapprovaldate": "2021-03-04T00:00:00Z",
           "totalcommamt": 5000000, "sector": [{"Name": "Public Administration"}]}


def rows_of(path: Path) -> list[dict[str, str]]:
    frame, checked = read_activities(path)
    assert checked.problems == [], [str(p) for p in checked.problems]
    return frame.to_dict("records")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# -- text: stripped and neutralised -------------------------------------------------------------

def test_unsafe_characters_are_removed_and_each_removal_logged(tmp_path, caplog):
    row = make_row(title="Budget\x1breport\u202e on procurement\ufffe",
                   counterpart="Ministry\x85 of\u2066 Finance", source="example.org\x9b")
    with caplog.at_level(logging.WARNING, logger="analysis.connectors.output"):
        assert write_registry_rows([row], tmp_path / "out.csv", origin="input.json") == 1
    [written] = rows_of(tmp_path / "out.csv")
    assert written["title"] == "Budgetreport on procurement"
    assert written["counterpart"] == "Ministry of Finance"
    assert written["source"] == "example.org"
    logged = caplog.text
    assert "input.json: UZB-2023-05-17-test-seminar: title: removed U+001B" in logged
    assert "U+202E" in logged and "U+FFFE" in logged and "U+0085" in logged
    assert "\x1b" not in logged and "\u202e" not in logged


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_like_text_gets_an_apostrophe(tmp_path, start):
    row = make_row(title=f"{start}HYPERLINK(\"http://evil.example\",\"x\")",
                   counterpart=f"{start}1+1", source=f"{start}cmd")
    write_registry_rows([row], tmp_path / "out.csv")
    [written] = rows_of(tmp_path / "out.csv")
    assert written["title"] == f"'{start}HYPERLINK(\"http://evil.example\",\"x\")"
    assert (written["counterpart"], written["source"]) == (f"'{start}1+1", f"'{start}cmd")


def test_tab_before_a_formula_is_removed_then_the_formula_neutralised(tmp_path):
    write_registry_rows([make_row(title="\t=1+1")], tmp_path / "out.csv")
    assert rows_of(tmp_path / "out.csv")[0]["title"] == "'=1+1"


def test_worldbank_import_cleans_hostile_fields(tmp_path):
    source = tmp_path / "page.json"
    project = {**PROJECT, "project_name": "=HYPERLINK(\"http://evil.example\")\x1b",
               "impagency": "@Agency\u202e", "url": "https://evil.example/\u202egpj.exe"}
    source.write_text(json.dumps([project]), encoding="utf-8")
    out = tmp_path / "wb.csv"
    assert main(["import", "worldbank", str(source), "--output", str(out)]) == 0
    [row] = rows_of(out)
    assert row["title"] == "'=HYPERLINK(\"http://evil.example\")"
    assert row["counterpart"] == "'@Agency"
    # an address with a bidi control is not trusted: the project's own page is used
    assert row["source_url"] == ("https://projects.worldbank.org/en/projects-operations/"
                                 "project-detail/P900001")


def test_iati_import_cleans_hostile_fields(tmp_path):
    source = tmp_path / "hostile.xml"
    source.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n'
        '<iati-activity xml:lang="en" default-currency="USD">\n'
        "<iati-identifier>XM-TEST-1</iati-identifier>\n"
        '<reporting-org ref="44000"><narrative>The World Bank</narrative></reporting-org>\n'
        "<title><narrative>@SUM(1+1)\u202e roads\x9b\ufdd0</narrative></title>\n"
        '<activity-date iso-date="2020-01-01" type="2"/>\n<recipient-country code="UZ"/>\n'
        "</iati-activity>\n</iati-activities>\n", encoding="utf-8")
    out = tmp_path / "iati.csv"
    assert main(["import", "iati", str(source), "--output", str(out)]) == 0
    [row] = rows_of(out)
    assert row["title"] == "'@SUM(1+1) roads"


# -- which files may be replaced ----------------------------------------------------------------

def import_export(out: Path, *extra: str) -> int:
    return main(["import", "worldbank", str(EXPORT), "--output", str(out), *extra])


def test_an_import_writes_a_provenance_sidecar(tmp_path):
    out = tmp_path / "wb.csv"
    assert import_export(out) == 0
    record = json.loads((tmp_path / "wb.csv.provenance.json").read_text(encoding="utf-8"))
    assert record["sha256"] == digest(out)
    assert record["command"] == "import worldbank" and record["rows"] == 2
    assert record["input"].endswith("export_array.json")


def test_an_importer_replaces_its_own_unedited_output(tmp_path):
    out = tmp_path / "wb.csv"
    assert import_export(out) == 0
    assert main(["import", "worldbank", str(EXPORT), "--country", "AZE",
                 "--output", str(out)]) == 0
    assert [r["country"] for r in rows_of(out)] == ["AZE"]


def test_a_registry_the_importer_did_not_write_is_refused(tmp_path, capsys):
    out = tmp_path / "mine.csv"
    out.write_text(registry_text([make_row(activity_id=f"A{i}") for i in range(3)]), "utf-8")
    before = digest(out)
    assert import_export(out) == 2
    err = capsys.readouterr().err
    assert "was not written by coopreport" in err and "mine.csv.provenance.json" in err
    assert "--force" in err
    assert digest(out) == before and sorted(p.name for p in tmp_path.iterdir()) == ["mine.csv"]


def test_an_import_output_edited_by_hand_is_refused(tmp_path, capsys):
    out = tmp_path / "wb.csv"
    assert import_export(out) == 0
    out.write_text(out.read_text(encoding="utf-8").replace("RURAL", "Rural"), encoding="utf-8")
    before = digest(out)
    assert import_export(out) == 2
    assert "has changed since coopreport wrote it" in capsys.readouterr().err
    assert digest(out) == before


def test_force_replaces_a_registry_but_never_another_kind_of_file(tmp_path):
    out = tmp_path / "mine.csv"
    out.write_text(registry_text([make_row()]), "utf-8")
    assert import_export(out, "--force") == 0
    assert len(rows_of(out)) == 2
    notes = tmp_path / "notes.csv"
    notes.write_text("name,phone\nAli,123\n", encoding="utf-8")
    assert import_export(notes, "--force") == 2
    assert notes.read_text(encoding="utf-8") == "name,phone\nAli,123\n"


@pytest.fixture
def curated(tmp_path, monkeypatch):
    """A stand-in for the shipped registry, with a sidecar as if an importer had written it."""
    data = tmp_path / "data"
    data.mkdir()
    registry = data / "cooperation_events.csv"
    registry.write_text(registry_text([make_row(activity_id=f"C{i}") for i in range(78)]),
                        encoding="utf-8")
    (data / "cooperation_events.csv.provenance.json").write_text(
        json.dumps({"sha256": digest(registry)}), encoding="utf-8")
    monkeypatch.setattr(paths, "default_registry", lambda: registry)
    monkeypatch.setattr(paths, "default_sources", lambda: data / "sources.yaml")
    return registry


def test_the_curated_registry_is_never_replaced(curated, capsys):
    before = digest(curated)
    assert import_export(curated) == 2
    err = capsys.readouterr().err
    assert "is curated data" in err and "data/sources.yaml" in err and "--force" in err
    assert digest(curated) == before


def test_a_file_listed_as_curated_in_sources_yaml_is_never_replaced(curated, capsys):
    other = curated.with_name("partner-notes.csv")
    other.write_bytes(curated.read_bytes())
    other.with_name("partner-notes.csv.provenance.json").write_text(
        json.dumps({"sha256": digest(other)}), encoding="utf-8")
    curated.with_name("sources.yaml").write_text(
        "sources:\n  - path: cooperation_events.csv\n  - path: partner-notes.csv\n"
        "    curated: true\n", encoding="utf-8")
    before = digest(other)
    assert import_export(other) == 2
    assert "is curated data" in capsys.readouterr().err
    assert digest(other) == before


def test_force_replaces_the_curated_registry(curated):
    assert import_export(curated, "--force") == 0
    assert len(rows_of(curated)) == 2


def test_fetch_refuses_before_any_request(curated, capsys):
    """--offline would read the cache; the refusal comes first, so nothing is read or sent."""
    before = digest(curated)
    assert main(["fetch", "worldbank", "--country", "UZB", "--offline",
                 "--output", str(curated)]) == 2
    assert "is curated data" in capsys.readouterr().err
    assert digest(curated) == before
