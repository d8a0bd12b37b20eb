"""Benchmark: the build runner against the naive way, cold, in one run.

Naive: for each params file, one after another, the papermill command line executes the
notebook, then `coopreport render` renders it with the same renderer (each a new process).
Runner: `coopreport build --all` (parallel workers, heavy imports once per worker).

    make bench            # or: .venv/bin/python benchmarks/bench_build.py [--repeat N]

Prints seconds per report, totals and the ratio runner / naive (target: <= 0.5 on 2 cores),
the marginal seconds per report (all reports against one, target <= 1.5) and the seconds of a
rebuild with nothing changed (target <= 1).
The two renderers are compared by bench_renderers.py. When Dask's ``distributed`` is
installed it prints the build time with ``--executor dask`` (a local cluster, started and
closed within the time measured).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def run(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    # papermill's kernels run in the temporary output folder (--cwd), outside the project:
    # name it, as `coopreport build` does for its kernels
    env = {"COOPREPORT_ROOT": str(ROOT), **os.environ}
    subprocess.run(command, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def naive(params_files: list[Path], out: Path, renderer: str) -> dict[str, float]:
    seconds = {}
    for params_file in params_files:
        spec = yaml.safe_load(params_file.read_text(encoding="utf-8"))
        executed = out / f"{spec['name']}.ipynb"
        notebook = ROOT / "notebooks" / spec["notebook"]
        execute = [str(BIN / "papermill"), str(notebook), str(executed), "--cwd", str(out),
                   "-y", yaml.safe_dump(spec.get("parameters", {}))]
        render = [str(BIN / "coopreport"), "render", str(executed), "--output-dir", str(out),
                  "--renderer", renderer, "--formats", ",".join(spec.get("formats", ["html",
                                                                                      "pdf"]))]
        seconds[spec["name"]] = run(execute, ROOT) + run(render, ROOT)
    return seconds


def runner(out: Path, renderer: str, *flags: str) -> tuple[float, dict[str, float]]:
    total = run([str(BIN / "coopreport"), "build", "--all", "--output-dir", str(out),
                 "--renderer", renderer, *flags], ROOT)
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    if summary["status"] != "ok":
        raise SystemExit(f"runner build failed: {summary}")
    return total, {r["name"]: r["seconds"] for r in summary["reports"]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="rounds (default 1)")
    parser.add_argument("--renderer", default="builtin", choices=["builtin", "quarto"])
    args = parser.parse_args()
    params_files = sorted((ROOT / "params").glob("*.yaml"))
    print(f"{len(params_files)} reports, {os.cpu_count()} cores, renderer {args.renderer}")
    for round_no in range(1, args.repeat + 1):
        with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
            started = time.perf_counter()
            naive_seconds = naive(params_files, Path(a), args.renderer)
            naive_total = time.perf_counter() - started
            runner_total, runner_seconds = runner(Path(b), args.renderer)
            unchanged = run([str(BIN / "coopreport"), "build", "--all", "--output-dir", b,
                             "--renderer", args.renderer], ROOT)
        with tempfile.TemporaryDirectory() as c:
            one = run([str(BIN / "coopreport"), "build", str(params_files[0]), "--output-dir",
                       c, "--renderer", args.renderer], ROOT)
        print(f"\nround {round_no}")
        print(f"{'report':<30} {'naive s':>8} {'runner s (in worker)':>21}")
        for name, value in naive_seconds.items():
            print(f"{name:<30} {value:>8.2f} {runner_seconds.get(name, float('nan')):>21.2f}")
        print(f"{'total (wall clock)':<30} {naive_total:>8.2f} {runner_total:>21.2f}")
        print(f"ratio runner / naive: {runner_total / naive_total:.2f} (target <= 0.50)")
        marginal = (runner_total - one) / max(1, len(params_files) - 1)
        print(f"marginal seconds per report: {marginal:.2f} (({runner_total:.2f} s for "
              f"{len(params_files)} - {one:.2f} s for 1) / {len(params_files) - 1}; "
              "target <= 1.5)")
        print(f"rebuild with nothing changed: {unchanged:.2f} s (target <= 1)")
    time_dask(args.renderer)
    return 0


def time_dask(renderer: str) -> None:
    """The same cold build with ``--executor dask`` on a local cluster, when Dask is installed."""
    import importlib.util

    if importlib.util.find_spec("distributed") is None:
        print("\ndask executor skipped: distributed is not installed (pip install "
              "'coopreport[dask]')")
        return
    with tempfile.TemporaryDirectory() as a:
        total, _ = runner(Path(a), renderer, "--executor", "dask")
    print(f"\ndask executor (local cluster of 2 workers, started and closed in the build): "
          f"{total:.2f} s wall clock")


if __name__ == "__main__":
    raise SystemExit(main())
