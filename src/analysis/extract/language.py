"""Which language a press text is in: ``ru``, ``uz-Cyrl``, ``uz-Latn``, ``az`` or ``en``.

The script decides first. Cyrillic text is Uzbek when it uses the letters Russian lacks
(``ў қ ғ ҳ``), else Russian. Latin text is Azerbaijani when it uses ``ə`` (no other of these
languages has it), Uzbek when it has Uzbek's marks (``oʻ``/``gʻ`` and its most frequent words);
otherwise lingua (``lingua-language-detector``, models inside the wheel, no download) chooses
among English, Azerbaijani and Turkish-like text. The lingua release on PyPI here has no Uzbek
model, hence the rules for Uzbek.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from analysis.extract.lexicon import normalise, tokenise

log = logging.getLogger(__name__)

LANGUAGES = ("ru", "uz-Cyrl", "uz-Latn", "az", "en")
UZBEK_CYRILLIC = set("ўқғҳЎҚҒҲ")
AZERBAIJANI = set("əƏ")
UZBEK_LATIN_WORDS = frozenset({
    "va", "bilan", "uchun", "yil", "yilda", "kuni", "tomonidan", "bo'yicha", "o'tkazildi",
    "hamkorlik", "respublikasi", "vazirligi", "bo'ldi", "qilindi", "etildi", "ham", "bu",
    "ushbu", "loyiha", "doirasida", "muhokama", "oid", "etish",
})


@dataclass(frozen=True)
class Detected:
    """The language, its registry code (``source_language``) and how sure the rule is."""

    language: str
    confidence: float
    reason: str

    @property
    def code(self) -> str:
        """The two-letter ISO 639-1 code the registry's ``source_language`` takes."""
        return self.language.split("-")[0]


@functools.lru_cache(maxsize=1)
def _lingua():  # type: ignore[no-untyped-def]
    from lingua import Language, LanguageDetectorBuilder

    languages = (Language.ENGLISH, Language.AZERBAIJANI, Language.TURKISH, Language.RUSSIAN)
    return LanguageDetectorBuilder.from_languages(*languages).build()


def detect_language(text: str) -> Detected:
    """The language of ``text`` (see the module notes for the rules)."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters:
        return Detected("en", 0.0, "no letters")
    cyrillic = sum(1 for ch in letters if "\u0400" <= ch <= "\u04ff")
    if cyrillic / len(letters) > 0.5:
        uzbek = sum(1 for ch in letters if ch in UZBEK_CYRILLIC)
        if uzbek >= 2 or uzbek / len(letters) > 0.002:
            return Detected("uz-Cyrl", 0.95, f"Cyrillic with {uzbek} Uzbek letters (ў қ ғ ҳ)")
        return Detected("ru", 0.95, "Cyrillic without Uzbek letters")
    schwa = sum(1 for ch in letters if ch in AZERBAIJANI)
    if schwa >= 2:
        return Detected("az", 0.95, f"Latin with {schwa} ə")
    words = [t.text for t in tokenise(text)]
    marks = len(re.findall(r"[og]'", normalise(text)))
    uzbek_words = sum(1 for w in words if w in UZBEK_LATIN_WORDS)
    if words and (uzbek_words / len(words) > 0.04 or marks >= 3):
        return Detected("uz-Latn", 0.9, f"Latin with {uzbek_words} frequent Uzbek words and "
                        f"{marks} oʻ/gʻ")
    language = _lingua().detect_language_of(text)
    name = language.name if language is not None else "ENGLISH"
    mapped = {"ENGLISH": "en", "AZERBAIJANI": "az", "TURKISH": "az", "RUSSIAN": "ru"}[name]
    log.debug("lingua says %s", name)
    return Detected(mapped, 0.8, f"lingua: {name.lower()}")
