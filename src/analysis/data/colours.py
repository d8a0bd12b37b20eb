"""One colour per category, in every chart of every report and language.

The colours are data: ``data/taxonomy/colours.csv`` lists, per category (``partner_kind``,
``activity_type``, ``country``), each id with its colour (``#rrggbb``), in the order legends
show them. Charts receive them as an ordered mapping id → colour (:class:`Colours`) and build
an explicit scale (``alt.Scale(domain=[labels...], range=[colours...])``) whose domain is the
ids present, in that fixed order, shown in the report language; so "Multilateral" and
"Многосторонний" are the same colour, in every report.

A country without a row (any ISO code is valid in the registry) gets a colour from
:data:`FALLBACK` chosen by a checksum of its code: the same in every report, though possibly
shared with another country.
"""

from __future__ import annotations

import csv
import functools
import re
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import TaxonomyError
from analysis.data.taxonomy import PARTNER_KINDS, files_version, is_country, load_taxonomy

CATEGORIES = ("partner_kind", "activity_type", "country")
FALLBACK = ("#1f4e79", "#d08c2e", "#4a90c2", "#5b8c5a", "#8a6a8e", "#b0513b", "#7f8891",
            "#a89a3c")
_HEX = re.compile(r"#[0-9a-f]{6}")


@dataclass(frozen=True)
class Colours:
    """Colours per category: ``{category: {id: colour}}``, each in legend order."""

    by_category: Mapping[str, Mapping[str, str]]

    def of(self, category: str) -> dict[str, str]:
        """The ordered id → colour mapping of one category (empty when it has none)."""
        return dict(self.by_category.get(category, {}))

    def countries(self, codes: Iterable[str]) -> dict[str, str]:
        """Colours for these country codes, listed ones first in file order, then the others
        (with their fallback colour) in the order given."""
        listed = self.of("country")
        wanted = list(dict.fromkeys(codes))
        ordered = {c: listed[c] for c in listed if c in wanted}
        ordered |= {c: fallback_colour(c) for c in wanted if c not in listed}
        return ordered


def fallback_colour(key: str) -> str:
    """A colour for an id without one, the same on every run (CRC-32 of the id)."""
    return FALLBACK[zlib.crc32(key.encode("utf-8")) % len(FALLBACK)]


def ordered_scale(present: Iterable[str], colours: Mapping[str, str] | None
                  ) -> tuple[list[str], list[str]]:
    """Ids present in a chart in the fixed legend order, and their colours.

    Ids listed in ``colours`` come first in its order; others follow in the order they first
    appear in ``present``, with :func:`fallback_colour`.

    Examples
    --------
    >>> ordered_scale(["c", "a"], {"a": "#000001", "b": "#000002", "c": "#000003"})
    (['a', 'c'], ['#000001', '#000003'])
    """
    given = dict(colours or {})
    seen = list(dict.fromkeys(str(v) for v in present))
    ids = [i for i in given if i in seen] + [i for i in seen if i not in given]
    return ids, [given.get(i) or fallback_colour(i) for i in ids]


def load_colours(path: Path | None = None) -> Colours:
    """Read ``colours.csv`` (default ``data/taxonomy/colours.csv``). Cached per file and file
    version (see :func:`~analysis.data.taxonomy.load_taxonomy`).

    Raises
    ------
    TaxonomyError
        When the file cannot be read, lacks a column, names an unknown category, id or
        partner kind, repeats an id, writes a colour other than ``#rrggbb`` (lower case), or
        leaves an activity type or partner kind without a colour.
    """
    file = (path or paths.taxonomy_dir() / "colours.csv").resolve()
    return _load_colours(file, files_version(file.parent))


@functools.lru_cache(maxsize=4)
def _load_colours(file: Path, version: tuple[tuple[str, int, int], ...]) -> Colours:
    try:
        with file.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"category", "id", "colour"} - set(reader.fieldnames or [])
            if missing:
                raise TaxonomyError(f"{file}: missing column(s) {', '.join(sorted(missing))}")
            rows = [(n, {k: (v or "").strip() for k, v in row.items() if k})
                    for n, row in enumerate(reader, start=2)]
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{file}: cannot read the colours file ({exc})") from exc
    types = set(load_taxonomy(file.parent).activity_types)
    known = {"partner_kind": set(PARTNER_KINDS), "activity_type": types}
    table: dict[str, dict[str, str]] = {c: {} for c in CATEGORIES}
    for line, row in rows:
        category, key, colour = row["category"], row["id"], row["colour"]
        where = f"{file}:{line}"
        if category not in table:
            raise TaxonomyError(f"{where}: unknown category {category!r} (use one of "
                                f"{', '.join(CATEGORIES)})")
        valid = is_country(key) if category == "country" else key in known[category]
        if not valid:
            raise TaxonomyError(f"{where}: {key!r} is not a known {category} id")
        if key in table[category]:
            raise TaxonomyError(f"{where}: {category} {key} has a colour already")
        if not _HEX.fullmatch(colour):
            raise TaxonomyError(f"{where}: colour {colour!r} is not #rrggbb (lower case)")
        table[category][key] = colour
    for category, ids in known.items():
        lacking = sorted(ids - set(table[category]))
        if lacking:
            raise TaxonomyError(f"{file}: no colour for {category} {', '.join(lacking)}; add "
                                "a row for each")
    return Colours(table)
