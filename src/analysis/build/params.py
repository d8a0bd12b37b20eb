"""Report definitions: one YAML file per report variant in ``params/``, checked before any run.

A params file looks like::

    name: uzb-profile                  # output file stem: reports/_output/uzb-profile.html
    notebook: country_profile.ipynb    # in notebooks/
    title: "{country_name}: cooperation profile"   # placeholders: analysis.build.titles
    subtitle: "{start_year}–{end_year}"
    formats: [html, pdf]               # optional, default both
    parameters:                        # injected by papermill; each must be declared
      country: UZB
      start_year: 2017
      end_year: 2026
    expected_warnings: [empty-peer]    # optional: warnings accepted for this report

:func:`load_report_spec` checks everything that can be checked without a kernel: YAML syntax,
unknown or missing keys, types, the notebook and its single ``parameters`` cell, that every
parameter is declared there with a matching type annotation, country codes, year ranges,
languages, and that ``data_path`` exists. Every problem names the file and the key.

``title`` and ``subtitle`` may name the parameters (``{country_name}``, ``{start_year}``...);
:func:`load_report_spec` fills them in, so a :class:`Report`'s ``spec`` holds the texts the
reader sees (:mod:`analysis.build.titles`).
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from analysis.build.editions import REPORT_NAME
from analysis.build.layout import reserved_names
from analysis.build.param_values import check_values, data_read
from analysis.build.problems import DataChecks, FileProblems, ReportsNotBuilt, group_by_file
from analysis.build.titles import fill_titles
from analysis.core import paths
from analysis.core.errors import ParameterError, show_value
from analysis.core.notebook_params import Declared, matches_annotation, parameters_cell
from analysis.core.paths import display_path
from analysis.core.safe_yaml import read_yaml
from analysis.core.settings import MAX_TIMEOUT_SECONDS

Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")
NAME_PATTERN = f"^{REPORT_NAME.pattern}$"  # a plain file name: never a path


class ReportSpec(BaseModel):
    """The content of one params file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: StrictStr = Field(pattern=NAME_PATTERN, max_length=100)
    notebook: StrictStr
    title: StrictStr = Field(min_length=1)
    subtitle: StrictStr | None = None
    # the body that issues the report, printed on the cover under the date (none: no line)
    publisher: StrictStr | None = None
    formats: list[Format] = Field(default_factory=lambda: list(FORMATS), min_length=1)
    # seconds the report's notebook may run before it is stopped and marked failed
    timeout: StrictInt | None = Field(default=None, ge=1, le=MAX_TIMEOUT_SECONDS)
    # warnings this report is known to raise and that are accepted (analysis.report.warnings:
    # WARNING_KINDS): its status stays ok, --strict passes, an unchanged report is skipped
    expected_warnings: list[StrictStr] = Field(default_factory=list)
    parameters: dict[StrictStr, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Report:
    """A checked report definition, ready to run."""

    spec: ReportSpec
    source: Path
    notebook: Path
    parameters: dict[str, Any]

    @property
    def name(self) -> str:
        return self.spec.name


def read_params_yaml(path: Path) -> dict[str, Any]:
    """A params file's mapping (:func:`read_yaml`, which see)."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: a params file must be a YAML mapping with the keys "
                             "name, notebook, title, formats, parameters")
    return data


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a name the system cannot even look up (too long...)."""
    try:
        return path.is_file()
    except OSError:
        return False


# Windows device names: "con.html" cannot be created there, whatever the extension
_DEVICE_NAMES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
                 *(f"lpt{i}" for i in range(1, 10))}


def check_name(source: Path, name: str) -> list[str]:
    """Problems with a report name that would collide with the build's own files.

    Compared case-insensitively: on macOS and Windows ``Index.html`` *is* ``index.html``.
    """
    if name.lower() in reserved_names():
        return [f"{source}: name: {show_value(name)} is reserved: the build writes "
                f"{show_value(name.lower())} files of its own in the output folder (index.html "
                "is the portal page, build-summary.json the scheduler's summary), so the report "
                "would be overwritten; choose another name, e.g. "
                f"{show_value(name.lower() + '-report')}"]
    if name.split(".")[0].lower() in _DEVICE_NAMES:
        return [f"{source}: name: {show_value(name)} is a reserved device name on Windows "
                "(CON, PRN, AUX, NUL, COM1-9, LPT1-9), so its files cannot be written there; "
                "choose another name"]
    return []


def notebook_outside_allowed() -> bool:
    """Whether the environment opts in to notebooks outside ``notebooks/`` (see README)."""
    value = os.environ.get(paths.ALLOW_NOTEBOOK_OUTSIDE_ENV, "")
    return value.strip().lower() in ("1", "true", "yes")


