"""From a press text to draft activities: segmenting, then each field's extractor.

A press item usually reports one activity. It reports several when a later paragraph opens
with a new dated activity: its first sentence has a full date other than the current one, an
activity-type keyword and a partner, and recalls no earlier event. Each activity gets the
fields below. An activity with no partner known to ``partners.csv`` gets the international or
foreign organisation that a sentence reporting it names, as a proposal
(:mod:`analysis.extract.organisations`); with neither, or with no country, it is left out
(logged). An activity with no date at all gets a draft with an empty date, confidence 0 and
an evidence note saying what to do: the analyst sees it, and ``validate`` refuses it until
the date is filled in.

The publication date (HTML metadata, a ``Date:`` header line, the page's date line, the
dateline, or the date in the page's address) anchors dates written without a year and
relative words such as "on Wednesday". The activity's date is the best-placed date of its
sentences (:func:`choose_date`): within 90 days before to 60 days after publication, in a
sentence with an activity keyword, a single day rather than the end of a range, earliest
first; else the dateline, else the publication date, with lower confidence.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
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
from analysis.extract.lexicon import field_keywords, find_keywords, normalise, tokenise
from analysis.extract.organisations import (
    Organisation,
    find_organisations,
    reports_activity,
    without_media,
)
from analysis.extract.partners import find_partners, is_venue
from analysis.extract.source import PressText, Sentence, url_path

log = logging.getLogger(__name__)

BEFORE, AFTER = dt.timedelta(days=90), dt.timedelta(days=60)
LEAD_WORDS = 8  # a shorter sentence is a headline, not a report of the activity
DATELINE_REACH = 8  # sentences from the top in which the lead's dateline may stand
NO_DATE = ("no date in the text and no publication date: fill in the date, or run again with "
           "--published YYYY-MM-DD")


@dataclass(frozen=True)
class Activity:
    """Everything extracted for one activity of a press text."""

    date: FoundDate | None  # None: no date and no publication date (confidence 0)
    date_confidence: float
    date_evidence: str
    country: Choice
    partners: Choice
    counterpart: CounterpartChoice
    activity_type: Choice
    themes: Choice
    language: Detected
    unknown_partners: tuple[Organisation, ...] = ()


def publication_anchor(press: PressText) -> tuple[dt.date | None, FoundDate | None, Sentence |
                                                   None]:
    """The publication date, the dateline (if any) and the sentence that holds it."""
    anchor = press.published
    hint = anchor or year_hint(press)  # no metadata: a yearless dateline takes the year the
    # text uses most
    openers = [s for number, s in enumerate(press.sentences[:DATELINE_REACH])
               if number == 0 or s.paragraph != press.sentences[number - 1].paragraph]
    for sentence in openers:  # a dateline opens the lead, under a title, caption or byline
        dateline = find_dateline(sentence.text, hint)
        if dateline is not None:
            return anchor or dateline.date, dateline, sentence
    return anchor, None, None


def _is_background(sentence: Sentence) -> bool:
    return bool(find_keywords(tokenise(sentence.text), background_keywords()))


def _has_activity_word(sentence: Sentence) -> bool:
    return bool(find_keywords(tokenise(sentence.text), field_keywords()["activity_type"]))


def _dates_in(sentence: Sentence, anchor: dt.date | None, dateline: FoundDate | None,
              dateline_sentence: Sentence | None, relative: bool = True) -> list[FoundDate]:
    found = find_dates(sentence.text, anchor)
    if anchor is not None and relative:
        found += find_relative(sentence.text, anchor)
    if dateline is not None and sentence == dateline_sentence:
        found = [f for f in found if f.start >= dateline.end]
    return found


def segment(press: PressText, anchor: dt.date | None, published: dt.date | None = None
            ) -> list[list[Sentence]]:
    """The sentences of each activity the text reports (see the module notes).

    A paragraph opens a new activity when its first sentence has a single day (not a range
    end) other than the current activity's, an activity keyword, and recalls nothing
    earlier, and a partner is named in it or in the next sentence ("The
    minister met Nakao on 13 November. ... the Bank's role ..."). An activity with no day of
    its own so far has the publication day (``published``), when known and when a sentence
    other than the headline (or its repetition) has reported it.
    """
    groups: list[list[Sentence]] = [[]]
    title = press.title.strip()
    current: set[dt.date] = set()
    last_paragraph = -1
    sentences = press.sentences
    for number, sentence in enumerate(sentences):
        opens_paragraph = sentence.paragraph != last_paragraph
        last_paragraph = sentence.paragraph
        found = find_dates(sentence.text, anchor)
        dates = {f.date for f in found
                 if f.precision == "day" and not in_range(f, found, sentence.text)}
        following = [s.text for s in sentences[number:number + 2]]
        reported = any(_has_activity_word(s) and find_partners(s.text) for s in groups[-1]
                       if len(s.text.split()) >= LEAD_WORDS and s.text.strip() != title)
        own = current or ({published} if published and reported else set())
        if (opens_paragraph and groups[-1] and own and dates and not dates & own
                and _has_activity_word(sentence) and not _is_background(sentence)
                and any(find_partners(text) for text in following)):
            groups.append([])
            current = set()
        groups[-1].append(sentence)
        if not current:
            current = dates
    return [g for g in groups if g]


RANGE_LINK = re.compile(r"^[\s,]*(?:-|–|—|по|до|to|until|till|through|and|и|gacha|qədər|"
                        r"dək|va|və)[\s,]*$", re.IGNORECASE)


RANGE_BEFORE = re.compile(r"\b(?:с|со|from|since|between)\s+\S+(?:\s+\S+)?\s+(?:по|до|to|until|"
                          r"till|and|и|–|-)\s*$", re.IGNORECASE)


def in_range(found: FoundDate, others: list[FoundDate], text: str) -> bool:
    """True when a date is one end of a range in its sentence (``с 22 сентября по 8 октября``,
    ``from January to July``): a stay or a period, not the day of the activity."""
    if RANGE_BEFORE.search(text[max(0, found.start - 40):found.start]):
        return True  # "с января по июль 2025 года": the start has no year of its own
    for other in others:
        if other is found:
            continue
        first, second = (other, found) if other.start < found.start else (found, other)
        if RANGE_LINK.match(text[first.end:second.start]):
            return True
    return False


URL_MONTH = re.compile(r"/((?:19|20)\d{2})/(\d{1,2})/")


def year_hint(press: PressText) -> dt.date | None:
    """The year of day-and-month dates when nothing else anchors them: the last day of the
    month the page's address names (``/2024/06/``), else 31 December of the year the text
    writes most; ``None`` when neither says."""
    month = URL_MONTH.search(url_path(press.url)) if press.url else None
    if month and 1 <= int(month[2]) <= 12:
        year, number = int(month[1]), int(month[2])
        following = dt.date(year + (number == 12), number % 12 + 1, 1)
        return following - dt.timedelta(days=1)
    years = Counter(f.date.year for f in find_dates(press.text) if f.has_year)
    return dt.date(years.most_common(1)[0][0], 12, 31) if years else None


def choose_date(sentences: list[Sentence], anchor: dt.date | None,
                dateline: FoundDate | None, dateline_sentence: Sentence | None,
                published: dt.date | None, hint: dt.date | None = None
                ) -> tuple[FoundDate, float, str] | None:
    """The activity's date, its confidence and evidence (see the module notes).

    Candidates rank by: within the window around the publication date; in a sentence that
    reports an activity (and recalls nothing earlier); a single day rather than a range end;
    earlier in the activity; a day rather than a month. With no publication date at all
    (``anchor`` is None), a year-less date takes the year the text writes most (``hint``),
    and only a single date in a sentence reporting the activity is taken: a range end or a
    date in a sentence on something else is more likely background than the event. With a
    publication date, a date in a sentence on something else counts only when it is a single
    day near publication; else the publication date stands.
    """
    ranked: list[tuple[tuple[int, int, int, int, int], FoundDate, Sentence]] = []
    for number, sentence in enumerate(sentences):
        keyword = _has_activity_word(sentence) and not _is_background(sentence)
        found_here = _dates_in(sentence, anchor or hint, dateline, dateline_sentence,
                               relative=anchor is not None)
        for found in found_here:
            near = anchor is None or anchor - BEFORE <= found.date <= anchor + AFTER
            single = not in_range(found, found_here, sentence.text)
            if anchor is None and not (keyword and single):
                continue
            if anchor is not None and not keyword and not (near and single):
                continue  # a page's "today" widget, a period in passing ("с января по июль")
            kind = 2 if found.precision == "day" else 1
            ranked.append(((int(near), int(keyword), int(single), -number, kind), found,
                           sentence))
    if ranked:
        (in_window, with_keyword, alone, _, _), found, sentence = max(
            ranked, key=lambda item: item[0])
        confidence = 0.9 - 0.15 * (not with_keyword) - 0.2 * (not in_window) \
            - 0.1 * (not found.has_year) - 0.1 * (anchor is None) - 0.2 * (not alone)
        return found, round(max(0.1, confidence), 2), sentence.text
    if dateline is not None and dateline_sentence is not None:
        return dateline, 0.6, dateline_sentence.text
    if published is not None:
        return FoundDate(published, "day", "published", 0, 0), 0.5, "publication date"
    return None


def _partners(sentences: list[Sentence], title: str) -> Choice | None:
    """Known partners of the activity: from the title and the sentences that report it (an
    activity keyword), else from any of its sentences but background ones (confidence 0.6)."""
    own = [s.text for s in sentences if not _is_background(s)]
    roles = ([title] if title else []) + [t for t in own if reports_activity(t)]
    for texts, sure in ((roles, True), (own or [s.text for s in sentences], False)):
        found: list[str] = []
        evidence = ""
        exact = True
        for text in texts:
            plain = without_media(text)
            for mention in find_partners(plain):
                if is_venue(plain, mention):
                    continue
                if mention.partner not in found:
                    found.append(mention.partner)
                    evidence = evidence or text
                    exact = exact and mention.exact
        if found:
            return Choice(tuple(found), (0.95 if exact else 0.8) if sure else 0.6, evidence)
    return None


def _proposals(sentences: list[Sentence], title: str, language: str, country: str
               ) -> tuple[Choice, tuple[Organisation, ...]] | None:
    """Partners no vocabulary knows, named in a sentence that reports the activity
    (:mod:`analysis.extract.organisations`); confidence 0.4, since an analyst must add them
    to ``partners.csv`` first."""
    texts = ([title] if title else []) + [s.text for s in sentences if not _is_background(s)]
    found: dict[str, Organisation] = {}
    evidence = ""
    for text in texts:
        if not reports_activity(text):
            continue
        for organisation in find_organisations(text, language, country):
            key = normalise(organisation.name)
            if key not in found and not any(_same(key, k) for k in found):
                found[key] = organisation
                evidence = evidence or text
    if not found:
        return None
    names = tuple(o.name for o in found.values())
    return Choice(names, 0.4, evidence), tuple(found.values())


def _same(a: str, b: str) -> bool:
    """Two mentions of one organisation in different cases (``Агентство``/``Агентством``),
    one perhaps with a word before it («Российское Агентство ...»): the shorter's words,
    stem by stem, end the longer."""
    words_a, words_b = a.split(), b.split()
    if len(words_a) > len(words_b):
        words_a, words_b = words_b, words_a
    tail = words_b[len(words_b) - len(words_a):]
    return bool(words_a) and all(x[:max(3, len(x) - 3)] == y[:max(3, len(x) - 3)]
                                 for x, y in zip(words_a, tail, strict=True))


def extract_activities(press: PressText) -> list[Activity]:
    """Every activity of a press text with its fields (see the module notes)."""
    language = detect_language(press.title + "\n" + press.text)
    anchor, dateline, dateline_sentence = publication_anchor(press)
    hint = year_hint(press) if anchor is None else None
    activities: list[Activity] = []
    for number, sentences in enumerate(segment(press, anchor or hint, anchor)):
        title = press.title if number == 0 else ""
        where = f"{press.path}: activity {number + 1}"
        scored = weigh_sentences(title, sentences)
        country = choose_country(scored, press.url, language.language) or choose_country(
            weigh_sentences(press.title, press.sentences), press.url, language.language)
        if country is None:
            log.warning("%s: no country named (data/extract/countries.csv); no draft", where)
            continue
        partners = _partners(sentences, title)
        unknown: tuple[Organisation, ...] = ()
        lead = _proposals(sentences[:1], title, language.language, country.values[0])
        if lead is not None:  # an unknown organisation leads the item: its partners are the
            # lead's, not those a later sentence names ("developed with the ADB")
            known = _partners(sentences[:1], title)
            lead_choice, unknown = lead
            values = (known.values if known else ()) + lead_choice.values
            partners = Choice(values, lead_choice.confidence, lead_choice.evidence)
        elif partners is None:
            anywhere = _proposals(sentences, title, language.language, country.values[0])
            if anywhere is None:
                log.warning("%s: no partner named (none of data/taxonomy/partners.csv or its "
                            "aliases, and no international or foreign organisation in a "
                            "sentence reporting the activity); no draft", where)
                continue
            partners, unknown = anywhere
        chosen = choose_date(sentences, anchor, dateline, dateline_sentence, press.published,
                             hint)
        date: tuple[FoundDate | None, float, str] = (None, 0.0, NO_DATE)
        if chosen is None:
            log.warning("%s: no date in the text and no publication date; the draft's date is "
                        "empty (confidence 0): fill it in, or give --published YYYY-MM-DD", where)
        else:
            date = chosen
        kind = choose_type(scored)
        activities.append(Activity(
            date[0], date[1], date[2], country, partners,
            choose_counterpart(scored, country.values[0], language.language),
            kind, choose_themes(scored, kind.values[0]), language, unknown))
    return activities
