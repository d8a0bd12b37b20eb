"""Benchmark: a build of every shipped report with the built-in renderer and with Quarto.

    make bench        # or: .venv/bin/python benchmarks/bench_renderers.py [--repeat N]

Prints, for each round, the wall-clock seconds of ``coopreport build --all --force`` with
``--renderer builtin`` and with ``--renderer quarto`` (same machine, same run, one after the
other), the seconds of each report in its worker, and the ratio quarto / builtin of each
round and their median (target <= 1.5; exit 1 when the median misses it: one round on a
shared 2-core machine varies by +-10 %). Then where a Quarto render's time goes,
for the Russian UZB SPCR: Deno start-up, preparing the document, each format's pandoc run
(and Quarto's Lua filters in it), Typst, and finishing the page.

Needs Quarto on PATH (or QUARTO_PATH); ``make bench`` installs the offline one as CI does.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TARGET = 1.5
PROFILED = "uzb-strategic-procurement-ru"


def build(out: Path, renderer: str) -> tuple[float, dict[str, float]]:
    started = time.perf_counter()
    subprocess.run([str(BIN / "coopreport"), "build", "--all", "--force", "--output-dir",
                    str(out), "--renderer", renderer], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    total = time.perf_counter() - started
    summary = json.loads((out / "build-summary.json").read_text(encoding="utf-8"))
    if summary["status"] != "ok":
        raise SystemExit(f"{renderer} build failed: {summary}")
    return total, {r["name"]: r["seconds"] for r in summary["reports"]}


def timed(command: list[str], cwd: Path) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    return time.perf_counter() - started, done.stdout + done.stderr


def breakdown(quarto: str, executed: Path) -> None:
    """Where one Quarto render's time goes (each step run on its own)."""
    import nbformat

    from analysis.render import quarto as q
    from analysis.render.html import vega_javascript
    from analysis.render.meta import read_meta
    from analysis.render.quarto_prepare import has_charts, prepare_for_quarto

    vega_javascript()  # the Vega bundle is shared with the built-in renderer: not counted
    with tempfile.TemporaryDirectory(prefix="bench-quarto-", dir="/tmp") as folder:
        project = Path(folder)
        started = time.perf_counter()
        nb = nbformat.read(executed, as_version=4)
        q.copy_project(project)
        prepared = prepare_for_quarto(nb, read_meta(executed), has_charts(nb))
        document = prepared.markdown()
        for relative, content in prepared.files.items():
            (project / relative).parent.mkdir(parents=True, exist_ok=True)
            (project / relative).write_bytes(content)
        (project / q.DOCUMENT_NAME).write_text(document, encoding="utf-8")
        prepare = time.perf_counter() - started
        deno, _ = timed([quarto, "render", "--help"], project)
        rows = [("Deno start-up and Quarto's CLI (quarto render --help)", deno),
                ("prepare: project copy, Markdown, Typst tables (Python, pandoc)", prepare)]
        for target in ("html", "typst", "all"):
            seconds, log = timed([quarto, "render", q.DOCUMENT_NAME, "--to", target,
                                  "--log-level", "debug", "-M", "keep-typ:true"], project)
            filters = [int(m) for m in re.findall(r"Completed filter \S*main\.lua in (\d+) ms",
                                                  log)]
            note = f"; Quarto's Lua filters {' + '.join(map(str, filters))} ms" if filters else ""
            rows.append((f"quarto render --to {target} (whole run{note})", seconds))
            shutil.rmtree(project / q.OUTPUT_DIR, ignore_errors=True)
        kept = next(project.rglob("report.typ"))
        typst, _ = timed([quarto, "typst", "compile", str(kept), str(project / "again.pdf"),
                          "--root", str(project), "--font-path", str(project / q.FONTS_DIR)],
                         project)
        rows.append(("Typst: quarto typst compile of the kept report.typ (with Deno start-up)",
                     typst))
        timed([quarto, "render", q.DOCUMENT_NAME, "--to", "html"], project)
        html = (project / q.OUTPUT_DIR / "report.html").read_text(encoding="utf-8")
        started = time.perf_counter()
        q.finish_html(html, project, vega_javascript(), prepared.html_blocks)
        rows.append(("finish the page: blocks, styles, Vega (Python)",
                     time.perf_counter() - started))
    print(f"\nwhere a Quarto render's time goes ({executed.stem}, steps run one by one)")
    for label, seconds in rows:
        print(f"  {label:<78} {seconds:6.2f} s")


def main() -> int:
    from analysis.render.quarto_cli import find_quarto

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="rounds (default 3)")
    args = parser.parse_args()
    quarto = find_quarto()
    if quarto is None:
        print("Quarto is not installed: put quarto on PATH or set QUARTO_PATH (make bench "
              "installs the offline one from ../shared/tools/quarto when it is there)")
        return 1
    version = subprocess.run([quarto, "--version"], capture_output=True, text=True).stdout
    params = sorted((ROOT / "params").glob("*.yaml"))
    print(f"{len(params)} reports; Quarto {version.strip()}")
    ratios = []
    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        for round_no in range(1, args.repeat + 1):
            builtin_total, builtin_seconds = build(Path(a), "builtin")
            quarto_total, quarto_seconds = build(Path(b), "quarto")
            ratios.append(quarto_total / builtin_total)
            print(f"\nround {round_no}: seconds per report in its worker")
            print(f"  {'report':<30} {'builtin':>8} {'quarto':>8}")
            for name, value in builtin_seconds.items():
                print(f"  {name:<30} {value:>8.2f} {quarto_seconds.get(name, float('nan')):>8.2f}")
            print(f"  {'build, wall clock':<30} {builtin_total:>8.2f} {quarto_total:>8.2f}")
            print(f"  ratio quarto / builtin: {ratios[-1]:.2f}")
        breakdown(quarto, Path(b) / f"{PROFILED}.ipynb")
    ratio = statistics.median(ratios)
    print(f"\nratio quarto / builtin, median of {len(ratios)} round(s): {ratio:.2f} "
          f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; target <= {TARGET})")
    if not ratio <= TARGET:
        print(f"\nFAIL: the Quarto build took {ratio:.2f} times the built-in build")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
