"""Turning an executed report notebook into HTML and PDF, and the portal page: the built-in
renderer (nbconvert HTML; pandoc + Typst PDF) and its templates, Quarto (finding it,
preparing the notebook it gets, running it), the sanitiser for untrusted output, the title
block's metadata, and ``index.html``.

Renders files it is given; never executes a notebook or decides what to build. May import
:mod:`analysis.report`, :mod:`analysis.measures`, :mod:`analysis.data` and
:mod:`analysis.core`.
"""

from analysis.core.moved import moved

# Names of the module analysis.render before the package was grouped by stage (it is this
# package now): each is in the submodule named here. Code written for the old module fails
# with an ImportError that names it.
_MOVED = {
    **dict.fromkeys(("RENDERERS", "choose_renderer"), "analysis.render.quarto_cli"),
    **dict.fromkeys(("render_notebook",), "analysis.render.notebook"),
}


def __getattr__(name: str) -> object:
    moved("analysis.render", name, _MOVED, "docs/design.md ('Layout and layers') lists the modules")
