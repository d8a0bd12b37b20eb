"""The environment files agree with pyproject.toml.

- environment.yml (conda, the user's environment) lists the runtime dependencies and the user
  extras (extract, lab, dask, notify); environment-dev.yml lists the "test" extra, kept out of it.
- requirements.lock pins every runtime dependency and the notify extra (scheduled runs send
  their message), at a version the requirement allows, and requirements-test.lock pins the
  same runtime versions plus the test and extract extras: a dependency added to
  pyproject.toml without `make lock` fails here.
"""

from __future__ import annotations

import re
import tomllib

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from analysis.core import paths

# In environment.yml but not a Python dependency of the package.
CONDA_ONLY = {"python", "pip", "quarto"}
# conda-forge names that differ from PyPI's
CONDA_NAMES = {"python-duckdb": "duckdb"}
# The extras kept out of the user's conda environment (they are in environment-dev.yml).
DEV_EXTRAS = {"test"}
# What `make test` installs besides the package: requirements-test.lock covers these extras.
TEST_LOCK_EXTRAS = ("test", "extract")
# What a scheduled run installs: requirements.lock covers the runtime and these extras.
RUN_LOCK_EXTRAS = ("notify",)


def _split(requirement: str) -> tuple[str, str]:
    """(normalised name, version spec); pip extras (``dask[distributed]``) are left out: conda
    has no extras, its package brings them (conda-forge's ``dask`` is ``dask[distributed]``)."""
    match = re.match(r"^([A-Za-z0-9_.\-]+)\s*(?:\[[^\]]*\])?\s*(.*)$", requirement.strip())
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(1)).lower(), match.group(2).replace(" ", "")


def _project() -> dict:
    return tomllib.loads((paths.project_root() / "pyproject.toml").read_text("utf-8"))["project"]


def pyproject_requirements(extras: set[str] | None = None, runtime: bool = True) -> dict[str, str]:
    """The requirements of the runtime (unless ``runtime`` is false) and of ``extras`` (every
    extra when None), as {normalised name: version spec}."""
    meta = _project()
    reqs = list(meta["dependencies"]) if runtime else []
    for name, extra in meta.get("optional-dependencies", {}).items():
        if extras is None or name in extras:
            reqs += extra
    return dict(_split(r) for r in reqs)


def conda_requirements(file: str) -> dict[str, str]:
    env = yaml.safe_load((paths.project_root() / file).read_text("utf-8"))
    reqs: dict[str, str] = {}
    for item in env["dependencies"]:
        entries = item["pip"] if isinstance(item, dict) else [item]
        for entry in entries:
            if entry.startswith("-"):  # pip options such as "-e ." (the project itself)
                continue
            name, spec = _split(entry)
            reqs[CONDA_NAMES.get(name, name)] = spec
    return {k: v for k, v in reqs.items() if k not in CONDA_ONLY}


def test_environment_yml_matches_pyproject_without_the_test_tools():
    user_extras = set(_project()["optional-dependencies"]) - DEV_EXTRAS
    assert conda_requirements("environment.yml") == pyproject_requirements(user_extras)


def test_environment_dev_yml_holds_the_test_extra():
    assert conda_requirements("environment-dev.yml") == pyproject_requirements(
        DEV_EXTRAS, runtime=False)


def test_no_test_tool_in_the_user_environment():
    test_only = set(pyproject_requirements(DEV_EXTRAS, runtime=False)) - set(
        pyproject_requirements(set(_project()["optional-dependencies"]) - DEV_EXTRAS))
    assert test_only  # pytest, mypy, ... : the check below means something
    assert not test_only & set(conda_requirements("environment.yml"))


@pytest.mark.parametrize("file", ["environment.yml", "environment-dev.yml"])
def test_conda_files_use_conda_forge_and_never_defaults(file):
    env = yaml.safe_load((paths.project_root() / file).read_text("utf-8"))
    assert env["channels"] == ["conda-forge", "nodefaults"]


