"""The installed package's version (``coopreport --version``, provenance records)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coopreport")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"
