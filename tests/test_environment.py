"""environment.yml (conda) and pyproject.toml (pip) must list the same dependencies."""

from __future__ import annotations

import re
import tomllib

import yaml

from analysis.core import paths

# In environment.yml but not a Python dependency of the package.
CONDA_ONLY = {"python", "pip", "quarto"}
# conda-forge names that differ from PyPI's
CONDA_NAMES = {"python-duckdb": "duckdb"}


def _split(requirement: str) -> tuple[str, str]:
    """(normalised name, version spec); pip extras (``dask[distributed]``) are left out: conda
    has no extras, its package brings them (conda-forge's ``dask`` is ``dask[distributed]``)."""
    match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower(), match.group(2).replace(" ", "")


def pyproject_requirements() -> dict[str, str]:
    meta = tomllib.loads((paths.project_root() / "pyproject.toml").read_text("utf-8"))["project"]
    reqs = list(meta["dependencies"])
    for extra in meta.get("optional-dependencies", {}).values():
        reqs += extra
    return dict(_split(r) for r in reqs)


def conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((paths.project_root() / "environment.yml").read_text("utf-8"))
    reqs: dict[str, str] = {}
    for item in env["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            if entry.startswith("-"):  # pip options such as "-e ." (the project itself)
                continue
            name, spec = _split(entry)
            reqs[CONDA_NAMES.get(name, name)] = spec
    return reqs


def test_environment_yml_matches_pyproject():
    conda = {k: v for k, v in conda_requirements().items() if k not in CONDA_ONLY}
    assert conda == pyproject_requirements()


def test_environment_yml_brings_quarto_from_conda_forge():
    env = yaml.safe_load((paths.project_root() / "environment.yml").read_text("utf-8"))
    assert env["channels"] == ["conda-forge"]
    assert any(str(d).startswith("quarto") for d in env["dependencies"])
