"""The inputs: the activity registry (its format, its row and column rules, the columnar
reader), commitments, the vocabularies in ``data/taxonomy/`` and their colours, single-field
checks, several registry files read as one (``sources``), the reference indicators and
milestones, the drafts file's format, cleaning rows for writing, and ``coopreport validate``.

Everything here reads, checks and loads files into DataFrames; nothing computes a report's
figures or writes a sentence. May import :mod:`analysis.core` only.
"""
