"""What a report that prints far too much costs (issue 21): `benchmarks/bench_output_limit.py`.

Builds one report from a throw-away notebook whose cell prints MEGABYTES of output, three
ways: one `print` of it all, a loop of 100-character lines, one HTML display. For each it
prints the build's wall time, the peak resident memory of the largest process of the build
(the build, a worker, or the kernel; `getrusage` of the children), the exit code and the sizes
of the published HTML and notebook. The notebook is written to a temporary folder; nothing
is kept.

Figures on the shared 2-core development machine, 200 MB (2026-12-06):

    before (no bound):  print 20.5 s, peak 1.93 GB, HTML 202 MB, notebook 200 MB
                        loop  35.6 s, peak 1.92 GB, HTML 202 MB, notebook 222 MB
                        html  22.3 s, peak 1.93 GB, HTML 202 MB, notebook 200 MB
    after (25 MB, a cell 5 MB):
                        print 12.9 s, peak 0.87 GB, HTML 7.3 MB, notebook 5.0 MB
                        loop  22.8 s, peak 0.41 GB, HTML 7.3 MB, notebook 5.6 MB
                        html  10.3 s, peak 0.87 GB, HTML 2.3 MB, notebook 0.01 MB
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
CELL = """\
if how == "print":
    print("x" * (megabytes * 1_000_000))
elif how == "loop":
    for _ in range(megabytes * 10_000):
        print("y" * 99)
else:
    from IPython.display import HTML, display
    display(HTML("<p>" + "z" * (megabytes * 1_000_000) + "</p>"))
"""


def flood_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    parameters = nbformat.v4.new_code_cell('megabytes = 1  # output to make\nhow = "print"')
    parameters.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell("Output-limit benchmark"), parameters,
                nbformat.v4.new_code_cell(CELL), nbformat.v4.new_code_cell('print("after")')]
    nbformat.write(nb, path)


def run(megabytes: int) -> None:
    with tempfile.TemporaryDirectory(prefix="coopreport-flood-") as tmp:
        folder = Path(tmp)
        notebook = folder / "flood.ipynb"
        flood_notebook(notebook)
        for how in ("print", "loop", "html"):
            spec = folder / f"flood-{how}.yaml"
            spec.write_text(f"name: flood-{how}\nnotebook: {notebook}\ntitle: Flood\n"
                            f"formats: [html]\nparameters:\n  megabytes: {megabytes}\n"
                            f"  how: {how}\n", encoding="utf-8")
            out = folder / f"out-{how}"
            began = time.perf_counter()
            # a child process per build, so that its peak is its own (RUSAGE_CHILDREN keeps
            # the largest of all children so far: measured in a fresh interpreter each time)
            code = ("import resource, subprocess, sys; "
                    "rc = subprocess.run(sys.argv[1:]).returncode; "
                    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
                    "sys.exit(rc)")
            done = subprocess.run(
                [sys.executable, "-c", code, sys.executable, "-m", "analysis", "build",
                 "--allow-notebook-outside", str(spec), "--output-dir", str(out)],
                cwd=ROOT, capture_output=True, text=True)
            seconds = time.perf_counter() - began
            peak_kb = int(done.stdout.strip().splitlines()[-1])
            sizes = {suffix: (out / f"flood-{how}.{suffix}").stat().st_size / 1e6
                     for suffix in ("html", "ipynb") if (out / f"flood-{how}.{suffix}").exists()}
            print(f"{megabytes} MB by {how:5}: {seconds:5.1f} s, peak {peak_kb / 1e6:.2f} GB, "
                  f"exit {done.returncode}, HTML {sizes.get('html', 0):.1f} MB, "
                  f"notebook {sizes.get('ipynb', 0):.2f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=int, default=200)
    run(parser.parse_args().megabytes)
