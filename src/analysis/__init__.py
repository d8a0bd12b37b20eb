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
