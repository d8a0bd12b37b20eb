"""Turning an executed report notebook into HTML and PDF, and the portal page: the built-in
renderer (nbconvert HTML; pandoc + Typst PDF) and its templates, Quarto (finding it,
preparing the notebook it gets, running it), the sanitiser for untrusted output, the title
block's metadata, and ``index.html``.

Renders files it is given; never executes a notebook or decides what to build. May import
:mod:`analysis.report`, :mod:`analysis.measures`, :mod:`analysis.data` and
:mod:`analysis.core`.
"""

# Names of the module analysis.render before the package was grouped by stage (it is this
# package now): each is in the submodule named here. Code written for the old module fails
# with an ImportError that names it.
_MOVED = {
    **dict.fromkeys(("RENDERERS", "choose_renderer"), "quarto_cli"),
    **dict.fromkeys(("render_notebook",), "notebook"),
}


def __getattr__(name: str) -> object:
    if name in _MOVED:
        module = f"analysis.render.{_MOVED[name]}"
        raise ImportError(f"analysis.render is a package since the package was grouped by stage: "
                          f"{name} is in {module} (the README's 'Layout' section lists the "
                          "modules)", name=module)
    raise AttributeError(f"module 'analysis.render' has no attribute {name!r}")
