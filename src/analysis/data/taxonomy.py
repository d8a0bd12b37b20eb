"""The registry's controlled vocabularies, read from the CSV files in ``data/taxonomy/``.

- ``activity_types.csv``: activity type id, English and Russian labels.
- ``themes.csv``: theme id, labels, the MAPS pillar (I-IV) it bears on (empty where none) and
  whether it counts as procurement-related (``yes``/``no``).
- ``maps_pillars.csv``: the four MAPS pillars with their labels.
- ``partners.csv``: canonical partner name, its Russian label, kind (multilateral, bilateral,
  agency, network), full name and ``;``-separated aliases that importers and analysts may use
  instead.

Countries are not a vocabulary file: any ISO 3166-1 alpha-3 code known to ``pycountry`` is
valid, and ``babel`` gives its name in the report language.
"""

from __future__ import annotations

import csv
import difflib
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pycountry
from babel import Locale

from analysis.core import paths
from analysis.core.errors import TaxonomyError
from analysis.core.textsafety import check_uzbek

LANGUAGES = ("en", "ru", "uz")  # uz: Uzbek in the Latin script (uz-Latn)
# the BCP 47 tag a report page declares (<html lang>): Uzbek names its script
LANGUAGE_TAGS = {"en": "en", "ru": "ru", "uz": "uz-Latn"}


def language_tag(lang: str) -> str:
    """The BCP 47 tag of a report language: "uz" → "uz-Latn" (HTML's ``lang``)."""
    return LANGUAGE_TAGS.get(lang, lang)
PARTNER_KINDS = ("multilateral", "bilateral", "agency", "network")
PILLARS = ("I", "II", "III", "IV")


@dataclass(frozen=True)
class Term:
    """One entry of a vocabulary: its id and its label in each supported language."""

    id: str
    labels: dict[str, str]

    def label(self, lang: str = "en") -> str:
        """The label in ``lang``; an Uzbek label missing falls back to the Russian one (Uzbek
        readers read Russian, rarely English), any other to English."""
        if lang == "uz" and not self.labels.get("uz"):
            return self.labels.get("ru") or self.labels["en"]
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Theme(Term):
    pillar: str | None = None
    procurement: bool = False


@dataclass(frozen=True)
class Partner:
    name: str
    kind: str
    full_name: str
    aliases: tuple[str, ...] = ()
    label_ru: str = ""
    label_uz: str = ""

    def label(self, lang: str = "en") -> str:
        """The partner's name in ``lang``: its Russian or Uzbek label, else its name (an Uzbek
        report falls back to the Russian label, as for every text of the data)."""
        if lang == "uz":
            return self.label_uz or self.label_ru or self.name
        return self.label_ru if lang == "ru" and self.label_ru else self.name


@dataclass(frozen=True)
class Taxonomy:
    """All vocabularies together, with look-ups used by validation, metrics and reports."""

    activity_types: dict[str, Term]
    themes: dict[str, Theme]
    pillars: dict[str, Term]
    partners: dict[str, Partner]
    _alias_index: dict[str, str] = field(repr=False, default_factory=dict)

    def resolve_partner(self, name: str) -> str | None:
        """Canonical partner name for a name or alias (case-insensitive), or None if unknown."""
        return self._alias_index.get(_fold(name))

    def procurement_themes(self) -> list[str]:
        """Theme ids flagged as procurement-related, in file order."""
        return [t.id for t in self.themes.values() if t.procurement]

    def themes_for_pillar(self, pillar: str) -> list[str]:
        return [t.id for t in self.themes.values() if t.pillar == pillar]

    def type_label(self, activity_type: str, lang: str = "en") -> str:
        term = self.activity_types.get(activity_type)
        return term.label(lang) if term else activity_type

    def theme_label(self, theme: str, lang: str = "en") -> str:
        term = self.themes.get(theme)
        return term.label(lang) if term else theme

    def pillar_label(self, pillar: str, lang: str = "en") -> str:
        term = self.pillars.get(pillar)
        return term.label(lang) if term else pillar

    def partner_label(self, partner: str, lang: str = "en") -> str:
        entry = self.partners.get(partner)
        return entry.label(lang) if entry else partner

    def partner_kind(self, partner: str) -> str | None:
        entry = self.partners.get(partner)
        return entry.kind if entry else None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def suggest(value: str, choices: Iterable[str]) -> str | None:
    """The closest choice to a misspelt value, for did-you-mean hints (None if nothing close)."""
    options = list(choices)
    folded = {_fold(c): c for c in options}
    if _fold(value) in folded:
        return folded[_fold(value)]
    match = difflib.get_close_matches(_fold(value), list(folded), n=1, cutoff=0.6)
    return folded[match[0]] if match else None


def _labels(row: dict[str, str]) -> dict[str, str]:
    """A vocabulary row's labels: ``label_en``, ``label_ru`` and, when the file has the
    column, ``label_uz`` (optional: a file without it still loads)."""
    return {"en": row["label_en"], "ru": row["label_ru"], "uz": row.get("label_uz", "")}


