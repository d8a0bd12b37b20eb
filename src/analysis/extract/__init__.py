"""``coopreport extract``: from press texts to draft registry rows.

A press item (plain text or saved HTML) in Russian, Uzbek (Cyrillic or Latin), Azerbaijani or
English becomes one draft row per activity it reports, in the registry's columns plus review
columns (confidence and evidence per field, detected language, ``title_ru``). Drafts never
enter the registry by themselves: ``--append-to`` appends only rows that validate and are not
likely duplicates (:mod:`analysis.extract.append`).

Modules: :mod:`~analysis.extract.source` (reading), :mod:`~analysis.extract.language`,
:mod:`~analysis.extract.dates`, :mod:`~analysis.extract.partners`,
:mod:`~analysis.extract.classify` (country, type, themes), :mod:`~analysis.extract.counterpart`,
:mod:`~analysis.extract.pipeline` (activities), :mod:`~analysis.extract.drafts` (the drafts
CSV), :mod:`~analysis.extract.append`, :mod:`~analysis.extract.evaluate`; the lexicons are data
files in ``data/extract/`` (:mod:`~analysis.extract.lexicon`). The drafts file's format is
:mod:`analysis.data.drafts`, so that ``validate`` checks drafts without these libraries.

May import :mod:`analysis.data` and :mod:`analysis.core` only (not
:mod:`analysis.connectors`); only the command line imports it. Its libraries (language
detection, dates, organisation names, fuzzy matching, web pages) are the ``extract`` extra:
:func:`require_libraries` says how to install them when they are missing.
"""

import importlib.util

from analysis.core.errors import UnavailableError

# the import names of the ``extract`` extra's packages (pyproject.toml)
LIBRARIES = ("dateparser", "lingua", "natasha", "rapidfuzz", "trafilatura")


def require_libraries() -> None:
    """Check that the text-extraction libraries are installed.

    Raises
    ------
    UnavailableError
        When one is missing (exit code 69), with the command that installs them.
    """
    missing = [name for name in LIBRARIES if importlib.util.find_spec(name) is None]
    if missing:
        raise UnavailableError(
            f"coopreport extract needs the text-extraction libraries, and {', '.join(missing)} "
            "is not installed here; install them with: pip install 'coopreport[extract]' (make "
            "test installs them)")
