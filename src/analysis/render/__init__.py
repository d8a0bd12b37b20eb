"""Turning an executed report notebook into HTML and PDF, and the portal page: the built-in
renderer (nbconvert HTML; pandoc + Typst PDF) and its templates, Quarto (finding it,
preparing the notebook it gets, running it), the sanitiser for untrusted output, the title
block's metadata, and ``index.html``.

Renders files it is given; never executes a notebook or decides what to build. May import
:mod:`analysis.report`, :mod:`analysis.measures`, :mod:`analysis.data` and
:mod:`analysis.core`.
"""
