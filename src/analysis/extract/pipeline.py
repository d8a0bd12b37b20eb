"""From a press text to draft activities: segmenting, then each field's extractor.

A press item usually reports one activity. It reports several when a later paragraph opens
with a new dated activity: its first sentence has a full date other than the current one, an
activity-type keyword and a partner, and recalls no earlier event. Each activity gets the
fields below; an activity with no partner or no date is left out (logged), since the registry
requires both and there is nothing an analyst could review.

The publication date (HTML metadata, a ``Date:`` header line, or the dateline) anchors dates
written without a year and relative words such as "on Wednesday". The activity's date is the
best-placed date of its sentences: within 90 days before to 60 days after publication, in a
sentence with an activity keyword, earliest first; else the dateline, else the publication
date, with lower confidence.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass

from analysis.extract.classify import (
    Choice,
    background_keywords,
    choose_country,
    choose_themes,
    choose_type,
    weigh_sentences,
)
from analysis.extract.counterpart import CounterpartChoice, choose_counterpart
from analysis.extract.dates import FoundDate, find_dateline, find_dates, find_relative
from analysis.extract.language import Detected, detect_language
from analysis.extract.lexicon import field_keywords, find_keywords, tokenise
from analysis.extract.partners import find_partners
from analysis.extract.source import PressText, Sentence

log = logging.getLogger(__name__)

BEFORE, AFTER = dt.timedelta(days=90), dt.timedelta(days=60)


@dataclass(frozen=True)
class Activity:
    """Everything extracted for one activity of a press text."""

    date: FoundDate
    date_confidence: float
    date_evidence: str
    country: Choice
    partners: Choice
    counterpart: CounterpartChoice
    activity_type: Choice
    themes: Choice
    language: Detected


def publication_anchor(press: PressText) -> tuple[dt.date | None, FoundDate | None, Sentence |
                                                   None]:
    """The publication date, the dateline (if any) and the sentence that holds it."""
    anchor = press.published
    hint = anchor
    if hint is None:  # no metadata: a yearless dateline takes the year the text uses most
        years = Counter(f.date.year for f in find_dates(press.text) if f.has_year)
        hint = dt.date(years.most_common(1)[0][0], 12, 31) if years else None
    for sentence in press.sentences[:2]:
        dateline = find_dateline(sentence.text, hint)
        if dateline is not None:
            return anchor or dateline.date, dateline, sentence
    return anchor, None, None


def _is_background(sentence: Sentence) -> bool:
    return bool(find_keywords(tokenise(sentence.text), background_keywords()))


def _has_activity_word(sentence: Sentence) -> bool:
    return bool(find_keywords(tokenise(sentence.text), field_keywords()["activity_type"]))


def _dates_in(sentence: Sentence, anchor: dt.date | None, dateline: FoundDate | None,
              dateline_sentence: Sentence | None) -> list[FoundDate]:
    found = find_dates(sentence.text, anchor)
    if anchor is not None:
        found += find_relative(sentence.text, anchor)
    if dateline is not None and sentence == dateline_sentence:
        found = [f for f in found if f.start >= dateline.end]
    return found


def segment(press: PressText, anchor: dt.date | None) -> list[list[Sentence]]:
    """The sentences of each activity the text reports (see the module notes)."""
    groups: list[list[Sentence]] = [[]]
    current: set[dt.date] = set()
    last_paragraph = -1
    for sentence in press.sentences:
        opens_paragraph = sentence.paragraph != last_paragraph
        last_paragraph = sentence.paragraph
        dates = {f.date for f in find_dates(sentence.text, anchor) if f.precision == "day"}
        if (opens_paragraph and groups[-1] and current and dates and not dates & current
                and _has_activity_word(sentence) and find_partners(sentence.text)
                and not _is_background(sentence)):
            groups.append([])
            current = set()
        groups[-1].append(sentence)
        if not current:
            current = dates
    return [g for g in groups if g]


def choose_date(sentences: list[Sentence], anchor: dt.date | None,
                dateline: FoundDate | None, dateline_sentence: Sentence | None,
                published: dt.date | None) -> tuple[FoundDate, float, str] | None:
    """The activity's date, its confidence and evidence (see the module notes)."""
    ranked: list[tuple[tuple[int, int, int, int], FoundDate, Sentence]] = []
    for number, sentence in enumerate(sentences):
        keyword = _has_activity_word(sentence) and not _is_background(sentence)
        for found in _dates_in(sentence, anchor, dateline, dateline_sentence):
            near = anchor is None or anchor - BEFORE <= found.date <= anchor + AFTER
            kind = 2 if found.precision == "day" else 1
            ranked.append(((int(near), int(keyword), -number, kind), found, sentence))
    if ranked:
        (in_window, with_keyword, _, _), found, sentence = max(ranked, key=lambda item: item[0])
        confidence = 0.9 - 0.15 * (not with_keyword) - 0.2 * (not in_window) \
            - 0.1 * (not found.has_year) - 0.1 * (anchor is None)
        return found, round(confidence, 2), sentence.text
    if dateline is not None and dateline_sentence is not None:
        return dateline, 0.6, dateline_sentence.text
    if published is not None:
        return FoundDate(published, "day", "published", 0, 0), 0.5, "publication date"
    return None


def _partners(sentences: list[Sentence], title: str) -> Choice | None:
    texts = ([title] if title else []) + [s.text for s in sentences if not _is_background(s)]
    found: list[str] = []
    evidence = ""
    exact = True
    for text in texts or [s.text for s in sentences]:
        for mention in find_partners(text):
            if mention.partner not in found:
                found.append(mention.partner)
                evidence = evidence or text
                exact = exact and mention.exact
    if not found:
        return None
    return Choice(tuple(found), 0.95 if exact else 0.8, evidence)


def extract_activities(press: PressText) -> list[Activity]:
    """Every activity of a press text with its fields (see the module notes)."""
    language = detect_language(press.title + "\n" + press.text)
    anchor, dateline, dateline_sentence = publication_anchor(press)
    activities: list[Activity] = []
    for number, sentences in enumerate(segment(press, anchor)):
        title = press.title if number == 0 else ""
        where = f"{press.path}: activity {number + 1}"
        partners = _partners(sentences, title)
        if partners is None:
            log.warning("%s: no partner named (none of data/taxonomy/partners.csv or its "
                        "aliases); no draft. Add the partner's alias there if it is one", where)
            continue
        date = choose_date(sentences, anchor, dateline, dateline_sentence, press.published)
        if date is None:
            log.warning("%s: no date found and no publication date; no draft. Give the file a "
                        "'Date: YYYY-MM-DD' first line", where)
            continue
        scored = weigh_sentences(title, sentences)
        country = choose_country(scored, press.url, language.language) or choose_country(
            weigh_sentences(press.title, press.sentences), press.url, language.language)
        if country is None:
            log.warning("%s: no country named (data/extract/countries.csv); no draft", where)
            continue
        activities.append(Activity(
            date[0], date[1], date[2], country, partners,
            choose_counterpart(scored, country.values[0], language.language),
            choose_type(scored), choose_themes(scored), language))
    return activities
