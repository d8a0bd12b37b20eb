"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import registry_text


@pytest.fixture
def write_registry(tmp_path: Path) -> Callable[..., Path]:
    """Write rows (dicts) or raw text to a registry CSV in a temp folder and return its path."""

    def write(rows: list[dict[str, str]] | str | bytes, name: str = "registry.csv") -> Path:
        path = tmp_path / name
        if isinstance(rows, bytes):
            path.write_bytes(rows)
        elif isinstance(rows, str):
            path.write_text(rows, encoding="utf-8")
        else:
            path.write_text(registry_text(rows), encoding="utf-8")
        return path

    return write
