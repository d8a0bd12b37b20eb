"""Scripted fault run: kill -9 at random moments, kill -9 of the build process alone while its
workers start, SIGTERM with --jobs 2, a hung notebook with --timeout 20, a report whose child
ignores SIGTERM (in the kernel's process group, in a session of its own, orphaned) through a
normal build, a timeout and a SIGTERM, then a normal build — into one output folder — and check
after every step that it holds only complete editions, an index and summary that match the
files, and that no process of the build lives on.

    .venv/bin/python benchmarks/fault_run.py [--kills 10] [--early-kills 6] [--seed 1]

Prints one line per step and exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parents[1]
TINY = ROOT / "tests" / "fixtures" / "notebooks" / "tiny.ipynb"
REGISTRY = ROOT / "tests" / "fixtures" / "registry" / "cooperation_events.csv"
BOUND = 300.0  # seconds any step may take on a loaded machine
AFTERLIFE = 30.0  # seconds a killed build's processes may take to notice and end
MARK = "COOPREPORT_FAULT_RUN"  # in the environment of every process of one build


def params(folder: Path, name: str, label: str, **extra: object) -> Path:
    # each report its own label: the index shows one of reports with the same parameters
    values = {"label": f"{name} {label}", "data_path": str(REGISTRY), **extra}
    lines = "".join(f"\n  {k}: {json.dumps(v)}" for k, v in values.items())
    path = folder / f"{name}.yaml"
    path.write_text(f"name: {name}\nnotebook: {TINY}\ntitle: {name}\nformats: [html, pdf]\n"
                    f"parameters:{lines}\n", encoding="utf-8")
    return path


def start(specs: list[Path], out: Path, *extra: str, mark: str = "") -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "analysis", "build",
                             "--allow-notebook-outside", *map(str, specs), "--output-dir",
                             str(out), *extra], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, MARK: mark} if mark else None)


def running(processes: list[psutil.Process]) -> list[psutil.Process]:
    alive = []
    for process in processes:
        try:
            if process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
                alive.append(process)
        except psutil.NoSuchProcess:
            continue
    return alive


def marked(mark: str) -> list[psutil.Process]:
    """The live processes that inherited ``MARK=mark``: whatever a build started, wherever it
    went (orphans included)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get(MARK) == mark:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            continue
    return running(found)


def survivors(processes: list[psutil.Process], seconds: float) -> list[str]:
    """Those of ``processes`` still running after ``seconds``, killed and described."""
    deadline = time.monotonic() + seconds
    alive = running(processes)
    while alive and time.monotonic() < deadline:
        time.sleep(0.05)  # a polling interval
        alive = running(alive)
    problems = []
    for process in alive:
        try:
            problems.append(f"process {process.pid} ({' '.join(process.cmdline()[:3])[:80]}) "
                            "outlived the build")
            process.kill()
        except psutil.NoSuchProcess:
            continue
    return problems


