"""The build runner end to end on fixture notebooks: isolation, atomicity, parallelism, provenance.

These tests start real Jupyter kernels (marked slow); each builds into a temporary folder.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from html import unescape
from pathlib import Path

import filelock
import nbformat
import pytest

from analysis.build.layout import LOCK_NAME, WORK_DIR
from analysis.cli import main
from analysis.core import paths
from analysis.core.errors import EXIT_LOCKED, EXIT_UNAVAILABLE
from tests.helpers import FIXTURE_REGISTRY, make_row, registry_text

pytestmark = pytest.mark.slow
# a test-only notebook outside notebooks/: builds opt in with --allow-notebook-outside
TINY = "tests/fixtures/notebooks/tiny.ipynb"
OPT_IN = "--allow-notebook-outside"


def params_file(folder: Path, name: str, formats: str = "[html]", **parameters: object) -> Path:
    """A params file for the tiny fixture notebook (parameters written as JSON, valid YAML)."""
    values = "".join(f"\n  {k}: {json.dumps(v)}" for k, v in parameters.items()) or " {}"
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nnotebook: {TINY}\ntitle: Report {name}\n"
                    f"formats: {formats}\nparameters:{values}\n", encoding="utf-8")
    return path


def build(*args: str) -> int:
    return main(["build", OPT_IN, *args])


def test_failure_is_contained_and_old_output_kept(tmp_path, capsys):
    out = tmp_path / "out"
    good = params_file(tmp_path, "good", label="first")
    flaky = params_file(tmp_path, "flaky", label="v1")
    assert build(str(good), str(flaky), "--output-dir", str(out), "--jobs", "1") == 0
    old_html = (out / "flaky.html").read_bytes()
    assert "label=v1" in (out / "flaky.html").read_text(encoding="utf-8")

    flaky = params_file(tmp_path, "flaky", label="v2", fail=True)
    good = params_file(tmp_path, "good", label="second")
    assert build(str(good), str(flaky), "--output-dir", str(out), "--jobs", "1") == 1
    # the good report was rebuilt and published
    assert "label=second" in (out / "good.html").read_text(encoding="utf-8")
    # the failing report's previous outputs are untouched
    assert (out / "flaky.html").read_bytes() == old_html
    # its executed notebook with the traceback is kept, and its path printed
    failed = out / "_failed" / "flaky.ipynb"
    nb = nbformat.read(failed, as_version=4)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0]["evalue"] == "planned failure for v2"
    printed = capsys.readouterr().out
    assert str(failed) in printed and "RuntimeError: planned failure for v2" in printed
    # and a page that says what went wrong, linked from the portal (issue 28)
    page = out / "_failed" / "flaky.html"
    assert "RuntimeError: planned failure for v2" in page.read_text(encoding="utf-8")
    assert 'href="_failed/flaky.html"' in (out / "index.html").read_text(encoding="utf-8")
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    by_name = {r["name"]: r for r in summary["reports"]}
    assert summary["status"] == "failed"
    assert by_name["good"]["status"] == "ok" and by_name["flaky"]["status"] == "failed"
    assert by_name["flaky"]["error"] == "RuntimeError: planned failure for v2"
    assert by_name["good"]["outputs"] == [str(out / "good.ipynb"), str(out / "good.html")]
    assert not (out / WORK_DIR).exists()  # no work folder left behind

    # once it succeeds again, the kept failure disappears
    params_file(tmp_path, "flaky", label="v3")
    assert build(str(flaky), "--output-dir", str(out), "--jobs", "1") == 0
    assert not failed.exists() and not page.exists()


def test_parallel_build_and_provenance(tmp_path):
    out = tmp_path / "out"
    files = [params_file(tmp_path, f"r{i}", formats="[html, pdf]", value=i, label=f"n{i}")
             for i in range(3)]
    assert build(*map(str, files), "--output-dir", str(out), "--jobs", "2") == 0
    for i in range(3):
        html = (out / f"r{i}.html").read_text(encoding="utf-8")
        # the fixture notebook reads the default registry: the frozen fixture (78 rows)
        assert f"value={i}; activities=78; label=n{i}" in html
        assert (out / f"r{i}.pdf").read_bytes().startswith(b"%PDF")
        nb = nbformat.read(out / f"r{i}.ipynb", as_version=4)
        record = nb.metadata["coopreport"]["provenance"]
        assert record["parameters"]["value"] == i
        assert record["parameters"]["data_path"] == ""  # default: COOPREPORT_DATA_PATH
        assert record["registry_sha256"] == _sha(FIXTURE_REGISTRY)
        assert record["package_version"] and record["built_at"].endswith("Z")
        assert "git_commit" in record
        assert record["registry_sha256"][:12] in html  # shown in the report's title block


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_bad_params_exit_2_and_write_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    good = params_file(tmp_path, "good")
    bad = params_file(tmp_path, "bad", start_year=2026, end_year=2020)
    assert build(str(good), str(bad), "--output-dir", str(out)) == 2
    assert "start_year 2026 is after end_year 2020" in capsys.readouterr().err
    assert not out.exists()


def test_missing_quarto_with_renderer_quarto_exits_69(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    monkeypatch.delenv("QUARTO_PATH", raising=False)
    out = tmp_path / "out"
    assert build(str(params_file(tmp_path, "a")), "--renderer", "quarto",
                 "--output-dir", str(out)) == EXIT_UNAVAILABLE
    assert "Quarto was not found" in capsys.readouterr().err
    assert not out.exists()


def test_second_build_into_the_same_folder_is_refused(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    with filelock.FileLock(str(out / LOCK_NAME)):
        assert build(str(params_file(tmp_path, "a")), "--output-dir", str(out)) == EXIT_LOCKED
    assert "another coopreport build is writing to" in capsys.readouterr().err
    assert not (out / "a.html").exists()


def test_build_needs_params_or_all(capsys):
    assert build() == 2
    assert "give report names or params files, or --all" in capsys.readouterr().err


def test_report_on_another_registry(tmp_path):
    """A shipped notebook with data_path at a different valid registry: another country."""
    rows = [make_row(activity_id=f"KAZ-{y}-test", country="KAZ", date=f"{y}-03-01",
                     themes="public_procurement" if y != 2021 else "governance")
            for y in (2020, 2021, 2023)]
    registry = tmp_path / "kaz.csv"
    registry.write_text(registry_text(rows), encoding="utf-8")
    spec = tmp_path / "kaz.yaml"
    spec.write_text(
        "name: kaz-profile\nnotebook: country_profile.ipynb\ntitle: Kazakhstan profile\n"
        "formats: [html, pdf]\nparameters:\n  country: KAZ\n  start_year: 2019\n"
        f"  end_year: 2023\n  data_path: {registry}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert build(str(spec), "--output-dir", str(out)) == 0
    html = (out / "kaz-profile.html").read_text(encoding="utf-8")
    assert "Kazakhstan" in html
    # 3 activities; 2019 and 2022 have none and are named as gaps
    assert "No activity is recorded for Kazakhstan in 2019, 2022" in html
    assert _sha(registry)[:12] in html


def test_invalid_registry_stops_the_build_before_any_kernel(tmp_path, capsys):
    registry = tmp_path / "broken.csv"
    registry.write_text(registry_text([make_row(country="XXX")]), encoding="utf-8")
    spec = params_file(tmp_path, "broken", data_path=str(registry))
    out = tmp_path / "out"
    assert build(str(spec), "--output-dir", str(out)) == 2
    err = capsys.readouterr().err
    # the data file's problem as validate says it, not as a params problem
    assert f"{registry}:2: country: XXX: unknown country code" in err
    assert "1 report(s) not built because of it: broken" in err
    assert "parameters.data_path" not in err
    assert not out.exists()


def test_the_notebook_itself_refuses_an_invalid_registry(tmp_path):
    """Interactive runs (and data changed after the check) fail with every problem listed."""
    from analysis.core.errors import DataValidationError
    from analysis.report.sections import prepare_report

    registry = tmp_path / "broken.csv"
    registry.write_text(registry_text([make_row(country="XXX"), make_row(activity_id="b",
                                                                         date="2023-02-30")]),
                        encoding="utf-8")
    with pytest.raises(DataValidationError) as caught:
        prepare_report(registry, ["UZB"], 2017, 2026)
    assert [p.line for p in caught.value.problems] == [2, 3]


def _cli(*args: str, **kwargs: object) -> subprocess.Popen[str]:
    if args[:1] == ("build",):
        args = ("build", OPT_IN, *args[1:])
    return subprocess.Popen([sys.executable, "-m", "analysis", *args], cwd=paths.project_root(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            **kwargs)  # type: ignore[call-overload]


def test_unattended_build_logs_with_timestamps_and_no_progress_bar(tmp_path):
    out = tmp_path / "out"
    process = _cli("build", str(params_file(tmp_path, "quiet")), "--output-dir", str(out))
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    lines = [ln for ln in stderr.splitlines() if "analysis" in ln]
    assert lines and all(re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d (INFO|ERROR)", ln)
                         for ln in lines)
    assert "building reports" not in stderr  # the progress display is for terminals only
    assert "quiet" in stdout and "1 of 1 report(s) built" in stdout


def test_a_normal_build_logs_no_error_or_warning(tmp_path):
    """A shipped notebook built in two parallel jobs: the whole log (runner, workers, kernels)
    has no ERROR or WARNING line, e.g. no 'KeyboardInterrupt caught in kernel' at shutdown."""
    specs = []
    for lang in ("en", "ru"):
        spec = tmp_path / f"profile-{lang}.yaml"
        spec.write_text(f"name: profile-{lang}\nnotebook: country_profile.ipynb\ntitle: P\n"
                        "formats: [html, pdf]\nparameters:\n  country: AZE\n"
                        f"  data_path: {FIXTURE_REGISTRY}\n  lang: {lang}\n", encoding="utf-8")
        specs.append(str(spec))
    process = _cli("build", *specs, "--output-dir", str(tmp_path / "out"), "--jobs", "2")
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 0, stderr
    assert "2 of 2 report(s) built" in stdout
    noisy = [ln for ln in stderr.splitlines() if re.search(r"ERROR|WARNING|Warning|Traceback", ln)]
    assert noisy == [], stderr


# Signal tests wait on events (files the fixture notebook creates, process state) with generous
# bounds, never on fixed sleeps: they must pass on a loaded machine (see README, "Tests").
EVENT_TIMEOUT = 240.0  # seconds; far beyond what a kernel needs to start on a busy machine


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], what: str) -> None:
    """Poll ``condition`` until it holds; fail if the build exits first or the bound passes."""
    deadline = time.monotonic() + EVENT_TIMEOUT
    while not condition():
        if process.poll() is not None:
            _, stderr = process.communicate()
            pytest.fail(f"the build exited ({process.returncode}) before {what}:\n{stderr}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"no sign after {EVENT_TIMEOUT:.0f} s that {what}")
        time.sleep(0.05)  # a polling interval, not a wait for something to happen


def test_killed_build_leaves_no_half_written_report(tmp_path):
    out = tmp_path / "out"
    spec = params_file(tmp_path, "victim", formats="[html, pdf]", label="old")
    assert build(str(spec), "--output-dir", str(out)) == 0
    before = {p.name: p.read_bytes() for p in out.glob("victim.*")}
    marker = tmp_path / "victim.started"
    params_file(tmp_path, "victim", formats="[html, pdf]", label="new", pause=600,
                started_marker=str(marker))
    process = _cli("build", str(spec), "--output-dir", str(out), "--jobs", "1",
                   start_new_session=True)
    # the notebook creates the marker inside the report, then sleeps: the report is mid-way
    wait_for(marker.exists, process, "the report's notebook started")
    os.killpg(process.pid, signal.SIGKILL)  # the runner and its kernel, mid-report
    process.communicate(timeout=EVENT_TIMEOUT)
    after = {p.name: p.read_bytes() for p in out.glob("victim.*")}
    assert after == before  # every published file is the old, complete one
    # the next build cleans the leftovers and publishes the new report
    params_file(tmp_path, "victim", formats="[html, pdf]", label="new")
    assert build(str(spec), "--output-dir", str(out)) == 0
    assert "label=new" in (out / "victim.html").read_text(encoding="utf-8")
    assert not (out / WORK_DIR).exists()


def test_ctrl_c_starts_no_new_report_and_says_so(tmp_path):
    out = tmp_path / "out"
    markers = [tmp_path / f"slow{i}.started" for i in range(3)]
    specs = [params_file(tmp_path, f"slow{i}", label=f"v{i}", pause=600,
                         started_marker=str(markers[i])) for i in range(3)]
    process = _cli("build", *map(str, specs), "--output-dir", str(out), "--jobs", "2",
                   start_new_session=True)
    wait_for(lambda: sum(m.exists() for m in markers) >= 2, process,
             "two reports were running")
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal sends
    _, stderr = process.communicate(timeout=EVENT_TIMEOUT)
    assert process.returncode == 130, stderr
    assert "interrupted" in stderr
    assert "Traceback" not in stderr
    assert sum(m.exists() for m in markers) == 2  # the third report never started
    assert not list(out.glob("slow*.html"))  # nothing half-built was published
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    assert summary["status"] == "interrupted" and summary["reports"] == []
    assert not (out / WORK_DIR).exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--jobs", "-1"], "--jobs must be 1 or more"),
    (["--formats", ""], "--formats takes html, pdf or html,pdf"),
    (["--formats", "docx"], "--formats takes html, pdf or html,pdf"),
])
def test_bad_build_options_exit_2(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    assert build(str(params_file(tmp_path, "a")), "--output-dir", str(out), *args) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_render_refuses_what_it_cannot_render(tmp_path, capsys):
    assert main(["render", str(tmp_path / "missing.ipynb")]) == 2
    assert "cannot read the notebook" in capsys.readouterr().err
    committed = paths.notebooks_dir() / "country_profile.ipynb"
    assert main(["render", str(committed), "--output-dir", str(tmp_path)]) == 2
    assert "not an executed report notebook" in capsys.readouterr().err


def test_kernels_are_shut_down_without_an_interrupt():
    """jupyter_client interrupts (SIGINT) a kernel before shutting it down; the idle kernel then
    logs 'ERROR | KeyboardInterrupt caught in kernel' when the signal lands in a handler. The
    runner's kernel manager sends no SIGINT at shutdown, and still interrupts when asked."""
    import asyncio

    from analysis.build.kernels import kernel_manager_class

    async def signals_sent() -> list[int]:
        km = kernel_manager_class()(kernel_name="python3")
        await km.start_kernel()
        sent: list[int] = []
        original = km.provisioner.send_signal

        async def record(signum: int) -> None:
            sent.append(signum)
            await original(signum)

        km.provisioner.send_signal = record
        try:
            await km.interrupt_kernel()  # an interrupt asked for (e.g. a cell timeout) is sent
            assert sent == [signal.SIGINT]
        finally:
            await km.shutdown_kernel()
        return sent

    assert asyncio.run(signals_sent()) == [signal.SIGINT]  # nothing more at shutdown


