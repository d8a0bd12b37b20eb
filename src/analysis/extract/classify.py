"""Country, activity type and themes of a press text, from the keyword lexicons.

Every keyword hit scores its weight (``data/extract/lexicon.csv``, ``countries.csv``) times
the weight of where it stands: the title counts 3, the first sentence of the activity 2.5,
the rest of its lead (first three sentences) 1.5, any other sentence 1. Sentences that only
recall earlier events (``ранее``, ``earlier``, ``avvalroq``, ``əvvəllər``: see
``data/extract/background.csv``) count 0.3.

- **country**: the best-scoring ISO3 code; the address's top-level domain (``.uz``, ``.az``)
  adds 3 and the language (Uzbek, Azerbaijani) adds 1;
- **activity type**: the best-scoring type, else ``meeting`` with low confidence;
- **themes**: every theme scoring at least :data:`THEME_THRESHOLD`, best first, at most
  :data:`MAX_THEMES`; else the best one found, else ``governance`` with low confidence.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass

from analysis.data.fields import url_host
from analysis.extract.lexicon import (
    Keyword,
    country_keywords,
    field_keywords,
    find_keywords,
    make_keyword,
    read_lexicon,
    tokenise,
)
from analysis.extract.source import Sentence

THEME_THRESHOLD = 1.5
MAX_THEMES = 4
TITLE, FIRST, LEAD, BODY, BACKGROUND = 3.0, 2.5, 1.5, 1.0, 0.3
DOMAINS = {"uz": "UZB", "az": "AZE", "kz": "KAZ", "kg": "KGZ", "tj": "TJK", "tm": "TKM",
           "ge": "GEO"}
LANGUAGE_COUNTRY = {"uz-Cyrl": "UZB", "uz-Latn": "UZB", "az": "AZE"}


@dataclass(frozen=True)
class Choice:
    """A field's value(s), how sure the scores make it, and the sentence it came from."""

    values: tuple[str, ...]
    confidence: float
    evidence: str


@dataclass(frozen=True)
class Scored:
    """A sentence to score with its position weight."""

    text: str
    weight: float


@functools.lru_cache(maxsize=1)
def background_keywords() -> list[Keyword]:
    """Words that mark a sentence as recalling earlier events."""
    return [make_keyword("background", r["keyword"], 1.0, r["language"])
            for r in read_lexicon("background.csv", ("language", "keyword"))]


def weigh_sentences(title: str, sentences: list[Sentence]) -> list[Scored]:
    """The title and sentences of an activity with their position weights."""
    scored = [Scored(title, TITLE)] if title else []
    for number, sentence in enumerate(sentences):
        weight = FIRST if number == 0 else LEAD if number < 3 else BODY
        if find_keywords(tokenise(sentence.text), background_keywords()):
            weight = BACKGROUND
        scored.append(Scored(sentence.text, weight))
    return scored


def _score(scored: list[Scored], keywords: list[Keyword], nested: bool = False
           ) -> tuple[dict[str, float], dict[str, str]]:
    """Score of each value, and the first best-weighted sentence each value was found in."""
    scores: dict[str, float] = defaultdict(float)
    evidence: dict[str, tuple[float, str]] = {}
    for item in scored:
        for hit in find_keywords(tokenise(item.text), keywords, nested):
            value = hit.keyword.value
            scores[value] += hit.keyword.weight * item.weight
            if value not in evidence or item.weight > evidence[value][0]:
                evidence[value] = (item.weight, item.text)
    return dict(scores), {value: text for value, (_, text) in evidence.items()}


def _share(scores: dict[str, float], best: str) -> float:
    total = sum(scores.values())
    return round(min(0.95, scores[best] / total), 2) if total else 0.0


def choose_country(scored: list[Scored], url: str = "", language: str = "") -> Choice | None:
    """The country concerned, or None when no country is named and no hint points to one."""
    scores, evidence = _score(scored, country_keywords())
    host = url_host(url)
    domain = DOMAINS.get(host.rsplit(".", 1)[-1]) if host else None
    if domain:
        scores[domain] = scores.get(domain, 0.0) + 3.0
        evidence.setdefault(domain, f"address {url}")
    if language in LANGUAGE_COUNTRY:
        code = LANGUAGE_COUNTRY[language]
        scores[code] = scores.get(code, 0.0) + 1.0
        evidence.setdefault(code, f"text in {language}")
    if not scores:
        return None
    best = max(scores, key=lambda c: scores[c])
    return Choice((best,), _share(scores, best), evidence[best])


def choose_type(scored: list[Scored]) -> Choice:
    """The activity type (``meeting`` at confidence 0.2 when no keyword is found)."""
    scores, evidence = _score(scored, field_keywords()["activity_type"])
    if not scores:
        return Choice(("meeting",), 0.2, "")
    best = max(scores, key=lambda t: scores[t])
    return Choice((best,), _share(scores, best), evidence[best])


def choose_themes(scored: list[Scored]) -> Choice:
    """The themes (see the module notes); never empty, since the registry requires one."""
    scores, evidence = _score(scored, field_keywords()["theme"], nested=True)
    if not scores:
        return Choice(("governance",), 0.1, "")
    ranked = sorted(scores, key=lambda t: -scores[t])
    chosen = [t for t in ranked if scores[t] >= THEME_THRESHOLD][:MAX_THEMES] or ranked[:1]
    confidence = round(min(0.9, sum(scores[t] for t in chosen) / sum(scores.values())), 2)
    return Choice(tuple(chosen), confidence, evidence[chosen[0]])
