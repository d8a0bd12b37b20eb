"""The connectors from the command line: exit codes, messages, files left intact, and a
report built with an imported source showing the financing view."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.core import paths
from analysis.data.registry import read_activities
from tests.helpers import FIXTURE_COMMITMENTS, FIXTURE_REGISTRY, FIXTURES


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def existing(tmp_path: Path) -> Path:
    """An output file from an earlier import that a failing import must not touch."""
    path = tmp_path / "rows.csv"
    assert main(["import", "worldbank", str(FIXTURES / "worldbank" / "export_array.json"),
                 "--output", str(path)]) == 0
    return path


def test_import_worldbank_export_writes_valid_rows(tmp_path, capsys):
    out = tmp_path / "rows.csv"
    code = main(["import", "worldbank", str(FIXTURES / "worldbank" / "export_array.json"),
                 "--output", str(out)])
    assert code == 0
    assert "World Bank project row(s) written" in capsys.readouterr().out
    _, checked = read_activities(out)
    assert checked.problems == [] and checked.records


@pytest.mark.parametrize(("argv", "message"), [
    (["import", "worldbank", "{fixtures}/iati/activities.xml"], "not JSON"),
    (["import", "iati", "{fixtures}/iati/malformed.xml"], "malformed.xml"),
    (["import", "iati", "{fixtures}/iati/rss.xml"], "rss.xml"),
    (["import", "iati", "{fixtures}/worldbank/aze_page.json"], "aze_page.json"),
    (["import", "iati", "{fixtures}/iati/no-such-file.xml"], "no-such-file.xml"),
])
def test_failing_import_exits_1_names_the_file_and_keeps_the_output(argv, message, existing,
                                                                    capsys):
    before = digest(existing)
    args = [a.format(fixtures=FIXTURES) for a in argv] + ["--output", str(existing)]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert message in err
    assert digest(existing) == before
    assert sorted(p.name for p in existing.parent.iterdir()) == [  # no temp left
        existing.name, existing.name + ".provenance.json"]


def test_bad_country_is_a_usage_error(existing, capsys):
    argv = ["import", "worldbank", str(FIXTURES / "worldbank" / "export_array.json"),
            "--country", "XYZ", "--output", str(existing)]
    assert main(argv) == 2
    assert "XYZ" in capsys.readouterr().err


def test_offline_fetch_without_a_cache_fails_cleanly(tmp_path):
    """In a project folder with no cache, --offline says so and writes nothing."""
    root = tmp_path / "project"
    shutil.copytree(paths.taxonomy_dir(), root / "data" / "taxonomy")
    shutil.copytree(paths.mappings_dir(), root / "data" / "mappings")
    env = {**os.environ, "COOPREPORT_ROOT": str(root)}
    result = subprocess.run([sys.executable, "-m", "analysis", "fetch", "worldbank",
                             "--country", "UZB", "--offline"], capture_output=True, text=True,
                            env=env, check=False)
    assert result.returncode == 1
    assert "no cached World Bank" in result.stderr
    assert not (root / "data" / "sources").exists()


@pytest.mark.slow
def test_report_with_an_imported_source_shows_the_financing_view(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURE_REGISTRY, data / "cooperation_events.csv")
    shutil.copy(FIXTURE_COMMITMENTS, data / "commitments.csv")
    imported = data / "sources" / "worldbank.csv"
    assert main(["import", "worldbank", str(FIXTURES / "worldbank" / "aze_page.json"),
                 "--output", str(imported)]) == 0
    (data / "sources.yaml").write_text(
        "sources:\n  - path: cooperation_events.csv\n  - path: sources/worldbank.csv\n",
        encoding="utf-8")
    spec = tmp_path / "aze.yaml"
    spec.write_text(
        "name: aze-financing\nnotebook: country_profile.ipynb\ntitle: Azerbaijan\n"
        "formats: [html]\nparameters:\n  country: AZE\n  start_year: 2017\n"
        f"  end_year: 2026\n  data_path: {data / 'sources.yaml'}\n", encoding="utf-8")
    out = tmp_path / "out"
    # the built-in renderer's page is what is read below (Quarto on PATH would be chosen)
    assert main(["build", str(spec), "--output-dir", str(out), "--renderer", "builtin"]) == 0
    html = (out / "aze-financing.html").read_text(encoding="utf-8")
    # a numbered section (the built-in HTML numbers them as the PDF does)
    assert re.search(r'<h1 id="financing"><span class="header-section-number">\d+</span> '
                     r"Financing</h1>", html)
    # the imported project (P600001, $35M approved 15 January 2020) is in the tables, and the
    # curated 2020 rows ($100M and $150M) with it: $285M stated for Azerbaijan in 2020
    assert "$285M" in html
    assert "Access to Finance for Small and Medium Enterprises" in html
    assert "worldbank.csv (1 " in html  # the data note names each source file


def test_import_never_overwrites_a_file_that_is_not_a_registry(tmp_path, capsys):
    precious = tmp_path / "notes.csv"
    precious.write_text("name,phone\nAli,123\n", encoding="utf-8")
    argv = ["import", "worldbank", str(FIXTURES / "worldbank" / "export_array.json"),
            "--output", str(precious)]
    assert main(argv) == 2
    assert "is not a registry CSV" in capsys.readouterr().err
    assert precious.read_text(encoding="utf-8") == "name,phone\nAli,123\n"