def test_a_country_with_no_activities_builds_with_a_warning(tmp_path):
    """Issue 13: KAZ has no row in the frozen registry. The report builds (exit 0) and says so;
    build-summary.json marks it `warning`; with --strict the same build exits 1."""
    spec = str(paths.project_root() / "tests" / "fixtures" / "params" / "kaz-profile-ru.yaml")
    out = tmp_path / "out"
    assert main(["build", spec, "--output-dir", str(out), "--renderer", "builtin",
                 "--jobs", "1"]) == 0
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    [report] = summary["reports"]
    assert (summary["status"], report["status"]) == ("warning", "warning")
    assert report["warnings"] == [
        "no activities for Kazakhstan in 2017–2026: the report shows only zeros"]
    executed = nbformat.read(out / "kaz-profile-ru.ipynb", as_version=4)
    assert [w["text"] for w in executed.metadata["coopreport"]["warnings"]] == report["warnings"]
    assert executed.metadata["coopreport"]["warnings"][0]["kind"] == "empty-country"
    # as the reader sees it (the page keeps "2026 гг." together with a no-break space)
    html = unescape((out / "kaz-profile-ru.html").read_text(encoding="utf-8")).replace("\xa0", " ")
    assert "Для Казахстана за 2017–2026 гг. не зарегистрировано ни одного мероприятия" in html
    assert "vnd.coopreport.warnings" not in html  # the runner removed the carrier output
    assert main(["build", spec, "--output-dir", str(out), "--renderer", "builtin",
                 "--jobs", "1", "--strict"]) == 1


