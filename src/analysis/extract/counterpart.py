"""The national counterpart: the country's institution the partner worked with.

In order of trust:

1. an institution of ``data/extract/counterparts.csv`` named in the text (any language),
   reported by its English name (confidence 0.85, lower when it belongs to another country);
2. for Russian text, an organisation that natasha's named-entity tagger finds (models ship
   inside the natasha wheel) and that reads like a state body (ministry, agency, committee...),
   as written (0.5);
3. a state body by its shape in the other languages (``Ministry of ...``, ``... vazirligi``,
   ``... Nazirliyi``), as written (0.4);
4. ``Government of <country>`` (0.3), which the registry uses when no body is named.

A partner's own name is never the counterpart.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from analysis.data.taxonomy import country_name
from analysis.extract.classify import Scored
from analysis.extract.lexicon import counterpart_keywords, find_keywords, normalise, tokenise
from analysis.extract.partners import find_partners

log = logging.getLogger(__name__)

SHAPE_SCORE = 1.5  # a body found by its shape: between a one- and a two-word keyword

STATE_WORDS_RU = ("министерств", "агентств", "комитет", "палат", "служб", "инспекци", "академи",
                  "администрац", "правительств", "казначейств", "центр", "комисси", "совет")
SHAPES = (
    re.compile(r"\b((?:Ministry|Agency|Committee|Chamber|Office|Academy|Inspectorate|State "
               r"Service|Commission) (?:of|for|on) [A-Z][\w,'&\- ]{2,60}?)"
               r"(?=[.,;:()]| and the | with | on | in |$)"),
    re.compile(r"((?:[A-ZА-ЯЎҚҒҲ]|[A-Z]{2,}[ʻ‘’'])[\w'ʻ‘’\-]*(?: [\w'ʻ‘’\-]+){0,4} "
               r"(?i:vazirligi|agentligi|qo['ʻ‘’]mitasi|palatasi|inspeksiyasi|akademiyasi|markazi|"
               r"вазирлиги|агентлиги|қўмитаси|палатаси|инспекцияси|академияси|маркази))"),
    re.compile(r"((?:[A-ZÜÖÇŞƏİ][\w'\-]* (?:və )?){1,6}(?:Nazirliyi|Agentliyi|Komitəsi|"
               r"Palatası|Xidməti))"),
)


@dataclass(frozen=True)
class CounterpartChoice:
    """The counterpart (English where known), its Russian name where known, confidence and
    evidence sentence."""

    name: str
    name_ru: str
    confidence: float
    evidence: str
    unknown: bool = False  # found by its shape, not in data/extract/counterparts.csv


def choose_counterpart(scored: list[Scored], country: str, language: str
                       ) -> CounterpartChoice:
    """The national counterpart of an activity (see the module notes).

    Every candidate scores the weight of its sentence's place times its specificity: a
    ``counterparts.csv`` keyword its number of words (halved for another country's body), a
    body found by its shape :data:`SHAPE_SCORE`. The best wins, so that the ministry that
    hosted the meeting in the lead beats the president quoted further down, whichever way
    each was found.
    """
    keywords, institutions = counterpart_keywords()
    best: tuple[float, str, str, bool] | None = None  # score, name, evidence, known
    for item in scored:
        partners = [(m.first, m.last) for m in find_partners(item.text)]
        for hit in find_keywords(tokenise(item.text), keywords):
            if any(hit.first < last and first < hit.last for first, last in partners):
                continue  # «Президент ЕБРР посетит Узбекистан»: the partner's president
            entry = institutions[hit.keyword.value]
            score = item.weight * len(hit.keyword.stems) * (0.5 if entry.country not in
                                                            ("", country) else 1.0)
            if best is None or score > best[0]:
                best = (score, entry.name_en, item.shown or item.text, True)
        found = _organisation_ru(item.text) if language == "ru" else _by_shape(item.text)
        if found and not any(_close(found, name) for name in _known_names(item.text)):
            score = item.weight * SHAPE_SCORE
            if best is None or score > best[0]:
                best = (score, found, item.shown or item.text, False)
    if best is not None and best[3]:
        entry = institutions[best[1]]
        confidence = 0.85 if entry.country in ("", country) else 0.5
        return CounterpartChoice(entry.name_en, entry.name_ru, confidence, best[2])
    if best is not None:
        return CounterpartChoice(best[1], best[1] if language == "ru" else "",
                                 0.5 if language == "ru" else 0.4, best[2], True)
    name = f"Government of {country_name(country)}"
    return CounterpartChoice(name, f"Правительство ({country_name(country, 'ru')})", 0.3, "")


def _known_names(text: str) -> list[str]:
    """The text of each ``counterparts.csv`` match in a sentence (a body found by its shape
    that is one of these is the known body, not a new one)."""
    keywords, _ = counterpart_keywords()
    tokens = tokenise(text)
    return [text[tokens[h.first].start:tokens[h.last - 1].end]
            for h in find_keywords(tokens, keywords)]


def _close(a: str, b: str) -> bool:
    a, b = normalise(a), normalise(b)
    return a in b or b in a


def counterparts_csv_line(name: str, country: str, language: str) -> str:
    """The line to add to ``data/extract/counterparts.csv`` for a body found by its shape
    (``country,name_en,name_ru,keyword,name_uz``): the name as found, its stems as the
    keyword; the analyst puts the English name in ``name_en``."""
    shown = name.replace('"', "'")
    keyword = " ".join(t.text for t in tokenise(name))
    name_ru = shown if language == "ru" else ""
    name_uz = shown if language == "uz-Latn" else ""
    return f'{country},"{shown}","{name_ru}","{keyword}","{name_uz}"'


def _foreign(name: str) -> bool:
    """True when a body's name (with, in Russian, the word after it: «центр ООН») reads as
    international or another country's, or names a partner."""
    from analysis.extract.organisations import organisation_words

    words = organisation_words()
    return bool(find_keywords(tokenise(name), words["international"] + words["foreign"])
                or find_partners(name))


def _is_partner(text: str) -> bool:
    return bool(find_partners(text))


def _by_shape(text: str) -> str:
    tokens = tokenise(text)
    partners = [(tokens[m.first].start, tokens[m.last - 1].end) for m in find_partners(text)]
    for shape in SHAPES:
        for match in shape.finditer(text):
            start, end = match.span(1)
            if any(start < p_end and p_start < end for p_start, p_end in partners):
                continue
            if _foreign(match.group(1)):
                continue  # "Fransiya taraqqiyot agentligi" is a partner, not the counterpart
            words = match.group(1).split()
            if start == 0 and len(words) > 2 and words[1][:1].isupper():
                words = words[1:]  # "Бугун ИИВ Академияси": the first word opens the sentence
            return " ".join(words)
    return ""


@functools.lru_cache(maxsize=1)
def _natasha():  # type: ignore[no-untyped-def]
    from natasha import NewsEmbedding, NewsNERTagger, Segmenter

    return Segmenter(), NewsNERTagger(NewsEmbedding())


def _organisation_ru(text: str) -> str:
    """The first state body natasha tags as an organisation in a Russian sentence, or ''."""
    from natasha import Doc

    segmenter, tagger = _natasha()
    doc = Doc(text)
    doc.segment(segmenter)
    doc.tag_ner(tagger)
    for span in doc.spans:
        if span.type != "ORG":
            continue
        folded = normalise(span.text)
        after = text[span.stop:span.stop + 40].split()[:1]
        if _foreign(" ".join([span.text, *after])):
            continue  # "Информационный центр ООН" is the UN's, not the country's
        if any(word in folded for word in STATE_WORDS_RU) and not _is_partner(span.text):
            log.debug("natasha organisation: %s", span.text)
            return " ".join(span.text.split())
    return ""
