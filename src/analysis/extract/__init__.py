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
files in ``data/extract/`` (:mod:`~analysis.extract.lexicon`).
"""
