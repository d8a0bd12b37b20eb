"""Organisations no vocabulary knows: partner proposals, and news agencies to set aside.

``data/extract/organisations.csv`` (``language, keyword, kind``) holds three kinds of words:

- ``noun``: what an organisation's name is built on (``Agency``, ``агентство``, ``agentligi``,
  ``Agentliyi``, ``Fund``, ``фонд`` ...);
- ``international`` and ``foreign``: words that make a body international (``International``,
  ``Всемирный``, ``xalqaro``) or another country's (``Russian``, ``российский``, ``Rossiya``);
- ``media``: news agencies and sites (``Report``, ``Trend``, ``Sputnik``, ``AZƏRTAC``), which
  are sources, not partners nor activity types.

An organisation name is found by its shape: in Russian, natasha's organisation spans; in the
other languages, the words before an organisation noun from the first capitalised one (at
most five, not across another name or punctuation: ``Rossiya Strategik tashabbuslar
agentligi``); in English only capitalised words before it, and also the capitalised words and
connectors after it (``Agency for Strategic Initiatives``). A name is a **partner proposal** when it

1. does not overlap a partner of ``data/taxonomy/partners.csv`` (the World Bank's own board is
   the World Bank) nor an institution of ``data/extract/counterparts.csv``, and is not
   followed by a known partner in brackets (``Koreya xalqaro hamkorlik agentligi (KOICA)``);
2. reads as international or foreign: a marker in the name, else in the two words before it or
   the three after it (``российским Агентством стратегических инициатив``, ``АСИ России``) —
   and the activity's own country is named neither in the name nor, failing a marker in the
   name, beside it;
3. stands in a sentence that reports the activity (an activity-type keyword: met, signed,
   funded, organised ...).

The name is reported as found (its first mention); ``extract`` prints the line to add to
``partners.csv``, and ``validate`` keeps rejecting the draft until the analyst has.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from analysis.extract.lexicon import (
    Keyword,
    counterpart_keywords,
    country_keywords,
    field_keywords,
    find_keywords,
    make_keyword,
    normalise,
    read_lexicon,
    tokenise,
)
from analysis.extract.partners import find_partners

KINDS = ("noun", "international", "foreign", "media")
BEFORE, AFTER = 2, 3  # words beside a name that may make it foreign
MAX_WORDS = 6
CONNECTORS = frozenset({"of", "for", "on", "and", "the", "in", "de", "to"})
CAPITAL = re.compile(r"^[A-ZА-ЯЁЎҚҒҲÇƏĞİÖŞÜ]")
BREAK = re.compile(r"[.;:!?()«»\"“”,—–]")


@dataclass(frozen=True)
class Organisation:
    """An organisation found in a sentence: its name as written and its character span."""

    name: str
    start: int
    end: int
    international: bool = False


@functools.lru_cache(maxsize=1)
def organisation_words() -> dict[str, list[Keyword]]:
    """The keywords of ``organisations.csv`` by kind (``media`` names keep their case).

    Raises
    ------
    ExtractError
        When the file is unreadable or lacks a column (:func:`read_lexicon`).
    """
    rows = read_lexicon("organisations.csv", ("language", "keyword", "kind"))
    words: dict[str, list[Keyword]] = {kind: [] for kind in KINDS}
    for row in rows:
        if row["kind"] in words:
            words[row["kind"]].append(make_keyword(row["kind"], row["keyword"], 1.0,
                                                   row["language"]))
    return words


@functools.lru_cache(maxsize=1)
def media_names() -> frozenset[str]:
    """News agency names as written (``Report``, ``Trend``), for case-sensitive matching."""
    rows = read_lexicon("organisations.csv", ("language", "keyword", "kind"))
    return frozenset(r["keyword"] for r in rows if r["kind"] == "media")


MEDIA_CUE = re.compile(
    r"(?:сообща\w*|переда[её]т|передает|пиш\w+|reports?|reported|according to|told|"
    r"xəbər verir|məlumat verir|xabar ber\w*|хабар бер\w*|muxbiri|мухбири|müxbiri|"
    r"корреспондент\w*|correspondent)", re.IGNORECASE)


def media_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names a news agency as its source: a media name (as written) between
    slashes or brackets, with a domain, or beside a reporting word ("Trend reports",
    «сообщает Report», "Report xəbər verir", "Report-un müxbiri")."""
    spans = []
    for name in media_names():
        for match in re.finditer(rf"(?<![\w.]){re.escape(name)}(?![\w])", text):
            start, end = match.span()
            before, after = text[max(0, start - 40):start], text[end:end + 40]
            if (re.search(r"[/(]\s*$", before) or re.match(r"\s*[/)]", after)
                    or re.match(r"\.(?:az|uz|kz|kg|tj|com|ru)\b", after)
                    or re.match(r"-?[’'`]?(?:un|in|ın|nun|nin|ning)\b", after)
                    or MEDIA_CUE.search(before[-25:]) or MEDIA_CUE.match(after.lstrip(" ,"))):
                spans.append((start, end))
    return sorted(spans)


