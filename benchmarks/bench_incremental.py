"""Time the incremental build's check on a large registry (issue 28):
`python benchmarks/bench_incremental.py`.

A registry of 100,000 rows (the shipped rows resampled, ids made unique:
:func:`bench_validate.resampled_registry`) is written into a temporary folder; the shipped
params files are recorded in a build manifest as if built from it. Then, each in a fresh
child process (imports included), the check a build with nothing to do makes
(:func:`analysis.build.incremental.all_up_to_date`) is timed:

1. nothing changed: files are hashed, no table is parsed;
2. one Azerbaijani row appended: the registry is read once with :mod:`csv` and the rows each
   report selects compared (the Azerbaijan reports are found out of date, the others current);

and, in this process, one read of the registry by :func:`analysis.build.rows.read_registry`.
Each child also says whether it imported pandas (it must not).

Figures on the shared 2-core development machine, loaded by other work (issue 28), 100,000
rows, the 11 shipped reports:

    read_registry (csv module: 1.2 s of it):  1.4 s
    nothing changed:       0.21 s, 11 of 11 reports current, pandas imported: False
    one AZE row appended:  1.7 s, 2 of 11 reports current (the Uzbekistan profiles),
                           pandas imported: False
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_validate import resampled_registry

from analysis.build import incremental, rows, selection
from analysis.core import paths
from analysis.core.safe_yaml import read_yaml

CHECK = """
import sys, time
started = time.perf_counter()
from pathlib import Path
from analysis.build import incremental
edition = Path(sys.argv[1])
manifest = incremental.load_manifest(edition)
incremental.forget_hashes()
# all_up_to_date's loop, without its stop at the first report out of date
current = [incremental.is_current(r, incremental.recorded_inputs(r, "builtin", None), edition)
           for r in manifest.values()]
seconds = time.perf_counter() - started
print(round(seconds, 3), sum(current), len(current), "pandas" in sys.modules)
"""


def record(folder: Path, registry: Path) -> Path:
    """A manifest of the shipped params files as if built from ``registry``."""
    edition = folder / "edition"
    edition.mkdir()
    manifest = {}
    sources = paths.params_files()
    for source in sources:
        spec_file = read_yaml(source, what="params file")
        notebook = paths.notebooks_dir() / spec_file["notebook"]
        parameters = dict(spec_file.get("parameters") or {})
        spec = selection.selection(parameters, notebook, [registry], [])
        inputs = incremental.inputs(source, notebook, spec, "builtin",
                                    spec_file.get("formats", ["html", "pdf"]))
        manifest[spec_file["name"]] = {"inputs": inputs, "files": [],
                                       "formats": spec_file.get("formats", ["html", "pdf"]),
                                       "built_at": "bench"}
    (edition / incremental.MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return edition


def check(edition: Path) -> str:
    done = subprocess.run([sys.executable, "-c", CHECK, str(edition)],
                          capture_output=True, text=True, check=True)
    seconds, current, total, pandas = done.stdout.split()
    return f"{seconds} s, {current} of {total} reports current, pandas imported: {pandas}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        registry = folder / "cooperation_events.csv"
        resampled_registry(registry, args.rows)
        started = time.perf_counter()
        rows.read_registry(registry)
        print(f"{args.rows:,} rows: read_registry {time.perf_counter() - started:.2f} s")
        edition = record(folder, registry)
        print(f"nothing changed:      {check(edition)}")
        with registry.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        row = {"activity_id": "AZE-2025-10-14-bench-seminar", "date": "2025-10-14",
               "date_precision": "day", "country": "AZE", "partners": "World Bank",
               "counterpart": "X", "activity_type": "seminar", "themes": "public_procurement",
               "title": "Bench seminar", "source": "x.org", "source_url": "https://x.org/1",
               "source_language": "en"}
        with registry.open("a", encoding="utf-8", newline="") as handle:
            csv.DictWriter(handle, header, restval="").writerow(row)
        print(f"one AZE row appended: {check(edition)}")


if __name__ == "__main__":
    main()
