"""Score ``coopreport extract`` on press texts with hand-made expected rows (``make eval-extract``).

``expected.csv`` beside the texts has one row per expected activity: ``file``, ``split``
(``dev``: the texts the extractor was built with; ``heldout``: written after it was built),
``date``, ``country``, ``partners`` and ``themes`` (``;``-separated), ``activity_type`` and
``counterpart``. The n-th expected row of a file is compared with the file's n-th draft; a
missing draft scores zero on every field.

Scores per split and overall: accuracy of date (exact ``YYYY-MM-DD``/``YYYY-MM``), country,
partner set (equal sets), activity type and counterpart; mean Jaccard of the theme sets.
:data:`TARGETS` are the issue's targets (counterpart has none: it is shown for information).

Run: ``python -m analysis.extract.evaluate [FOLDER]``; exit 1 when a target is missed overall.
"""

from __future__ import annotations

import csv
import logging
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import ExtractError
from analysis.extract.drafts import compose_row
from analysis.extract.pipeline import extract_activities
from analysis.extract.source import read_press_text

log = logging.getLogger("analysis.extract.evaluate")  # also when run as __main__

SCORED = ("date", "country", "partners", "activity_type", "themes", "counterpart")
TARGETS = {"date": 0.90, "country": 0.95, "partners": 0.85, "activity_type": 0.75,
           "themes": 0.60}


def _set(text: str) -> frozenset[str]:
    return frozenset(item.strip() for item in text.split(";") if item.strip())


def score_field(field: str, expected: str, found: str | None) -> float:
    """The score of one field: 1/0 for equality (sets for partners), Jaccard for themes."""
    if found is None:
        return 0.0
    if field == "themes":
        a, b = _set(expected), _set(found)
        return len(a & b) / len(a | b) if a | b else 1.0
    if field == "partners":
        return float(_set(expected) == _set(found))
    return float(expected.strip() == found.strip())


def read_expected(folder: Path) -> list[dict[str, str]]:
    """The expected rows of ``folder/expected.csv``.

    Raises
    ------
    ExtractError
        When the file is missing or lacks a column.
    """
    path = folder / "expected.csv"
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read the expected rows ({exc.strerror or exc})"
                           ) from exc
    needed = ("file", "split", *SCORED)
    if rows and any(c not in rows[0] for c in needed):
        raise ExtractError(f"{path}: the header must name {','.join(needed)}")
    return rows


def evaluate(folder: Path) -> dict[str, dict[str, float]]:
    """Mean score per field, per split and ``all``; ``n`` is the number of expected rows."""
    expected = read_expected(folder)
    drafts: dict[str, list[dict[str, str]]] = {}
    for name in sorted({row["file"] for row in expected}):
        press = read_press_text(folder / name)
        taken: set[str] = set()
        drafts[name] = [compose_row(a, press, taken) for a in extract_activities(press)]
    seen: dict[str, int] = defaultdict(int)
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in expected:
        number = seen[row["file"]]
        seen[row["file"]] += 1
        found = drafts[row["file"]][number] if number < len(drafts[row["file"]]) else None
        for group in (row["split"], "all"):
            sums[group]["n"] += 1
            for field in SCORED:
                value = score_field(field, row[field], found[field] if found else None)
                sums[group][field] += value
                if value < 1 and group == "all":
                    log.info("%s #%d %s: expected %r, found %r", row["file"], number + 1, field,
                             row[field], found[field] if found else None)
    return {group: {f: (v if f == "n" else v / values["n"]) for f, v in values.items()}
            for group, values in sums.items()}


def format_scores(scores: dict[str, dict[str, float]]) -> list[str]:
    """A table: one line per split, one column per field, then the targets and verdict."""
    header = f"{'split':<8} {'n':>3} " + " ".join(f"{f:>13}" for f in SCORED)
    lines = [header]
    for group in [g for g in ("dev", "heldout") if g in scores] + ["all"]:
        values = scores[group]
        lines.append(f"{group:<8} {int(values['n']):>3} " + " ".join(
            f"{values[f]:>13.2f}" for f in SCORED))
    lines.append(f"{'target':<8} {'':>3} " + " ".join(
        f"{'>= ' + format(TARGETS[f], '.2f') if f in TARGETS else '-':>13}" for f in SCORED))
    missed = [f for f, target in TARGETS.items() if scores["all"][f] < target]
    lines.append("all targets met" if not missed else f"targets missed: {', '.join(missed)}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``make eval-extract``: print the table; 1 when a target is missed."""
    from analysis.core.logs import configure_logging

    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    folders = [a for a in args if a != "-v"]
    configure_logging(logging.INFO if verbose else logging.WARNING)
    folder = Path(folders[0]) if folders else paths.press_fixtures()
    scores = evaluate(folder)
    for line in format_scores(scores):
        print(line)
    return 0 if all(scores["all"][f] >= t for f, t in TARGETS.items()) else 1


if __name__ == "__main__":
    sys.exit(main())
