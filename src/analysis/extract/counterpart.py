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

STATE_WORDS_RU = ("министерств", "агентств", "комитет", "палат", "служб", "инспекци", "академи",
                  "администрац", "правительств", "казначейств", "центр", "комисси", "совет")
SHAPES = (
    re.compile(r"\b((?:Ministry|Agency|Committee|Chamber|Office|Academy|Inspectorate|State "
               r"Service|Commission) (?:of|for|on) [A-Z][\w,'&\- ]{2,60}?)"
               r"(?=[.,;:()]| and the | with | on | in |$)"),
    re.compile(r"((?:[A-ZЎҚҒҲ][\w'ʻ’\-]* ){0,5}(?:vazirligi|agentligi|qo['ʻ’]mitasi|palatasi|"
               r"inspeksiyasi|вазирлиги|агентлиги|қўмитаси|палатаси|инспекцияси))"),
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


def choose_counterpart(scored: list[Scored], country: str, language: str
                       ) -> CounterpartChoice:
    """The national counterpart of an activity (see the module notes)."""
    keywords, institutions = counterpart_keywords()
    best: tuple[float, str, str] | None = None
    for item in scored:
        for hit in find_keywords(tokenise(item.text), keywords):
            entry = institutions[hit.keyword.value]
            score = item.weight * len(hit.keyword.stems) * (0.5 if entry.country not in
                                                            ("", country) else 1.0)
            if best is None or score > best[0]:
                best = (score, entry.name_en, item.text)
    if best is not None:
        entry = institutions[best[1]]
        confidence = 0.85 if entry.country in ("", country) else 0.5
        return CounterpartChoice(entry.name_en, entry.name_ru, confidence, best[2])
    for item in scored:
        found = _organisation_ru(item.text) if language == "ru" else _by_shape(item.text)
        if found:
            return CounterpartChoice(found, found if language == "ru" else "",
                                     0.5 if language == "ru" else 0.4, item.text)
    name = f"Government of {country_name(country)}"
    return CounterpartChoice(name, f"Правительство ({country_name(country, 'ru')})", 0.3, "")


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
            return " ".join(match.group(1).split())
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
        if any(word in folded for word in STATE_WORDS_RU) and not _is_partner(span.text):
            log.debug("natasha organisation: %s", span.text)
            return " ".join(span.text.split())
    return ""
