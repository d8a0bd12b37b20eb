"""The ``coopreport`` command line: validate on good and broken registries."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.cli import main
from analysis.core import paths
from tests.helpers import FIXTURE_REGISTRY

# Ten planted errors: (row number among the data rows, 0-based; column; bad value; reason text)
PLANTED = [
    (0, "date", "2023-02-30", "impossible date"),
    (4, "date_precision", "day", "precision 'day' needs a date like YYYY-MM-DD"),
    (9, "country", "UZX", "unknown country code"),
    (14, "activity_type", "meting", "did you mean 'meeting'"),
    (19, "themes", "procurement", "unknown theme"),
    (24, "partners", "Wrold Bank", "did you mean 'World Bank'"),
    (29, "amount_usd", "-100", "negative amount"),
    (34, "amount_usd", "ten million", "not a number"),
    (39, "title", "", "required field is empty"),
    (44, "activity_id", None, "duplicate id"),  # None: copy the previous row's id
]


def plant_errors(target: Path) -> dict[int, tuple[str, str]]:
    """Copy the fixture registry with the ten errors above; return {file line: (column, reason)}."""
    with FIXTURE_REGISTRY.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    expected: dict[int, tuple[str, str]] = {}
    for index, column, value, reason in PLANTED:
        if index == 4:  # a day-precision row gets a month-shaped date
            rows[index]["date"] = rows[index]["date"][:7]
        rows[index][column] = rows[index - 1][column] if value is None else value
        expected[index + 2] = (column, reason)  # header is line 1; no quoted line breaks here
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return expected


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True,
                          text=True, cwd=paths.project_root(), check=False)


def test_validate_prints_a_summary_of_a_valid_registry():
    result = run_cli("validate", str(FIXTURE_REGISTRY))
    assert result.returncode == 0, result.stderr
    # counted by hand in the frozen fixture (tests/fixtures/registry/README.md)
    assert "tests/fixtures/registry/cooperation_events.csv: OK, 78 activities" in result.stdout
    assert "countries: UZB 43, AZE 35" in result.stdout
    assert "years:     2017-2026" in result.stdout
    assert "tests/fixtures/registry/commitments.csv: OK, 10 commitments" in result.stdout


def test_validate_without_paths_checks_the_project_registry(tmp_path):
    """With no argument, validate reads the project's data/ (here a copy holding the fixture)."""
    data = tmp_path / "data"
    shutil.copytree(paths.taxonomy_dir(), data / "taxonomy")
    shutil.copy(FIXTURE_REGISTRY, data / "cooperation_events.csv")
    (data / "sources.yaml").write_text("sources:\n  - path: cooperation_events.csv\n",
                                       encoding="utf-8")
    env = {**os.environ, "COOPREPORT_ROOT": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "analysis", "validate"], capture_output=True,
                            text=True, cwd=tmp_path, env=env, check=False)
    assert result.returncode == 0, result.stderr
    assert "OK, 78 activities" in result.stdout


def test_validate_reports_ten_planted_errors_with_lines(tmp_path):
    broken = tmp_path / "broken.csv"
    expected = plant_errors(broken)
    digest = hashlib.sha256(broken.read_bytes()).hexdigest()
    result = run_cli("validate", str(broken))
    assert result.returncode == 2
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith(str(broken))]
    assert len(lines) == 10, result.stderr
    for line_no, (column, reason) in expected.items():
        hits = [ln for ln in lines if ln.startswith(f"{broken}:{line_no}: {column}: ")]
        assert len(hits) == 1, (line_no, column, result.stderr)
        assert reason in hits[0]
    assert "10 problems in 1 file" in result.stderr
    assert hashlib.sha256(broken.read_bytes()).hexdigest() == digest  # untouched


