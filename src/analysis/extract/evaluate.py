"""Score ``coopreport extract`` against hand-made labels (``make eval-extract``).

Two kinds of sets:

- **synthetic** (``tests/fixtures/press``): ``expected.csv`` beside the texts has one row per
  expected activity: ``file``, ``split`` (``dev``: the texts the extractor was built with;
  ``heldout``: written after it was built), ``date``, ``country``, ``partners`` and ``themes``
  (``;``-separated), ``activity_type`` and ``counterpart``;
- **real** (``--labels eval/real/labels.csv FOLDER``): published press items kept outside the
  repository (their text is not ours to copy); the labels file names each ``file`` in FOLDER
  with its ``url``, ``published`` date and ``language``, and the same fields. A partner the
  vocabulary lacks is labelled ``new:English name|name as written``; ``counterpart_variants``
  holds the body's names as written (``|``-separated). The real set is scored twice: as the
  texts are, and with the publication date given (``--published``), with the address given
  both times (``--source-url``).

The n-th label of a file is compared with the file's n-th draft; a missing draft scores zero
on every field. Scores: accuracy of date (exact ``YYYY-MM-DD``/``YYYY-MM``), country, partner
set (equal sets; a ``new:`` partner matches a proposed name that is close to one of its
names), activity type and counterpart (its English name, or close to a name as written); mean
Jaccard of the theme sets; ``named`` is the counterpart score over labels that name a body;
``drafted`` the share of labels that got a draft; ``dated_right`` the date score over drafts
that give a date (an item with no date anchor gets an empty date, confidence 0, to fill in).

**Calibration**: each field's drafts grouped by confidence (< 0.5, 0.5–0.8, ≥ 0.8) with the
share right in each group: low confidence should be wrong more often than high.

**Settings** (``--settings``): the evaluation again with each setting of the extractor moved
(:data:`SETTINGS`), to show what each one does to the scores.

Run: ``python -m analysis.extract.evaluate [FOLDER] [--labels FILE] [--settings] [-v]``;
exit 1 when a target is missed (synthetic set: :data:`TARGETS`; real set: :data:`REAL_TARGETS`,
without publication dates).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import logging
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz

from analysis.core import paths
from analysis.core.errors import ExtractError
from analysis.extract.drafts import compose_row
from analysis.extract.lexicon import normalise
from analysis.extract.pipeline import extract_activities
from analysis.extract.source import read_press_text

log = logging.getLogger("analysis.extract.evaluate")  # also when run as __main__

SCORED = ("date", "country", "partners", "activity_type", "themes", "counterpart")
TARGETS = {"date": 0.90, "country": 0.95, "partners": 0.85, "activity_type": 0.75,
           "themes": 0.60}
REAL_TARGETS = {"date": 0.85, "partners": 0.90, "themes": 0.70, "named": 0.70}
CLOSE = 85.0  # rapidfuzz ratio for a proposed name or a counterpart as written
BANDS = ((0.0, 0.5, "< 0.5"), (0.5, 0.8, "0.5-0.8"), (0.8, 1.01, ">= 0.8"))


def _set(text: str) -> frozenset[str]:
    return frozenset(item.strip() for item in text.split(";") if item.strip())


def _close(a: str, b: str) -> bool:
    a, b = normalise(a).strip(), normalise(b).strip()
    return bool(a) and bool(b) and (a == b or fuzz.ratio(a, b) >= CLOSE)


def _partners_match(expected: str, found: str) -> bool:
    wanted, got = _set(expected), set(_set(found))
    for item in wanted:
        if item.startswith("new:"):
            names = item[4:].split("|")
            match = next((g for g in got if any(_close(g, n) for n in names)), None)
        else:
            match = item if item in got else None
        if match is None:
            return False
        got.discard(match)
    return not got


def score_field(field: str, expected: str, found: str | None, variants: str = "") -> float:
    """The score of one field: 1/0 for equality (sets for partners, close names for proposed
    partners and counterparts as written), Jaccard for themes."""
    if found is None:
        return 0.0
    if field == "themes":
        a, b = _set(expected), _set(found)
        return len(a & b) / len(a | b) if a | b else 1.0
    if field == "partners":
        return float(_partners_match(expected, found))
    if field == "counterpart":
        names = [expected, *filter(None, variants.split("|"))]
        return float(expected.strip() == found.strip() or any(_close(found, n) for n in names))
    return float(expected.strip() == found.strip())


@dataclass(frozen=True)
class Label:
    """One expected activity."""

    file: str
    split: str
    fields: dict[str, str]
    url: str = ""
    published: dt.date | None = None
    variants: str = ""

    @property
    def named(self) -> bool:
        """True when the label names a body (not ``Government of ...``)."""
        return not self.fields["counterpart"].startswith("Government of")


def read_labels(path: Path, real: bool = False) -> list[Label]:
    """The labels of ``expected.csv`` (synthetic) or of a real set's labels file.

    Raises
    ------
    ExtractError
        When the file is missing, lacks a column, or holds a bad date (file, line, value).
    """
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ExtractError(f"{path}: cannot read the labels ({exc.strerror or exc})") from exc
    needed = ("file", *SCORED) + (("url", "published", "language") if real else ("split",))
    if rows and any(c not in rows[0] for c in needed):
        raise ExtractError(f"{path}: the header must name {','.join(needed)}")
    labels = []
    for line, row in enumerate(rows, start=2):
        published = None
        if real and row["published"].strip():
            try:
                published = dt.date.fromisoformat(row["published"].strip())
            except ValueError as exc:
                raise ExtractError(f"{path}:{line}: published: {row['published']!r} is not a "
                                   "date; write YYYY-MM-DD or leave it empty") from exc
        labels.append(Label(row["file"], row.get("split") or row.get("language", "") or "all",
                            {f: row[f] for f in SCORED}, row.get("url", ""), published,
                            row.get("counterpart_variants", "")))
    return labels


@dataclass(frozen=True)
class Outcome:
    """One field of one label: its score and the draft's confidence (None: no draft)."""

    split: str
    field: str
    score: float
    confidence: float | None


