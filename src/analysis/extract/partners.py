"""Partners named in a text, through the multilingual aliases of ``data/taxonomy/partners.csv``.

Every canonical name, full name, Russian label and alias is a pattern (IATI and DAC codes are
skipped). Acronyms (``UNDP``, ``ПРООН``, ``БМТ ТД``, ``IsDB``) must appear exactly, with their
case. Other names match word by word, allowing inflection and small spelling differences:
a text word matches an alias word when it starts with it (``банк`` → ``банкининг``,
``Bankı`` → ``Bankının``), shares a long prefix with it (``Всемирный`` → ``Всемирного``), or
is close by rapidfuzz's ratio (≥ 85, for transliteration variants and typos). Words of three
letters or fewer must be equal; words of four letters match only themselves or inflected
(``Sida`` → ``Sidaning``), never by closeness: a four-letter name is too near to other short
words (an Azerbaijani news agency, "SİA", was read as Sida).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from analysis.data.taxonomy import Taxonomy, load_taxonomy
from analysis.extract.lexicon import Token, tokenise

CODE = re.compile(r"\d|^[A-Z]{2}-")
MIN_RATIO = 85.0
NO_FUZZY = 4  # aliases of this many letters or fewer: no prefix or fuzzy match
MAX_SUFFIX = 6


@dataclass(frozen=True)
class Alias:
    """One way of naming a partner."""

    partner: str
    words: tuple[str, ...]
    acronym: bool


@dataclass(frozen=True)
class PartnerMention:
    """A partner named in a text: where (token range) and whether the alias matched exactly."""

    partner: str
    first: int
    last: int
    exact: bool


def _is_acronym(name: str) -> bool:
    words = name.split()
    return all(len(w) <= 6 and sum(ch.isupper() for ch in w) >= 2 for w in words)


@functools.lru_cache(maxsize=4)
def aliases(vocab: Taxonomy | None = None) -> tuple[Alias, ...]:
    """Every alias of every partner of the taxonomy (codes left out), longest first."""
    taxonomy = vocab or load_taxonomy()
    found: dict[tuple[str, tuple[str, ...], bool], Alias] = {}
    for partner in taxonomy.partners.values():
        label = re.sub(r"\s*\(.*?\)", "", partner.label_ru)
        for name in (partner.name, partner.full_name, label, *partner.aliases):
            if not name or CODE.search(name):
                continue
            acronym = _is_acronym(name)
            words = tuple(name.split()) if acronym else tuple(t.text for t in tokenise(name))
            if words:
                found[(partner.name, words, acronym)] = Alias(partner.name, words, acronym)
    return tuple(sorted(found.values(), key=lambda a: -len(a.words)))


def _prefix(a: str, b: str) -> int:
    size = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        size += 1
    return size


def word_matches(alias_word: str, word: str) -> tuple[bool, bool]:
    """(matches, exactly) for a normalised alias word against a normalised text word."""
    if word == alias_word:
        return True, True
    if len(alias_word) <= 3:
        return False, False
    if word.startswith(alias_word) and len(word) - len(alias_word) <= MAX_SUFFIX:
        return True, True
    if len(alias_word) <= NO_FUZZY:  # "SİA" (a news agency) is not "Sida"
        return False, False
    if _prefix(alias_word, word) >= max(4, len(alias_word) - 2):
        return True, False
    return fuzz.ratio(alias_word, word) >= MIN_RATIO, False


def find_partners(text: str, vocab: Taxonomy | None = None) -> list[PartnerMention]:
    """Every partner mention in ``text``, in order; overlapping mentions keep the longest."""
    tokens = tokenise(text)
    originals = [text[t.start:t.end] for t in tokens]
    mentions: list[PartnerMention] = []
    covered: set[int] = set()
    for alias in aliases(vocab):
        size = len(alias.words)
        for index in range(len(tokens) - size + 1):
            if covered & set(range(index, index + size)):
                continue
            exact = _match(alias, tokens, originals, index)
            if exact is not None:
                mentions.append(PartnerMention(alias.partner, index, index + size, exact))
                covered |= set(range(index, index + size))
    return sorted(mentions, key=lambda m: m.first)


# case endings written straight onto an acronym in Uzbek and Azerbaijani ("OTBning", "OTBdan",
# "ОТБнинг", "BVFin")
ACRONYM_SUFFIXES = frozenset((
    "ning", "ni", "ga", "da", "dan", "dagi", "nin", "nın", "nun", "nün", "in", "ın", "un",
    "ün", "a", "ə", "də", "dən", "ya", "yə", "нинг", "ни", "га", "да", "дан", "даги"))


def _acronym_matches(acronym: str, word: str) -> bool:
    """An acronym matches itself, or itself with an Uzbek or Azerbaijani case ending."""
    return word == acronym or (word.startswith(acronym)
                               and word[len(acronym):] in ACRONYM_SUFFIXES)


def _match(alias: Alias, tokens: list[Token], originals: list[str], index: int) -> bool | None:
    """None when ``alias`` does not match at ``index``, else whether it matched exactly."""
    exact = True
    for offset, alias_word in enumerate(alias.words):
        if alias.acronym:
            if not _acronym_matches(alias_word.strip(".,"), originals[index + offset]):
                return None
            continue
        matched, same = word_matches(alias_word, tokens[index + offset].text)
        if not matched:
            return None
        exact = exact and same
    return exact


# an event a partner hosts, named before the partner ("the spring meetings of the IMF and the
# World Bank", «Ежегодного собрания Всемирного банка и МВФ») or after it (Azerbaijani and
# Uzbek: "BVF və Dünya Bankının illik yaz sessiyasında")
VENUE_BEFORE = re.compile(
    r"(?:\bmeetings|\bannual meeting|\bsession|\bsidelines|\bassembly|собрани\w*|сесси\w*|"
    r"(?:ежегодн|весенн|осенн)\w*\s+встреч\w*)\s+"
    r"(?:of\s+)?(?:the\s+)?(?:[^\W\d_][\w-]*\s+){0,4}?(?:(?:and|и)\s+(?:the\s+)?)?$",
    re.IGNORECASE)
VENUE_AFTER = re.compile(
    r"^\W*(?:\(\w+\)\s*)?(?:(?:və|va|and)\s+(?:[^\W\d_][\w'ʻ’-]*\s+){1,3}?)?"
    r"(?:[^\W\d_][\w'ʻ’-]*\s+){0,3}?(?:illik|yillik|yaz|bahorgi|kuzgi|payız)\s+"
    r"(?:[^\W\d_][\w'ʻ’-]*\s+)?(?:sessiya|toplantı|yig['ʻ’]ilish)", re.IGNORECASE)


def is_venue(text: str, mention: PartnerMention) -> bool:
    """True when a partner is named as the host of the event where the activity took place
    (the IMF of "on the sidelines of the spring meetings of the IMF and the World Bank"), not
    as a party to it."""
    tokens = tokenise(text)
    start, end = tokens[mention.first].start, tokens[mention.last - 1].end
    before = text[max(0, start - 80):start]
    if re.search(r"\b(?:with|с|со|bilan|ilə)\s+(?:[^\W\d_][\w-]*\s+){0,2}$", before,
                 re.IGNORECASE):
        return False  # "met with the delegation of the World Bank"
    return bool(VENUE_BEFORE.search(before) or VENUE_AFTER.match(text[end:end + 100]))