def spcr_with_peer(folder: Path, expected: str = "") -> Path:
    """Uzbekistan 2019-2023 with Kazakhstan as peer: KAZ has no row in the frozen registry."""
    path = folder / "uzb-kaz-spcr.yaml"
    path.write_text("name: uzb-kaz-spcr\nnotebook: strategic_procurement.ipynb\n"
                    "title: Uzbekistan SPCR\nformats: [html]\n" + expected
                    + "parameters:\n  country: UZB\n  peer: KAZ\n  benchmarks: []\n"
                    "  start_year: 2019\n  end_year: 2023\n"
                    f"  data_path: {FIXTURE_REGISTRY}\n", encoding="utf-8")
    return path


def test_an_empty_peer_warns_until_its_params_file_expects_it(tmp_path):
    """Issue 28: an SPCR whose peer had no activity was `ok` with no warning; a warning report
    failed --strict forever and was rebuilt on every run. Now the empty peer is a warning
    (a card with its text on the portal, never under Failed); `expected_warnings:
    [empty-peer]` accepts it: --strict passes, and the next build skips the report."""
    out = tmp_path / "out"
    args = ["build", "--output-dir", str(out), "--renderer", "builtin", "--jobs", "1",
            "--strict"]
    assert main([*args, str(spcr_with_peer(tmp_path))]) == 1
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    [report] = summary["reports"]
    text = ("no activities for the peer country Kazakhstan in 2019–2023: its figures in the "
            "report are all zero")
    assert (report["status"], report["warnings"], report["expected_warnings"]) == (
        "warning", [text], [])
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="failed"' not in index
    assert f'<p class="warning">Warning: {text}</p>' in index

    accepted = spcr_with_peer(tmp_path, "expected_warnings: [empty-peer]\n")
    assert main([*args, str(accepted)]) == 0
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    [report] = summary["reports"]
    assert (report["status"], report["warnings"], report["expected_warnings"]) == (
        "ok", [], [text])
    assert "Expected warning: no activities for the peer country Kazakhstan" in (
        out / "index.html").read_text(encoding="utf-8")
    assert main([*args, str(accepted)]) == 0  # nothing changed: skipped, and still passes
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    assert [r["status"] for r in summary["reports"]] == ["skipped"]


