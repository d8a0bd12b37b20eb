"""coopreport build takes report names as well as params files: a name is the ``name:`` of a
params file in params/, a file at the path wins, an unknown name suggests the closest ones."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from analysis.build.targets import resolve_targets
from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import ParameterError
from analysis.core.paths import display_path
from tests.helpers import fixture_project, make_row, registry_text

NAMES = ("uzb-profile", "uzb-profile-uz", "aze-profile", "uzb-aze-comparison")


def params_folder(folder: Path, names: tuple[str, ...] = NAMES) -> Path:
    """params/ with one file per name; file names differ from the report names on purpose."""
    folder.mkdir(parents=True, exist_ok=True)
    for number, name in enumerate(names):
        (folder / f"report-{number}.yaml").write_text(
            f"name: {name}\nnotebook: country_profile.ipynb\ntitle: {name}\n", encoding="utf-8")
    return folder


def test_names_and_paths_mixed_in_order_each_file_once(tmp_path):
    folder = params_folder(tmp_path / "params")
    given = str(folder / "report-2.yaml")
    assert resolve_targets(["uzb-profile-uz", given, "uzb-profile", "aze-profile"],
                           folder) == [folder / "report-1.yaml", Path(given),
                                       folder / "report-0.yaml"]


def test_a_file_at_the_path_wins_over_a_name(tmp_path, monkeypatch, caplog):
    folder = params_folder(tmp_path / "params")
    monkeypatch.chdir(tmp_path)
    Path("aze-profile").write_text("name: elsewhere\n", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        assert resolve_targets(["aze-profile"], folder) == [Path("aze-profile")]
    assert ("aze-profile: the file aze-profile is built (a file wins over a report name); the "
            f"report named aze-profile is in {display_path(folder / 'report-2.yaml')}"
            ) in caplog.messages


def test_an_unknown_name_suggests_the_closest_ones(tmp_path):
    folder = params_folder(tmp_path / "params")
    with pytest.raises(ParameterError) as caught:
        resolve_targets(["uzb-profile", "uzb-profil", "zzz", "nowhere/aze-profle.yaml"], folder)
    where = display_path(folder)
    # difflib ratios, by hand: uzb-profile 20/21, uzb-profile-uz 20/24, aze-profile 16/21
    # (common "-profil" and "z"); uzb-aze-comparison under 0.6
    assert str(caught.value).splitlines() == [
        f"'uzb-profil': no params file at this path, and no report in {where} has this name; "
        "did you mean uzb-profile or uzb-profile-uz or aze-profile? coopreport list shows "
        "every report's name",
        f"'zzz': no params file at this path, and no report in {where} has this name; "
        "coopreport list shows every report's name",
        # a missing path is matched by its stem, aze-profle: aze-profile 20/21 ("aze-prof",
        # "le"), uzb-profile 16/21 ("-prof", "le", "z"), uzb-profile-uz 16/24
        f"'nowhere/aze-profle.yaml': no params file at this path, and no report in {where} "
        "has this name; did you mean aze-profile or uzb-profile or uzb-profile-uz? coopreport "
        "list shows every report's name"]
    assert caught.value.exit_code == 2


def test_a_name_in_two_params_files_needs_the_path(tmp_path):
    folder = params_folder(tmp_path / "params", ("twin", "twin"))
    with pytest.raises(ParameterError, match=r"'twin' is the name in 2 params files \(.*"
                                             r"report-0.yaml, .*report-1.yaml\); give the path"):
        resolve_targets(["twin"], folder)


def test_a_params_file_whose_name_cannot_be_read_is_named(tmp_path):
    folder = params_folder(tmp_path / "params", ("good",))
    (folder / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ParameterError) as caught:
        resolve_targets(["brokn"], folder)
    assert f"({display_path(folder / 'broken.yaml')} could not be read for its name)" in str(
        caught.value)


def test_build_by_name_on_a_project(tmp_path, monkeypatch, capsys):
    """The command resolves names in the project's params/ (here the build then refuses on
    the report's broken registry, before any kernel: the refusal names the report)."""
    project = fixture_project(tmp_path / "project")
    monkeypatch.setenv(paths.ROOT_ENV, str(project))
    registry = tmp_path / "broken.csv"
    registry.write_text(registry_text([make_row(title="")]), encoding="utf-8")
    params_folder(project / "params", ("uzb-profile",))
    (project / "params" / "report-0.yaml").write_text(
        "name: uzb-profile\nnotebook: country_profile.ipynb\ntitle: Uzbekistan\n"
        f"parameters:\n  data_path: {registry}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "uzb-profile", "--output-dir", str(out)]) == 2
    assert "1 report(s) not built because of it: uzb-profile" in capsys.readouterr().err
    assert main(["build", "uzb-profil", "--output-dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("coopreport: 'uzb-profil': no params file at this path")
    assert "did you mean uzb-profile?" in err
    assert not out.exists()
