"""``coopreport build --executor dask``: reports as Dask tasks whose files come back as bytes.

The payload and the usage errors are checked without a cluster; the builds (marked slow) run
on a LocalCluster of this machine, as ``--executor dask`` without ``--scheduler`` does.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import sys
import time
from pathlib import Path

import nbformat
import pytest

from analysis.build import dask_executor
from analysis.build.layout import WORK_DIR
from analysis.build.records import ReportResult, StagedFiles
from analysis.core.errors import BuildError
from tests.build.test_build import EVENT_TIMEOUT, _cli, build, params_file, wait_for
from tests.build.test_build_faults import assert_all_gone, assert_consistent, descendants
from tests.helpers import FIXTURE_REGISTRY

DASK = ("--executor", "dask")


# --- the payload: files as bytes, checked on arrival ------------------------------------------

def _staged(folder: Path) -> list[str]:
    folder.mkdir()
    (folder / "r.ipynb").write_bytes(b'{"cells": []}')
    (folder / "r.html").write_bytes(b"<p>r</p>\n")
    return [str(folder / "r.ipynb"), str(folder / "r.html")]


def test_staged_files_travel_as_bytes_and_arrive_unchanged_in_order(tmp_path):
    payload = StagedFiles.read(_staged(tmp_path / "worker"))
    assert [name for name, _, _ in payload.files] == ["r.ipynb", "r.html"]
    assert payload.size == 13 + 9  # len(b'{"cells": []}') + len(b"<p>r</p>\n")
    assert payload.files[1][2] == hashlib.sha256(b"<p>r</p>\n").hexdigest()
    # what Dask does to a task's result on its way back (pickle; cloudpickle is compatible)
    import pickle

    arrived = pickle.loads(pickle.dumps(payload))
    (tmp_path / "build").mkdir()
    written = arrived.write(tmp_path / "build", "r")
    assert written == [tmp_path / "build" / "r.ipynb", tmp_path / "build" / "r.html"]
    assert [p.read_bytes() for p in written] == [b'{"cells": []}', b"<p>r</p>\n"]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("r.html", b"<p>other</p>\n", "arrived damaged from its worker"),
    ("../r.html", b"<p>r</p>\n", "returned a file named '../r.html'"),
    ("other.html", b"<p>r</p>\n", "returned a file named 'other.html'"),
    ("r.sh", b"<p>r</p>\n", "returned a file named 'r.sh'"),
])
def test_a_damaged_or_foreign_payload_is_refused_and_nothing_written(tmp_path, name, content,
                                                                     message):
    digest = hashlib.sha256(b"<p>r</p>\n").hexdigest()  # the checksum of what was sent
    payload = StagedFiles((("r.ipynb", b"{}", hashlib.sha256(b"{}").hexdigest()),
                           (name, content, digest)))
    (tmp_path / "build").mkdir()
    with pytest.raises(BuildError, match=message):
        payload.write(tmp_path / "build", "r")
    assert list((tmp_path / "build").iterdir()) == []


def test_receive_result_stages_the_files_here_or_fails_the_report(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    good = ReportResult("r", "R", "ok", 1.0, payload=StagedFiles.read(_staged(tmp_path / "w")))
    received = dask_executor.receive_result(good, work)
    assert received.payload is None and received.status == "ok"
    folder = Path(received.workdir or "")
    assert folder.parent == work and folder.name.startswith("r-")
    assert received.staged == [str(folder / "r.ipynb"), str(folder / "r.html")]

    damaged = StagedFiles((("r.html", b"x", hashlib.sha256(b"y").hexdigest()),))
    bad = dask_executor.receive_result(ReportResult("r", "R", "ok", 1.0, payload=damaged), work)
    assert bad.status == "failed" and "arrived damaged" in (bad.error or "")
    assert bad.staged == [] and bad.workdir is None
    assert [p.name for p in work.iterdir()] == [folder.name]  # the refused one left nothing


def test_the_summary_carries_no_payload(tmp_path):
    from analysis.build.records import BuildOptions, write_summary

    payload = StagedFiles((("r.html", b"x", hashlib.sha256(b"x").hexdigest()),))
    result = ReportResult("r", "R", "ok", 1.0, payload=payload)
    summary = json.loads(write_summary(tmp_path, BuildOptions(output_dir=tmp_path),
                                       [result]).read_text(encoding="utf-8"))
    assert "payload" not in summary["reports"][0]


# --- usage errors: exit 2, nothing written -----------------------------------------------------

def test_scheduler_without_the_dask_executor_is_a_usage_error(tmp_path, capsys):
    out = tmp_path / "out"
    spec = params_file(tmp_path, "a")
    assert build(str(spec), "--output-dir", str(out), "--scheduler", "tcp://host:8786") == 2
    assert "--scheduler needs --executor dask" in capsys.readouterr().err
    assert not out.exists()


def test_the_dask_executor_without_distributed_says_how_to_install_it(tmp_path, capsys,
                                                                      monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if it were not installed
    out = tmp_path / "out"
    assert build(str(params_file(tmp_path, "a")), "--output-dir", str(out), *DASK) == 69
    err = capsys.readouterr().err
    assert "--executor dask needs Dask's distributed package" in err
    assert "pip install 'coopreport[dask]'" in err
    assert not out.exists()


def test_an_unreachable_scheduler_is_an_error_within_the_time_limit(tmp_path, capsys,
                                                                   monkeypatch):
    pytest.importorskip("distributed", reason="needs distributed: pip install 'coopreport[dask]'")
    monkeypatch.setattr(dask_executor, "CONNECT_TIMEOUT_SECONDS", 2)
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    out = tmp_path / "out"
    started = time.monotonic()
    assert build(str(params_file(tmp_path, "a")), "--output-dir", str(out), *DASK,
                 "--scheduler", f"tcp://127.0.0.1:{port}") == 69
    assert time.monotonic() - started < 60  # the 2 s limit, with room for a busy machine
    err = capsys.readouterr().err
    assert f"cannot reach the Dask scheduler at tcp://127.0.0.1:{port} within 2 s" in err
    assert not out.exists()


# --- builds on a LocalCluster ------------------------------------------------------------------

def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.slow
def test_reports_built_on_dask_are_published_here_with_provenance(tmp_path):
    pytest.importorskip("distributed", reason="needs distributed: pip install 'coopreport[dask]'")
    out = tmp_path / "out"
    specs = [params_file(tmp_path, "d0", formats="[html, pdf]", value=5, label="five"),
             params_file(tmp_path, "d1", value=6, label="six"),
             params_file(tmp_path, "d2", label="broken", fail=True)]
    assert build(*map(str, specs), "--output-dir", str(out), *DASK) == 1  # d2 fails
    summary = assert_consistent(out)
    by_name = {r["name"]: r for r in summary["reports"]}
    assert summary["status"] == "failed"
    assert [r["name"] for r in summary["reports"]] == ["d0", "d1", "d2"]
    assert [by_name[n]["status"] for n in ("d0", "d1", "d2")] == ["ok", "ok", "failed"]
    assert by_name["d0"]["outputs"] == [str(out / f"d0.{s}") for s in ("ipynb", "html", "pdf")]
    assert by_name["d1"]["outputs"] == [str(out / "d1.ipynb"), str(out / "d1.html")]
    assert by_name["d2"]["error"] == "RuntimeError: planned failure for broken"
    # the files came back as bytes and were published into the edition on this machine
    current = (out / "current").resolve()
    assert current.parent.name == ".editions"
    assert sorted(p.name for p in current.iterdir()) == [
        "_failed", "build-manifest.json", "build-summary.json", "d0.html", "d0.ipynb",
        "d0.pdf", "d1.html", "d1.ipynb", "history.html", "history.json", "index.html"]
    assert "value=5; activities=78; label=five" in (out / "d0.html").read_text("utf-8")
    assert "value=6; activities=78; label=six" in (out / "d1.html").read_text("utf-8")
    assert (out / "d0.pdf").read_bytes().startswith(b"%PDF")
    failed = nbformat.read(out / "_failed" / "d2.ipynb", as_version=4)
    errors = [o for c in failed.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0]["evalue"] == "planned failure for broken"
    for name, value in (("d0", 5), ("d1", 6)):
        record = nbformat.read(out / f"{name}.ipynb", as_version=4).metadata["coopreport"]
        assert record["provenance"]["parameters"]["value"] == value
        assert record["provenance"]["registry_sha256"] == _sha(FIXTURE_REGISTRY)
        assert record["provenance"]["built_at"] == summary["built_at"]
    manifest = json.loads((out / "build-manifest.json").read_text("utf-8"))
    assert sorted(manifest) == ["d0", "d1"]  # the failed report is built again next time
    assert manifest["d0"]["files"] == ["d0.ipynb", "d0.html", "d0.pdf"]
    assert not (out / WORK_DIR).exists()


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_dask_build_publishes_what_finished_and_leaves_no_process(tmp_path, stop):
    pytest.importorskip("distributed", reason="needs distributed: pip install 'coopreport[dask]'")
    out = tmp_path / "out"
    marker = tmp_path / "slow.started"
    quick = params_file(tmp_path, "quick", label="done")
    slow = params_file(tmp_path, "slow", pause=600, started_marker=str(marker))
    process = _cli("build", str(quick), str(slow), "--output-dir", str(out), *DASK,
                   start_new_session=True)
    # the quick report is in the unpublished edition, the slow one is mid-notebook
    wait_for(lambda: marker.exists() and any(out.glob(".editions/*/quick.html")), process,
             "one report was finished and the other running")
    family = descendants(process.pid)  # the cluster's workers and their kernels
    assert family, "the build has started its workers"
    if stop == signal.SIGINT:
        os.killpg(process.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole group
    else:
        process.send_signal(stop)  # cron, systemd, CI: the build process only
    _, stderr = process.communicate(timeout=EVENT_TIMEOUT)
    assert process.returncode == 128 + stop, stderr
    assert f"interrupted ({signal.Signals(stop).name})" in stderr
    assert "Traceback" not in stderr
    assert_all_gone(family)
    summary = assert_consistent(out)
    assert summary["status"] == "interrupted"
    assert [(r["name"], r["status"]) for r in summary["reports"]] == [("quick", "ok")]
    assert "label=done" in (out / "quick.html").read_text("utf-8")
    assert not (out / "slow.html").exists() and not (out / WORK_DIR).exists()