def find_notebook(source: Path, name: str, allow_outside: bool | None = None) -> Path:
    """The notebook a params file names, resolved; it must be inside ``notebooks/``.

    ``name`` is looked up in ``notebooks/``, then from the project root. The resolved path
    (symbolic links followed) must lie inside :data:`paths.notebooks_dir()`, unless
    ``allow_outside`` (default: the ``COOPREPORT_ALLOW_NOTEBOOK_OUTSIDE`` environment variable;
    the CLI's ``--allow-notebook-outside``) says the params files are trusted: a params file
    must not be able to run an arbitrary notebook (``/tmp/x.ipynb``, ``../other/x.ipynb``).

    Raises
    ------
    ParameterError
        When the notebook does not exist, or lies outside ``notebooks/`` without the opt-in.
    """
    if allow_outside is None:
        allow_outside = notebook_outside_allowed()
    home = paths.notebooks_dir().resolve()
    candidates = [paths.notebooks_dir() / name, paths.project_root() / name]
    for candidate in candidates:
        if _is_file(candidate):
            resolved = candidate.resolve()
            if allow_outside or resolved.is_relative_to(home):
                return resolved
            raise ParameterError(
                f"{source}: notebook: {show_value(name)} is {str(resolved)!r}, outside "
                f"{paths.notebooks_dir()}; report notebooks must live in notebooks/ (move or copy "
                "it there), or, if you trust every params file of this build, pass "
                f"--allow-notebook-outside (or set {paths.ALLOW_NOTEBOOK_OUTSIDE_ENV}=1)")
    known = ", ".join(sorted(p.name for p in paths.notebooks_dir().glob("*.ipynb")))
    raise ParameterError(f"{source}: notebook: {show_value(name)} not found in "
                         f"{paths.notebooks_dir()} (available: {known or 'none'})")


@dataclass(frozen=True)
class Checked:
    """One params file, checked: its report (None when the params file has problems), its
    problems (each line names the file and the key), and the problems of the data it reads."""

    source: Path
    name: str  # the report's name, or the params file's path when it has none
    report: Report | None
    problems: list[str]
    data: FileProblems


def load_report_spec(source: Path, *, allow_notebook_outside: bool | None = None) -> Report:
    """Read and fully check one params file, and the data it reads, reporting every problem
    at once (:func:`check_report_spec`).

    ``allow_notebook_outside``: see :func:`find_notebook` (default: the environment decides).

    Raises
    ------
    ReportsNotBuilt
        A :class:`ParameterError`: one line per problem, each naming the file, the key (or
        the data file's line) and what to do.
    """
    checked = check_report_spec(source, allow_notebook_outside=allow_notebook_outside)
    if checked.report is None or checked.data:
        raise ReportsNotBuilt(["\n".join(checked.problems)] if checked.problems else [],
                              group_by_file({checked.name: checked.data}), count=False)
    return checked.report


def check_report_spec(source: Path, *, allow_notebook_outside: bool | None = None,
                      checks: DataChecks | None = None) -> Checked:
    """Check one params file and the data it reads, every problem at once.

    The keys, the name, the notebook and its parameters cell, each parameter's name and type,
    and the values of the well-typed parameters are all checked, whichever fail, so one run
    lists everything to fix (like ``coopreport validate``). The data the report reads
    (``data_path``, or the default registry) is validated through ``checks``, which reads each
    data file once for all the params files of a build.
    """
    try:
        data = read_params_yaml(source)
    except ParameterError as exc:
        return Checked(source, display_path(source), None, str(exc).splitlines(), {})
    name = data["name"] if isinstance(data.get("name"), str) else display_path(source)
    checks = checks if checks is not None else DataChecks()
    problems: list[str] = []
    spec: ReportSpec | None = None
    try:
        spec = ReportSpec.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "(file)"
            problems.append(f"{source}: {key}: {_explain(error)}")
    if isinstance(data.get("name"), str):
        problems += check_name(source, data["name"])
    problems += check_expected_warnings(source, data.get("expected_warnings"))
    raw = data.get("parameters")
    parameters: dict[str, Any] = (
        {str(k): v for k, v in raw.items()} if isinstance(raw, dict) else {})
    notebook: Path | None = None
    declared: dict[str, Declared] = {}
    titles: dict[str, str] = {}
    if isinstance(data.get("notebook"), str):
        try:
            notebook = find_notebook(source, data["notebook"], allow_notebook_outside)
            declared = {d.name: d for d in parameters_cell(notebook)}
        except ParameterError as exc:
            problems.append(str(exc))
            notebook = None
    if notebook is not None:
        problems += _declaration_problems(source, notebook, declared, parameters)
        typed = {key: value for key, value in parameters.items()
                 if key in declared and matches_annotation(value, declared[key].annotation)}
        full = {n: d.default for n, d in declared.items()} | typed
        problems += check_values(source, full)
        # the title and subtitle name the parameters the report runs with ({start_year}...)
        titles, title_problems = fill_titles(source, data, full)
        problems += title_problems
    else:  # no notebook to read the declarations from: still check the values given
        full = parameters
        problems += check_values(source, full)
    read = data_read(full)
    found = checks.problems(read) if read is not None else {}
    if problems or spec is None or notebook is None:
        return Checked(source, name, None, problems, found)
    return Checked(source, name, Report(spec.model_copy(update=titles), source.resolve(),
                                        notebook, dict(spec.parameters)), [], found)