def run(folder: Path, labels: list[Label], with_published: bool = False) -> list[Outcome]:
    """Extract each labelled file once and score every label's fields."""
    drafts: dict[str, list[dict[str, str]]] = {}
    for label in labels:
        if label.file in drafts:
            continue
        published = label.published if with_published else None
        press = read_press_text(folder / label.file, label.url, published)
        taken: set[str] = set()
        drafts[label.file] = [compose_row(a, press, taken) for a in extract_activities(press)]
    seen: dict[str, int] = defaultdict(int)
    outcomes: list[Outcome] = []
    for label in labels:
        number = seen[label.file]
        seen[label.file] += 1
        rows = drafts[label.file]
        found = rows[number] if number < len(rows) else None
        for field in SCORED:
            value = score_field(field, label.fields[field], found[field] if found else None,
                                label.variants)
            confidence = float(found[f"confidence_{field}"]) if found else None
            outcomes.append(Outcome(label.split, field, value, confidence))
            if field == "counterpart" and label.named:
                outcomes.append(Outcome(label.split, "named", value, confidence))
            if value < 1:
                log.info("%s #%d %s: expected %r, found %r", label.file, number + 1, field,
                         label.fields[field], found[field] if found else None)
        outcomes.append(Outcome(label.split, "drafted", float(found is not None), None))
        if found is not None and found["date"]:  # a date given (not left empty for review)
            outcomes.append(Outcome(label.split, "dated_right",
                                    score_field("date", label.fields["date"], found["date"]),
                                    None))
    return outcomes