def family(pid: int) -> list[psutil.Process]:
    try:
        return [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def check(out: Path) -> list[str]:
    """What is wrong with the output folder as a reader sees it (empty: nothing)."""
    problems = []
    summary_path = out / "build-summary.json"
    if not summary_path.exists():
        return [] if not (out / "current").exists() else ["no build-summary.json"]
    summary = json.loads(summary_path.read_text(encoding="utf-8"))
    index = (out / "index.html").read_text(encoding="utf-8")
    for report in summary["reports"]:
        for output in report["outputs"]:
            if not os.path.exists(output):
                problems.append(f"summary names {output}, which is not there")
    for notebook in out.glob("*.ipynb"):
        built = json.loads(notebook.read_text(encoding="utf-8"))["metadata"]["coopreport"][
            "provenance"]["built_at"]
        for other in (notebook.with_suffix(".html"),):
            if other.exists() and built not in other.read_text(encoding="utf-8"):
                problems.append(f"{other.name} is not from the build of {notebook.name}")
        if f'href="{notebook.stem}.html"' not in index and notebook.with_suffix(".html").exists():
            problems.append(f"index.html does not list {notebook.stem}")
    for link in re.findall(r'href="([^"#:]+)"', index):
        if not (out / link).exists():
            problems.append(f"index.html links {link}, which is not there")
    return problems


def stray_case(folder: Path, out: Path, kind: str, how: str) -> list[str]:
    """A report whose notebook leaves a child that ignores SIGTERM; the build ends the way
    ``how`` says. Problems: the child outlived the build, or the build ended otherwise."""
    pid_file = folder / f"stray-{kind}.pid"
    pid_file.unlink(missing_ok=True)
    marker = folder / f"stray-{kind}.started"
    marker.unlink(missing_ok=True)
    extra = {"pause": 600, "started_marker": str(marker)} if how != "normal build" else {}
    spec = params(folder, f"stray-{kind}", how.replace(" ", "-"), stray=kind,
                  stray_pid_file=str(pid_file), **extra)
    process = start([spec], out, *(["--timeout", "10"] if how == "timeout" else []))
    expected = {"normal build": 0, "timeout": 1, "SIGTERM": 128 + signal.SIGTERM}[how]
    if how == "SIGTERM":
        deadline = time.monotonic() + BOUND
        while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # a polling interval
        process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=BOUND)
    problems = check(out)
    if process.returncode != expected:
        problems.append(f"exit {process.returncode}, not {expected}: {stderr[-300:]}")
    if not pid_file.exists():
        return [*problems, "the notebook did not start its child"]
    try:
        child = [psutil.Process(int(pid_file.read_text(encoding="utf-8")))]
    except psutil.NoSuchProcess:
        child = []
    return problems + survivors(child, 0.0)  # stopped before the build ended


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=10, help="kill -9 rounds (default 10)")
    parser.add_argument("--early-kills", type=int, default=6,
                        help="rounds of kill -9 of the build alone while workers start "
                             "(default 6)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    args = parser.parse_args()
    chance = random.Random(args.seed)
    failures = 0

    def report(step: str, problems: list[str]) -> None:
        nonlocal failures
        failures += bool(problems)
        print(f"{'FAIL' if problems else 'ok  '}  {step}" + "".join(f"\n      {p}"
                                                                  for p in problems))

    with tempfile.TemporaryDirectory(prefix="coopreport-faults-") as tmp:
        folder, out = Path(tmp), Path(tmp) / "out"
        specs = [params(folder, f"r{i}", "v0") for i in range(3)]
        started = time.monotonic()
        done = start(specs, out, "--jobs", "2")
        done.communicate(timeout=BOUND)
        took = time.monotonic() - started
        report(f"first build (exit {done.returncode})", check(out) if done.returncode == 0
               else [f"exit {done.returncode}"])

        for round_no in range(1, args.kills + 1):
            specs = [params(folder, f"r{i}", f"v{round_no}") for i in range(3)]
            process = start(specs, out, "--jobs", "2")
            # a random moment of a build like the first: starting, executing or publishing
            time.sleep(chance.uniform(0.2, took))
            processes = family(process.pid)
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate(timeout=BOUND)
            _, alive = psutil.wait_procs(processes, timeout=BOUND)
            report(f"kill -9 #{round_no} (exit {process.returncode})",
                   check(out) + [f"process {p.pid} outlived the build" for p in alive])

        for round_no in range(1, args.early_kills + 1):
            specs = [params(folder, f"r{i}", f"early{round_no}") for i in range(3)]
            mark = f"early-{os.getpid()}-{round_no}"
            process = start(specs, out, "--jobs", "2", mark=mark)
            time.sleep(chance.uniform(0.05, 0.5))  # while the workers and templates start
            process.kill()  # the build process alone: its workers must notice by themselves
            process.wait(timeout=BOUND)
            problems = survivors(marked(mark), AFTERLIFE)
            process.communicate(timeout=BOUND)
            report(f"early kill -9 of the build alone #{round_no} (exit {process.returncode})",
                   check(out) + problems)

        specs = [params(folder, f"r{i}", "term", pause=600) for i in range(3)]
        process = start(specs, out, "--jobs", "2")
        deadline = time.monotonic() + BOUND
        while len(family(process.pid)) < 5 and time.monotonic() < deadline:  # 2 workers+kernels
            time.sleep(0.1)
        processes = family(process.pid)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=BOUND)
        _, alive = psutil.wait_procs(processes, timeout=BOUND)
        report(f"SIGTERM with --jobs 2 (exit {process.returncode})",
               check(out) + [f"process {p.pid} outlived the build" for p in alive]
               + ([] if process.returncode == 143 else [stderr[-300:]]))

        hung = params(folder, "hung", "forever", pause=10**9)
        started = time.monotonic()
        process = start([hung], out, "--timeout", "20")
        stdout, _ = process.communicate(timeout=BOUND)
        took = time.monotonic() - started
        report(f"hung notebook with --timeout 20 (exit {process.returncode}, {took:.0f} s)",
               check(out) + ([] if process.returncode == 1 and "timed out" in stdout
                             else ["not failed as timed out"]))

        for kind in ("plain", "session", "daemon"):
            for how in ("normal build", "timeout", "SIGTERM"):
                report(f"child ignoring SIGTERM ({kind}), {how}",
                       stray_case(folder, out, kind, how))

        specs = [params(folder, f"r{i}", "final") for i in range(3)]
        process = start(specs, out, "--jobs", "2")
        process.communicate(timeout=BOUND)
        final = check(out)
        if process.returncode == 0 and "label=r0 final" not in (out / "r0.html").read_text(
                encoding="utf-8"):
            final.append("the normal build did not publish")
        report(f"normal build afterwards (exit {process.returncode})",
               final + ([] if process.returncode == 0 else [f"exit {process.returncode}"]))
    print(f"\n{'all checks passed' if not failures else f'{failures} step(s) FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
