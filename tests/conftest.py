"""Shared pytest fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from analysis.core import paths
from tests.helpers import FIXTURE_REGISTRY, registry_text

REPOSITORY = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def this_repository_is_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests work on this repository's project even in a temp working folder (there is no
    silent fallback on the checkout: analysis.core.paths). A test of another project sets
    ``COOPREPORT_ROOT`` itself, or removes it to test how projects are found."""
    monkeypatch.setenv(paths.ROOT_ENV, str(REPOSITORY))


@pytest.fixture(autouse=True)
def frozen_default_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports that read the default registry read the frozen fixture, never data/.

    Subprocesses, build workers and kernels started by a test inherit the variable.
    """
    monkeypatch.setenv(paths.DATA_PATH_ENV, str(FIXTURE_REGISTRY))


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
