"""Time `coopreport validate` on large registries (issue 15): `python benchmarks/bench_validate.py`.

Registries of 100,000 and 1,000,000 rows are made by resampling the shipped rows
(`data/cooperation_events.csv`, ids made unique with a `-r<n>` suffix) into a temporary
folder; `coopreport validate FILE` runs on each in a child process, and the wall seconds and
the child's peak resident memory (its own `ru_maxrss`, from `os.wait4`) are printed.

Figures on the shared 2-core development machine (issue 15):

    before (per-row checks in Python):  100,000 rows: 13 s, 490 MB; 1,000,000 rows: 59 s, 4 GB
    after (columnar, pyarrow):          100,000 rows: 4.5 s, 0.38 GB; 1,000,000 rows: 13.7 s, 1.4 GB
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from analysis.core import paths

TARGET_SECONDS, TARGET_GB = 15.0, 2.0
MARKER = "\x01ID\x01"


def resampled_registry(target: Path, rows: int, seed: int = 15) -> None:
    """Write ``rows`` rows drawn at random from the shipped registry, ids made unique."""
    with paths.default_registry().open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, source = list(reader.fieldnames or []), list(reader)
    templates = []  # each shipped row written once, split around its id
    for row in source:
        out = io.StringIO()
        csv.DictWriter(out, fieldnames=header, lineterminator="\n").writerow(
            {**row, "activity_id": MARKER})
        before, after = out.getvalue().split(MARKER)
        templates.append((before, row["activity_id"], after))
    rng = random.Random(seed)
    with target.open("w", encoding="utf-8", newline="") as handle:
        handle.write(",".join(header) + "\n")
        for start in range(0, rows, 100_000):
            picks = [rng.choice(templates) for _ in range(min(100_000, rows - start))]
            handle.write("".join(f"{b}{i}-r{start + k}{a}" for k, (b, i, a) in enumerate(picks)))


def run_validate(path: Path) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in GB, exit code) of `coopreport validate path` in a child."""
    began = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "analysis", "validate", str(path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - began
    peak_kb = usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss / 1024
    return seconds, peak_kb / 1024 / 1024, os.waitstatus_to_exitcode(status)


def main(sizes: list[int]) -> int:
    failed = 0
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as folder:
        for rows in sizes:
            path = Path(folder) / f"registry-{rows}.csv"
            resampled_registry(path, rows)
            seconds, gigabytes, code = run_validate(path)
            path.unlink()
            note = ""
            if rows == 1_000_000:
                note = f" (targets: <= {TARGET_SECONDS:.0f} s, <= {TARGET_GB:.0f} GB)"
                failed += seconds > TARGET_SECONDS or gigabytes > TARGET_GB
            print(f"validate {rows:,} rows: {seconds:.1f} s, peak {gigabytes:.2f} GB, "
                  f"exit {code}{note}")
            failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000],
                        help="registry sizes to time (default: 100000 1000000)")
    sys.exit(main(parser.parse_args().rows))
