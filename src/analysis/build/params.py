"""Report definitions: one YAML file per report variant in ``params/``, checked before any run.

A params file looks like::

    name: uzb-profile                  # output file stem: reports/_output/uzb-profile.html
    notebook: country_profile.ipynb    # in notebooks/
    title: "Uzbekistan: cooperation profile"
    formats: [html, pdf]               # optional, default both
    parameters:                        # injected by papermill; each must be declared
      country: UZB
      start_year: 2017
      end_year: 2026

:func:`load_report_spec` checks everything that can be checked without a kernel: YAML syntax,
unknown or missing keys, types, the notebook and its single ``parameters`` cell, that every
parameter is declared there with a matching type annotation, country codes, year ranges,
languages, and that ``data_path`` exists. Every problem names the file and the key.
"""

from __future__ import annotations

import ast
import functools
import os
import re
import reprlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import nbformat
import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from analysis.core import paths
from analysis.core.errors import DataValidationError, ParameterError
from analysis.core.settings import DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS  # noqa: F401
from analysis.data.taxonomy import LANGUAGES, is_country

Format = Literal["html", "pdf"]
FORMATS: tuple[Format, ...] = ("html", "pdf")
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"

# Params files are small hand-written YAML: these bounds stop a hostile or broken file (a
# "billion laughs" alias bomb, a huge or endlessly nested file) before it costs memory or time.
MAX_PARAMS_BYTES = 256 * 1024
MAX_YAML_DEPTH = 20
MAX_SHOWN = 80  # characters of a value quoted in an error message


class ReportSpec(BaseModel):
    """The content of one params file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: StrictStr = Field(pattern=NAME_PATTERN, max_length=100)
    notebook: StrictStr
    title: StrictStr = Field(min_length=1)
    subtitle: StrictStr | None = None
    formats: list[Format] = Field(default_factory=lambda: list(FORMATS), min_length=1)
    # seconds the report's notebook may run before it is stopped and marked failed
    timeout: StrictInt | None = Field(default=None, ge=1, le=MAX_TIMEOUT_SECONDS)
    parameters: dict[StrictStr, Any] = Field(default_factory=dict)


@dataclass(frozen=True)
class Declared:
    """A parameter as declared in a notebook's ``parameters`` cell."""

    name: str
    annotation: str | None
    default: Any
    comment: str


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


