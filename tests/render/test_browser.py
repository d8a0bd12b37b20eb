"""Built HTML reports in headless Chromium, offline: charts draw, nothing errors or leaves.

Chromium is driven over the DevTools protocol on a pipe (``--remote-debugging-pipe``: JSON
messages ended by NUL, commands on file descriptor 3, replies and events on 4), so no Python
dependency is needed. The network is blocked (a dead proxy, a resolver that finds no host), and
the protocol still reports what the page tried: each request, each console message with its
level, each uncaught exception and each alert dialog. ``--enable-logging=stderr`` was not enough:
it prints ``console.log``, ``.warn`` and ``.error`` alike as ``INFO:CONSOLE`` and shows no
blocked requests.
"""

from __future__ import annotations

import fcntl
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest

from analysis.cli import main
from tests.helpers import make_row, registry_text

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium not installed (apt-get install "
                       "chromium) — built HTML reports were not checked in a browser"),
]

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions",
    # the network is closed: a proxy nobody listens on, and no host name resolves
    "--proxy-server=127.0.0.1:9", "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-pipe",
]
TIMEOUT = 30.0  # seconds for a page's charts to draw (about 1 s here)
LOCAL_SCHEMES = ("data:", "blob:", "about:")

# Registry text hostile to HTML: it must reach the page as text, never as markup or script.
HOSTILE_TITLES = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "</script><script>alert(3)</script>",  # would close a chart's spec <script> if unescaped
]

PAGE_STATE = """JSON.stringify({
  charts: [...document.querySelectorAll("figure.chart")].map(f => {
    const svg = f.querySelector(".vega-chart > svg");
    const box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
    return {interactive: f.classList.contains("interactive"),
            vega: !!f.querySelector(".vega-chart"), width: box.width, height: box.height,
            marks: svg ? svg.querySelectorAll(".role-mark > *").length : 0};
  }),
  cells: [...document.querySelectorAll("td")].map(td => td.textContent),
  images: [...document.images].map(img => (img.getAttribute("src") || "").slice(0, 40)),
})"""
ALL_DRAWN = ("[...document.querySelectorAll('figure.chart')]"
             ".every(f => f.classList.contains('interactive'))")


class DevToolsError(RuntimeError):
    """Chromium did not start, answered with an error, or did not answer in time."""


@dataclass
class PageRun:
    """What a page did while it loaded: its final state and everything it reported."""

    state: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