def check_expected_warnings(source: Path, expected: object) -> list[str]:
    """Problems with a params file's ``expected_warnings``: each must name a warning kind
    (:data:`analysis.report.warnings.WARNING_KINDS`); a list of other types is left to the
    schema check."""
    from analysis.report.warnings import WARNING_KINDS

    if not isinstance(expected, list):
        return []
    known = ", ".join(WARNING_KINDS)
    problems = []
    for name in expected:
        if isinstance(name, str) and name not in WARNING_KINDS:
            close = difflib.get_close_matches(name, list(WARNING_KINDS), n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(f"{source}: expected_warnings: {show_value(name)} is not a "
                            f"warning a report raises; {hint}the known ones are {known} "
                            "(or remove the key)")
    return problems


def _declaration_problems(source: Path, notebook: Path, declared: dict[str, Declared],
                          parameters: dict[str, Any]) -> list[str]:
    """Parameters the notebook does not declare, or whose value is not of the declared type."""
    problems = []
    for key, value in parameters.items():
        if key not in declared:
            known = ", ".join(declared) or "none"
            problems.append(f"{source}: parameters.{key}: the notebook {notebook.name} does not "
                            f"declare this parameter; remove it or use one it declares: {known}")
        elif not matches_annotation(value, declared[key].annotation):
            wanted = declared[key]
            problems.append(f"{source}: parameters.{key}: {show_value(value)} is not of the "
                            f"declared type {wanted.annotation}; give a value of that type like "
                            f"the notebook's default {show_value(wanted.default)} "
                            f"({wanted.comment})")
    return problems


def _explain(error: Any) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return ("unknown key; a params file has name, notebook, title, subtitle, publisher, "
                "formats, timeout, expected_warnings, parameters")
    if kind == "missing":
        return "required key is missing"
    if kind == "string_pattern_mismatch":
        return (f"{show_value(error['input'])} cannot be a report name: use letters, digits, "
                "'-', '_' and '.', starting with a letter or digit (no '/' or '..': the name is a "
                "file name in the output folder)")
    return f"{error['msg']} (got {show_value(error['input'])})"


def discover_params(directory: Path | None = None) -> list[Path]:
    """Every params file (``*.yaml``, ``*.yml``) in ``params/``, sorted."""
    return paths.params_files(directory)


def check_reports(sources: list[Path], *,
                  allow_notebook_outside: bool | None = None) -> list[Checked]:
    """Check a set of params files (:func:`check_report_spec`), each data file read once."""
    checks = DataChecks()
    return [check_report_spec(source, allow_notebook_outside=allow_notebook_outside,
                              checks=checks) for source in sources]


def load_reports(sources: list[Path], *,
                 allow_notebook_outside: bool | None = None) -> list[Report]:
    """Check a set of params files together (every file, all errors); names must be unique.

    Raises
    ------
    ReportsNotBuilt
        With each params file's problems, and each data file's problems once, with the
        reports that read it (:mod:`analysis.build.problems`).
    """
    checked = check_reports(sources, allow_notebook_outside=allow_notebook_outside)
    failed = ["\n".join(c.problems) for c in checked if c.problems]
    data = group_by_file({c.name: c.data for c in checked if c.data})
    if failed or data:
        raise ReportsNotBuilt(failed, data)
    reports = [c.report for c in checked if c.report is not None]
    seen: dict[str, Path] = {}
    for report in reports:
        if report.name in seen:
            raise ParameterError(f"{report.source}: name: '{report.name}' is also the name in "
                                 f"{seen[report.name]}; each report needs its own name")
        seen[report.name] = report.source
    return reports
