"""Measure: how much of a Russian report's PDF text is in Latin script, as the Russian review
(2026-12, section 2) measured it.

    .venv/bin/python benchmarks/latin_share.py reports/_output/*-ru.pdf

For each PDF (text from ``pdftotext``), letters only (Roman numerals I–IV not counted):

* **A**: Latin letters / all letters, and Latin words / all words, over the whole text;
* **B**: the same over the body: without web addresses and site names, activity ids, hashes,
  file paths, the colophon (the last page's build record) and source names (a line of the
  annex's source column and a bullet of a source list are publication names);
* the Latin words left in B, most frequent first: what remains to be read by a person.

Prints one table row per PDF; exit 0 (a measurement, not a test).
"""

from __future__ import annotations

import argparse
import collections
import re
import subprocess
import sys
from pathlib import Path

ROMAN = re.compile(r"^(I|II|III|IV|V|VI|VII|VIII|IX|X)$")
WORD = re.compile(r"[A-Za-zА-Яа-яЁё]+(?:[-’'][A-Za-zА-Яа-яЁё]+)*")
# removed for B: addresses and site names, ids and hashes, file paths
ADDRESS = re.compile(r"\S*(?:https?://|www\.)\S*|\b[\w-]+(?:\.[\w-]+)*\.(?:org|com|uz|az|ru|"
                     r"de|net|io|int|news|gov|kz|ge|us|eu|site|mx|pub|info)\b\S*", re.I)
IDENTIFIER = re.compile(r"\b[A-Z]{3}-\d{4}-[\w-]+|\b[0-9a-f]{12,64}\b|\S+/\S+\.\w+|\S+\.csv\b")
COLOPHON = ("Выходные данные", "About this edition")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def body(text: str, sources: set[str]) -> str:
    """The text without what B leaves out (see the module's docstring)."""
    for mark in COLOPHON:
        if mark in text:
            text = text[: text.rindex(mark)]
    text = ADDRESS.sub(" ", text)
    text = IDENTIFIER.sub(" ", text)
    for name in sorted(sources, key=len, reverse=True):
        text = text.replace(name, " ")
    return text


def counts(text: str) -> tuple[int, int, int, int]:
    """(Latin letters, all letters, Latin words, all words), Roman numerals left out."""
    words = [w for w in WORD.findall(text) if not ROMAN.match(w)]
    latin = [w for w in words if re.search("[A-Za-z]", w)]
    letters = sum(sum(c.isalpha() for c in w) for w in words)
    latin_letters = sum(sum(c.isascii() and c.isalpha() for c in w) for w in latin)
    return latin_letters, letters, len(latin), len(words)


def source_names() -> set[str]:
    """Publication names the reports print: the Russian and English source names of the
    reference data (their Latin parts are names, as the review counted them)."""
    import csv

    root = Path(__file__).resolve().parents[1] / "data" / "reference"
    names: set[str] = set()
    with (root / "source_names.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            names |= {row["source"], row["source_ru"]}
    for file in ("country_indicators.csv", "procurement_system.csv",
                 "procurement_milestones.csv"):
        with (root / file).open(encoding="utf-8") as handle:
            names |= {row["source"] for row in csv.DictReader(handle)}
    return {n for n in names if n}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=25, help="Latin words of B to list")
    args = parser.parse_args(argv)
    sources = source_names()
    print("| PDF | A: Latin letters | A: Latin words | B: Latin letters | B: Latin words |")
    print("|---|---|---|---|---|")
    left: dict[str, collections.Counter[str]] = {}
    for pdf in args.pdfs:
        text = pdf_text(pdf)
        a = counts(text)
        kept = body(text, sources)
        b = counts(kept)
        print(f"| {pdf.name} | {a[0] / a[1]:.1%} ({a[0]} of {a[1]}) | {a[2] / a[3]:.1%} "
              f"({a[2]} of {a[3]}) | {b[0] / b[1]:.1%} ({b[0]} of {b[1]}) | "
              f"{b[2] / b[3]:.1%} ({b[2]} of {b[3]}) |")
        left[pdf.name] = collections.Counter(
            w for w in WORD.findall(kept) if re.search("[A-Za-z]", w) and not ROMAN.match(w))
    for name, words in left.items():
        print(f"\n{name}: Latin words left in B, most frequent first")
        print(", ".join(f"{w} ×{n}" for w, n in words.most_common(args.top)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
