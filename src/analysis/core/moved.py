"""Names that moved when the package was grouped by stage, and the error that says where to.

Before, the library was one flat package (``analysis.registry``, ``analysis.report`` ...).
Code written for those names fails with an ImportError that names the new module: the
packages keep a table of the names they lost and call :func:`moved` from ``__getattr__``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NoReturn


def moved(package: str, name: str, table: Mapping[str, str], hint: str) -> NoReturn:
    """Fail an attribute lookup ``package.name``: with an ImportError naming the new module when
    ``name`` is in ``table`` (name → its module now), else with the usual AttributeError.

    ``hint`` ends the message: how to import it now, or where the modules are listed.
    """
    if name in table:
        raise ImportError(f"{package}.{name} has moved to {table[name]} when the package was "
                          f"grouped by stage; {hint}", name=table[name])
    raise AttributeError(f"module {package!r} has no attribute {name!r}")