class Chromium:
    """One headless Chromium, driven over the DevTools protocol on a pipe."""

    def __init__(self, executable: str, profile: Path) -> None:
        # pipe ends moved above fd 10, so that putting them on fds 3 and 4 cannot clobber them
        to_r, to_w, from_r, from_w = (_high_fd(fd) for fd in (*os.pipe(), *os.pipe()))

        def attach_pipe() -> None:  # in the child, before exec
            os.dup2(to_r, 3)
            os.dup2(from_w, 4)

        self.log = profile / "chromium-stderr.txt"
        with self.log.open("wb") as stderr:
            self.proc = subprocess.Popen(
                [executable, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                preexec_fn=attach_pipe, close_fds=False)  # fds of ours are not inheritable
        os.close(to_r)
        os.close(from_w)
        self.out, self.inp = to_w, from_r
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> int:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.out, json.dumps(message).encode() + b"\0")
        return self.next_id

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """Send a command and wait for its answer, keeping the events that arrive meanwhile."""
        wanted = self.send(method, session, **params)
        deadline = time.monotonic() + TIMEOUT
        while True:
            message = self._receive(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return dict(message.get("result", {}))
            if "method" in message:
                self.events.append(message)
                if message["method"] == "Page.javascriptDialogOpening":
                    # an open alert() blocks the page: note it, then dismiss it
                    self.send("Page.handleJavaScriptDialog", message.get("sessionId"),
                              accept=False)

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.inp], [], [], left)[0]:
                raise DevToolsError(f"no answer from Chromium in {TIMEOUT:.0f} s; "
                                    f"its stderr is in {self.log}")
            chunk = os.read(self.inp, 1 << 20)
            if not chunk:
                raise DevToolsError(f"Chromium closed the pipe (exit code {self.proc.poll()}); "
                                    f"its stderr:\n{self.log.read_text(errors='replace')[-3000:]}")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return dict(json.loads(raw))

    def evaluate(self, session: str, expression: str) -> Any:
        result = self.call("Runtime.evaluate", session, expression=expression,
                           returnByValue=True)
        return result["result"].get("value")

    def visit(self, url: str, ready: str) -> PageRun:
        """Open ``url`` in a new tab, wait until the JavaScript ``ready`` is true, report."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Network", "Page"):
            self.call(f"{domain}.enable", session)
        first_event = len(self.events)
        self.call("Page.navigate", session, url=url)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.evaluate(session, "document.readyState === 'complete'"):
                so_far = self._report(session, first_event, url)
                if so_far.errors or so_far.dialogs or self.evaluate(session, ready):
                    break  # done, or failed: the assertions say what is wrong
            time.sleep(0.1)
        run = self._report(session, first_event, url)
        run.state = json.loads(self.evaluate(session, PAGE_STATE))
        self.call("Target.closeTarget", targetId=target)
        return run

    def _report(self, session: str, first_event: int, url: str) -> PageRun:
        run = PageRun({})
        for event in self.events[first_event:]:
            if event.get("sessionId") == session:
                _classify(event["method"], event["params"], url, run)
        return run

    def close(self) -> None:
        try:
            self.send("Browser.close")
            self.proc.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()
            self.proc.wait()
        os.close(self.out)
        os.close(self.inp)


def _high_fd(fd: int) -> int:
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


def _classify(method: str, params: dict[str, Any], page_url: str, run: PageRun) -> None:
    """File one DevTools event under the page's errors, outside requests or dialogs.

    Warnings count as errors: the report's own script warns when a chart stays a static image,
    and the shipped reports log nothing at all.
    """
    if method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert", "warning"):
        text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
        run.errors.append(f"console.{params['type']}: {text}")
    elif method == "Runtime.exceptionThrown":
        details = params["exceptionDetails"]
        text = details.get("exception", {}).get("description") or details.get("text")
        run.errors.append(f"uncaught: {text}")
    elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
        run.errors.append(f"log: {params['entry']['text']} {params['entry'].get('url', '')}")
    elif method == "Network.requestWillBeSent":
        url = params["request"]["url"]
        if url != page_url and not url.startswith(LOCAL_SCHEMES):
            run.requests.append(url)
    elif method == "Page.javascriptDialogOpening":
        run.dialogs.append(f"{params['type']}: {params['message']}")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    assert CHROMIUM is not None
    chromium = Chromium(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    try:
        chromium.call("Browser.getVersion")
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped country profile on the shipped data, and one on a hostile registry (KAZ)."""
    folder = tmp_path_factory.mktemp("browser-reports")
    rows = [make_row(activity_id=f"KAZ-2023-05-1{i}-hostile-{i}", date=f"2023-05-1{i}",
                     country="KAZ", title=title) for i, title in enumerate(HOSTILE_TITLES)]
    registry = folder / "hostile.csv"
    registry.write_text(registry_text(rows), encoding="utf-8")
    (folder / "uzb-profile.yaml").write_text(
        "name: uzb-profile\nnotebook: country_profile.ipynb\ntitle: Uzbekistan\n"
        "parameters:\n  country: UZB\n  start_year: 2017\n  end_year: 2026\n", encoding="utf-8")
    (folder / "kaz-hostile.yaml").write_text(
        "name: kaz-hostile\nnotebook: country_profile.ipynb\ntitle: Kazakhstan\n"
        f"parameters:\n  country: KAZ\n  start_year: 2020\n  end_year: 2024\n"
        f"  data_path: {json.dumps(str(registry))}\n", encoding="utf-8")
    out = folder / "out"
    code = main(["build", str(folder / "uzb-profile.yaml"), str(folder / "kaz-hostile.yaml"),
                 "--output-dir", str(out), "--formats", "html", "--jobs", "2",
                 "--renderer", "builtin"])  # the built-in page (Quarto's has its own test)
    assert code == 0, f"build failed; see {out / 'build-summary.json'}"
    return out


@pytest.fixture(scope="module")
def visited(browser: Chromium, reports: Path) -> dict[str, PageRun]:
    return {name: browser.visit((reports / f"{name}.html").as_uri(), ALL_DRAWN)
            for name in ("uzb-profile", "kaz-hostile")}


def _chart_outputs(notebook: Path) -> int:
    nb = nbformat.read(notebook, as_version=4)
    return sum(any(k.startswith("application/vnd.vegalite.") for k in out.get("data", {}))
               for cell in nb.cells for out in cell.get("outputs", []))


