"""The installed package's version (``coopreport --version``, provenance records), and how a
code version (a git commit) says its checkout had uncommitted changes."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("coopreport")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"

# after a commit whose checkout had uncommitted changes to a report's inputs (git describe's
# own mark): written by analysis.build.provenance.git_commit, read by the report's colophon
DIRTY = "-dirty"
