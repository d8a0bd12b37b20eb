"""Multilingual keyword lexicons and the token matching that all extractors share.

The lexicons are data, not code (``data/extract/``, see its README):

- ``lexicon.csv`` (``language, field, value, keyword, weight``): keywords for activity types
  and themes;
- ``countries.csv`` (``country, language, keyword, kind``): country names, adjectives, cities;
- ``counterparts.csv`` (``country, name_en, name_ru, keyword``): national institutions;
- ``months.csv`` (``language, month, form``) and ``relative.csv`` (``language, form, kind,
  value``): month names and relative day words for :mod:`analysis.extract.dates`.

A keyword is one or more **stems**: each keyword token matches a text token that starts with
it (``закуп`` matches ``закупок``, ``satınalma`` matches ``satınalmaları``); a token ending in
``=`` must match exactly (``mou=``). Text and keywords are normalised the same way
(:func:`normalise`): case-folded, ``ё`` → ``е``, every apostrophe-like mark (``ʻ ’ ‘ `` ...) →
``'``, hyphens and punctuation between words dropped.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from analysis.core import paths
from analysis.core.errors import ExtractError

APOSTROPHES = "ʻʼ’‘`´ʹʿʾ′"
TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*'?", re.UNICODE)
FIELDS = ("activity_type", "theme")
MAX_GAP = 2  # other words allowed between the stems of a keyword


def normalise(text: str) -> str:
    """Fold a text for matching: NFC, case-folded, ``ё`` → ``е``, apostrophes unified."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("ё", "е")
    folded = folded.replace("i̇", "i")  # casefold of Turkic İ keeps a combining dot
    return folded.translate({ord(ch): "'" for ch in APOSTROPHES})


@dataclass(frozen=True)
class Token:
    """A word of a text: its normalised form and where it stands in the original text."""

    text: str
    start: int
    end: int


def tokenise(text: str) -> list[Token]:
    """The words of ``text`` (normalised), with their character offsets in ``text``.

    Normalisation keeps the length of the text except for rare characters, so offsets are
    computed on the normalised text and are exact for the Cyrillic and Latin scripts used here.
    """
    folded = normalise(text)
    if len(folded) != len(text):  # a character changed length when folded: fold per character
        folded = "".join(normalise(ch)[:1] or " " for ch in text)
    return [Token(m.group().rstrip("'"), m.start(), m.end()) for m in TOKEN.finditer(folded)]


@dataclass(frozen=True)
class Keyword:
    """A lexicon entry: the stems to find, the value they point to, and their weight."""

    value: str
    stems: tuple[str, ...]
    weight: float = 1.0
    language: str = ""

    def matches_at(self, tokens: list[Token], index: int) -> int:
        """The index after the match when the stems match from ``index``, else 0.

        Up to :data:`MAX_GAP` other words may stand between two stems (``электронной системы
        государственных закупок`` matches ``электронн закуп``).
        """
        position = index
        for number, stem in enumerate(self.stems):
            limit = position + 1 if number == 0 else position + 1 + MAX_GAP
            while position < min(limit, len(tokens)) and not _stem_matches(stem,
                                                                            tokens[position]):
                position += 1
            if position >= min(limit, len(tokens)):
                return 0
            position += 1
        return position


def _stem_matches(stem: str, token: Token) -> bool:
    if stem.endswith("="):
        return token.text == stem[:-1]
    return token.text.startswith(stem)


def make_keyword(value: str, keyword: str, weight: float = 1.0, language: str = "") -> Keyword:
    """A :class:`Keyword` from its text (stems separated by spaces or hyphens)."""
    stems = tuple(t.text + ("=" if t.end < len(keyword) and keyword[t.end:t.end + 1] == "="
                            else "") for t in tokenise(keyword))
    return Keyword(value, stems, weight, language)


@dataclass(frozen=True)
class Hit:
    """One keyword found in a text: the keyword and the token range it covers."""

    keyword: Keyword
    first: int
    last: int  # exclusive


def find_keywords(tokens: list[Token], keywords: list[Keyword], nested: bool = False
                  ) -> list[Hit]:
    """Every place a keyword matches; where several start at one word, the longest wins, and
    the words it covers start no other match unless ``nested`` (themes: ``электронных закупок``
    is both e-procurement and procurement)."""
    by_first: dict[str, list[Keyword]] = {}
    for keyword in keywords:
        if keyword.stems:
            by_first.setdefault(keyword.stems[0].rstrip("=")[:2], []).append(keyword)
    hits: list[Hit] = []
    covered = 0  # words inside a longer keyword already found count once
    for index, token in enumerate(tokens):
        if index < covered:
            continue
        found = [(k, end) for k in by_first.get(token.text[:2], [])
                 if (end := k.matches_at(tokens, index))]
        longest = max((len(k.stems) for k, _ in found), default=0)
        by_value: dict[str, Hit] = {}  # one hit per value at a word: the heaviest
        for keyword, end in found:
            if len(keyword.stems) == longest and (
                    keyword.value not in by_value
                    or keyword.weight > by_value[keyword.value].keyword.weight):
                by_value[keyword.value] = Hit(keyword, index, end)
        chosen = list(by_value.values())
        if longest > 1 and not nested:
            covered = max(hit.last for hit in chosen)
        hits += chosen
    return hits