@pytest.mark.parametrize("fork", ["1", "0"])
def test_reports_build_with_forked_kernels_and_without(tmp_path, capfd, monkeypatch, fork):
    """Kernels are forked from the warm template where they can be; with
    COOPREPORT_FORK_KERNELS=0 (or where forking is unsafe) they start the usual way, and the
    reports are the same."""
    from analysis.build.kernel_template import FORK_ENV, fork_supported

    monkeypatch.setenv(FORK_ENV, fork)
    out = tmp_path / "out"
    specs = [str(params_file(tmp_path, f"r{i}", label=f"v{i}")) for i in range(2)]
    assert main(["-v", "build", OPT_IN, *specs, "--output-dir", str(out), "--jobs", "1"]) == 0
    err = capfd.readouterr().err  # the worker process logs to the same stderr
    assert ("forked in" in err) == (fork == "1" and fork_supported())
    for i in range(2):
        assert f"v{i}" in (out / f"r{i}.html").read_text(encoding="utf-8")


def test_a_report_carries_no_more_output_than_its_limit_and_says_where_it_was_cut(
        tmp_path, monkeypatch, capsys):
    """Issue 21: 200 MB of output was published as it was. With a limit of 50,000 bytes a cell
    may carry 10,000: a cell printing 100,000 characters keeps the first 10,000, the reader
    sees a note there, and the build reports a warning (--strict: exit 1)."""
    monkeypatch.setenv("COOPREPORT_OUTPUT_LIMIT", "50000")  # the workers inherit it
    out = tmp_path / "out"
    spec = params_file(tmp_path, "flood", flood=100_000)
    assert build(str(spec), "--output-dir", str(out), "--strict") == 1
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    (report,) = summary["reports"]
    assert report["status"] == "warning"
    assert report["warnings"] == [
        "the output of cell 3 (import os ...) was cut: one cell may carry 10,000 bytes, 1/5 of "
        "the report's output limit (set COOPREPORT_OUTPUT_LIMIT to change it)"]
    nb = nbformat.read(out / "flood.ipynb", as_version=4)
    streams = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "stream"]
    assert [len(o.text) for o in streams] == [10_000] and set(streams[0].text) == {"x"}
    # as the reader sees it: Quarto writes the no-break space as &nbsp;, nbconvert as itself
    html = unescape((out / "flood.html").read_text(encoding="utf-8"))
    assert "Shortened here: this part of the report is larger than the 10\u00a0KB one part" in html
    assert html.count("x" * 10_000) == 1 and "x" * 10_001 not in html


