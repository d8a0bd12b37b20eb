"""Country, activity type and themes of a press text, from the keyword lexicons.

Every keyword hit scores its weight (``data/extract/lexicon.csv``, ``countries.csv``) times
the weight of where it stands: the title counts 3, the first sentence of the activity 2.5,
the rest of its lead (first three sentences) 1.5, any other sentence 1. First the place of a
dateline ("BAKU, Azerbaijan, June 24") is blanked, and so are news agencies named as the
source ("Trend reports", «сообщает Report», "(AZƏRTAC)"), so that the agency "Report" is no
activity type. Sentences that only recall earlier events (``ранее``, ``earlier``,
``avvalroq``, ``əvvəllər``: see
``data/extract/background.csv``) count 0.3.

- **country**: the best-scoring ISO3 code; the address's top-level domain (``.uz``, ``.az``)
  adds 3 and the language (Uzbek, Azerbaijani) adds 1;
- **activity type**: the best-scoring type, else ``meeting`` with low confidence;
- **themes**: every theme scoring at least :data:`THEME_THRESHOLD`, best first, at most
  :data:`MAX_THEMES`; else the best one found, else ``governance`` with low confidence.
  A keyword with a negative or zero weight is a sense rule: it cancels the shorter keyword
  inside it (``business environment`` is no climate theme, ``потенциал для`` no capacity
  building). General talks are ``governance`` (:func:`choose_themes`); the confidence
  follows the evidence (:func:`theme_confidence`).
"""

from __future__ import annotations

import datetime as dt
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
TALKS_MEETING, TALKS_OTHER = 3.0, 2.0  # see choose_themes
DOMAIN_BONUS = 3.0  # an address under the country's top-level domain (.uz, .az)
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
    shown: str = ""  # the sentence as written, for evidence (``text`` has news agencies blanked)


@functools.lru_cache(maxsize=1)
def background_keywords() -> list[Keyword]:
    """Words that mark a sentence as recalling earlier events."""
    return [make_keyword("background", r["keyword"], 1.0, r["language"])
            for r in read_lexicon("background.csv", ("language", "keyword"))]


def weigh_sentences(title: str, sentences: list[Sentence]) -> list[Scored]:
    """The title and sentences of an activity with their position weights."""
    from analysis.extract.organisations import without_media

    scored = [Scored(without_media(title), TITLE, title)] if title else []
    for number, sentence in enumerate(sentences):
        weight = FIRST if number == 0 else LEAD if number < 3 else BODY
        if find_keywords(tokenise(sentence.text), background_keywords()):
            weight = BACKGROUND
        scored.append(Scored(without_dateline(without_media(sentence.text)), weight,
                             sentence.text))
    return scored


def without_dateline(text: str) -> str:
    """``text`` with the place of a dateline blanked ("BAKU, Azerbaijan, June 24 — ..."): the
    agency's desk is not the country the item is about."""
    from analysis.extract.dates import find_dateline

    dateline = find_dateline(text, dt.date.today())  # any anchor: only the shape matters
    if dateline is None:
        return text
    return " " * dateline.start + text[dateline.start:]


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
                evidence[value] = (item.weight, item.shown or item.text)
    kept = {value: score for value, score in scores.items() if score > 0}  # sense rules
    return kept, {value: text for value, (_, text) in evidence.items() if value in kept}


def _share(scores: dict[str, float], best: str) -> float:
    total = sum(scores.values())
    return round(min(0.95, scores[best] / total), 2) if total else 0.0


def choose_country(scored: list[Scored], url: str = "", language: str = "") -> Choice | None:
    """The country concerned, or None when no country is named and no hint points to one."""
    scores, evidence = _score(scored, country_keywords())
    host = url_host(url)
    domain = DOMAINS.get(host.rsplit(".", 1)[-1]) if host else None
    if domain:
        scores[domain] = scores.get(domain, 0.0) + DOMAIN_BONUS
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


@functools.lru_cache(maxsize=1)
def talks_keywords() -> list[Keyword]:
    """Words of general cooperation talks (``data/extract/talks.csv``)."""
    return [make_keyword("governance", r["keyword"], 1.0, r["language"])
            for r in read_lexicon("talks.csv", ("language", "keyword"))]


def theme_confidence(scores: dict[str, float], chosen: list[str]) -> float:
    """How sure the themes are, from the evidence: the weakest chosen theme's score (how many
    and how well-placed its terms are: each term counts its weight times its place) and the
    share of all theme evidence the chosen themes hold. One body-text term for one theme
    gives 0.4 or less; a theme named in the title and the lead, with nothing else in sight,
    gives 0.9."""
    weakest = min(scores.get(t, 0.0) for t in chosen)
    strength = weakest / (weakest + 2.0)
    share = sum(scores.get(t, 0.0) for t in chosen) / sum(scores.values())
    return round(min(0.95, 0.2 + 0.8 * strength * share), 2)


def choose_themes(scored: list[Scored], kind: str = "") -> Choice:
    """The themes (see the module notes); never empty, since the registry requires one.

    General cooperation talks (``сотрудничество``, ``hamkorlik``, ``cooperation`` in the title
    or the lead, see ``data/extract/talks.csv``) are about the partnership as a whole:
    ``governance`` is one of their themes when the activity is a meeting (``kind``), or when
    no sector theme scores at least twice :data:`THEME_THRESHOLD`.
    """
    scores, evidence = _score(scored, field_keywords()["theme"], nested=True)
    lead = [item for item in scored if item.weight >= LEAD]
    talks = [item for item in lead if find_keywords(tokenise(item.text), talks_keywords())]
    strongest = max((v for t, v in scores.items() if t != "governance"), default=0.0)
    if talks and strongest < (TALKS_MEETING if kind == "meeting" else TALKS_OTHER) * \
            THEME_THRESHOLD:
        scores["governance"] = max(scores.get("governance", 0.0), THEME_THRESHOLD)
        evidence.setdefault("governance", talks[0].shown or talks[0].text)
    if not scores:
        return Choice(("governance",), 0.1, "")
    ranked = sorted(scores, key=lambda t: (-scores[t], t != "governance"))
    chosen = [t for t in ranked if scores[t] >= THEME_THRESHOLD][:MAX_THEMES]
    if not chosen:
        return Choice(tuple(ranked[:1]), min(0.4, theme_confidence(scores, ranked[:1])),
                      evidence[ranked[0]])
    return Choice(tuple(chosen), theme_confidence(scores, chosen), evidence[chosen[0]])
