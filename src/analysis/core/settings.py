"""Limits and defaults shared by the params checks, the build runner and the command line."""

DEFAULT_TIMEOUT_SECONDS = 900  # a report's notebook, all cells together (shipped ones: ~5 s)
MAX_TIMEOUT_SECONDS = 86_400
