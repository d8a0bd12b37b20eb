"""Connectors: bring partners' published data into the registry's CSV format.

- :mod:`analysis.connectors.worldbank`: the World Bank Projects API (live, cached) and its
  exports; :mod:`analysis.connectors.worldbank_projects` turns projects into rows (pure).
- :mod:`analysis.connectors.iati`: IATI activity files (standard 2.0x), read as a stream by
  :mod:`analysis.connectors.iati_xml`.
- :mod:`analysis.connectors.output`: writing registry rows safely (validate, then replace);
  :mod:`~analysis.connectors.http`, :mod:`~analysis.connectors.cache` and
  :mod:`~analysis.connectors.limits`: the HTTP client, the raw-response cache, the bounds.

Owns reading partners' formats; the registry's own format and rules are in
:mod:`analysis.data`. May import :mod:`analysis.data` and :mod:`analysis.core` only (not
:mod:`analysis.extract`); only the command line imports it.
"""