def test_a_bad_output_limit_stops_the_build_before_anything_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COOPREPORT_OUTPUT_LIMIT", "lots")
    out = tmp_path / "out"
    assert build(str(params_file(tmp_path, "a")), "--output-dir", str(out)) == 2
    assert "COOPREPORT_OUTPUT_LIMIT='lots' is not a whole number of bytes" in (
        capsys.readouterr().err)
    assert not out.exists()


def test_cleared_output_does_not_count_against_the_limit(tmp_path):
    """A progress display that clears and redraws itself 50 times stays within a cell's share
    (1,000 bytes here) although it sent 25,000 bytes in all; the last drawing is kept."""
    import papermill

    from analysis.build.papermill_engine import ENGINE_NAME

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell(
        "from IPython.display import clear_output\n"
        "for i in range(50):\n"
        "    clear_output(wait=i % 2 == 0)\n"
        "    print(str(i % 10) * 500)")]
    source, executed = tmp_path / "progress.ipynb", tmp_path / "done.ipynb"
    nbformat.write(nb, source)
    papermill.execute_notebook(str(source), str(executed), engine_name=ENGINE_NAME,
                               output_limit=5_000, progress_bar=False, kernel_name="python3")
    outputs = nbformat.read(executed, as_version=4).cells[0].outputs
    assert [(o.output_type, o.text) for o in outputs] == [("stream", "9" * 500 + "\n")]
