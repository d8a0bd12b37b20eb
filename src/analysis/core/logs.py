"""Logging for entry points (the CLI and the build's worker processes): stderr, timestamped."""

from __future__ import annotations

import logging
import sys

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%dT%H:%M:%S"


def configure_logging(level: int = logging.INFO) -> None:
    """Send the ``analysis`` loggers to stderr with timestamps (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT, DATE_FORMAT))
    root = logging.getLogger("analysis")
    root.handlers[:] = [handler]
    root.setLevel(level)
