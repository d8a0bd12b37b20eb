"""Measure: English words and Cyrillic in the body of an Uzbek (Latin) report's PDF.

    .venv/bin/python benchmarks/uzbek_share.py reports/_output/*-uz.pdf

For each PDF (text from ``pdftotext``), over the body (without web addresses and site names,
ids, hashes, file paths and the colophon, as ``latin_share.py`` does for Russian):

* **Cyrillic**: words with a Cyrillic letter / all words;
* **English**: words of the project's English texts (the message catalogue's ``en`` and the
  data's English columns) that no Uzbek text of the project uses / all words. Names kept in
  Latin by both languages (Transparency International, UzDaily, MAPS) are in the Uzbek texts
  too, so they do not count; an English word left in the report does;
* the English and Cyrillic words found, most frequent first, to be read by a person.

Prints one table row per PDF; exit 0 (a measurement, not a test).
"""

from __future__ import annotations

import argparse
import collections
import csv
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from latin_share import ADDRESS, COLOPHON, IDENTIFIER, pdf_text  # noqa: E402

WORD = re.compile(r"[^\W\d_]+(?:[ʻʼ'’-][^\W\d_]+)*")
CYRILLIC = re.compile("[\u0400-\u04ff]")


def _words(texts: list[str]) -> set[str]:
    return {w.lower() for text in texts for w in WORD.findall(text)}


def vocabularies() -> tuple[set[str], set[str]]:
    """(English words, Uzbek words) of the project's own texts."""
    english, uzbek = [], []
    messages = yaml.safe_load((ROOT / "src/analysis/assets/messages.yaml").read_text("utf-8"))
    for key, texts in messages.items():
        if key == "plural":
            for forms in texts.values():
                english += list(forms["en"].values())
                uzbek += list(forms.get("uz", {}).values())
        else:
            english.append(texts["en"])
            uzbek.append(texts.get("uz", ""))
    for path in [*sorted((ROOT / "data").glob("*.csv")),
                 *sorted((ROOT / "data/reference").glob("*.csv")),
                 *sorted((ROOT / "data/taxonomy").glob("*.csv")),
                 ROOT / "data/extract/counterparts.csv"]:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for column, value in row.items():
                    if not column or not value:
                        continue
                    if column.endswith("_uz"):
                        uzbek.append(value)
                    elif column in ("title", "commitment", "milestone", "source", "value",
                                    "release", "label_en", "name_en", "partner", "full_name"):
                        english.append(value)
    return _words(english) - _words(uzbek), _words(uzbek)


def body(text: str) -> str:
    for mark in COLOPHON:
        if mark in text:
            text = text[: text.rindex(mark)]
    return IDENTIFIER.sub(" ", ADDRESS.sub(" ", text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="+", type=Path)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    english_only, _ = vocabularies()
    print("| PDF | words | Cyrillic words | English words |")
    print("|---|---|---|---|")
    found: dict[str, tuple[collections.Counter[str], collections.Counter[str]]] = {}
    for pdf in args.pdfs:
        words = WORD.findall(body(pdf_text(pdf)))
        cyrillic = collections.Counter(w for w in words if CYRILLIC.search(w))
        english = collections.Counter(w for w in words if w.lower() in english_only)
        total = len(words)
        print(f"| {pdf.name} | {total} | {sum(cyrillic.values()) / total:.2%} "
              f"({sum(cyrillic.values())}) | {sum(english.values()) / total:.2%} "
              f"({sum(english.values())}) |")
        found[pdf.name] = (cyrillic, english)
    for name, (cyrillic, english) in found.items():
        print(f"\n{name}: English words: "
              + (", ".join(f"{w} ×{n}" for w, n in english.most_common(args.top)) or "none"))
        print(f"{name}: Cyrillic words: "
              + (", ".join(f"{w} ×{n}" for w, n in cyrillic.most_common(args.top)) or "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
