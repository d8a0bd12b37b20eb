"""Connectors: bring partners' published data into the registry's CSV format.

- :mod:`analysis.connectors.worldbank`: the World Bank Projects API (live, cached) and its exports.
- :mod:`analysis.connectors.iati`: IATI activity files (standard 2.0x), parsed as a stream.
- :mod:`analysis.connectors.output`: writing registry rows safely (validate, then replace).
"""