def summarise(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Mean score per field, per split and ``all``; ``n`` is the number of labels."""
    sums: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    for outcome in outcomes:
        for group in (outcome.split, "all"):
            sums[group][outcome.field].append(outcome.score)
    return {group: {"n": float(len(fields["date"])),
                    **{f: sum(v) / len(v) for f, v in fields.items() if v}}
            for group, fields in sums.items()}


def evaluate(folder: Path) -> dict[str, dict[str, float]]:
    """Mean score per field of a synthetic set (``folder/expected.csv``), per split and
    ``all``."""
    return summarise(run(folder, read_labels(folder / "expected.csv")))


def format_scores(scores: dict[str, dict[str, float]], targets: dict[str, float] | None = None,
                  columns: Sequence[str] = SCORED) -> list[str]:
    """A table: one line per split, one column per field, then the targets and verdict."""
    targets = TARGETS if targets is None else targets
    header = f"{'split':<8} {'n':>3} " + " ".join(f"{f:>13}" for f in columns)
    lines = [header]
    groups = [g for g in scores if g != "all"]
    for group in sorted(groups) + ["all"]:
        values = scores[group]
        lines.append(f"{group:<8} {int(values['n']):>3} " + " ".join(
            f"{values.get(f, float('nan')):>13.2f}" for f in columns))
    lines.append(f"{'target':<8} {'':>3} " + " ".join(
        f"{'>= ' + format(targets[f], '.2f') if f in targets else '-':>13}" for f in columns))
    missed = [f for f, target in targets.items() if scores["all"].get(f, 0.0) < target]
    lines.append("all targets met" if not missed else f"targets missed: {', '.join(missed)}")
    return lines


def calibration(outcomes: list[Outcome]) -> list[str]:
    """Share right per field and confidence band (see the module notes)."""
    lines = [f"{'field':<14}" + "".join(f"{name:>16}" for _, _, name in BANDS)]
    for field in SCORED:
        cells = []
        for low, high, _ in BANDS:
            scores = [o.score for o in outcomes if o.field == field and o.confidence is not None
                      and low <= o.confidence < high]
            cells.append(f"{sum(scores) / len(scores):.2f} of {len(scores):>3}" if scores
                         else "-")
        lines.append(f"{field:<14}" + "".join(f"{c:>16}" for c in cells))
    return lines


@contextlib.contextmanager
def _setting(module: str, name: str, value: object) -> Iterator[None]:
    import importlib

    target = importlib.import_module(module)
    old = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, old)


# each setting: (label, module, name, values to try besides the shipped one)
SETTINGS: tuple[tuple[str, str, str, tuple[object, ...]], ...] = (
    ("theme threshold", "analysis.extract.classify", "THEME_THRESHOLD", (0.5, 3.0)),
    ("year window (days after publication)", "analysis.extract.dates", "WINDOW_AFTER",
     (dt.timedelta(days=0), dt.timedelta(days=200))),
    ("date window (days after publication)", "analysis.extract.pipeline", "AFTER",
     (dt.timedelta(days=0), dt.timedelta(days=400))),
    ("address bonus (.uz, .az)", "analysis.extract.classify", "DOMAIN_BONUS", (0.0, 10.0)),
)


def settings_table(score: Callable[[], dict[str, dict[str, float]]]) -> list[str]:
    """Overall scores with each setting moved, beside the shipped settings."""
    lines = [f"{'setting':<40}{'value':>9} " + " ".join(f"{f[:8]:>8}" for f in SCORED)]

    def line(name: str, value: object) -> str:
        scores = score()["all"]
        shown = value.days if isinstance(value, dt.timedelta) else value
        return f"{name:<40}{shown!s:>9} " + " ".join(f"{scores[f]:>8.2f}" for f in SCORED)

    lines.append(line("shipped", "-"))
    for name, module, attribute, values in SETTINGS:
        for value in values:
            with _setting(module, attribute, value):
                lines.append(line(name, value))
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``make eval-extract``: print the tables; 1 when a target is missed."""
    from analysis.core.logs import configure_logging

    args = list(sys.argv[1:] if argv is None else argv)
    verbose = "-v" in args
    with_settings = "--settings" in args
    labels_file = None
    if "--labels" in args:
        at = args.index("--labels")
        if at + 1 >= len(args):
            print("--labels needs a file: --labels eval/real/labels.csv FOLDER", file=sys.stderr)
            return 2
        labels_file = Path(args[at + 1])
        del args[at:at + 2]
    folders = [a for a in args if a not in ("-v", "--settings")]
    configure_logging(logging.INFO if verbose else logging.WARNING)
    folder = Path(folders[0]) if folders else paths.press_fixtures()
    if labels_file is None:
        labels = read_labels(folder / "expected.csv")
        outcomes = run(folder, labels)
        scores = summarise(outcomes)
        print("Synthetic set", paths.display_path(folder))
        for text in format_scores(scores):
            print(text)
        ok = all(scores["all"][f] >= t for f, t in TARGETS.items())
    else:
        labels = read_labels(labels_file, real=True)
        columns = (*SCORED, "named", "drafted", "dated_right")
        print(f"Real set {folder}: {len({x.file for x in labels})} texts, {len(labels)} "
              "activities; the texts as they are (no date given)")
        outcomes = run(folder, labels)
        scores = summarise(outcomes)
        for text in format_scores(scores, REAL_TARGETS, columns):
            print(text)
        ok = all(scores["all"][f] >= t for f, t in REAL_TARGETS.items())
        print("\nThe same with each publication date given (--published)")
        dated = run(folder, labels, with_published=True)
        for text in format_scores(summarise(dated), REAL_TARGETS, columns):
            print(text)
    print("\nCalibration: share right by the draft's confidence (no date given)")
    for text in calibration(outcomes):
        print(text)
    if with_settings:
        print("\nSettings: overall scores with one setting moved")
        for text in settings_table(lambda: summarise(run(folder, labels))):
            print(text)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
