"""The build's clock: one way to say "now" in records and on pages."""

from __future__ import annotations

import datetime as dt


def utc_now() -> str:
    """The current time, UTC, ISO 8601 to the second: ``2026-12-06T20:44:16Z``."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
