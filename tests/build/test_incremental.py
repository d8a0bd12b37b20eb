"""Incremental builds: a report is rebuilt only when what it is made from changed, and the summary
says why; a build with nothing to do records that without starting a kernel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.build import incremental
from analysis.core import paths
from tests.build.test_build import TINY, build, params_file

pytestmark = pytest.mark.slow


def summary(out: Path) -> dict[str, dict]:
    data = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    return {r["name"]: r for r in data["reports"]}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A data folder and a package folder of the test's own, so each can be changed (the
    vocabularies are read from the real data folder, whatever the test changes)."""
    data = tmp_path / "data"
    (data / "taxonomy").mkdir(parents=True)
    (data / "taxonomy" / "themes.csv").write_text("id\nx\n", encoding="utf-8")
    (data / "reference").mkdir()
    (data / "reference" / "indicators.csv").write_text("a\n1\n", encoding="utf-8")
    code = tmp_path / "code"
    code.mkdir()
    (code / "module.py").write_text("X = 1\n", encoding="utf-8")
    vocabularies = paths.taxonomy_dir()  # the reports still read the real vocabularies
    monkeypatch.setattr(paths, "data_dir", lambda root=None: data)
    monkeypatch.setattr(paths, "taxonomy_dir", lambda root=None: vocabularies)
    monkeypatch.setattr(incremental, "CODE_DIR", code)
    return tmp_path


def test_unchanged_reports_are_skipped_and_each_input_triggers_a_rebuild(project):
    out = project / "out"
    notebook = project / "nb" / "tiny.ipynb"
    notebook.parent.mkdir()
    shutil.copy(paths.project_root() / TINY, notebook)
    spec = params_file(project, "a", label="one")
    spec.write_text(spec.read_text(encoding="utf-8").replace(TINY, str(notebook)),
                    encoding="utf-8")
    other = params_file(project, "b", label="two")

    assert build(str(spec), str(other), "--output-dir", str(out), "--jobs", "1") == 0
    first = summary(out)
    assert {n: r["status"] for n, r in first.items()} == {"a": "ok", "b": "ok"}
    assert first["a"]["reason"] == "first build (no earlier record)"

    def rebuilt(*args: str) -> dict[str, str]:
        assert build(str(spec), str(other), "--output-dir", str(out), "--jobs", "1",
                     *args) == 0
        return {n: r["reason"] for n, r in summary(out).items() if r["status"] == "ok"}

    # nothing changed: both skipped, and the summary says since when
    assert rebuilt() == {}
    skipped = summary(out)["a"]
    assert skipped["status"] == "skipped"
    assert skipped["reason"].startswith("unchanged since the build of 20")
    assert skipped["outputs"] == [str(out / "a.ipynb"), str(out / "a.html")]
    assert "label=one" in (out / "a.html").read_text(encoding="utf-8")

    spec.write_text(spec.read_text(encoding="utf-8").replace('"one"', '"uno"'), "utf-8")
    assert rebuilt() == {"a": f"params changed ({paths.display_path(spec)})"}
    assert "label=uno" in (out / "a.html").read_text(encoding="utf-8")

    notebook.write_text(notebook.read_text(encoding="utf-8").replace(
        "text shown in the report", "text shown"), encoding="utf-8")
    assert rebuilt() == {"a": f"notebook changed ({paths.display_path(notebook)})"}

    themes = paths.data_dir() / "taxonomy" / "themes.csv"
    themes.write_text("id\nx\ny\n", encoding="utf-8")
    reason = f"data changed ({paths.display_path(themes)})"
    assert rebuilt() == {"a": reason, "b": reason}

    added = paths.data_dir() / "reference" / "milestones.csv"
    added.write_text("m\n", encoding="utf-8")
    assert rebuilt() == {n: f"data changed ({paths.display_path(added)})" for n in "ab"}

    (incremental.CODE_DIR / "module.py").write_text("X = 2\n", encoding="utf-8")
    code = incremental.CODE_DIR / "module.py"
    assert rebuilt() == {n: f"code changed ({paths.display_path(code)})" for n in "ab"}

    assert rebuilt("--formats", "html,pdf") == {
        n: "renderer, formats or default registry changed" for n in "ab"}
    assert (out / "a.pdf").is_file()
    assert rebuilt("--formats", "html,pdf") == {}
    assert rebuilt("--formats", "html,pdf", "--force") == {"a": "--force", "b": "--force"}


def test_a_failed_report_is_retried_and_a_missing_output_rebuilt(project):
    out = project / "out"
    good = params_file(project, "good")
    flaky = params_file(project, "flaky", fail=True)
    assert build(str(good), str(flaky), "--output-dir", str(out), "--jobs", "1") == 1
    assert build(str(good), str(flaky), "--output-dir", str(out), "--jobs", "1") == 1
    statuses = {n: r["status"] for n, r in summary(out).items()}
    assert statuses == {"good": "skipped", "flaky": "failed"}  # a failure is never "current"
    (out / "current" / "good.html").unlink()  # a published file gone: the report is rebuilt
    assert build(str(good), "--output-dir", str(out), "--jobs", "1") == 0
    assert summary(out)["good"]["status"] == "ok"


def test_a_build_with_nothing_to_do_starts_no_kernel_and_imports_no_pandas(tmp_path):
    out = tmp_path / "out"
    spec = params_file(tmp_path, "a")
    assert build(str(spec), "--output-dir", str(out)) == 0
    script = ("import sys\nfrom analysis.cli import main\n"
              f"code = main(['build', '--allow-notebook-outside', {str(spec)!r}, "
              f"'--output-dir', {str(out)!r}])\n"
              "print(code, 'pandas' in sys.modules, 'papermill' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=paths.project_root(), timeout=120)
    assert done.stdout.splitlines()[-1] == "0 False False", done.stderr
    assert "1 report(s) up to date" in done.stdout
    assert summary(out)["a"]["status"] == "skipped"