def without_media(text: str) -> str:
    """``text`` with news agencies named as sources blanked (same length), so that "Report"
    is no activity type and "Trend" no theme."""
    for start, end in media_spans(text):
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _marked(tokens_text: str, kinds: tuple[str, ...]) -> bool:
    words = organisation_words()
    tokens = tokenise(tokens_text)
    return any(find_keywords(tokens, words[kind]) for kind in kinds)


def _names_country(text: str, country: str) -> bool:
    hits = find_keywords(tokenise(text), country_keywords())
    return any(hit.keyword.value == country for hit in hits)


def _shapes(text: str, language: str) -> list[tuple[int, int]]:
    """Character spans of organisation names by shape (see the module notes)."""
    if language == "ru":
        return _natasha_organisations(text)
    tokens = tokenise(text)
    nouns = {h.first for h in find_keywords(tokens, organisation_words()["noun"])}
    spans: list[tuple[int, int]] = []
    for index in sorted(nouns):
        original = text[tokens[index].start:tokens[index].end]
        first = index
        while first > 0 and index - first < MAX_WORDS - 1:
            gap = text[tokens[first - 1].end:tokens[first].start]
            word = text[tokens[first - 1].start:tokens[first - 1].end]
            if BREAK.search(gap) or (first - 1) in nouns:
                break
            if language == "en" and (not CAPITAL.match(word) or word == "The"):
                break  # English names have capitals before the noun ("Saudi Fund")
            first -= 1
        while first < index and not CAPITAL.match(text[tokens[first].start:tokens[first].end]):
            first += 1
        last = index
        if CAPITAL.match(original) and language == "en":  # "Agency for Strategic Initiatives"
            while last + 1 < len(tokens) and last - first < MAX_WORDS:
                gap = text[tokens[last].end:tokens[last + 1].start]
                word = text[tokens[last + 1].start:tokens[last + 1].end]
                if BREAK.search(gap) or not (CAPITAL.match(word) or word in CONNECTORS):
                    break
                if last == index and word not in CONNECTORS:
                    break  # "Bank Nikolai Podguzov": a name after the noun needs "of"/"for"
                last += 1
            while last > index and text[tokens[last].start:tokens[last].end] in CONNECTORS:
                last -= 1
        if CAPITAL.match(text[tokens[first].start:tokens[first].end]) and last > first - 1:
            if first == index and last == index:
                continue  # a bare noun ("Bank") is no name
            spans.append((tokens[first].start, tokens[last].end))
    return spans


@functools.lru_cache(maxsize=1)
def _natasha():  # type: ignore[no-untyped-def]
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def _natasha_organisations(text: str) -> list[tuple[int, int]]:
    from natasha import Doc

    segmenter, tagger = _natasha()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    return [(span.start, span.stop) for span in doc.spans if span.type == "ORG"]


def find_organisations(text: str, language: str, country: str) -> list[Organisation]:
    """Unknown international or foreign organisations in a sentence (rules 1 and 2 of the
    module notes), in order."""
    tokens = tokenise(text)
    known = [(tokens[m.first].start, tokens[m.last - 1].end) for m in find_partners(text)]
    keywords, _ = counterpart_keywords()
    known += [(tokens[h.first].start, tokens[h.last - 1].end)
              for h in find_keywords(tokens, keywords)]
    known += media_spans(text)
    found: list[Organisation] = []
    spans = _shapes(text, language)
    for start, end in spans:
        if any(start < k_end and k_start < end for k_start, k_end in known):
            continue
        if any(partner_start >= end and re.fullmatch(r"\s*\(\s*", text[end:partner_start])
               for partner_start, _ in known):
            continue  # "Koreya xalqaro hamkorlik agentligi (KOICA)": a known partner's name
        if any(s <= start and end <= e and (s, e) != (start, end) for s, e in spans):
            continue  # a name inside a longer one
        name = " ".join(text[start:end].split())
        if normalise(name) in {normalise(m) for m in media_names()}:
            continue
        around = _beside(text, start, end)
        international = _marked(name, ("international",))
        if _marked(name, ("international", "foreign")):
            if _names_country(name, country):
                continue
        elif _names_country(around, country) or not _marked(around, ("international",
                                                                       "foreign")):
            continue
        found.append(Organisation(name, start, end, international))
    return found


def _beside(text: str, start: int, end: int) -> str:
    before = re.findall(r"\S+", text[:start])[-BEFORE:]
    after = re.findall(r"\S+", text[end:])[:AFTER]
    return " ".join(before + ["|"] + after)


def reports_activity(text: str) -> bool:
    """True when a sentence has an activity-type keyword (rule 3 of the module notes)."""
    return bool(find_keywords(tokenise(without_media(text)), field_keywords()["activity_type"]))


def partners_csv_line(organisation: Organisation, language: str) -> str:
    """The line to add to ``data/taxonomy/partners.csv`` for a proposed partner: the name as
    found, to be put in English by the analyst (``partner,label_ru,label_uz,kind,full_name,
    aliases``)."""
    name = organisation.name.replace('"', "'")
    kind = "multilateral" if organisation.international else "bilateral"
    label_ru = name if language == "ru" else ""
    label_uz = name if language == "uz-Latn" else ""
    return f'"{name}","{label_ru}","{label_uz}",{kind},"{name}","{name}"'