def test_environment_yml_brings_quarto_from_conda_forge():
    env = yaml.safe_load((paths.project_root() / "environment.yml").read_text("utf-8"))
    assert any(str(d).startswith("quarto") for d in env["dependencies"])


# ---- pip lock files ----------------------------------------------------------------------

_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)")


def read_pins(text: str) -> dict[str, set[str]]:
    """{canonical name: pinned versions} of a pip lock file (``name==version [; marker] \\``
    lines; a name may be pinned twice under different markers, e.g. per Python version)."""
    pins: dict[str, set[str]] = {}
    for line in text.splitlines():
        match = _PIN.match(line)
        if match:
            pins.setdefault(canonicalize_name(match.group(1)), set()).add(match.group(2))
    return pins


def lock_problems(requirements: list[str], lock_text: str, lock_name: str) -> list[str]:
    """Each requirement missing from the lock or pinned at a version it does not allow."""
    pins = read_pins(lock_text)
    problems = []
    for line in requirements:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        if name not in pins:
            problems.append(f"{lock_name}: {req.name} is not pinned; run `make lock`")
            continue
        problems += [f"{lock_name}: {req.name}=={version} does not satisfy {line!r}; "
                     "run `make lock`"
                     for version in sorted(pins[name]) if not req.specifier.contains(version)]
    return problems


def _lock(name: str) -> str:
    path = paths.project_root() / name
    assert path.is_file(), f"{name} is missing; run `make lock`"
    return path.read_text("utf-8")


def test_requirements_lock_pins_every_runtime_dependency_and_the_notify_extra():
    extras = _project()["optional-dependencies"]
    reqs = list(_project()["dependencies"]) + [r for e in RUN_LOCK_EXTRAS for r in extras[e]]
    assert lock_problems(reqs, _lock("requirements.lock"), "requirements.lock") == []


def test_requirements_test_lock_pins_the_test_and_extract_extras():
    extras = _project()["optional-dependencies"]
    reqs = list(_project()["dependencies"]) + [r for e in TEST_LOCK_EXTRAS for r in extras[e]]
    assert lock_problems(reqs, _lock("requirements-test.lock"), "requirements-test.lock") == []


def test_the_test_lock_keeps_the_runtime_versions():
    runtime = read_pins(_lock("requirements.lock"))
    test = read_pins(_lock("requirements-test.lock"))
    assert {n: v for n, v in test.items() if n in runtime} == runtime


def test_lock_files_carry_hashes():
    for name in ("requirements.lock", "requirements-test.lock"):
        text = _lock(name)
        blocks = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 2)[2])
        assert all("--hash=sha256:" in b for b in blocks if _PIN.match(b)), name


# the checker itself, on hand-written lock files

_HAND_LOCK = """\
# a comment
altair==6.1.0 \\
    --hash=sha256:00
numpy==2.0.1 ; python_full_version < '3.12' \\
    --hash=sha256:11
numpy==2.3.0 ; python_full_version >= '3.12' \\
    --hash=sha256:22
Jupyter-Client==8.6.3 \\
    --hash=sha256:33
"""


def test_read_pins_keeps_both_versions_of_a_name_pinned_per_marker():
    assert read_pins(_HAND_LOCK) == {"altair": {"6.1.0"}, "numpy": {"2.0.1", "2.3.0"},
                                     "jupyter-client": {"8.6.3"}}


def test_lock_problems_accepts_pins_within_the_requirements():
    assert lock_problems(["altair>=6.0", "numpy>=1.26", "jupyter_client>=8.6,<9"],
                         _HAND_LOCK, "x.lock") == []


def test_lock_problems_names_a_dependency_added_without_relocking():
    assert lock_problems(["altair>=6.0", "rich>=13.7"], _HAND_LOCK, "x.lock") == [
        "x.lock: rich is not pinned; run `make lock`"]


def test_lock_problems_names_a_pin_the_requirement_no_longer_allows():
    assert lock_problems(["numpy>=2.1"], _HAND_LOCK, "x.lock") == [
        "x.lock: numpy==2.0.1 does not satisfy 'numpy>=2.1'; run `make lock`"]
