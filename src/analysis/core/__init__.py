"""The foundations every stage uses: errors and exit codes, paths, settings, logging, the
version, text safety, number and date formats, atomic files, the safe YAML reader, a
notebook's declared parameters, the clock and process helpers.

Owns nothing about cooperation data or reports. May import only the standard library,
third-party packages and other ``analysis.core`` modules: every other stage imports it, so it
imports none of them (``lint-imports`` checks this).
"""
