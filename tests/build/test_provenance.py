"""The commit a build records: "-dirty" when a report's inputs under git have uncommitted
changes, checked on temporary git repositories made here."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from analysis.build.provenance import describe_build, git_commit

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
           "GIT_CONFIG_NOSYSTEM": "1"}


def git(repo: Path, *arguments: str) -> str:
    """git in ``repo``, with no user or system configuration (an empty file of the test's)."""
    empty = repo.parent / "gitconfig"
    empty.touch()
    done = subprocess.run(["git", *arguments], cwd=repo, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": str(empty)})
    assert done.returncode == 0, f"git {' '.join(arguments)}: {done.stderr}"
    return done.stdout.strip()


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path) -> tuple[Path, str]:
    """A project committed in a repository of its own: data, params, a notebook, the Quarto
    project, a README, tests, and a .gitignore that leaves out the data cache."""
    repo = tmp_path / "repo"
    for name, text in {"data/registry.csv": "id\n1\n", "data/taxonomy/t.yaml": "a: 1\n",
                       "params/uzb.yaml": "name: uzb\n", "notebooks/profile.ipynb": "{}\n",
                       "reports/_quarto.yml": "project: {}\n", "README.md": "hello\n",
                       "tests/test_x.py": "\n", ".gitignore": "data/cache/\n"}.items():
        write(repo / name, text)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    return repo, git(repo, "rev-parse", "HEAD")


def test_a_clean_checkout_is_its_commit(project):
    repo, head = project
    assert git_commit(repo) == head


@pytest.mark.parametrize("change", [
    "edit data/registry.csv", "edit data/taxonomy/t.yaml", "edit params/uzb.yaml",
    "edit notebooks/profile.ipynb", "edit reports/_quarto.yml", "new params/kaz.yaml",
    "new data/sources/extra.csv", "delete data/registry.csv", "staged data/registry.csv"])
def test_any_uncommitted_change_to_an_input_makes_it_dirty(project, change):
    repo, head = project
    how, name = change.split()
    if how == "delete":
        (repo / name).unlink()
    else:
        write(repo / name, "changed\n")
    if how == "staged":
        git(repo, "add", name)
    assert git_commit(repo) == f"{head}-dirty"


@pytest.mark.parametrize("change", ["README.md", "tests/test_x.py", "notes.txt",
                                    "data/cache/download.json"])
def test_changes_outside_the_inputs_or_ignored_by_git_leave_it_clean(project, change):
    repo, head = project
    write(repo / change, "changed\n")
    assert git_commit(repo) == head


def test_a_project_inside_a_larger_repository_looks_at_its_own_inputs(tmp_path):
    repo = tmp_path / "repo"
    write(repo / "project" / "data" / "registry.csv", "id\n1\n")
    write(repo / "data" / "registry.csv", "another project's data\n")
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    head = git(repo, "rev-parse", "HEAD")
    write(repo / "data" / "registry.csv", "changed\n")  # not this project's data
    assert git_commit(repo / "project") == head
    write(repo / "project" / "data" / "registry.csv", "changed\n")
    assert git_commit(repo / "project") == f"{head}-dirty"


def test_outside_git_there_is_no_commit(tmp_path, monkeypatch):
    write(tmp_path / "data" / "registry.csv", "id\n1\n")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))  # no repository above
    assert git_commit(tmp_path) is None


def test_the_record_keeps_the_dirty_commit_it_is_given():
    record = describe_build({"country": "UZB"}, None, commit="abc123-dirty",
                            built_at="2026-12-07T05:53:08Z")
    assert record["git_commit"] == "abc123-dirty"
