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

import datetime as dt
import difflib
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from analysis.build.editions import REPORT_NAME
from analysis.build.layout import reserved_names
from analysis.build.titles import fill_titles
from analysis.core import paths
from analysis.core.errors import DataValidationError, ParameterError, show_text, show_value
from analysis.core.notebook_params import Declared, matches_annotation, parameters_cell
from analysis.core.safe_yaml import read_yaml
from analysis.core.settings import MAX_TIMEOUT_SECONDS
from analysis.data.taxonomy import LANGUAGES, is_country

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


def check_values(source: Path, values: dict[str, Any]) -> list[str]:
    """Domain checks on parameter values by their conventional names; one message per problem.

    ``country``/``peer``/``countries`` are ISO alpha-3 codes (a peer other than the country),
    years are plausible and ordered, ``lang`` is supported, and ``data_path`` names a registry
    (or sources file) that exists and validates — so bad data stops the build before any kernel
    starts, with the validation problems in the message.
    """
    where = f"{source}: parameters"
    problems: list[str] = []
    for key in ("country", "peer"):
        code = values.get(key)
        if isinstance(code, str) and code and not is_country(code):
            problems.append(f"{where}.{key}: {show_value(code)} is not an ISO 3166-1 alpha-3 "
                            "country code (e.g. UZB, AZE, KAZ)")
    if values.get("peer") and values.get("peer") == values.get("country"):
        problems.append(f"{where}.peer: the peer must be another country than "
                        f"{show_text(values['country'])} (or \"\" for none)")
    benchmarks = values.get("benchmarks")
    if isinstance(benchmarks, list):
        bad = [c for c in benchmarks if not (isinstance(c, str) and is_country(c))]
        if bad:
            problems.append(f"{where}.benchmarks: not ISO 3166-1 alpha-3 country code(s): "
                            f"{show_text(', '.join(map(str, bad)))}; list good-practice "
                            "countries such as [GEO]")
        elif values.get("country") in benchmarks:
            problems.append(f"{where}.benchmarks: the report's own country "
                            f"{show_text(str(values['country']))} cannot be its benchmark")
    contracting = values.get("contracting_data")
    if isinstance(contracting, str) and contracting:
        resolved = paths.resolve_data_path(contracting)
        if not _is_file(resolved):
            problems.append(f"{where}.contracting_data: no file at {show_value(contracting)} "
                            "(a Parquet file written by coopreport import ocds; relative paths "
                            f"start at the project root, {paths.project_root()})")
    as_of = values.get("as_of")
    if isinstance(as_of, str) and as_of and not _is_day(as_of):
        problems.append(f"{where}.as_of: {show_value(as_of)} is not a day; write the report's "
                        "date as YYYY-MM-DD, or \"\" for the build day")
    countries = values.get("countries")
    if isinstance(countries, list):
        bad = [c for c in countries if not is_country(c)]
        if bad:
            problems.append(f"{where}.countries: not ISO 3166-1 alpha-3 country code(s): "
                            f"{show_text(', '.join(map(str, bad)))}")
        elif len(set(countries)) != len(countries) or len(countries) < 2:
            problems.append(f"{where}.countries: list two or more different countries")
    start, end = values.get("start_year"), values.get("end_year")
    for key, year in (("start_year", start), ("end_year", end)):
        if isinstance(year, int) and not 1900 <= year <= 2100:
            problems.append(f"{where}.{key}: {show_value(year)} is not a plausible year "
                            "(1900-2100)")
    if isinstance(start, int) and isinstance(end, int) and start > end:
        problems.append(f"{where}: start_year {show_value(start)} is after end_year "
                        f"{show_value(end)}")
    lang = values.get("lang")
    if lang is not None and lang not in LANGUAGES:
        problems.append(f"{where}.lang: {show_value(lang)} is not a supported language "
                        f"({', '.join(LANGUAGES)})")
    data_path = values.get("data_path")
    if isinstance(data_path, str):
        resolved = paths.resolve_data_path(data_path)
        if not _is_file(resolved):
            problems.append(f"{where}.data_path: no file at {show_value(data_path)} (relative "
                            f"paths start at the project root, {paths.project_root()})")
        else:
            problems += [f"{where}.data_path: {line}"
                         for line in _data_problems(resolved, resolved.stat().st_mtime_ns)]
    return problems


def _is_day(text: str) -> bool:
    try:
        return len(text) == 10 and bool(dt.date.fromisoformat(text))
    except ValueError:
        return False


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False for a name the system cannot even look up (too long...)."""
    try:
        return path.is_file()
    except OSError:
        return False


@functools.lru_cache(maxsize=32)
def _data_problems(path: Path, mtime_ns: int) -> tuple[str, ...]:
    """Validation problems of a registry or sources file (cached per file version)."""
    from analysis.data.registry import load_registry

    try:
        load_registry(path)
    except DataValidationError as exc:
        return (f"the registry has {len(exc.problems)} problem(s); run coopreport validate "
                f"{path}", *(str(p) for p in exc.problems[:20]))
    except ParameterError as exc:
        return (str(exc),)
    return ()


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


def load_report_spec(source: Path, *, allow_notebook_outside: bool | None = None) -> Report:
    """Read and fully check one params file, reporting every problem at once.

    The keys, the name, the notebook and its parameters cell, each parameter's name and type,
    and the values of the well-typed parameters are all checked, whichever fail, so one run
    lists everything to fix (like ``coopreport validate``).

    ``allow_notebook_outside``: see :func:`find_notebook` (default: the environment decides).

    Raises
    ------
    ParameterError
        One line per problem, each naming the file, the key and what to do.
    """
    data = read_params_yaml(source)
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
        problems += check_values(source, parameters)
    if problems or spec is None or notebook is None:
        raise ParameterError("\n".join(problems))
    return Report(spec.model_copy(update=titles), source.resolve(), notebook,
                  dict(spec.parameters))


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


def load_reports(sources: list[Path], *,
                 allow_notebook_outside: bool | None = None) -> list[Report]:
    """Check a set of params files together (every file, all errors); names must be unique."""
    reports: list[Report] = []
    errors: list[str] = []
    for source in sources:
        try:
            reports.append(load_report_spec(source,
                                            allow_notebook_outside=allow_notebook_outside))
        except ParameterError as exc:
            errors.append(str(exc))
    if errors:
        count = sum(len(e.splitlines()) for e in errors)
        raise ParameterError("\n".join([
            *errors, f"{count} problem{'s' if count != 1 else ''} in {len(errors)} params "
            f"file{'s' if len(errors) != 1 else ''}; fix them and run again (nothing was built)"]))
    seen: dict[str, Path] = {}
    for report in reports:
        if report.name in seen:
            raise ParameterError(f"{report.source}: name: '{report.name}' is also the name in "
                                 f"{seen[report.name]}; each report needs its own name")
        seen[report.name] = report.source
    return reports