@pytest.mark.parametrize("name", ["uzb-profile", "kaz-hostile"])
def test_every_chart_draws_offline_with_a_clean_console(name, reports, visited):
    run = visited[name]
    charts = run.state["charts"]
    expected = _chart_outputs(reports / f"{name}.ipynb")
    assert expected > 0 and len(charts) == expected, (
        f"{expected} Vega-Lite outputs in the notebook, {len(charts)} charts on the page")
    for i, chart in enumerate(charts):
        assert chart["vega"], f"chart {i}: a static image only, no .vega-chart to draw into"
        assert chart["interactive"], f"chart {i}: vega-embed did not finish; errors {run.errors}"
        assert chart["width"] > 0 and chart["height"] > 0 and chart["marks"] > 0, (
            f"chart {i}: the SVG is empty: {chart}")
    assert run.errors == []
    assert run.requests == [], "the page tried to load something outside the file"
    assert run.dialogs == []


def test_hostile_registry_text_is_shown_as_text(visited):
    run = visited["kaz-hostile"]
    assert run.dialogs == [], "registry text ran as script"
    assert run.requests == [], "registry text became an element that loads something"
    assert "x" not in run.state["images"], "registry text became an <img> element"
    for title in HOSTILE_TITLES:
        assert title in run.state["cells"], f"{title!r} is not shown as text in a table cell"


def test_the_harness_sees_errors_requests_and_dialogs(browser, tmp_path):
    """Self-check: on a deliberately broken page, each kind of problem is caught."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><title>broken</title><body>\n"
        "<script>console.log('only a log'); console.info('only an info');"
        " console.warn('deliberate warning'); console.error('deliberate error');</script>\n"
        "<script>undefinedFunction();</script>\n"
        "<script>alert('deliberate alert');</script>\n"
        "<img src='https://example.org/pixel.png'><img src='x'>\n", encoding="utf-8")
    run = browser.visit(page.as_uri(), "true")
    assert "console.error: deliberate error" in run.errors
    assert "console.warning: deliberate warning" in run.errors
    assert any("undefinedFunction is not defined" in e for e in run.errors)
    assert not any("only a" in e for e in run.errors)  # logs and infos are not errors
    assert run.dialogs == ["alert: deliberate alert"]
    assert "https://example.org/pixel.png" in run.requests
    assert (tmp_path / "x").as_uri() in run.requests


def test_render_of_a_hostile_notebook_runs_nothing_and_loads_nothing(browser, tmp_path):
    """``coopreport render`` of a notebook the runner did not make: its <script>, remote
    <img onerror=...>, javascript: link and <iframe> must not reach the page."""
    from tests.render.test_sanitize import hostile_notebook

    out = tmp_path / "out"
    assert main(["render", str(hostile_notebook(tmp_path)), "--output-dir", str(out),
                 "--renderer", "builtin", "--formats", "html"]) == 0
    run = browser.visit((out / "hostile.html").as_uri(), "document.readyState === 'complete'")
    assert run.dialogs == [], "an output's script ran"
    assert run.requests == [], "an output made the page load something"
    assert run.errors == []


def charts_notebook(folder: Path, specs: dict[str, dict[str, Any]]) -> Path:
    """A notebook whose only outputs are these Vega-Lite charts (with a placeholder SVG)."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("charts", outputs=[
        nbformat.v4.new_output("display_data", data={
            "application/vnd.vegalite.v6+json": spec,
            "image/svg+xml": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>',
            "text/plain": name}) for name, spec in specs.items()])]
    nb.metadata["coopreport"] = {"name": "charts", "title": "Charts"}
    nb.metadata["papermill"] = {}
    path = folder / "charts.ipynb"
    nbformat.write(nb, path)
    return path


def test_no_chart_spec_makes_a_request_for_any_paint_channel(browser, tmp_path, monkeypatch):
    """Every way a spec can name a paint the browser would fetch (url(http://…) in mark.fill,
    config.mark.*, a fill channel reading colours from the data, a scale's range, escapes,
    expressions ...): rendered with the network cut, the page makes no request. And the check
    is what holds: the same charts drawn unchecked do make requests."""
    from analysis.render import sanitize
    from tests.render.test_vega_check import HOSTILE

    notebook = charts_notebook(tmp_path, HOSTILE)
    out = tmp_path / "checked"
    assert main(["render", str(notebook), "--output-dir", str(out), "--renderer", "builtin",
                 "--formats", "html"]) == 0
    run = browser.visit((out / "charts.html").as_uri(), "document.readyState === 'complete'")
    assert run.requests == []
    assert run.state["charts"] and not any(c["interactive"] for c in run.state["charts"])

    monkeypatch.setattr(sanitize, "spec_problem", lambda spec: None)  # the check turned off
    unchecked = tmp_path / "unchecked"
    assert main(["render", str(notebook), "--output-dir", str(unchecked), "--renderer",
                 "builtin", "--formats", "html"]) == 0
    run = browser.visit((unchecked / "charts.html").as_uri(), ALL_DRAWN)
    assert any("example.invalid/paint" in url for url in run.requests), run.requests
