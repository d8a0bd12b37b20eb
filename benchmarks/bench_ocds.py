"""`coopreport import ocds` at national scale (issue 23): `benchmarks/bench_ocds.py`.

Writes N synthetic compiled releases (default 1,000,000; fictional, generated here) as one JSON
Lines file, then runs, in a child process so its peak memory can be read, the import into
Parquet and the contracting indicators of every country and year. Prints the seconds of each
step and the child's peak resident memory (`getrusage` of the children). The target (issue
23) is at most 60 s and 2 GB for both steps together on the 2-core development machine.

Each release has a buyer party in one of five countries, a tender (method, value, period,
number of tenderers), one or two awards with one or two suppliers out of 20,000 (some SMEs)
and a contract for most awards: about 900 bytes of JSON each. Generating them is not timed.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COUNTRIES = ["Uzbekistan", "Azerbaijan", "Georgia", "Kazakhstan", "Kyrgyzstan"]
METHODS = ["open", "open", "open", "selective", "limited", "direct", "direct"]
CHILD = """
import sys, time
from pathlib import Path
from analysis.connectors.ocds import import_ocds
from analysis.measures.contracting import contracting_indicators
source, output = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
result = import_ocds([source], output, force=True)
t1 = time.perf_counter()
frame = contracting_indicators(output)
t2 = time.perf_counter()
print(f"{result.processes} {result.releases} {len(frame)} {t1 - t0:.1f} {t2 - t1:.1f}")
"""


def write_releases(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(count):
            country = COUNTRIES[i % len(COUNTRIES)]
            year = 2019 + i % 6
            start = f"{year}-{1 + i % 12:02d}-{1 + i % 27:02d}T00:00:00Z"
            end = f"{year}-{1 + i % 12:02d}-{2 + i % 27:02d}T00:00:00Z"
            method = METHODS[i % len(METHODS)]
            suppliers = [f"S{rng.randrange(20_000)}" for _ in range(1 + (i % 3 == 0))]
            parties = [{"id": "B", "name": "Buyer", "roles": ["buyer"],
                        "address": {"countryName": country}}]
            parties += [{"id": s, "name": s, "roles": ["supplier"],
                         "details": {"scale": "sme" if int(s[1:]) % 4 == 0 else "large"}}
                        for s in suppliers]
            awards = [{"id": f"a{k}", "status": "active",
                       "date": f"{year}-{1 + i % 12:02d}-{20 + k}T00:00:00Z",
                       "value": {"amount": rng.randrange(1_000, 10_000_000), "currency": "XXX"},
                       "suppliers": [{"id": s, "name": s} for s in suppliers]}
                      for k in range(1 + (i % 5 == 0))] if i % 10 else []
            release = {
                "ocid": f"ocds-bench-{i}", "id": f"{i}-compiled", "date": end,
                "tag": ["compiled"], "initiationType": "tender",
                "buyer": {"id": "B", "name": "Buyer"}, "parties": parties,
                "tender": {"id": f"t{i}", "procurementMethod": method,
                           "value": {"amount": rng.randrange(1_000, 10_000_000),
                                     "currency": "XXX"},
                           "tenderPeriod": {"startDate": start, "endDate": end},
                           "numberOfTenderers": rng.randrange(1, 8)},
                "awards": awards,
                "contracts": [{"id": f"c{i}", "awardID": "a0"}] if awards and i % 3 else [],
            }
            out.write(json.dumps(release, separators=(",", ":")) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--releases", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="coopreport-bench-ocds-") as tmp:
        source, output = Path(tmp) / "releases.jsonl", Path(tmp) / "processes.parquet"
        started = time.perf_counter()
        write_releases(source, args.releases)
        size = source.stat().st_size / 1e9
        print(f"generated {args.releases:,} compiled releases ({size:.2f} GB JSON Lines) in "
              f"{time.perf_counter() - started:.0f} s (not timed below)")
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", CHILD, str(source), str(output)],
                              capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            print(done.stderr[-2000:])
            return 1
        processes, releases, rows, imported, indicators = done.stdout.split("\n")[-2].split()
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 / 1024
        print(f"import ocds: {int(processes):,} processes from {int(releases):,} releases in "
              f"{imported} s; indicators: {rows} rows in {indicators} s; "
              f"total {wall:.1f} s (with start-up), peak {peak:.2f} GB; "
              f"Parquet {output.stat().st_size / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