def show_value(value: Any, limit: int = MAX_SHOWN) -> str:
    """A value as error messages quote it: its ``repr``, cut to ``limit`` characters with "…".

    Never builds the full ``repr`` of a huge value: long strings are cut before quoting, and
    nested containers are abbreviated (``[1, 2, ...]``) first.
    """
    if isinstance(value, str):
        shown = repr(value[: limit + 1])
        if len(value) > limit:
            shown = shown[:-1]  # an unfinished string: no closing quote, the "…" says so
    elif isinstance(value, int) and value.bit_length() > 3 * limit:  # str() may even refuse
        shown = f"<a number of {value.bit_length()} bits>"
    else:
        shortener = reprlib.Repr()
        shortener.maxlevel, shortener.maxstring, shortener.maxother = 3, limit, 10 * limit
        shortener.maxlist = shortener.maxdict = shortener.maxtuple = shortener.maxset = 6
        shown = shortener.repr(value)
    shown = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in shown)
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def show_text(value: Any, limit: int = MAX_SHOWN) -> str:
    """Like :func:`show_value`, but a string is shown without quotes."""
    if isinstance(value, str):
        text = "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in value[: limit + 1])
        return text if len(text) <= limit else text[: limit - 1] + "…"
    return show_value(value, limit)


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader for params files: no repeated keys, no aliases, bounded nesting.

    Aliases (``*name``) are refused outright: a params file never needs one, and they are what
    makes a "billion laughs" file expand to gigabytes. Anchors alone are harmless and ignored.
    """

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):  # type: ignore[no-untyped-call]
            event = self.peek_event()  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(
                None, None, f"alias *{show_text(event.anchor)}: coopreport's YAML files (params "
                "files, data/sources.yaml) may not use aliases (*name) or merge keys (<<); "
                "write the value out in full",
                event.start_mark)
        collection = self.check_event(  # type: ignore[no-untyped-call]
            yaml.SequenceStartEvent, yaml.MappingStartEvent)
        self._depth += collection
        try:
            if self._depth > MAX_YAML_DEPTH:
                event = self.peek_event()  # type: ignore[no-untyped-call]
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_YAML_DEPTH} levels deep; these files "
                    "hold a few keys and simple lists", event.start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-untyped-call]
        finally:
            self._depth -= collection


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)  # type: ignore[no-untyped-call]
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"key {show_value(key)} appears twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
                                 _construct_mapping)


def read_yaml(path: Path, what: str = "params file") -> Any:
    """Parse one of coopreport's YAML files (a params file, ``data/sources.yaml``); errors
    name the file, line and what is wrong.

    The file may be at most :data:`MAX_PARAMS_BYTES` long and nested at most
    :data:`MAX_YAML_DEPTH` levels deep, and may not use YAML aliases (see
    :class:`_UniqueKeyLoader`), so a hostile file is refused at once instead of expanding.
    ``what`` names the kind of file in messages.

    Raises
    ------
    ParameterError
        When the file cannot be read, is too large, or is not valid (bounded) YAML.
    """
    try:
        with path.open("rb") as handle:  # read a bounded amount: the path may be a device
            raw = handle.read(MAX_PARAMS_BYTES + 1)
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ParameterError(f"{path}: cannot read the {what} ({exc})") from exc
    if len(raw) > MAX_PARAMS_BYTES:
        raise ParameterError(f"{path}: the {what} is larger than {MAX_PARAMS_BYTES // 1024} "
                             "KiB; it holds a few keys (put data in a registry file and point "
                             "to it)")
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ParameterError(f"{path}{where}: invalid YAML: {problem}") from exc
    except ValueError as exc:  # e.g. an integer beyond Python's 4300-digit limit
        raise ParameterError(f"{path}: invalid YAML: a value cannot be read "
                             f"({show_text(str(exc))}); write it as a quoted string") from exc


def read_params_yaml(path: Path) -> dict[str, Any]:
    """A params file's mapping (:func:`read_yaml`, which see)."""
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise ParameterError(f"{path}: a params file must be a YAML mapping with the keys "
                             "name, notebook, title, formats, parameters")
    return data


def parameters_cell(notebook: Path) -> list[Declared]:
    """The parameters declared in a notebook's single cell tagged ``parameters``.

    Raises
    ------
    ParameterError
        When the notebook cannot be read, has no or several ``parameters`` cells, or the cell
        holds anything but simple ``name: type = literal  # comment`` assignments.
    """
    try:
        nb = nbformat.read(notebook, as_version=4)
    except (OSError, ValueError) as exc:
        raise ParameterError(f"{notebook}: cannot read the notebook ({exc})") from exc
    return declared_parameters(nb, notebook)


def declared_parameters(nb: nbformat.NotebookNode, notebook: Path) -> list[Declared]:
    """:func:`parameters_cell` on a notebook already read (``notebook`` names it in errors)."""
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise ParameterError(
            f"{notebook}: {len(cells)} cells tagged 'parameters'; a report notebook needs exactly "
            "one (without it papermill only warns and the notebook's defaults silently win)")
    source = cells[0].source
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"{notebook}: the parameters cell is not valid Python ({exc})"
                             ) from exc
    lines = source.splitlines()
    declared: list[Declared] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value:
            name, annotation, value = stmt.target.id, ast.unparse(stmt.annotation), stmt.value
        elif (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1
              and isinstance(stmt.targets[0], ast.Name)):
            name, annotation, value = stmt.targets[0].id, None, stmt.value
        else:
            raise ParameterError(f"{notebook}: parameters cell line {stmt.lineno}: only "
                                 "'name: type = value' assignments belong in the parameters cell")
        try:
            default = ast.literal_eval(value)
        except ValueError as exc:
            raise ParameterError(f"{notebook}: parameter '{name}': the default must be a literal"
                                 ) from exc
        line = lines[stmt.lineno - 1]
        _check_papermill_reads(notebook, name, annotation, lines[stmt.lineno - 1:stmt.end_lineno])
        comment = line.split("#", 1)[1].strip() if "#" in line else ""
        declared.append(Declared(name, annotation, default, comment))
    return declared


# papermill's PythonTranslator reads a parameter as ``name: annotation = value  # help`` where
# the annotation has only word characters, brackets, commas and spaces, and skips any line with
# a second "=". A parameter it cannot read is missing from ``papermill --help-notebook`` and
# injecting it warns "Passed unknown parameter": refuse such declarations here instead.
_PAPERMILL_ANNOTATION = re.compile(r"[A-Za-z_][\w\[\],\s]*")


