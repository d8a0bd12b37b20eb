"""Helpers to write small registry files by hand. Rows here are fictional test fixtures."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from analysis.core import paths
from analysis.data import registry_format

# Test-only files (tests/fixtures/README.md where there is one)
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# The frozen test registry (tests/fixtures/registry/README.md): 78 activities (UZB 43, AZE 35,
# 2017-2026, none for AZE in 2021) and 10 commitments. Never the curated data/ files.
FIXTURE_REGISTRY = paths.test_registry()
FIXTURE_COMMITMENTS = paths.test_registry().with_name("commitments.csv")

# The format's columns and the optional ones most tests need (empty unless a test sets them).
HEADER = [*registry_format.COLUMNS, "title_ru", "amount_kind"]

# One valid, fictional row (test fixture, not real data). Tests override fields.
GOOD_ROW = {
    "activity_id": "UZB-2023-05-17-test-seminar",
    "date": "2023-05-17",
    "date_precision": "day",
    "country": "UZB",
    "partners": "World Bank",
    "counterpart": "Test Ministry",
    "activity_type": "seminar",
    "themes": "public_procurement;capacity_building",
    "title": "Test seminar on procurement",
    "amount_usd": "",
    "amount_kind": "",
    "title_ru": "",
    "source": "example.org",
    "source_url": "https://example.org/news/1",
    "source_language": "en",
}


def registry_text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or HEADER, lineterminator="\n",
                            extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(row)
    return out.getvalue()


def make_row(**overrides: str) -> dict[str, str]:
    row = dict(GOOD_ROW)
    row.update(overrides)
    return row


def resampled_registry(folder: Path, rows: int, seed: int,
                       country: str = "UZB") -> tuple[Path, list[dict[str, str]]]:
    """A registry of ``rows`` rows of ``country`` drawn (with replacement) from the frozen
    test registry, ids made unique with a suffix: ``folder/large.csv`` and its rows."""
    import random

    with FIXTURE_REGISTRY.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        own = [row for row in reader if row["country"] == country]
    rng = random.Random(seed)
    drawn = [dict(rng.choice(own)) for _ in range(rows)]
    for i, row in enumerate(drawn):
        row["activity_id"] = f"{row['activity_id']}-{i:04d}"
    registry = folder / "large.csv"
    registry.write_text(registry_text(drawn, header), encoding="utf-8")
    return registry, drawn


def fixture_project(folder: Path) -> Path:
    """A project folder for commands that read ``params/`` (point ``COOPREPORT_ROOT`` at it):
    an empty ``params/`` for the test's own params files, with the shipped notebooks and
    vocabularies linked in (read, never edited). Its reports read the default registry, which
    the tests' autouse fixture sets to the frozen test registry."""
    checkout = paths.PACKAGE_DIR.parents[1]
    (folder / "params").mkdir(parents=True)
    (folder / "data").mkdir()
    (folder / "notebooks").symlink_to(checkout / "notebooks", target_is_directory=True)
    (folder / "data" / "taxonomy").symlink_to(checkout / "data" / "taxonomy",
                                              target_is_directory=True)
    return folder
