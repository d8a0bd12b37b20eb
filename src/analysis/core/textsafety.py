"""Characters and cell starts that text from the data must not carry.

Two rules, shared by ``coopreport validate`` (which rejects) and the importers (which clean):

**Unsafe characters.** C0 and C1 control characters (U+0000-U+001F, U+007F-U+009F), Unicode
noncharacters (U+FDD0-U+FDEF and every U+xFFFE/U+xFFFF) and bidirectional controls (U+061C,
U+200E, U+200F, U+202A-U+202E, U+2066-U+2069). They are invisible or render as something other
than what is stored (a form feed pasted from a PDF stops the PDF step; a right-to-left override
in an address shows another address). Only a field that holds running text over several lines
(a commitment's ``note``) may contain tab, line feed and carriage return; no field allows any
other of them.

**Formula cells** (OWASP "CSV injection"). Spreadsheets run a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or with a tab or carriage return before one) as a formula. Free-text
columns must not start that way: ``validate`` reports it, and importers put an apostrophe
``'`` before such a value (the spreadsheet convention for "this is text"; the apostrophe is
kept in the file and shows in reports).
"""

from __future__ import annotations

import re
import unicodedata

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MULTILINE = frozenset("\t\n\r")  # allowed in running-text fields only
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f" + "".join(map(chr, range(0x202A, 0x202F)))
    + "".join(map(chr, range(0x2066, 0x206A))))
_CONTROL_NAMES = {
    0x00: "NUL", 0x07: "bell", 0x08: "backspace", 0x09: "tab", 0x0A: "line feed",
    0x0B: "vertical tab", 0x0C: "form feed", 0x0D: "carriage return", 0x1B: "escape",
    0x7F: "delete", 0x85: "next line",
}


def escape_controls(text: str) -> str:
    """``text`` on one line for a message: each character that does not print (a line break, a
    control character) written as its Python escape (``\\n``, ``\\x0c``); letters of every
    script stay as they are."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


def unsafe_kind(ch: str) -> str | None:
    """``control``, ``noncharacter`` or ``bidi`` for an unsafe character, else None."""
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return "control"
    if 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
        return "noncharacter"
    if ch in BIDI_CONTROLS:
        return "bidi"
    return None


def describe_character(ch: str) -> str:
    """``U+000C (form feed, a control character)``: the code point, never the raw character."""
    code, kind = ord(ch), unsafe_kind(ch)
    if kind == "control":
        what = f"{_CONTROL_NAMES.get(code, 'control character')}, a control character"
    elif kind == "noncharacter":
        what = "a Unicode noncharacter, never valid in text"
    else:
        name = unicodedata.name(ch, "format character").lower()
        what = f"{name}, a bidirectional control" if kind == "bidi" else name
    return f"U+{code:04X} ({what})"


def find_unsafe(text: str, allowed: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
    """``(position, character)`` of every unsafe character (positions count from 1)."""
    return [(i, ch) for i, ch in enumerate(text, start=1)
            if ch not in allowed and unsafe_kind(ch) is not None]


def check_characters(text: str, allowed: frozenset[str] = frozenset()) -> str | None:
    """Why ``text`` may not be stored as it is (naming each character and where), or None."""
    found = find_unsafe(text, allowed)
    if not found:
        return None
    shown = "; ".join(f"{describe_character(ch)} at position {pos}" for pos, ch in found[:3])
    more = f"; and {len(found) - 3} more" if len(found) > 3 else ""
    kinds = {unsafe_kind(ch) for _, ch in found}
    hints = []
    if "control" in kinds:
        hints.append("control characters usually come from copying out of a PDF or a terminal")
    if "bidi" in kinds:
        hints.append("bidirectional controls make text display other than it is stored")
    if allowed:
        hints.append("tabs and line breaks are fine in this column")
    elif any(ch in MULTILINE for _, ch in found):
        hints.append("this column holds one line: no tabs or line breaks")
    noun = "character" if len(found) == 1 else f"{len(found)} characters"
    return (f"invisible {noun} not allowed: {shown}{more}; delete "
            f"{'it' if len(found) == 1 else 'them'} and retype the text around "
            f"({'; '.join(hints)})")


# an apostrophe look-alike between two letters of an Uzbek (Latin) text: "O'zbekiston",
# "O’zbekiston", "ta`lim"; Uzbek writes oʻ/gʻ with U+02BB and the tutuq belgisi with U+02BC
UZBEK_LOOKALIKE = re.compile("[^\\W\\d_]['\u2019\u2018`][^\\W\\d_]")
# the same for pyarrow's RE2 (its \\W is ASCII): a letter or a non-decimal number on each side
UZBEK_LOOKALIKE_RE2 = "[\\pL\\p{Nl}\\p{No}]['\u2019\u2018`][\\pL\\p{Nl}\\p{No}]"


def check_uzbek(text: str) -> str | None:
    """Why an Uzbek (Latin-script) text has the wrong apostrophe, or None."""
    found = UZBEK_LOOKALIKE.search(text)
    if found is None:
        return None
    return (f"apostrophe look-alike {describe_character(found.group(0)[1])} in "
            f"{found.group(0)!r} at position {found.start() + 1}: write oʻ and gʻ with ʻ "
            f"(U+02BB, MODIFIER LETTER TURNED COMMA) and the tutuq belgisi with ʼ (U+02BC, "
            f"MODIFIER LETTER APOSTROPHE), as Uzbek Latin spells them")


def is_formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


def check_formula(text: str) -> str | None:
    """Why a free-text value would run as a spreadsheet formula, or None."""
    if not is_formula_like(text):
        return None
    first = text[0]
    shown = f"'{first}'" if first.isprintable() else describe_character(first)
    return (f"starts with {shown}: Excel and LibreOffice run such a cell as a formula; reword "
            "it to start with a letter or digit, or put an apostrophe ' before it")


def clean_text(text: str, allowed: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """Remove unsafe characters (tabs and line breaks become spaces unless ``allowed``).

    Returns the cleaned text and a description of each character removed.
    """
    found = find_unsafe(text, allowed)
    if not found:
        return text, []
    cleaned = "".join(" " if ch in MULTILINE and ch not in allowed else ch
                      for ch in text if ch in allowed or unsafe_kind(ch) is None
                      or ch in MULTILINE)
    return " ".join(cleaned.split()) if not allowed else cleaned, [
        f"{describe_character(ch)} at position {pos}" for pos, ch in found]


def neutralise_formula(text: str) -> str:
    """``'=SUM(A1)`` for ``=SUM(A1)``: an apostrophe before a value that would run as a formula."""
    return f"'{text}" if is_formula_like(text) else text