def read_lexicon(name: str, columns: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a lexicon file in ``data/extract/``, checked for its columns."""
    path = paths.extract_dir() / name
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise ExtractError(f"{path}: missing column(s) {', '.join(missing)}; the "
                                   f"header must be {','.join(columns)}")
            return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]
    except (OSError, UnicodeDecodeError) as exc:
        raise ExtractError(f"{path}: cannot read the lexicon ({exc}); restore it from git") from exc


def _number(path: Path, line: int, column: str, text: str) -> float:
    try:
        return float(text) if text else 1.0
    except ValueError as exc:
        raise ExtractError(f"{path}:{line}: {column}: {text!r} is not a number; write e.g. "
                           "1 or 1.5") from exc


@functools.lru_cache(maxsize=1)
def field_keywords() -> dict[str, list[Keyword]]:
    """Keywords of ``lexicon.csv`` by field (``activity_type``, ``theme``).

    Raises
    ------
    ExtractError
        When the file is unreadable, a field is unknown or a value is not in the taxonomy.
    """
    from analysis.data.taxonomy import load_taxonomy

    vocab = load_taxonomy()
    known: dict[str, set[str]] = {"activity_type": set(vocab.activity_types),
                                  "theme": set(vocab.themes)}
    path = paths.extract_dir() / "lexicon.csv"
    result: dict[str, list[Keyword]] = {f: [] for f in FIELDS}
    rows = read_lexicon("lexicon.csv", ("language", "field", "value", "keyword", "weight"))
    for line, row in enumerate(rows, start=2):
        field = row["field"]
        if field not in known:
            raise ExtractError(f"{path}:{line}: field: {field!r} is unknown; use "
                               f"{' or '.join(FIELDS)}")
        if row["value"] not in known[field]:
            raise ExtractError(f"{path}:{line}: value: {row['value']!r} is not in "
                               f"data/taxonomy ({field}); add it there first or fix the typo")
        weight = _number(path, line, "weight", row["weight"])
        result[field].append(make_keyword(row["value"], row["keyword"], weight,
                                          row["language"]))
    return result


@functools.lru_cache(maxsize=1)
def country_keywords() -> list[Keyword]:
    """Country names, adjectives and cities of ``countries.csv`` (value = ISO3 code)."""
    rows = read_lexicon("countries.csv", ("country", "language", "keyword", "kind"))
    weight = {"name": 1.0, "adjective": 0.5, "city": 1.0}
    return [make_keyword(r["country"], r["keyword"], weight.get(r["kind"], 1.0), r["language"])
            for r in rows]


@dataclass(frozen=True)
class Counterpart:
    """A national institution: its English and Russian names and the country it belongs to."""

    name_en: str
    name_ru: str
    country: str


@functools.lru_cache(maxsize=1)
def counterpart_keywords() -> tuple[list[Keyword], dict[str, Counterpart]]:
    """Keywords of ``counterparts.csv`` (value = English name) and the institutions by name."""
    rows = read_lexicon("counterparts.csv", ("country", "name_en", "name_ru", "keyword"))
    institutions = {r["name_en"]: Counterpart(r["name_en"], r["name_ru"], r["country"])
                    for r in rows}
    return [make_keyword(r["name_en"], r["keyword"]) for r in rows], institutions


@functools.lru_cache(maxsize=1)
def month_forms() -> dict[str, int]:
    """Month name or abbreviation (normalised) → month number, all languages together."""
    forms: dict[str, int] = {}
    for row in read_lexicon("months.csv", ("language", "month", "form")):
        forms[normalise(row["form"])] = int(row["month"])
    return forms


@functools.lru_cache(maxsize=1)
def relative_words() -> list[tuple[tuple[str, ...], str, int]]:
    """Relative day expressions: (normalised tokens, ``offset``/``weekday``, value), longest
    first."""
    rows = read_lexicon("relative.csv", ("language", "form", "kind", "value"))
    words = [(tuple(t.text for t in tokenise(r["form"])), r["kind"], int(r["value"]))
             for r in rows]
    return sorted(words, key=lambda w: -len(w[0]))
