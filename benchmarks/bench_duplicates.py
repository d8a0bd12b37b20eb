"""Time the duplicate check across sources (issue 11): `python benchmarks/bench_duplicates.py`.

Case 1: two registry files of 800 rows each, all on the same day, same country and partner,
near-identical titles (the hostile case), checked with `coopreport validate` as a user would:
wall time and number of lines printed. Case 2: 100,000 rows in two files spread over five
countries and ten years, timed on `find_likely_duplicates` alone. Case 3 (issue 21): 32,000 +
32,000 rows sharing one title, one country and partner, over ten years, on
`find_likely_duplicates` alone. The rows are synthetic.

Figures on the shared 2-core development machine (issue 11):

    before (pairwise sweep):   2 x 800 same-day: 23.1 s, 640,011 lines printed
                               100,000 rows:     523 s, 918,783 pairs
    after (blocked, best match per activity and file):
                               2 x 800 same-day: 0.5 s, 811 lines printed
                               100,000 rows:     70 s, 76,955 pairs
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import random
import tempfile
import time
from pathlib import Path

import pandas as pd

from analysis.cli import main
from analysis.data.registry_format import COLUMNS
from analysis.data.sources import find_likely_duplicates

ROW = {"date": "2023-05-17", "date_precision": "day", "country": "UZB", "partners": "World Bank",
       "counterpart": "", "activity_type": "seminar", "themes": "public_procurement",
       "amount_usd": "", "source": "example.org", "source_url": "", "source_language": "en"}


def registry_text(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def same_day_files(folder: Path, rows: int) -> Path:
    for name, tag in (("a.csv", "a"), ("b.csv", "b")):
        table = [{**ROW, "activity_id": f"UZB-{tag}-{i}",
                  "title": f"Seminar on procurement reform number {i}"} for i in range(rows)]
        (folder / name).write_text(registry_text(table), encoding="utf-8")
    config = folder / "sources.yaml"
    config.write_text("sources:\n  - path: a.csv\n  - path: b.csv\n", encoding="utf-8")
    return config


def spread_frame(rows: int, seed: int = 11) -> pd.DataFrame:
    rng = random.Random(seed)
    countries, partners = ["UZB", "AZE", "KAZ", "KGZ", "TJK"], ["World Bank", "ADB", "EU"]
    words = "procurement reform seminar loan audit training digital roads water".split()
    start = pd.Timestamp("2015-01-01")
    return pd.DataFrame({
        "activity_id": [f"R{i}" for i in range(rows)],
        "source_file": [("a.csv", "b.csv")[i % 2] for i in range(rows)],
        "country": [rng.choice(countries) for _ in range(rows)],
        "partners": [(rng.choice(partners),) for _ in range(rows)],
        "start": [start + pd.Timedelta(days=rng.randrange(3650)) for _ in range(rows)],
        "title": [" ".join(rng.choices(words, k=5)) for _ in range(rows)],
    })


def one_title_frame(rows: int, seed: int = 21) -> pd.DataFrame:
    """``rows`` activities in each of two files, all titled alike, dates over ten years."""
    rng = random.Random(seed)
    start = pd.Timestamp("2015-01-01")
    return pd.DataFrame({
        "activity_id": [f"{f}{i}" for f in "ab" for i in range(rows)],
        "source_file": [f"{f}.csv" for f in "ab" for _ in range(rows)],
        "country": "UZB", "partners": [("World Bank",)] * (2 * rows),
        "start": [start + pd.Timedelta(days=rng.randrange(3650)) for _ in range(2 * rows)],
        "title": "Steering committee meeting",
    })


def run(same_day_rows: int, spread_rows: int, one_title_rows: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        config = same_day_files(Path(folder), same_day_rows)
        out, err = io.StringIO(), io.StringIO()
        began = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["validate", str(config)])
        seconds = time.perf_counter() - began
        lines = len(out.getvalue().splitlines()) + len(err.getvalue().splitlines())
        print(f"validate, 2 x {same_day_rows} same-day rows: {seconds:.1f} s, exit {code}, "
              f"{lines} lines printed")
    if spread_rows:
        frame = spread_frame(spread_rows)
        began = time.perf_counter()
        found = find_likely_duplicates(frame)
        print(f"find_likely_duplicates, {spread_rows} rows: "
              f"{time.perf_counter() - began:.1f} s, {len(found)} pairs")
    if one_title_rows:
        frame = one_title_frame(one_title_rows)
        began = time.perf_counter()
        found = find_likely_duplicates(frame)
        print(f"find_likely_duplicates, {one_title_rows} + {one_title_rows} rows with one "
              f"title: {time.perf_counter() - began:.1f} s, {len(found)} pairs")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--same-day-rows", type=int, default=800)
    parser.add_argument("--spread-rows", type=int, default=100_000)
    parser.add_argument("--one-title-rows", type=int, default=32_000)
    options = parser.parse_args()
    run(options.same_day_rows, options.spread_rows, options.one_title_rows)
