"""A data file's problems stop the build once, as validate says them, with the reports they stop;
params problems stay per params file. No kernel starts in these tests: the build refuses first.

The registries here are fixtures written by the tests (tests.helpers), with planted problems
whose lines are counted by hand: the header is line 1, the first row line 2.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.build.params import load_report_spec
from analysis.build.problems import DataFileProblems, ReportsNotBuilt, group_by_file
from analysis.cli import main
from analysis.core import paths
from analysis.core.paths import display_path
from tests.helpers import FIXTURE_REGISTRY, make_row, registry_text

IMPOSSIBLE = "date: 2023-02-30: impossible date"  # the planted problems, as validate says them
EMPTY_TITLE = 'title: "": required field is empty'


def broken_registry(path: Path, *problems: dict[str, str]) -> Path:
    """A registry whose first row is good and each next row carries one planted problem."""
    rows = [make_row(activity_id="UZB-good")]
    rows += [make_row(activity_id=f"UZB-bad-{i}", **p) for i, p in enumerate(problems)]
    path.write_text(registry_text(rows), encoding="utf-8")
    return path


def spec(folder: Path, name: str, *, data_path: str | None = None, country: str = "UZB") -> Path:
    """A params file for the shipped country profile notebook (it declares data_path)."""
    path = folder / f"{name}.yaml"
    data = "" if data_path is None else f"\n  data_path: {data_path}"
    path.write_text(f"name: {name}\nnotebook: country_profile.ipynb\ntitle: {name}\n"
                    f"parameters:\n  country: {country}{data}\n", encoding="utf-8")
    return path


def refused(capsys: pytest.CaptureFixture[str], *params: Path, out: Path) -> list[str]:
    """Build ``params``; the build must refuse (exit 2) and write nothing. Its error lines."""
    assert main(["build", *map(str, params), "--output-dir", str(out)]) == 2
    assert not out.exists()
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err.splitlines()


def test_default_registry_problems_are_said_once_for_all_the_reports(tmp_path, monkeypatch,
                                                                     capsys):
    """Three params files without data_path read the default registry: its 2 problems are 2
    lines, then 1 line naming the 3 reports; the params problem of one stays its own line."""
    registry = broken_registry(tmp_path / "default.csv", {"date": "2023-02-30"}, {"title": ""})
    monkeypatch.setenv(paths.DATA_PATH_ENV, str(registry))
    first, second = spec(tmp_path, "first"), spec(tmp_path, "second")
    third = spec(tmp_path, "third", country="XXX")
    lines = refused(capsys, first, second, third, out=tmp_path / "out")
    name = display_path(registry)
    assert lines[:3] == [f"{name}:3: {IMPOSSIBLE}: February 2023 has 28 days",
                         f"{name}:4: {EMPTY_TITLE}",
                         "3 report(s) not built because of it: first, second, third"]
    assert lines[3].startswith(f"{third}: parameters.country: 'XXX' is not an ISO 3166-1")
    assert lines[4] == ("2 problems in 1 data file and 1 problem in 1 params file; fix them "
                        "(coopreport validate FILE checks a data file alone) and run again "
                        "(nothing was built)")
    assert len(lines) == 5
    assert not any("data_path" in line for line in lines)  # not a params problem


def test_each_data_path_registry_is_said_once_with_its_own_readers(tmp_path, monkeypatch,
                                                                   capsys):
    """Two broken registries (one read by two reports, one by one), a good one, and the
    (good) default: 2 + 1 problems, each once, each file followed by its readers."""
    monkeypatch.setenv(paths.DATA_PATH_ENV, str(FIXTURE_REGISTRY))
    one = broken_registry(tmp_path / "one.csv", {"date": "2023-02-30"}, {"title": ""})
    two = broken_registry(tmp_path / "two.csv", {"title": ""})
    good = tmp_path / "good.csv"
    good.write_text(registry_text([make_row()]), encoding="utf-8")
    params = [spec(tmp_path, "a", data_path=str(one)), spec(tmp_path, "b", data_path=str(one)),
              spec(tmp_path, "c", data_path=str(two)), spec(tmp_path, "d", data_path=str(good)),
              spec(tmp_path, "e")]
    lines = refused(capsys, *params, out=tmp_path / "out")
    assert lines == [
        f"{display_path(one)}:3: {IMPOSSIBLE}: February 2023 has 28 days",
        f"{display_path(one)}:4: {EMPTY_TITLE}",
        "2 report(s) not built because of it: a, b",
        f"{display_path(two)}:3: {EMPTY_TITLE}",
        "1 report(s) not built because of it: c",
        "3 problems in 2 data files; fix them (coopreport validate FILE checks a data file "
        "alone) and run again (nothing was built)"]


def test_a_sources_file_names_each_broken_registry_once(tmp_path, monkeypatch, capsys):
    """A sources YAML lists a.csv and b.csv (one problem each); one report reads the YAML,
    another a.csv alone: a.csv's problem is said once, stopping both; b.csv's stops one."""
    monkeypatch.setenv(paths.DATA_PATH_ENV, str(FIXTURE_REGISTRY))
    first = broken_registry(tmp_path / "a.csv", {"date": "2023-02-30"})
    second = tmp_path / "b.csv"
    second.write_text(registry_text([make_row(activity_id="UZB-b-1", title="")]),
                      encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources:\n  - path: a.csv\n  - path: b.csv\n", encoding="utf-8")
    lines = refused(capsys, spec(tmp_path, "combined", data_path=str(sources)),
                    spec(tmp_path, "alone", data_path=str(first)), out=tmp_path / "out")
    assert lines == [
        f"{display_path(first)}:3: {IMPOSSIBLE}: February 2023 has 28 days",
        "2 report(s) not built because of it: alone, combined",
        f"{display_path(second)}:2: {EMPTY_TITLE}",
        "1 report(s) not built because of it: combined",
        "2 problems in 2 data files; fix them (coopreport validate FILE checks a data file "
        "alone) and run again (nothing was built)"]


def test_the_lines_are_the_ones_validate_prints(tmp_path, monkeypatch, capsys):
    registry = broken_registry(tmp_path / "r.csv", {"date": "2023-02-30"}, {"title": ""},
                               {"country": "XXX"})
    assert main(["validate", str(registry)]) == 2
    validated = capsys.readouterr().err.splitlines()[:-1]  # less its closing count
    assert len(validated) == 3
    lines = refused(capsys, spec(tmp_path, "r", data_path=str(registry)), out=tmp_path / "out")
    assert lines[:3] == validated


def test_params_problems_stay_per_params_file(tmp_path, monkeypatch, capsys):
    """Good data, two bad params files: each says its own problems, then the count."""
    monkeypatch.setenv(paths.DATA_PATH_ENV, str(FIXTURE_REGISTRY))
    first, second = spec(tmp_path, "x", country="XXX"), spec(tmp_path, "y", country="YYY")
    lines = refused(capsys, first, second, out=tmp_path / "out")
    assert [line.split(": ")[0] for line in lines[:2]] == [str(first), str(second)]
    assert lines[2] == "2 problems in 2 params files; fix them and run again (nothing was built)"
    assert len(lines) == 3


def test_one_params_file_loaded_alone_says_the_data_problem_as_data(tmp_path, monkeypatch):
    registry = broken_registry(tmp_path / "r.csv", {"title": ""})
    monkeypatch.setenv(paths.DATA_PATH_ENV, str(registry))
    with pytest.raises(ReportsNotBuilt) as caught:
        load_report_spec(spec(tmp_path, "alone"))
    assert str(caught.value).splitlines() == [
        f"{display_path(registry)}:3: {EMPTY_TITLE}",
        "1 report(s) not built because of it: alone"]
    assert caught.value.exit_code == 2


def test_group_by_file_joins_readers_and_keeps_each_problem_once():
    read = {"r1": {"a.csv": ("a.csv:2: x", "a.csv:3: y")},
            "r2": {"a.csv": ("a.csv:2: x", "a.csv:3: y"), "b.csv": ("b.csv:5: z",)},
            "r3": {"a.csv": ("a.csv:2: x", "a.csv:3: y", "a.csv:9: across files")}}
    assert group_by_file(read) == [
        DataFileProblems("a.csv", ("a.csv:2: x", "a.csv:3: y", "a.csv:9: across files"),
                         ("r1", "r2", "r3")),
        DataFileProblems("b.csv", ("b.csv:5: z",), ("r2",))]

