"""coopreport list: each report's name, notebook and last build, read from an output folder's
records. The output folders here are fixtures written by hand (summaries and a manifest in
editions, the ``current`` link), so every expected line is known in advance."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from analysis.build.last_build import LastBuild, last_builds
from analysis.cli import main
from analysis.core import paths
from analysis.core.paths import display_path
from tests.helpers import FIXTURES, fixture_project, make_row, registry_text

OLD, NEW = "2026-12-01T10:00:00Z", "2026-12-02T10:00:00Z"
ERROR = "NameError: name 'x' is not defined\n  in cell 4\n"
WARNING = "no activities for KAZ in 2019–2023: the report shows only zeros"


def edition(out: Path, folder: str, built_at: str, reports: list[dict[str, Any]],
            manifest: dict[str, Any] | None = None) -> Path:
    """One edition of an output folder, with its summary (and manifest)."""
    where = out / ".editions" / folder
    where.mkdir(parents=True)
    (where / "build-summary.json").write_text(json.dumps(
        {"built_at": built_at, "status": "ok", "reports": reports}), encoding="utf-8")
    if manifest is not None:
        (where / "build-manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return where


def output_folder(out: Path) -> Path:
    """Two editions: an older one (its folder name sorts last on purpose), and the published
    one, which built only some reports; one report is only in the manifest."""
    out.mkdir()
    (out / ".coopreport-output").write_text('{"tool": "coopreport", "layout": 1}\n',
                                            encoding="utf-8")
    edition(out, "e-20261209T000000-old", OLD, [
        {"name": "broke", "status": "ok"},
        {"name": "earlier-failure", "status": "failed", "error": ERROR}])
    edition(out, "e-20261202T100000-new", NEW, [
        {"name": "broke", "status": "failed", "error": "ValueError: bad year"},
        {"name": "fresh", "status": "ok", "reason": "first build (no earlier record)"},
        {"name": "same", "status": "skipped",
         "reason": "unchanged since the build of 2026-11-30T09:00:00Z"},
        {"name": "warned", "status": "warning", "warnings": [WARNING, "second warning"]}],
        manifest={"fresh": {"built_at": NEW}, "kept": {"built_at": "2026-11-20T08:00:00Z"}})
    os.symlink(os.path.join(".editions", "e-20261202T100000-new"), out / "current")
    return out


def test_each_report_has_its_last_build(tmp_path):
    assert last_builds(output_folder(tmp_path / "out")) == {
        # the published edition first, whatever its folder's name
        "broke": LastBuild("failed", NEW, "ValueError: bad year"),
        "fresh": LastBuild("ok", NEW),
        "same": LastBuild("skipped", NEW, "unchanged since the build of 2026-11-30T09:00:00Z"),
        "warned": LastBuild("warning", NEW, f"{WARNING}; second warning"),
        # not in the last build: an earlier edition's summary says how it went
        "earlier-failure": LastBuild("failed", OLD, "NameError: name 'x' is not defined"),
        # in no kept summary: the manifest keeps its last successful build
        "kept": LastBuild("ok", "2026-11-20T08:00:00Z")}


def test_no_records_in_a_folder_that_is_not_an_output_folder(tmp_path):
    assert last_builds(tmp_path / "absent") == {}
    (tmp_path / "someone-elses").mkdir()
    (tmp_path / "someone-elses" / "build-summary.json").write_text("{}", encoding="utf-8")
    assert last_builds(tmp_path / "someone-elses") == {}


def test_a_long_error_is_shortened_on_its_line(tmp_path):
    out = output_folder(tmp_path / "out")
    edition(out, "e-20261203T100000-later", "2026-12-03T10:00:00Z", [
        {"name": "long", "status": "failed", "error": "RuntimeError:" + " word" * 60}])
    os.replace(out / "current", out / "old-link")
    os.symlink(os.path.join(".editions", "e-20261203T100000-later"), out / "current")
    # 160 characters at most: "RuntimeError:" (13), 29 × " word" (145), " …" (2)
    assert last_builds(out)["long"].detail == "RuntimeError:" + " word" * 29 + " …"
    assert LastBuild("failed", NEW, "ValueError: bad").words() == (
        f"failed, {NEW}: ValueError: bad")
    assert LastBuild("ok", "").words() == "ok, time not recorded"


def test_list_shows_names_notebooks_and_last_builds(tmp_path, monkeypatch, capsys):
    project = fixture_project(tmp_path / "project")
    monkeypatch.setenv(paths.ROOT_ENV, str(project))
    for name, notebook in (("fresh", "country_profile"), ("warned", "country_comparison"),
                           ("broke", "strategic_procurement"), ("same", "country_profile"),
                           ("earlier-failure", "country_profile"),
                           ("never-built", "country_profile")):
        (project / "params" / f"{name}.yaml").write_text(
            f"name: {name}\nnotebook: {notebook}.ipynb\ntitle: {name}\n", encoding="utf-8")
    invalid = project / "params" / "zz-invalid.yaml"
    invalid.write_text("name: zz\nnotebook: country_profile.ipynb\ntitle: Z\n"
                       "parameters:\n  country: XXX\n", encoding="utf-8")
    out = output_folder(tmp_path / "out")
    assert main(["list", "--output-dir", str(out)]) == 2  # the invalid params file
    lines = capsys.readouterr().out.splitlines()
    # sorted by params file name; columns as wide as the longest name and notebook
    assert lines[:7] == [
        "REPORT           NOTEBOOK                     LAST BUILD",
        f"broke            strategic_procurement.ipynb  failed, {NEW}: ValueError: bad year",
        f"earlier-failure  country_profile.ipynb        failed, {OLD}: NameError: name 'x' is "
        "not defined",
        f"fresh            country_profile.ipynb        ok, {NEW}",
        "never-built      country_profile.ipynb        never built",
        f"same             country_profile.ipynb        skipped, {NEW}: unchanged since the "
        "build of 2026-11-30T09:00:00Z",
        f"warned           country_comparison.ipynb     warning, {NEW}: {WARNING}; second "
        "warning"]
    assert lines[7].startswith(f"{display_path(invalid)}: INVALID: {invalid}: "
                               "parameters.country: 'XXX' is not an ISO 3166-1 alpha-3")
    assert len(lines) == 8


def test_list_exits_0_on_a_valid_project_never_built(tmp_path, monkeypatch, capsys):
    project = fixture_project(tmp_path / "project")
    monkeypatch.setenv(paths.ROOT_ENV, str(project))
    (project / "params" / "only.yaml").write_text(
        "name: only\nnotebook: country_profile.ipynb\ntitle: Only\n", encoding="utf-8")
    assert main(["list"]) == 0  # the project's reports/_output does not exist
    assert capsys.readouterr().out.splitlines() == [
        "REPORT  NOTEBOOK               LAST BUILD",
        "only    country_profile.ipynb  never built"]


def test_list_says_a_data_problem_once(tmp_path, monkeypatch, capsys):
    """Two reports read one broken registry: its problem once, then the two names."""
    project = fixture_project(tmp_path / "project")
    monkeypatch.setenv(paths.ROOT_ENV, str(project))
    registry = tmp_path / "r.csv"
    registry.write_text(registry_text([make_row(), make_row(activity_id="b", title="")]),
                        encoding="utf-8")
    monkeypatch.setenv(paths.DATA_PATH_ENV, str(registry))
    for name in ("one", "two"):
        (project / "params" / f"{name}.yaml").write_text(
            f"name: {name}\nnotebook: country_profile.ipynb\ntitle: {name}\n", encoding="utf-8")
    assert main(["list", "--output-dir", str(tmp_path / "none")]) == 2
    assert capsys.readouterr().out.splitlines() == [
        "REPORT  NOTEBOOK               LAST BUILD",
        "one     country_profile.ipynb  never built",
        "two     country_profile.ipynb  never built",
        f'{display_path(registry)}:3: title: "": required field is empty',
        "2 report(s) cannot be built until it is fixed: one, two"]


@pytest.mark.slow
def test_build_by_name_then_list_shows_how_it_went(tmp_path, monkeypatch, capsys):
    """End to end (real kernels): two reports built by name, one failing on purpose; list then
    reads the build's own records."""
    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    (project / "notebooks").mkdir()
    shutil.copy(FIXTURES / "notebooks" / "tiny.ipynb", project / "notebooks")
    (project / "data").mkdir()
    (project / "data" / "taxonomy").symlink_to(paths.PACKAGE_DIR.parents[1] / "data" /
                                               "taxonomy", target_is_directory=True)
    monkeypatch.setenv(paths.ROOT_ENV, str(project))
    for name, fail in (("good-one", "false"), ("bad-one", "true")):
        (project / "params" / f"{name}.yaml").write_text(
            f"name: {name}\nnotebook: tiny.ipynb\ntitle: {name}\nformats: [html]\n"
            f"parameters:\n  label: {name}\n  fail: {fail}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", "good-one", "bad-one", "--output-dir", str(out), "--jobs", "1",
                 "--renderer", "builtin"]) == 1
    built_at = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))["built_at"]
    capsys.readouterr()
    assert main(["list", "--output-dir", str(out)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "REPORT    NOTEBOOK    LAST BUILD",
        f"bad-one   tiny.ipynb  failed, {built_at}: RuntimeError: planned failure for bad-one",
        f"good-one  tiny.ipynb  ok, {built_at}"]
