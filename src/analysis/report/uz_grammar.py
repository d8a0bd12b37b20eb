"""Uzbek (Latin script) grammar for generated sentences: case suffixes on names.

Uzbek marks case with suffixes written onto the word: "Oʻzbekistonda" (locative), "Jahon
bankining" (genitive), "bankka" (dative after k). A template cannot hard-code them, so the
message catalogue asks for a case with a format spec, as for Russian
(:mod:`analysis.report.ru_grammar`):

==========  ============================  =========================================
spec        case                          form
==========  ============================  =========================================
``gent``    qaratqich (genitive)          -ning: "Oʻzbekistonning"
``accs``    tushum (accusative)           -ni: "Oʻzbekistonni"
``datv``    joʻnalish (dative)            -ga; -ka after k, -qa after q: "bankka"
``loct``    oʻrin-payt (locative)         -da: "Oʻzbekistonda"
``ablv``    chiqish (ablative)            -dan: "Oʻzbekistondan"
``ablt``    with (instrumental sense)     the postposition "bilan": "Jahon banki bilan"
==========  ============================  =========================================

The suffix attaches to the end of a name, an abbreviation included ("OTBning", "AQShda", as
Uzbek orthography writes them). A name that ends in a figure, a bracket or a quotation mark
("GIZ (Germaniya)", «…») takes it after a hyphen ("GIZ (Germaniya)-ga"), as a figure does
("2026-yil"). A list "A, B va C" takes the suffix on its last item only, as Uzbek does.

The rules are deliberately small: the Latin-script suffixes do not harmonise (unlike Kazakh
or Turkish), so the only variation is -ga/-ka/-qa. A Cyrillic edition (uz-Cyrl) can be made
from the same specs by transliterating the result.
"""

from __future__ import annotations

SUFFIXES: dict[str, str] = {"gent": "ning", "accs": "ni", "datv": "ga", "loct": "da",
                            "ablv": "dan"}
CASES: frozenset[str] = frozenset({*SUFFIXES, "ablt", "nomn"})



def _dative(word: str) -> str:
    """-ga, but -ka after k and -qa after q (Uzbek orthography: "bankka", "Iroqqa")."""
    last = word[-1:].lower()
    return {"k": "ka", "q": "qa"}.get(last, "ga")


def inflect(name: str, case: str) -> str:
    """``name`` (a nominative noun phrase or a list "A, B va C") with the suffix of ``case``.

    Raises
    ------
    ValueError
        For a case that is not one of :data:`CASES`.
    """
    if case not in CASES:
        raise ValueError(f"unknown Uzbek case {case!r}; use one of {', '.join(sorted(CASES))}")
    text = name.rstrip()
    if case == "nomn" or not text:
        return name
    if case == "ablt":
        return f"{text} bilan"
    suffix = _dative(text) if case == "datv" else SUFFIXES[case]
    if not text[-1].isalpha():
        return f"{text}-{suffix}"
    return f"{text}{suffix}"


def apply_spec(value: str, spec: str) -> str:
    """Apply a case spec of the message catalogue (``loct``; a Russian preposition before a
    ``+`` is ignored: Uzbek has postpositions, which the Uzbek text writes itself)."""
    return inflect(value, spec.rpartition("+")[2])