def _read_rows(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in required if c not in (reader.fieldnames or [])]
            if missing:
                raise TaxonomyError(f"{path}: missing column(s) {', '.join(missing)}")
            rows = [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except (OSError, UnicodeDecodeError) as exc:
        raise TaxonomyError(f"{path}: cannot read the vocabulary file ({exc})") from exc
    for row in rows:
        for column, value in row.items():
            reason = check_uzbek(value) if column.endswith("_uz") else None
            if reason:
                raise TaxonomyError(f"{path}: {row.get(required[0], '')}: {column}: {reason}")
    ids = [row[required[0]] for row in rows]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise TaxonomyError(f"{path}: duplicate {required[0]} {', '.join(duplicates)}")
    return rows


def load_taxonomy(directory: Path | None = None) -> Taxonomy:
    """Read the vocabularies from ``directory`` (default ``data/taxonomy``).

    Cached per folder and file version: a long session (JupyterLab) sees an edited vocabulary
    at the next call, and a call that finds nothing changed costs a few file system lookups.

    Raises
    ------
    TaxonomyError
        When a file is missing, unreadable, lacks a column, repeats an id or uses an unknown
        pillar or partner kind.
    """
    folder = (directory or paths.taxonomy_dir()).resolve()
    return _load_taxonomy(folder, files_version(folder))


def files_version(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """What identifies the version of a folder's files: name, modification time and size of
    each; a cache keyed on it is never stale."""
    version = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else ():
        try:
            stat = path.stat()
        except OSError:
            continue
        version.append((path.name, stat.st_mtime_ns, stat.st_size))
    return tuple(version)


@functools.lru_cache(maxsize=8)
def _load_taxonomy(folder: Path, version: tuple[tuple[str, int, int], ...]) -> Taxonomy:
    types = {
        r["activity_type"]: Term(r["activity_type"], _labels(r))
        for r in _read_rows(folder / "activity_types.csv",
                            ("activity_type", "label_en", "label_ru"))
    }
    pillars = {
        r["pillar"]: Term(r["pillar"], _labels(r))
        for r in _read_rows(folder / "maps_pillars.csv", ("pillar", "label_en", "label_ru"))
    }
    themes: dict[str, Theme] = {}
    theme_file = folder / "themes.csv"
    theme_columns = ("theme", "label_en", "label_ru", "maps_pillar", "procurement")
    for r in _read_rows(theme_file, theme_columns):
        if r["maps_pillar"] and r["maps_pillar"] not in pillars:
            raise TaxonomyError(
                f"{theme_file}: theme {r['theme']}: unknown MAPS pillar {r['maps_pillar']!r} "
                f"(use one of {', '.join(pillars)} or leave it empty)"
            )
        if r["procurement"] not in ("yes", "no"):
            raise TaxonomyError(
                f"{theme_file}: theme {r['theme']}: procurement must be yes or no, "
                f"not {r['procurement']!r}"
            )
        themes[r["theme"]] = Theme(
            r["theme"],
            _labels(r),
            pillar=r["maps_pillar"] or None,
            procurement=r["procurement"] == "yes",
        )
    partners: dict[str, Partner] = {}
    alias_index: dict[str, str] = {}
    partner_file = folder / "partners.csv"
    for r in _read_rows(partner_file, ("partner", "label_ru", "kind", "full_name", "aliases")):
        if r["kind"] not in PARTNER_KINDS:
            raise TaxonomyError(
                f"{partner_file}: partner {r['partner']}: kind must be one of "
                f"{', '.join(PARTNER_KINDS)}, not {r['kind']!r}"
            )
        aliases = tuple(a.strip() for a in r["aliases"].split(";") if a.strip())
        partners[r["partner"]] = Partner(r["partner"], r["kind"], r["full_name"], aliases,
                                         r["label_ru"], r.get("label_uz", ""))
        for name in (r["partner"], r["full_name"], *aliases):
            known = alias_index.setdefault(_fold(name), r["partner"])
            if known != r["partner"]:
                raise TaxonomyError(
                    f"{partner_file}: the name or alias {name!r} belongs to both "
                    f"{known} and {r['partner']}"
                )
    return Taxonomy(types, themes, pillars, partners, alias_index)


def is_country(code: str) -> bool:
    """True for an ISO 3166-1 alpha-3 code (upper case), such as ``UZB`` or ``KAZ``."""
    return len(code) == 3 and code.isupper() and pycountry.countries.get(alpha_3=code) is not None


# Names official usage in the region prefers to CLDR's: Uzbek and Kyrgyz official Russian
# writes "Кыргызстан" (CLDR: "Киргизия")
COUNTRY_NAMES: dict[tuple[str, str], str] = {("KGZ", "ru"): "Кыргызстан"}


def country_name(code: str, lang: str = "en") -> str:
    """The country's short name in the report language (``UZB`` → Uzbekistan / Узбекистан)."""
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    override = COUNTRY_NAMES.get((code, lang))
    if override:
        return override
    localised = Locale.parse(lang).territories.get(country.alpha_2)
    return str(localised or getattr(country, "common_name", None) or country.name)


def country_codes() -> list[str]:
    """Every ISO 3166-1 alpha-3 code, for did-you-mean hints."""
    return [c.alpha_3 for c in pycountry.countries]
