"""Russian grammar for generated sentences: names of countries and partners in a case.

Russian sentences need names in the case the sentence demands: "с Узбекистаном" (instrumental),
"у Азербайджана" (genitive), "со Всемирным банком". Templates cannot hard-code that, and
"со страной Узбекистан" only avoids it. This module inflects names with the pymorphy3
dictionary (OpenCorpora):

* in a multi-word name the head noun and the adjectives agreeing with it before it are
  inflected ("Азиатский банк развития" → "Азиатским банком развития": the genitive complement
  "развития" stays);
* abbreviations (АБР, ПРООН, ЕБРР), Latin words (GIZ, KOICA), quoted names («Открытое
  правительство»), brackets and numbers stay as written;
* capitalisation of each word is kept;
* a list "A, B и C" inflects every item.

:func:`with_preposition` adds "с"/"со" (and other prepositions) in the form the next word needs.
The message catalogue asks for a case with a format spec: ``{country:ablt}``,
``{country:с+ablt}``, ``{peer:у+gent}`` (see :func:`analysis.report.i18n.translate`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

CASES: frozenset[str] = frozenset({"nomn", "gent", "datv", "accs", "ablt", "loct"})

_WORD = re.compile(r"[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*")
_TOKEN = re.compile(r"«[^»]*»|\([^)]*\)|[А-Яа-яЁё]+(?:-[А-Яа-яЁё]+)*|\S+|\s+")
_VOWELS = set("аеёиоуыэюяАЕЁИОУЫЭЮЯ")


@lru_cache(maxsize=1)
def _analyzer() -> Any:
    import pymorphy3  # imported on first use: the dictionary takes ~0.3 s to load

    return pymorphy3.MorphAnalyzer()


def _is_abbreviation(word: str) -> bool:
    """АБР, ПРООН, ЕБРР, ОАЭ: upper-case words of two letters or more are not declined."""
    letters = word.replace("-", "")
    return len(letters) >= 2 and letters.isupper()


def _keep_case(template: str, word: str) -> str:
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _parse_nominative(word: str, pos: set[str]) -> Any | None:
    """The dictionary parse of ``word`` as a nominative of one of ``pos``, if it has one."""
    for parse in _analyzer().parse(word):
        if parse.tag.POS in pos and parse.tag.case == "nomn":
            return parse
    return None


def inflect_name(name: str, case: str) -> str:
    """``name`` (a nominative noun phrase) in grammatical ``case`` (pymorphy3 case codes).

    Parameters
    ----------
    name
        A country or organisation name in the nominative, or a list of them joined with ", "
        and " и ".
    case
        One of :data:`CASES`: ``nomn``, ``gent``, ``datv``, ``accs``, ``ablt``, ``loct``.

    Returns
    -------
    str
        The name in that case; parts that are not declined (abbreviations, Latin, quoted or
        bracketed text, complements after the head noun) unchanged.

    Raises
    ------
    ValueError
        For an unknown case code.
    """
    if case not in CASES:
        raise ValueError(f"unknown case {case!r}; use one of {', '.join(sorted(CASES))}")
    if case == "nomn" or not name:
        return name
    items = re.split(r"(, | и )", name)
    return "".join(item if i % 2 else _inflect_phrase(item, case) for i, item in enumerate(items))


def _inflect_phrase(phrase: str, case: str) -> str:
    """Inflect the head noun and the adjectives before it; keep everything after it."""
    tokens = _TOKEN.findall(phrase)
    out = list(tokens)
    adjectives: list[tuple[int, Any]] = []  # (position, parse) waiting for their noun
    for position, token in enumerate(tokens):
        if token.isspace():
            continue
        if not _WORD.fullmatch(token) or _is_abbreviation(token):
            break  # Latin, quoted, bracketed, numbers, abbreviations: not declined
        adjective = _parse_nominative(token, {"ADJF", "PRTF"})
        if adjective is not None and _next_is_word(tokens, position):
            adjectives.append((position, adjective))
            continue
        noun = _parse_nominative(token, {"NOUN"})
        if noun is None:
            break
        number = noun.tag.number or "sing"
        form = noun.inflect({case, number}) or noun.inflect({case})
        if form is not None:
            out[position] = _keep_case(token, form.word)
        gender = {noun.tag.gender} if number == "sing" and noun.tag.gender else set()
        for index, parse in adjectives:
            agreed = parse.inflect({case, number} | gender)
            if agreed is not None:
                out[index] = _keep_case(tokens[index], agreed.word)
        break
    return "".join(out)


def _next_is_word(tokens: list[str], position: int) -> bool:
    """Whether a declinable Cyrillic word follows the token at ``position`` (after spaces)."""
    for token in tokens[position + 1:]:
        if token.isspace():
            continue
        return bool(_WORD.fullmatch(token)) and not _is_abbreviation(token)
    return False


def with_preposition(preposition: str, phrase: str) -> str:
    """``phrase`` after ``preposition`` in its right form: "с Узбекистаном", "со Всемирным
    банком", "со Швецией", "во Франции", "об Азербайджане", "у Грузии".

    "с", "в", "к" take "о" before a word starting with the same or a similar consonant followed
    by another consonant ("со Швецией", "во Владивостоке", "со Всемирным"); "о" becomes "об"
    before a vowel.
    """
    first = phrase[:2].lower()
    if preposition in {"с", "в", "к"} and len(first) == 2 and first[1] not in "аеёиоуыэюя":
        similar = {"с": "сзшжщ", "в": "вф", "к": "кг"}[preposition]
        if first[0] in similar or (preposition == "с" and first.startswith("вс")) \
                or (preposition == "с" and first.startswith("мн")):
            preposition += "о"
    elif preposition == "о" and phrase[:1] in _VOWELS:
        preposition = "об"
    return f"{preposition} {phrase}"


def apply_spec(value: str, spec: str) -> str:
    """Apply a case spec from the message catalogue: ``ablt`` or ``с+ablt`` (preposition, case).

    Raises
    ------
    ValueError
        For a spec that is not ``CASE`` or ``PREPOSITION+CASE``.
    """
    preposition, _, case = spec.rpartition("+")
    inflected = inflect_name(value, case)
    return with_preposition(preposition, inflected) if preposition else inflected


def languages_phrase(names: list[str]) -> str:
    """Where sources were published, as Russian says it: ["английский"] → "на английском
    языке"; ["английский", "русский"] → "на английском и русском языках" (each adjective in the
    prepositional singular, the noun plural after two or more). A name the dictionary does not
    know as an adjective stays as written."""
    forms = []
    for name in names:
        parse = _parse_nominative(name, {"ADJF"})
        inflected = parse.inflect({"loct", "sing", "masc"}) if parse is not None else None
        forms.append(inflected.word if inflected is not None else name)
    if not forms:
        return ""
    listed = forms[0] if len(forms) == 1 else f"{', '.join(forms[:-1])} и {forms[-1]}"
    return f"на {listed} {'языке' if len(forms) == 1 else 'языках'}"
