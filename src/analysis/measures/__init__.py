"""What a report measures, as pure functions from DataFrames to DataFrames or plain facts:
counts, shares and comparisons (``metrics``), MAPS pillar placement (``pillars``), the
registry's coverage of each report country (``coverage``), the findings' rules
(``findings``) and the executive summary's figures (``summary``).

No display code, no sentences, no files: the report stage turns these into text and charts.
May import :mod:`analysis.data` and :mod:`analysis.core`.
"""
