"""`coopreport new`: a project folder from the code's schema and the repository's files."""

from __future__ import annotations

import csv

import pytest

from analysis.cli import main, scaffold
from analysis.core import paths
from analysis.core.errors import ParameterError, UnavailableError
from analysis.core.project import project_config
from analysis.data import registry_format
from tests.helpers import make_row

# A hand-made stand-in for the repository's project (test fixture, not real data)
CURATED_ROW = "FIXTURE-CURATED-ROW"


@pytest.fixture
def sample(tmp_path, monkeypatch):
    """A fictional sample project, as a wheel carries it, with built output and a cache that
    must never be copied."""
    root = tmp_path / "sample"
    files = {
        "notebooks/profile.ipynb": "{}",
        "notebooks/.ipynb_checkpoints/profile-checkpoint.ipynb": "{}",
        "reports/_quarto.yml": "project: {}\n",
        "reports/_output/old.html": "old",
        "data/taxonomy/themes.csv": "theme\nfixture_theme\n",
        "data/mappings/dac_sectors.csv": "code,theme\n",
        "data/extract/months.csv": "month\n",
        "data/sources.yaml": "sources: []\n",
        "data/cache/raw.json": "{}",
        "data/cooperation_events.csv": f"activity_id\n{CURATED_ROW}\n",
        "data/reference/country_indicators.csv": "country\nUZB\n",
        "data/reference/indicator_guide.csv": "indicator\nfixture\n",
        "data/reference/source_names.csv": "source,source_ru\n",
        "params/uzb-profile.yaml": "name: one\n",
        "params/other.yaml": "name: other\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(paths, "SAMPLE_PROJECT_DIR", root)
    return root


def listed(folder):
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def header(path):
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_a_new_project_has_the_marker_the_schema_and_no_curated_data(sample, tmp_path):
    made = scaffold.new_project(tmp_path / "mine")
    assert listed(made) == [
        ".gitignore", "README.md", "coopreport.yaml",
        "data/commitments.csv", "data/cooperation_events.csv",
        "data/extract/months.csv", "data/mappings/dac_sectors.csv",
        "data/reference/country_indicators.csv", "data/reference/indicator_guide.csv",
        "data/reference/procurement_milestones.csv", "data/reference/source_names.csv",
        "data/sources.yaml", "data/taxonomy/themes.csv",
        "notebooks/profile.ipynb", "params/uzb-profile.yaml", "reports/_quarto.yml"]
    registry = header(made / "data" / "cooperation_events.csv")
    assert registry == [[*registry_format.COLUMNS, *registry_format.OPTIONAL_COLUMNS]]
    assert header(made / "data/reference/country_indicators.csv")[1:] == []  # no UZB row
    assert paths.is_project(made)
    assert project_config(made).keep_editions == 10  # the settings file's keys are comments
    assert [p.name for p in tmp_path.iterdir()] in (["sample", "mine"], ["mine", "sample"])


def test_sample_data_copies_the_curated_files_and_every_params_file(sample, tmp_path):
    made = scaffold.new_project(tmp_path / "mine", with_sample_data=True)
    assert CURATED_ROW in (made / "data" / "cooperation_events.csv").read_text(encoding="utf-8")
    assert sorted(p.name for p in (made / "params").iterdir()) == ["other.yaml",
                                                                   "uzb-profile.yaml"]
    assert not (made / "data" / "cache").exists()
    assert not (made / "reports" / "_output").exists()


def test_an_empty_folder_is_used_and_a_full_one_refused_untouched(sample, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (scaffold.new_project(empty) / "coopreport.yaml").is_file()
    full = tmp_path / "full"
    full.mkdir()
    (full / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ParameterError, match="full is not empty; nothing was written") as caught:
        scaffold.new_project(full)
    assert caught.value.exit_code == 2
    assert listed(full) == ["notes.txt"]
    assert (full / "notes.txt").read_text(encoding="utf-8") == "mine"
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    with pytest.raises(ParameterError, match="is a file, not a folder"):
        scaffold.new_project(a_file)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file", "full", "sample"]


def test_an_installation_without_the_project_files_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "SAMPLE_PROJECT_DIR", tmp_path / "none")
    monkeypatch.setattr(paths, "PACKAGE_DIR", tmp_path / "site-packages" / "analysis")
    with pytest.raises(UnavailableError, match="reinstall coopreport"):
        scaffold.new_project(tmp_path / "mine")
    assert not (tmp_path / "mine").exists()


def test_new_then_two_rows_validate(tmp_path, monkeypatch, capsys):
    """From this checkout (a development install): the command, then the new project's own
    registry with two rows is valid."""
    assert main(["new", str(tmp_path / "mine")]) == 0
    assert "made the project" in capsys.readouterr().out
    registry = tmp_path / "mine" / "data" / "cooperation_events.csv"
    columns = header(registry)[0]
    with registry.open("a", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n",
                                extrasaction="ignore")
        writer.writerow(make_row(activity_id="FIXTURE-1"))
        writer.writerow(make_row(activity_id="FIXTURE-2", date="2024-02-01"))
    monkeypatch.delenv(paths.ROOT_ENV)
    monkeypatch.delenv(paths.DATA_PATH_ENV)
    monkeypatch.chdir(tmp_path / "mine" / "params")
    assert main(["validate"]) == 0
    assert "data/cooperation_events.csv: OK, 2 activities" in capsys.readouterr().out.replace(
        "../", "")
    assert main(["new", str(tmp_path / "mine")]) == 2
    assert "is not empty" in capsys.readouterr().err
