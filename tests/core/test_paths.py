"""The project is found when asked for, the way git finds a repository, never fixed at import."""

from __future__ import annotations

import pytest

from analysis.core import paths
from analysis.core.errors import ProjectNotFoundError

MARKED = "[project]\nname = 'x'\n\n[tool.coopreport]\n"


def project(folder):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pyproject.toml").write_text(MARKED, encoding="utf-8")
    return folder


@pytest.fixture
def no_checkout(tmp_path, monkeypatch):
    """As in a wheel install: the package's folder is not inside a project."""
    monkeypatch.setattr(paths, "PACKAGE_DIR", tmp_path / "site-packages" / "analysis")
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)


def test_the_environment_variable_names_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path / "elsewhere"))
    assert paths.project_root() == (tmp_path / "elsewhere").resolve()
    assert paths.taxonomy_dir() == (tmp_path / "elsewhere" / "data" / "taxonomy").resolve()


def test_the_project_is_found_from_the_working_folder_up(tmp_path, monkeypatch, no_checkout):
    root = project(tmp_path / "mine")
    deep = root / "notebooks" / "drafts"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    assert paths.project_root() == root
    assert paths.default_registry() == root / "data" / "cooperation_events.csv"


def test_a_pyproject_without_the_table_is_not_a_project(tmp_path, monkeypatch, no_checkout):
    other = tmp_path / "other"
    other.mkdir()
    (other / "pyproject.toml").write_text("[project]\nname = 'other'\n[tool.ruff]\n",
                                          encoding="utf-8")
    monkeypatch.chdir(other)
    with pytest.raises(ProjectNotFoundError, match="no coopreport project in .*other") as caught:
        paths.project_root()
    assert f"set {paths.ROOT_ENV}=" in str(caught.value)
    assert caught.value.exit_code == 2


def test_a_coopreport_yaml_file_marks_a_project(tmp_path, monkeypatch, no_checkout):
    root = tmp_path / "quarto-like"
    (root / "params").mkdir(parents=True)
    (root / paths.CONFIG_NAME).write_text("# only comments\n", encoding="utf-8")
    monkeypatch.chdir(root / "params")
    assert paths.project_root() == root
    (root / paths.CONFIG_NAME).unlink()
    (root / paths.CONFIG_NAME).mkdir()  # a folder of that name is no marker
    paths._find_root.cache_clear()
    with pytest.raises(ProjectNotFoundError):
        paths._find_root("", str(root / "params"))


def test_a_folder_outside_every_project_never_reads_the_checkout(tmp_path, monkeypatch):
    """A development install's checkout is a project, but a folder outside it is not: it gets
    an error naming the checkout, never the checkout's data."""
    checkout = project(tmp_path / "checkout")
    monkeypatch.setattr(paths, "PACKAGE_DIR", checkout / "src" / "analysis")
    monkeypatch.delenv(paths.ROOT_ENV, raising=False)
    elsewhere = tmp_path / "copy-of-data"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(ProjectNotFoundError, match="coopreport new FOLDER") as caught:
        paths.project_root()
    assert f"source checkout {checkout}" in str(caught.value)
    monkeypatch.chdir(checkout)
    assert paths.project_root() == checkout


def test_folders_of_a_project_named_by_its_root(tmp_path):
    assert paths.taxonomy_dir(tmp_path) == tmp_path / "data" / "taxonomy"
    assert paths.notebooks_dir(tmp_path) == tmp_path / "notebooks"
    assert paths.default_commitments(tmp_path) == tmp_path / "data" / "commitments.csv"


def test_the_root_follows_the_environment_between_calls(tmp_path, monkeypatch):
    """Nothing is fixed at import: a long session sees the project it is pointed at now."""
    first, second = project(tmp_path / "a"), project(tmp_path / "b")
    monkeypatch.setenv(paths.ROOT_ENV, str(first))
    assert paths.data_dir() == first / "data"
    monkeypatch.setenv(paths.ROOT_ENV, str(second))
    assert paths.data_dir() == second / "data"


def test_the_shipped_checkout_is_a_project():
    assert paths.is_project(paths.PACKAGE_DIR.parents[1])


def test_relative_data_paths_start_at_the_project(tmp_path, monkeypatch):
    monkeypatch.setenv(paths.ROOT_ENV, str(tmp_path))
    monkeypatch.delenv(paths.DATA_PATH_ENV, raising=False)
    assert paths.resolve_data_path("x/reg.csv") == tmp_path.resolve() / "x" / "reg.csv"
    assert paths.resolve_data_path("/abs/reg.csv").as_posix() == "/abs/reg.csv"
    assert paths.resolve_data_path("") == tmp_path.resolve() / "data" / "cooperation_events.csv"
    monkeypatch.setenv(paths.DATA_PATH_ENV, "tests/frozen.csv")
    assert paths.default_data_path() == tmp_path.resolve() / "tests" / "frozen.csv"