def test_validate_several_files_and_a_lone_commitments_file(tmp_path, capsys):
    registry = tmp_path / "cooperation_events.csv"
    registry.write_bytes(FIXTURE_REGISTRY.read_bytes())
    commitments = tmp_path / "other_commitments.csv"
    commitments.write_text(
        "commitment_id,activity_id,commitment,due,status,evidence_activity_ids,note\n"
        "X1,NOT-AN-ACTIVITY,Something,2025,planned,,\n", encoding="utf-8")
    code = main(["validate", str(registry), str(commitments)])
    out = capsys.readouterr()
    assert code == 2
    assert f"{commitments}:2: activity_id: NOT-AN-ACTIVITY: no activity" in out.err
    assert "OK, 78 activities" in out.out


def test_validate_empty_file_exit_2(tmp_path, capsys):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert main(["validate", str(empty)]) == 2
    assert f"{empty}:1: (file): \"\": the file is empty" in capsys.readouterr().err


def test_console_script_and_module_agree():
    script = Path(sys.executable).with_name("coopreport")
    if not script.exists():
        pytest.skip(f"console script not installed next to {sys.executable}")
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0 and result.stdout.startswith("coopreport ")


def test_usage_error_exits_2():
    result = run_cli("no-such-command")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_validate_paths_are_relative_to_the_working_directory(tmp_path, monkeypatch, capsys):
    (tmp_path / "mine.csv").write_bytes(FIXTURE_REGISTRY.read_bytes())
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "mine.csv"]) == 0
    assert "mine.csv: OK, 78 activities" in capsys.readouterr().out


def test_every_option_has_help_text():
    import argparse

    from analysis.cli import build_parser

    def parsers(parser: argparse.ArgumentParser):
        yield parser
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub in action.choices.values():
                    yield from parsers(sub)

    missing = [f"{p.prog}: {a.dest}" for p in parsers(build_parser()) for a in p._actions
               if not isinstance(a, argparse._SubParsersAction) and not a.help]
    assert missing == []


@pytest.mark.parametrize("value", ["0", "-1"])
def test_keep_editions_below_one_is_refused_before_anything_is_written(tmp_path, capsys, value):
    out = tmp_path / "out"
    assert main(["build", "--all", "--output-dir", str(out), "--keep-editions", value]) == 2
    assert ("coopreport build: --keep-editions takes 1 or more (1 = only the current edition), "
            f"not {value}") in capsys.readouterr().err
    assert not out.exists()


def test_the_projects_settings_are_the_builds_defaults(tmp_path, monkeypatch):
    """--keep-editions and --notify fall back on the project's coopreport.yaml; outside any
    project, on the built-in defaults (the build then says there is no project)."""
    from analysis.cli.commands import _project_setting

    project = tmp_path / "project"
    project.mkdir()
    (project / "coopreport.yaml").write_text("keep_editions: 3\n", encoding="utf-8")
    monkeypatch.setenv("COOPREPORT_ROOT", str(project))
    assert _project_setting("keep_editions", 10) == 3
    assert _project_setting("notify", ()) == ()
    monkeypatch.delenv("COOPREPORT_ROOT")
    monkeypatch.chdir(tmp_path)  # no marker here or above
    assert _project_setting("keep_editions", 10) == 10


@pytest.mark.parametrize(("setting", "option", "kept"), [
    ("keep_editions: 3\n", [], 3), ("keep_editions: 3\n", ["--keep-editions", "5"], 5),
    ("", [], 10)])
def test_the_build_keeps_as_many_editions_as_the_project_says(tmp_path, monkeypatch, setting,
                                                             option, kept):
    """--keep-editions, else the project's keep_editions, else 10 reach the build (seen at
    its first step, the check for a build with nothing to do)."""
    from analysis.build import uptodate

    project = tmp_path / "project"
    (project / "params").mkdir(parents=True)
    (project / "coopreport.yaml").write_text(setting or "# defaults\n", encoding="utf-8")
    params = project / "params" / "one.yaml"
    params.write_text("name: one\n", encoding="utf-8")
    monkeypatch.setenv("COOPREPORT_ROOT", str(project))
    seen = []
    monkeypatch.setattr(uptodate, "nothing_to_do",
                        lambda *args: seen.append(args[-1]) or "up to date")
    assert main(["build", str(params), "--output-dir", str(tmp_path / "out"), *option]) == 0
    assert seen == [kept]
