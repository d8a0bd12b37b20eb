"""A project's settings: ``coopreport.yaml``, or the ``[tool.coopreport]`` table of its
``pyproject.toml``.

Two keys, both optional:

``notify``
    a list of notification addresses (apprise URLs such as ``mailto://…``, ``slack://…``,
    ``json://host/path``) told about every build, like ``--notify URL``;
``keep_editions``
    how many past editions of the output folder are kept (a whole number, 1 or more; default
    :data:`DEFAULT_KEEP_EDITIONS`), like ``--keep-editions N``.

:func:`project_config` reads them into a frozen :class:`ProjectConfig`. An unknown key, a value
of the wrong kind, or settings written in both places is a :class:`~analysis.core.errors.
ParameterError` naming the file, the key, the value and the fix: a typo never silently turns a
setting off.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from analysis.core import paths
from analysis.core.errors import ParameterError, show_value
from analysis.core.safe_yaml import read_yaml

DEFAULT_KEEP_EDITIONS = 10

Address = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1,
                                           pattern=r"^[A-Za-z][A-Za-z0-9+.-]*://\S")]

# what each key takes, for the messages
EXPECTED = {
    "notify": "a list of notification URLs, e.g. [\"mailto://user:password@example.org\", "
              "\"json://localhost:8080/hook\"] (apprise's URL forms)",
    "keep_editions": f"a whole number of editions to keep, 1 or more (default "
                     f"{DEFAULT_KEEP_EDITIONS})",
}

# pydantic's error types, in words
REASONS = {
    "tuple_type": "not a list",
    "string_type": "not text",
    "string_pattern_mismatch": "not a URL (SCHEME://…)",
    "string_too_short": "empty",
    "int_type": "not a whole number",
    "int_parsing": "not a whole number",
    "int_from_float": "not a whole number",
    "greater_than_equal": "less than 1",
}


class ProjectConfig(BaseModel):
    """A project's settings (see the module notes); the defaults when none are written."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    notify: tuple[Address, ...] = ()
    keep_editions: Annotated[int, Field(ge=1, strict=True)] = DEFAULT_KEEP_EDITIONS  # not 2.5, "3"


def config_source(root: Path) -> tuple[Path, dict[str, Any]]:
    """Where the project at ``root`` writes its settings, and the settings as written
    (``{}`` when none): ``coopreport.yaml``, else the ``[tool.coopreport]`` table.

    Raises
    ------
    ParameterError
        When ``coopreport.yaml`` is not valid YAML or not a mapping, or when both places hold
        settings.
    """
    yaml_file = root / paths.CONFIG_NAME
    pyproject = root / "pyproject.toml"
    table = paths.pyproject_table(root) or {}
    if not yaml_file.is_file():
        return pyproject, dict(table)
    written = read_yaml(yaml_file, what="project settings file")
    if written is None:  # only comments: the defaults
        written = {}
    if not isinstance(written, dict):
        raise ParameterError(f"{yaml_file}: the project settings file must hold keys (notify:, "
                             f"keep_editions:), not {show_value(written)}; see "
                             "docs/projects.md")
    if written and table:
        raise ParameterError(f"{yaml_file}: settings are written here and in {pyproject}'s "
                             f"{paths.MARKER_TABLE} table ({', '.join(map(str, table))}); keep "
                             "them in one place")
    return yaml_file, written


def read_config(file: Path, written: dict[str, Any]) -> ProjectConfig:
    """Validate settings read from ``file``.

    Raises
    ------
    ParameterError
        Naming ``file``, each bad key and its value, and what the key takes.
    """
    try:
        return ProjectConfig.model_validate(written)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = str(error["loc"][0]) if error["loc"] else "(settings)"
            where = "".join(f"[{part}]" for part in error["loc"][1:])
            value = written.get(key) if not where else error.get("input")
            if error["type"] == "extra_forbidden":
                fix = (f"unknown key; the keys are {', '.join(ProjectConfig.model_fields)} "
                       "(check the spelling, or remove it)")
            else:
                reason = REASONS.get(error["type"], str(error["msg"]))
                fix = f"{reason}; {key} takes {EXPECTED.get(key, 'another value')}"
            problems.append(f"{file}: {key}{where}: {show_value(value)}: {fix}")
        raise ParameterError("\n".join(problems)) from exc


def project_config(root: Path | None = None) -> ProjectConfig:
    """The settings of the project at ``root`` (default: :func:`analysis.core.paths.
    project_root`); the defaults where a key is not written.

    Raises
    ------
    ParameterError
        When the settings cannot be read or a key is unknown or has a bad value; the message
        names the file, the key, the value and what the key takes.
    ProjectNotFoundError
        When ``root`` is not given and there is no project here.
    """
    where = root if root is not None else paths.project_root()
    return read_config(*config_source(where))
