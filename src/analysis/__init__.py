"""coopreport's analysis library: registry, validation, metrics and charts.

Import what you need from the submodules::

    from analysis.registry import load_registry
    from analysis import metrics, charts
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coopreport")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]

# shared/FINDINGS.md G2: jsonschema imports rfc3987-syntax (pulled in only by jupyterlab) at
# every `import altair`/`nbformat`/`papermill`, compiling a grammar for 1-1.7 s. Nothing here
# validates IRI formats, so mark it absent unless something imported it already. This saves
# that time in every kernel and in the build runner.
import sys as _sys  # noqa: E402

_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