def _check_papermill_reads(notebook: Path, name: str, annotation: str | None,
                           lines: list[str]) -> None:
    if annotation is not None and not _PAPERMILL_ANNOTATION.fullmatch(annotation):
        raise ParameterError(
            f"{notebook}: parameter '{name}': papermill cannot read the annotation "
            f"'{annotation}'; use a plain type such as str, int, float, bool or list[str] (for "
            "an optional value, a default meaning none, e.g. peer: str = \"\")")
    if any(line.count("=") > 1 for line in lines):
        raise ParameterError(
            f"{notebook}: parameter '{name}': papermill skips a parameters line with a second "
            "'=' (in the value or the comment); reword it")


def matches_annotation(value: Any, annotation: str | None) -> bool:
    """Whether a YAML value fits a simple annotation: str, int, float, bool, list[T], X | None."""
    if annotation is None:
        return True
    options = [a.strip() for a in annotation.split("|")]
    for option in options:
        if option == "None" and value is None:
            return True
        if option == "str" and isinstance(value, str):
            return True
        if option == "bool" and isinstance(value, bool):
            return True
        if option == "int" and isinstance(value, int) and not isinstance(value, bool):
            return True
        if option == "float" and isinstance(value, int | float) and not isinstance(value, bool):
            return True
        inner = re.fullmatch(r"list\[(.+)\]", option)
        if inner and isinstance(value, list):
            return all(matches_annotation(v, inner.group(1)) for v in value)
        if option not in ("None", "str", "bool", "int", "float") and not inner:
            return True  # an annotation this checker does not know: leave it to the notebook
    return False


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
                            f"paths start at the project root, {paths.PROJECT_ROOT})")
        else:
            problems += [f"{where}.data_path: {line}"
                         for line in _data_problems(resolved, resolved.stat().st_mtime_ns)]
    return problems


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


def reserved_names() -> set[str]:
    """Lower-case names a report may not take: what the build itself writes in the output
    folder (``index.html``, ``build-summary.json``, ``_failed/``, its work folder, the lock
    file, the editions and the ``current`` link), with and without their extension."""
    from analysis.build import runner as build
    from analysis.build import editions
    from analysis.render import portal

    made = {portal.INDEX_NAME, build.SUMMARY_NAME, build.FAILED_DIR, build.WORK_DIR,
            build.LOCK_NAME, *editions.OWN_NAMES}
    return {n.lower() for n in made} | {Path(n).stem.lower() for n in made}


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
    (symbolic links followed) must lie inside :data:`paths.NOTEBOOKS_DIR`, unless
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
    home = paths.NOTEBOOKS_DIR.resolve()
    candidates = [paths.NOTEBOOKS_DIR / name, paths.PROJECT_ROOT / name]
    for candidate in candidates:
        if _is_file(candidate):
            resolved = candidate.resolve()
            if allow_outside or resolved.is_relative_to(home):
                return resolved
            raise ParameterError(
                f"{source}: notebook: {show_value(name)} is {str(resolved)!r}, outside "
                f"{paths.NOTEBOOKS_DIR}; report notebooks must live in notebooks/ (move or copy "
                "it there), or, if you trust every params file of this build, pass "
                f"--allow-notebook-outside (or set {paths.ALLOW_NOTEBOOK_OUTSIDE_ENV}=1)")
    known = ", ".join(sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")))
    raise ParameterError(f"{source}: notebook: {show_value(name)} not found in "
                         f"{paths.NOTEBOOKS_DIR} (available: {known or 'none'})")


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
    raw = data.get("parameters")
    parameters: dict[str, Any] = (
        {str(k): v for k, v in raw.items()} if isinstance(raw, dict) else {})
    notebook: Path | None = None
    declared: dict[str, Declared] = {}
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
        problems += check_values(source, {n: d.default for n, d in declared.items()} | typed)
    else:  # no notebook to read the declarations from: still check the values given
        problems += check_values(source, parameters)
    if problems or spec is None or notebook is None:
        raise ParameterError("\n".join(problems))
    return Report(spec, source.resolve(), notebook, dict(spec.parameters))


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
        return ("unknown key; a params file has name, notebook, title, subtitle, formats, "
                "parameters")
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
