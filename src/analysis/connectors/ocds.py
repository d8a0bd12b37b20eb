"""``coopreport import ocds``: contracting data in the Open Contracting Data Standard, compiled to
one row per contracting process in a Parquet file.

Input: release packages, record packages, single releases, or JSON Lines of any of them (one
JSON value per line), plain or gzip-compressed (``.gz``). Nothing has to fit in memory:

1. **Read.** A JSON Lines file whose lines are releases or release packages is read by DuckDB
   directly (``read_ndjson_objects``, in C++, ``.gz`` too). A single JSON document (a package)
   and JSON Lines of records are streamed with ijson, item by item, into a temporary JSON Lines
   file of releases (a record's ``compiledRelease`` when it has one, else its releases).
   A line that is not JSON is reported as ``FILE:LINE``.
2. **Compile.** The releases of each ``ocid`` are compiled into one compiled release with
   ``ocdsmerge`` and the OCDS 1.1 release schema shipped with the package (no network); a
   process with a single release (for example a compiled release from a bulk file) is taken
   as it is. This is OCDS's own merge routine, not a hand-written one.
3. **Check.** Every field an indicator reads is checked (types, dates, codelists); problems are
   reported as ``ocid: path: message``. ``--schema`` also validates every release against the
   full release schema (jsonschema), slower, for small files.
4. **Write.** One row per contracting process (:data:`COLUMNS`) into ``--output``: written to a
   temporary file beside it and renamed into place, then a provenance sidecar
   (``FILE.provenance.json``: command, inputs and their SHA-256, rows, time). An existing file
   is never replaced without ``--force``; a folder, link, device, pipe or socket never.

The indicators computed from the Parquet file are in :mod:`analysis.measures.contracting`.
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pandas as pd

from analysis.core import paths
from analysis.core.errors import DataValidationError, ParameterError, Problem
from analysis.core.files import sha256_file
from analysis.core.version import __version__
from analysis.data.outputs import NOTHING_WRITTEN, absolute, check_plain_output, provenance_path

log = logging.getLogger(__name__)

SCHEMA_PATH = paths.ASSETS_DIR / "ocds" / "release-schema.json"
METHODS = ("open", "selective", "limited", "direct")
PROBLEMS_SHOWN = 50  # problems listed in the error at most; the rest are counted
# the columns of the Parquet file, one row per contracting process (docs/ocds.md)
COLUMNS: tuple[str, ...] = (
    "ocid", "releases", "source_file", "buyer_id", "buyer_name", "buyer_country", "year",
    "procurement_method", "procurement_method_details", "tender_value", "tender_currency",
    "number_of_tenderers", "tender_start", "tender_end", "award_date", "awards",
    "awarded_value", "award_currency", "contracts", "suppliers",
)


@dataclass
class Inputs:
    """The inputs made readable by DuckDB: JSON Lines files of releases (or release
    packages), and the problems found while reading."""

    ndjson: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    releases_streamed: int = 0


def _open(path: Path) -> IO[bytes]:
    raw = path.open("rb")
    head = raw.read(2)
    raw.seek(0)
    if head == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=raw)  # type: ignore[return-value]
    return raw


def _first_value_line(handle: IO[bytes]) -> bytes:
    for line in handle:
        if line.strip():
            return line
    return b""


def kind_of(path: Path) -> str:
    """``lines`` (JSON Lines: every line one JSON value), ``document`` (one JSON value over
    many lines, e.g. a package) or ``empty``."""
    with _open(path) as handle:
        first = _first_value_line(handle)
    if not first.strip():
        return "empty"
    try:
        json.loads(first)
    except ValueError:
        return "document"
    return "lines"


def _releases_of(value: Any) -> Iterator[Any]:
    """The releases in one JSON value: a release, a release package, a record, a record
    package (a record's compiledRelease when it has one, else its releases)."""
    if not isinstance(value, dict):
        yield value
        return
    if "releases" in value and "ocid" not in value:  # a release package
        yield from value.get("releases") or []
    elif "records" in value:  # a record package
        for record in value.get("records") or []:
            yield from _releases_of(record)
    elif "compiledRelease" in value or ("releases" in value and "ocid" in value):  # a record
        compiled = value.get("compiledRelease")
        if isinstance(compiled, dict):
            yield compiled
        else:
            yield from (r for r in value.get("releases") or [] if isinstance(r, dict)
                        and "ocid" in r)  # linked releases (url only) cannot be compiled
    else:
        yield value


def _stream_document(path: Path, out: IO[str]) -> int:
    """Write the releases of one JSON document to ``out``, one per line, without loading the
    document: ijson walks ``releases.item`` or ``records.item``."""
    import ijson

    written = 0
    with _open(path) as handle:
        for prefix, event, value in ijson.parse(handle):
            if event == "map_key" and prefix == "" and value in ("releases", "records"):
                break
        else:
            return 0
        handle.seek(0)
        key = "releases.item" if value == "releases" else "records.item"
        for item in ijson.items(handle, key, use_float=True):
            for release in _releases_of(item):
                out.write(json.dumps(release, ensure_ascii=False, allow_nan=False) + "\n")
                written += 1
    return written


def _scan_lines(path: Path, inputs: Inputs, out: IO[str] | None) -> None:
    """Read a JSON Lines file line by line: every line that is not JSON is a problem
    (``FILE:LINE``); with ``out``, its releases are written there, one per line."""
    shown = paths.display_path(path)
    with _open(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                value = json.loads(line)
            except ValueError as exc:
                text = line[:60].decode("utf-8", "replace").strip()
                inputs.problems.append(Problem(shown, number, "(line)", text, (
                    f"not valid JSON ({exc}); each line of a JSON Lines file must be one "
                    "whole JSON value")))
                continue
            if out is not None:
                for release in _releases_of(value):
                    out.write(json.dumps(release, ensure_ascii=False) + "\n")
                    inputs.releases_streamed += 1


def _has_records(path: Path) -> bool:
    with _open(path) as handle:
        first = json.loads(_first_value_line(handle))
    return isinstance(first, dict) and ("records" in first or "compiledRelease" in first)


def prepare_inputs(files: Sequence[Path], work: Path) -> Inputs:
    """Make every input readable by DuckDB as JSON Lines of releases (see the module's steps);
    unreadable inputs are problems, never tracebacks."""
    inputs = Inputs()
    for path in files:
        shown = paths.display_path(path)
        if not path.is_file():
            inputs.problems.append(Problem(shown, 1, "(file)", str(path), "no such file"))
            continue
        try:
            kind = kind_of(path)
            if kind == "empty":
                inputs.problems.append(Problem(shown, 1, "(file)", "", "the file is empty"))
            elif kind == "lines" and not _has_records(path):
                inputs.ndjson.append(path)  # DuckDB reads it; a bad line is found then
            else:
                target = work / f"input-{len(inputs.ndjson)}.ndjson"
                with target.open("w", encoding="utf-8") as out:
                    if kind == "lines":
                        _scan_lines(path, inputs, out)
                    else:
                        inputs.releases_streamed += _stream_document(path, out)
                inputs.ndjson.append(target)
        except (OSError, EOFError, gzip.BadGzipFile) as exc:
            inputs.problems.append(Problem(shown, 1, "(file)", "", f"cannot be read ({exc})"))
        except Exception as exc:  # ijson's JSONError (not a ValueError): not one JSON value
            if type(exc).__module__.startswith("ijson") or isinstance(exc, ValueError):
                _not_json(path, inputs, exc)
            else:
                raise
    return inputs


def _not_json(path: Path, inputs: Inputs, exc: Exception) -> None:
    """A file that is neither JSON Lines nor one JSON document: the lines that are not JSON
    when it has several (``FILE:LINE``), else the parser's message for the whole file."""
    before = len(inputs.problems)
    _scan_lines(path, inputs, None)
    if len(inputs.problems) == before:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        inputs.problems.append(Problem(paths.display_path(path), 1, "(file)", "",
                                       f"not valid JSON ({first})"))


def _merger() -> Any:
    import ocdsmerge

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return ocdsmerge.Merger(schema=schema)


SQL_RELEASES = """
CREATE TABLE rel AS
SELECT filename AS source_file, r AS doc, json_extract_string(r, '$.ocid') AS ocid,
       json_extract_string(r, '$.date') AS date
FROM (SELECT json AS doc, filename FROM read_ndjson_objects($files, filename = true)) src,
     unnest(CASE WHEN json_exists(src.doc, '$.releases') AND NOT json_exists(src.doc, '$.ocid')
                 THEN CAST(json_extract(src.doc, '$.releases') AS JSON[])
                 ELSE [src.doc] END) AS t(r)
"""


def compile_releases(con: Any, merger: Any) -> int:
    """Make ``compiled (ocid, releases, source_file, doc)``: one compiled release per ``ocid``.
    An ocid with one release is that release (a view over the releases, nothing copied); the
    releases of an ocid with several are compiled with ``ocdsmerge`` into table ``merged``.
    Returns how many processes were compiled from several releases."""
    con.execute("""CREATE TABLE counts AS SELECT ocid, count(*) AS n FROM rel
                   WHERE ocid IS NOT NULL GROUP BY ocid""")
    con.execute("CREATE TABLE merged (ocid VARCHAR, releases BIGINT, source_file VARCHAR, "
                "doc JSON)")
    reader = con.cursor()  # its own result: the inserts below go through ``con``
    several = reader.execute("""
        SELECT r.ocid, list(r.doc ORDER BY r.date NULLS FIRST), any_value(r.source_file),
               count(*)
        FROM rel r SEMI JOIN (SELECT ocid FROM counts WHERE n > 1) m ON r.ocid = m.ocid
        GROUP BY r.ocid""")
    done = 0
    while batch := several.fetchmany(1000):
        rows = []
        for ocid, docs, source, count in batch:
            releases = [json.loads(d) for d in docs]
            compiled = merger.create_compiled_release(releases)
            rows.append((ocid, count, source, json.dumps(compiled, ensure_ascii=False)))
        con.executemany("INSERT INTO merged VALUES (?, ?, ?, ?)", rows)
        done += len(rows)
    reader.close()
    con.execute("""
        CREATE VIEW compiled AS
        SELECT r.ocid, 1 AS releases, r.source_file, r.doc
        FROM rel r SEMI JOIN (SELECT ocid FROM counts WHERE n = 1) s ON r.ocid = s.ocid
        UNION ALL SELECT ocid, releases, source_file, doc FROM merged""")
    return done


# one row per process; JSON paths in the compiled release (docs/ocds.md)
SQL_PROCESSES = """
CREATE TABLE processes AS
WITH c AS (
  SELECT ocid, releases, source_file, doc,
         json_extract_string(doc, '$.buyer.id') AS buyer_id,
         CAST(coalesce(json_extract(doc, '$.parties'), '[]') AS JSON[]) AS parties,
         CAST(coalesce(json_extract(doc, '$.awards'), '[]') AS JSON[]) AS award_list
  FROM compiled),
d AS (
  SELECT *,
    list_filter(parties, lambda p: json_extract_string(p, '$.id') = buyer_id) AS buyer_parties,
    list_filter(award_list, lambda a: coalesce(json_extract_string(a, '$.status'), '')
                                 NOT IN ('cancelled', 'unsuccessful')) AS live_awards
  FROM c)
SELECT
  ocid, releases, source_file, buyer_id,
  coalesce(json_extract_string(doc, '$.buyer.name'),
           json_extract_string(buyer_parties[1], '$.name')) AS buyer_name,
  json_extract_string(buyer_parties[1], '$.address.countryName') AS buyer_country_name,
  json_extract_string(doc, '$.tender.procurementMethod') AS procurement_method,
  json_extract_string(doc, '$.tender.procurementMethodDetails') AS procurement_method_details,
  json_extract(doc, '$.tender.value.amount') AS tender_value_json,
  json_extract_string(doc, '$.tender.value.currency') AS tender_currency,
  json_extract(doc, '$.tender.numberOfTenderers') AS number_of_tenderers_json,
  json_array_length(json_extract(doc, '$.tender.tenderers')) AS tenderers_listed,
  json_array_length(json_extract(doc, '$.bids.details')) AS bids_listed,
  json_extract_string(doc, '$.tender.tenderPeriod.startDate') AS tender_start_text,
  json_extract_string(doc, '$.tender.tenderPeriod.endDate') AS tender_end_text,
  json_extract_string(doc, '$.tender.datePublished') AS published_text,
  json_extract_string(doc, '$.date') AS date_text,
  list_transform(live_awards, lambda a: json_extract_string(a, '$.date')) AS award_dates,
  len(live_awards) AS awards,
  list_transform(live_awards, lambda a: json_extract(a, '$.value.amount')) AS award_amounts,
  list_transform(live_awards, lambda a: json_extract_string(a, '$.value.currency'))
    AS award_currencies,
  list_transform(live_awards, lambda a: {
    'amount': TRY_CAST(json_extract(a, '$.value.amount') AS DOUBLE),
    'currency': json_extract_string(a, '$.value.currency'),
    'ids': list_distinct(list_transform(
      CAST(coalesce(json_extract(a, '$.suppliers'), '[]') AS JSON[]),
      lambda s: coalesce(json_extract_string(s, '$.id'),
                         nullif(json_extract_string(s, '$.identifier.id'), 'null'),
                         json_extract_string(s, '$.name'))))}) AS award_parts,
  coalesce(json_array_length(json_extract(doc, '$.contracts')), 0) AS contracts,
  parties
FROM d
"""


def _day(column: str) -> str:
    """SQL: the calendar day of an OCDS date-time text (its first 10 characters), NULL when it
    is no date."""
    return f"TRY_CAST(substr({column}, 1, 10) AS DATE)"


SQL_TYPED = f"""
CREATE TABLE typed AS
SELECT
  ocid, releases, source_file, buyer_id, buyer_name, buyer_country_name,
  procurement_method, procurement_method_details,
  TRY_CAST(tender_value_json AS DOUBLE) AS tender_value, tender_currency,
  coalesce(TRY_CAST(number_of_tenderers_json AS INTEGER), bids_listed, tenderers_listed)
    AS number_of_tenderers,
  {_day("tender_start_text")} AS tender_start, {_day("tender_end_text")} AS tender_end,
  {_day("published_text")} AS published, {_day("date_text")} AS release_date,
  list_min(list_transform(award_dates, lambda d: {_day("d")})) AS award_date,
  awards,
  list_sum(list_transform(award_amounts, lambda x: TRY_CAST(x AS DOUBLE))) AS awarded_value,
  CASE WHEN len(list_distinct(list_filter(award_currencies, lambda x: x IS NOT NULL))) = 1
       THEN list_distinct(list_filter(award_currencies, lambda x: x IS NOT NULL))[1]
       WHEN len(list_distinct(list_filter(award_currencies, lambda x: x IS NOT NULL))) > 1
       THEN 'mixed' END AS award_currency,
  contracts,
  flatten(list_transform(award_parts, lambda a: list_transform(
    list_filter(a.ids, lambda i: i IS NOT NULL),
    lambda i: {{'id': i, 'value': a.amount / len(list_filter(a.ids, lambda j: j IS NOT NULL)),
          'currency': a.currency,
          'sme': len(list_filter(parties, lambda p: json_extract_string(p, '$.id') = i
                 AND json_extract_string(p, '$.details.scale') IN ('micro', 'sme'))) > 0}})))
    AS suppliers,
  tender_value_json, number_of_tenderers_json, tender_start_text, tender_end_text,
  published_text, award_dates, award_amounts
FROM processes
"""


def field_problems(con: Any, shown: int = PROBLEMS_SHOWN) -> tuple[list[str], int]:
    """The fields an indicator reads that are present but unusable, as ``ocid: path: message``
    (at most ``shown``) and how many there are in all. Such a field is left empty (NULL) in the
    output: it is not counted, never guessed."""
    methods = ", ".join(f"'{m}'" for m in METHODS)
    checks = [
        ("tender.procurementMethod",
         f"procurement_method IS NOT NULL AND procurement_method NOT IN ({methods})",
         "procurement_method", "is not in the OCDS method codelist (open, selective, limited, "
         "direct)"),
        ("tender.value.amount", "tender_value_json IS NOT NULL AND (tender_value IS NULL "
         "OR tender_value < 0)", "CAST(tender_value_json AS VARCHAR)",
         "is not a non-negative number"),
        ("tender.numberOfTenderers", "number_of_tenderers_json IS NOT NULL AND "
         "(TRY_CAST(number_of_tenderers_json AS INTEGER) IS NULL OR "
         "TRY_CAST(number_of_tenderers_json AS INTEGER) < 0)",
         "CAST(number_of_tenderers_json AS VARCHAR)", "is not a whole number of 0 or more"),
        ("tender.tenderPeriod.startDate", "tender_start_text IS NOT NULL AND tender_start IS NULL",
         "tender_start_text", "is not a date (ISO 8601, e.g. 2024-05-17T00:00:00Z)"),
        ("tender.tenderPeriod.endDate", "tender_end_text IS NOT NULL AND tender_end IS NULL",
         "tender_end_text", "is not a date (ISO 8601, e.g. 2024-05-17T00:00:00Z)"),
        ("awards.date", "len(list_filter(award_dates, lambda d: d IS NOT NULL AND "
         f"{_day('d')} IS NULL)) > 0", "array_to_string(award_dates, ', ')",
         "has a value that is not a date (ISO 8601)"),
        ("awards.value.amount", "len(list_filter(award_amounts, lambda x: x IS NOT NULL AND "
         "TRY_CAST(x AS DOUBLE) IS NULL)) > 0", "array_to_string(award_amounts, ', ')",
         "has a value that is not a number"),
    ]
    union = " UNION ALL ".join(
        f"SELECT ocid, '{path}' AS path, CAST({value} AS VARCHAR) AS value, '{message}' AS msg "
        f"FROM typed WHERE {where}" for path, where, value, message in checks)
    total = con.execute(f"SELECT count(*) FROM ({union})").fetchone()[0]
    rows = con.execute(f"SELECT * FROM ({union}) ORDER BY ocid, path LIMIT {shown}").fetchall()
    return [f"{ocid}: {path}: {value!r} {msg}" for ocid, path, value, msg in rows], int(total)


def country_table(con: Any) -> None:
    """Table ``country_names (name, iso3)``: every ISO 3166 name, official and common name and
    code of pycountry, lower case, for the buyer's ``address.countryName``."""
    import pycountry

    pairs: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_2", "alpha_3"):
            value = getattr(country, attr, None)
            if value:
                pairs.setdefault(str(value).lower(), country.alpha_3)
    names = pd.DataFrame({"name": list(pairs), "iso3": list(pairs.values())})
    con.register("country_frame", names)
    con.execute("CREATE TABLE country_names AS SELECT * FROM country_frame")
    con.unregister("country_frame")


def sql_output(country: str | None) -> str:
    """SQL: the output rows (:data:`COLUMNS`). The buyer's country is its party's
    ``address.countryName`` when that names a country, else ``country`` (``--country``); the
    year is that of the tender period's start, else the tender's publication, else the first
    award, else the compiled release's date."""
    fallback = f"'{country}'" if country else "NULL"
    return f"""
    SELECT t.ocid, t.releases, t.source_file, t.buyer_id, t.buyer_name,
      coalesce(n.iso3, {fallback}) AS buyer_country,
      CAST(year(coalesce(t.tender_start, t.published, t.award_date, t.release_date))
           AS INTEGER) AS year,
      CASE WHEN t.procurement_method IN ({", ".join(f"'{m}'" for m in METHODS)})
           THEN t.procurement_method END AS procurement_method,
      t.procurement_method_details,
      CASE WHEN t.tender_value >= 0 THEN t.tender_value END AS tender_value, t.tender_currency,
      CASE WHEN t.number_of_tenderers >= 0 THEN t.number_of_tenderers END
        AS number_of_tenderers,
      t.tender_start, t.tender_end, t.award_date, CAST(t.awards AS INTEGER) AS awards,
      t.awarded_value, t.award_currency, CAST(t.contracts AS INTEGER) AS contracts,
      t.suppliers
    FROM typed t LEFT JOIN country_names n ON lower(t.buyer_country_name) = n.name
    ORDER BY t.ocid
    """


@dataclass(frozen=True)
class ImportResult:
    """What an import wrote: processes, releases read, processes compiled from several
    releases, and the field problems (shown and in all)."""

    processes: int
    releases: int
    compiled: int
    problems: list[str]
    problem_count: int


def import_ocds(files: Sequence[Path], output: Path, *, country: str | None = None,
                force: bool = False, schema_check: bool = False,
                memory_limit: str = "1GB") -> ImportResult:
    """Import OCDS files into one Parquet file of contracting processes (the module's steps).

    Raises
    ------
    ParameterError
        For an output that exists (without ``force``), or is no plain file (ever).
    DataValidationError
        When an input cannot be read as OCDS at all (not JSON, a line that is not JSON, no
        release with an ``ocid``): nothing is written.
    """
    import duckdb

    output = absolute(output)
    check_plain_output(output)
    shown = paths.display_path(output)
    if output.exists() and not force:
        raise ParameterError(f"--output {shown}: the file exists; coopreport import ocds "
                             f"never replaces a file without --force{NOTHING_WRITTEN}")
    if not output.parent.is_dir():
        raise ParameterError(f"--output {shown}: no folder {paths.display_path(output.parent)}"
                             f"{NOTHING_WRITTEN}")
    with tempfile.TemporaryDirectory(prefix="coopreport-ocds-") as tmp:
        work = Path(tmp)
        inputs = prepare_inputs(files, work)
        if inputs.problems:
            raise DataValidationError(inputs.problems)
        if schema_check:
            schema_problems = validate_schema(inputs.ndjson)
            if schema_problems:
                raise DataValidationError([Problem("(schema)", 0, "", "", p)
                                           for p in schema_problems])
        con = duckdb.connect(str(work / "work.duckdb"))
        con.execute(f"SET memory_limit = '{memory_limit}'")
        con.execute("SET enable_progress_bar = false")  # nothing on stdout but the summary
        con.execute(f"SET temp_directory = '{work / 'spill'}'")
        try:
            con.execute(SQL_RELEASES, {"files": [str(p) for p in inputs.ndjson]})
        except duckdb.Error as exc:  # find the lines that are not JSON, by file and line
            for path in inputs.ndjson:
                _scan_lines(path, inputs, None)
            raise DataValidationError(inputs.problems or [Problem(
                paths.display_path(files[0]), 0, "(file)", "",
                f"not OCDS JSON that can be read ({exc})")]) from exc
        releases, without = _one(con, "SELECT count(*), count(*) FILTER (WHERE ocid IS NULL) "
                                      "FROM rel")
        if releases == 0 or releases == without:
            raise DataValidationError([Problem(paths.display_path(files[0]), 0, "ocid", "",
                                               "no release with an ocid: is this OCDS data "
                                               "(a release or record package, or releases)?")])
        if without:
            log.warning("%d release(s) without an ocid left out", without)
        compiled = compile_releases(con, _merger())
        con.execute(SQL_PROCESSES)
        con.execute(SQL_TYPED)
        problems, count = field_problems(con)
        for line in problems:
            log.warning("%s", line)
        if count > len(problems):
            log.warning("… and %d more field problem(s)", count - len(problems))
        country_table(con)
        partial = output.with_name(f".{output.name}.{os.getpid()}.partial")
        try:
            con.execute(f"COPY ({sql_output(country)}) TO '{_sql_text(partial)}' "
                        "(FORMAT PARQUET, COMPRESSION ZSTD)")
            processes = _one(con, f"SELECT count(*) FROM read_parquet('{_sql_text(partial)}')")[0]
            con.close()
            _fsync(partial)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    record = {
        "written_by": "coopreport", "version": __version__, "command": "import ocds",
        "inputs": [{"file": paths.display_path(p), "sha256": sha256_file(p)} for p in files],
        "country": country or "", "written_at": dt.datetime.now(dt.UTC).isoformat(
            timespec="seconds"), "processes": int(processes), "releases": int(releases),
        "compiled_from_several": compiled, "field_problems": count,
        "sha256": sha256_file(output)}
    sidecar = provenance_path(output)
    sidecar.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return ImportResult(int(processes), int(releases), compiled, problems, count)


def _one(con: Any, sql: str) -> tuple[Any, ...]:
    """The one row a query returns."""
    row = con.execute(sql).fetchone()
    assert row is not None, sql
    return tuple(row)


def _sql_text(path: Path) -> str:
    return str(path).replace("'", "''")


def _fsync(path: Path) -> None:
    with path.open("rb") as handle:
        os.fsync(handle.fileno())


def validate_schema(files: Sequence[Path], shown: int = PROBLEMS_SHOWN) -> list[str]:
    """Every release of these JSON Lines files against the OCDS 1.1 release schema
    (jsonschema, with the shipped schema); ``ocid: path: message`` for at most ``shown``."""
    import jsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    found: list[str] = []
    for path in files:
        with _open(path) as handle:
            for line in io.TextIOWrapper(handle, encoding="utf-8"):
                if not line.strip():
                    continue
                for release in _releases_of(json.loads(line)):
                    for error in validator.iter_errors(release):
                        where = "/".join(str(p) for p in error.absolute_path) or "(release)"
                        found.append(f"{release.get('ocid', '?')}: {where}: {error.message}")
                        if len(found) >= shown:
                            return found
    return found
