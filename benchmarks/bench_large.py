"""Benchmark: one Strategic Procurement Country Report on a large generated registry.

The registry is made by resampling the shipped rows (``data/cooperation_events.csv``) with
replacement: ``--share`` of the rows (default 35 %) are the country's, the rest the other
countries', every ``activity_id`` made unique with a suffix. It is written into a temporary
folder with a params file whose ``data_path`` points at it; the report covers the registry's
whole span, so the selection is the country's ~70,000 activities. The build runs in a
subprocess as a user would run it:

    make bench            # or: .venv/bin/python benchmarks/bench_large.py [--rows N] [--keep]

Prints wall seconds of the build, the size of the HTML, the executed notebook and the PDF,
the PDF's page count, and the size of the activity list embedded in the HTML. The targets:
it builds, and the HTML is under 6 MB.

Resampled rows would repeat the same few dozen titles and addresses, which compress far
better than a real registry's; so each row's title is made distinct (its words drawn from the
shipped titles) and its address gets a distinct last segment, and the activity list is as
large as a real one of that size. ``--resample-only`` keeps the rows as they are.

An activity list larger than the report may carry (``COOPREPORT_EMBED_LIMIT``, 2.5 MB) is
published beside the HTML as ``NAME-activities.zip``; its size is printed too.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SOURCE = ROOT / "data" / "cooperation_events.csv"
HTML_TARGET = 6 * 1024 * 1024


def generate(target: Path, rows: int, country: str, share: float, seed: int,
             distinct: bool = True) -> tuple[int, int]:
    """Write a registry of ``rows`` resampled rows (with distinct titles and addresses unless
    ``distinct`` is false); return (rows of ``country``, first year)."""
    with SOURCE.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        source = list(reader)
    own = [r for r in source if r["country"] == country]
    other = [r for r in source if r["country"] != country]
    if not own or not other:
        raise SystemExit(f"{SOURCE} needs rows of {country} and of another country")
    rng = random.Random(seed)
    # words that may start a title (not "-", "+": spreadsheets would run those as formulas)
    words = [word for row in source for word in row["title"].split() if word[0].isalnum()]
    n_own = round(rows * share)
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for i in range(rows):
            row = dict(rng.choice(own if i < n_own else other))
            row["activity_id"] = f"{row['activity_id']}-b{i:06d}"
            if distinct:
                row["title"] = " ".join(rng.choice(words) for _ in row["title"].split())
                if row.get("source_url"):
                    token = f"item-{rng.getrandbits(40):x}"
                    row["source_url"] = f"{row['source_url'].rstrip('/')}/{token}"
            writer.writerow(row)
    first_year = min(int(r["date"][:4]) for r in source)
    return n_own, first_year


def pdf_pages(path: Path) -> int | None:
    """Pages of a PDF, by pdfinfo when it is installed, else by counting page objects."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True).stdout
        match = re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE)
        if match:
            return int(match.group(1))
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes())) or None


def attachment_size(html: Path) -> int:
    """Bytes of the ``data:`` attachment links in the HTML page (the embedded activity list)."""
    text = html.read_text(encoding="utf-8")
    return sum(len(m) for m in re.findall(r'href="data:[^"]*"', text))


def mb(size: int) -> str:
    return f"{size / 1024 / 1024:.2f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000, help="registry rows (200000)")
    parser.add_argument("--country", default="UZB", help="the report's country (UZB)")
    parser.add_argument("--share", type=float, default=0.35, help="its share of rows (0.35)")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--formats", default="html,pdf")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    parser.add_argument("--resample-only", action="store_true",
                        help="keep resampled rows as they are (repeated titles and addresses)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="coopreport-bench-large-"))
    try:
        registry = folder / "large.csv"
        started = time.perf_counter()
        n_own, first_year = generate(registry, args.rows, args.country, args.share, args.seed,
                                     distinct=not args.resample_only)
        print(f"registry: {args.rows:,} rows, {n_own:,} of {args.country} "
              f"({mb(registry.stat().st_size)}; generated in "
              f"{time.perf_counter() - started:.1f} s)")
        name = f"{args.country.lower()}-large-spcr"
        params = folder / f"{name}.yaml"
        params.write_text(yaml.safe_dump({
            "name": name, "notebook": "strategic_procurement.ipynb",
            "title": f"{args.country}: Strategic Procurement Country Report (large registry)",
            "parameters": {"country": args.country, "peer": "", "start_year": first_year,
                           "end_year": 2026, "data_path": str(registry), "lang": "en"},
        }, sort_keys=False), encoding="utf-8")
        out = folder / "out"
        command = [str(BIN / "coopreport"), "build", str(params), "--output-dir", str(out),
                   "--force", "--jobs", "1", "--renderer", "builtin", "--formats", args.formats,
                   "--timeout", "3600"]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        summary_file = out / "build-summary.json"
        summary = json.loads(summary_file.read_text()) if summary_file.exists() else {}
        report = next(iter(summary.get("reports", [])), {})
        print(f"build: exit {done.returncode}, status {report.get('status', '?')}, "
              f"{seconds:.1f} s wall ({report.get('seconds', '?')} s in the worker)")
        if done.returncode != 0:
            print(report.get("error") or done.stderr[-3000:])
            return 1
        html, notebook, pdf = (out / f"{name}.{ext}" for ext in ("html", "ipynb", "pdf"))
        if html.exists():
            size = html.stat().st_size
            verdict = "under" if size < HTML_TARGET else "OVER"
            print(f"html: {mb(size)} ({verdict} the 6 MB target); embedded activity list "
                  f"{mb(attachment_size(html))}")
        beside = out / f"{name}-activities.zip"
        if beside.exists():
            print(f"activity list published beside the report: {beside.name}, "
                  f"{mb(beside.stat().st_size)}")
        if notebook.exists():
            print(f"notebook: {mb(notebook.stat().st_size)}")
        if pdf.exists():
            print(f"pdf: {mb(pdf.stat().st_size)}, {pdf_pages(pdf)} pages")
        if args.keep:
            print(f"kept: {folder}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
