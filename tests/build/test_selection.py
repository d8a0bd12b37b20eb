"""Precise rebuilds (issue 28, deliverables 3 and 14): a report's inputs are the rows it
selects, its day, the versions of its tools and the environment variables that change it.

Every test works on a fixture project written here (a small registry, its commitments,
indicators, the shipped notebooks and taxonomy copied in) and five reports: an Uzbekistan
profile (2019-2026), an Azerbaijan profile, an Uzbekistan-Azerbaijan comparison, an
Uzbekistan SPCR with Azerbaijan as peer, and a Kazakhstan profile. Expectations are computed
by hand from the fixture rows.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from analysis.build import environment, incremental, rows, selection
from analysis.build.params import Report, ReportSpec
from analysis.build.records import BuildOptions
from analysis.build.runner import report_inputs
from analysis.core import paths
from tests.helpers import make_row, registry_text

CHECKOUT = Path(__file__).resolve().parents[2]
DAY = "2026-12-07"

# (id, date, precision, country): first record 2017-01-15 (UZB), last 2024-12-20 (UZB)
ROWS = [
    ("UZB-2017-01-15-first", "2017-01-15", "day", "UZB"),
    ("UZB-2018-03-01-seminar", "2018-03-01", "day", "UZB"),
    ("UZB-2020-05-workshop", "2020-05", "month", "UZB"),
    ("UZB-2020-09-10-training", "2020-09-10", "day", "UZB"),
    ("UZB-2024-12-20-last", "2024-12-20", "day", "UZB"),
    ("AZE-2019-06-10-mission", "2019-06-10", "day", "AZE"),
    ("AZE-2021-conference", "2021", "year", "AZE"),
    ("KAZ-2022-02-02-forum", "2022-02-02", "day", "KAZ"),
]
# report name -> (notebook, parameters)
REPORTS: dict[str, tuple[str, dict[str, Any]]] = {
    "uzb-profile": ("country_profile.ipynb",
                    {"country": "UZB", "start_year": 2019, "end_year": 2026}),
    "aze-profile": ("country_profile.ipynb",
                    {"country": "AZE", "start_year": 2017, "end_year": 2026}),
    "uzb-aze-comparison": ("country_comparison.ipynb",
                           {"countries": ["UZB", "AZE"], "start_year": 2017, "end_year": 2026}),
    "uzb-spcr": ("strategic_procurement.ipynb",
                 {"country": "UZB", "peer": "AZE", "start_year": 2022, "end_year": 2026}),
    "kaz-profile": ("country_profile.ipynb",
                    {"country": "KAZ", "start_year": 2017, "end_year": 2026}),
}
AZE_READERS = {"aze-profile", "uzb-aze-comparison", "uzb-spcr"}


def activity(ident: str, date: str, precision: str, country: str) -> dict[str, str]:
    return make_row(activity_id=ident, date=date, date_precision=precision, country=country)


def write_rows(project: Path, found: list[tuple[str, str, str, str]],
               header: list[str] | None = None) -> None:
    text = registry_text([activity(*r) for r in found], header)
    (project / "data" / "cooperation_events.csv").write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The fixture project (COOPREPORT_ROOT), its registry read as the default one."""
    root = tmp_path / "project"
    data = root / "data"
    shutil.copytree(CHECKOUT / "data" / "taxonomy", data / "taxonomy")
    shutil.copytree(CHECKOUT / "notebooks", root / "notebooks")
    (root / "params").mkdir()
    (data / "extract").mkdir()
    (data / "extract" / "counterparts.csv").write_text("name_en,name_ru\nA,Б\n", "utf-8")
    (data / "extract" / "lexicon.csv").write_text("word\nseminar\n", "utf-8")
    (data / "README.md").write_text("# data\n", "utf-8")
    write_rows(root, ROWS)
    (data / "commitments.csv").write_text(
        "commitment_id,activity_id,commitment,due,status\n"
        "C-UZB-1,UZB-2018-03-01-seminar,Publish a plan,2025-01-01,planned\n", "utf-8")
    reference = data / "reference"
    reference.mkdir()
    (reference / "country_indicators.csv").write_text(
        "country,year,indicator,value\nUZB,2020,cpi_score,26\nAZE,2020,cpi_score,30\n"
        "KAZ,2020,cpi_score,38\n", "utf-8")
    (reference / "procurement_milestones.csv").write_text(
        "country,date,milestone\nUZB,2021-04-22,New law\n", "utf-8")
    (reference / "indicator_guide.csv").write_text("indicator,decimals\ncpi_score,0\n", "utf-8")
    monkeypatch.setenv(paths.ROOT_ENV, str(root))
    monkeypatch.setenv(paths.DATA_PATH_ENV, "")  # the fixture's own data/cooperation_events.csv
    for name in environment.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(environment, "today", lambda: dt.date(2026, 12, 7))
    return root


def reports(project: Path, **changes: dict[str, Any]) -> list[Report]:
    found = []
    for name, (notebook, parameters) in REPORTS.items():
        source = project / "params" / f"{name}.yaml"
        source.write_text(f"name: {name}\n", encoding="utf-8")  # hashed, never parsed here
        values = {"as_of": DAY, **parameters, **changes.get(name, {})}
        spec = ReportSpec(name=name, notebook=notebook, title=name, parameters=values)
        found.append(Report(spec, source, project / "notebooks" / notebook, values))
    return found


def inputs_of(project: Path, **changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    incremental.forget_hashes()
    options = BuildOptions(output_dir=project / "out", formats=("html",))
    return {r.name: report_inputs(r, options) for r in reports(project, **changes)}


def rebuilt(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]
            ) -> dict[str, str]:
    """Report name -> why it is rebuilt, for the reports whose inputs differ."""
    return {name: incremental.describe_changes(before[name], after[name]) for name in before
            if incremental.compared(before[name]) != incremental.compared(after[name])}


def test_each_report_selects_its_countries_and_the_years_it_reads(project):
    found = {n: i["selection"] for n, i in inputs_of(project).items()}
    assert found["uzb-profile"]["countries"] == ["UZB"]
    assert found["uzb-profile"]["years"] == [2019, 2026]
    assert found["uzb-aze-comparison"]["countries"] == ["AZE", "UZB"]
    assert found["uzb-aze-comparison"]["years"] is None  # milestones beside any year
    assert found["uzb-spcr"]["countries"] == ["AZE", "UZB"]
    assert found["uzb-spcr"]["years"] is None
    registry = str((project / "data" / "cooperation_events.csv").resolve())
    chosen = inputs_of(project)["uzb-profile"]["rows"]
    # UZB rows of 2019-2026: the 2020 workshop and training, and the 2024 last record
    assert chosen[f"registry|{registry}|UZB"][0] == 3
    # the coverage it prints: Uzbekistan's first and last record, whatever their year
    assert chosen["span|UZB"] == [
        "2017-01-15", ["UZB-2017-01-15-first\x1f2017-01-15\x1fday"],
        "2024-12-20", ["UZB-2024-12-20-last\x1f2024-12-20\x1fday"]]
    assert [k for k in chosen if k.startswith("span")] == ["span|UZB"]
    assert not any(k.startswith("indicators|") for k in chosen)  # a profile reads none
    spcr = inputs_of(project)["uzb-spcr"]["rows"]
    assert spcr[f"registry|{registry}|UZB"][0] == 5  # every year
    assert spcr[f"registry|{registry}|AZE"][0] == 2
    # the SPCR prints its country's and its peer's coverage; a year-precision last record
    # ends on 31 December
    assert spcr["span|AZE"] == ["2019-06-10", ["AZE-2019-06-10-mission\x1f2019-06-10\x1fday"],
                                "2021-12-31", ["AZE-2021-conference\x1f2021\x1fyear"]]
    assert sorted(k for k in spcr if k.startswith("span")) == ["span|AZE", "span|UZB"]


def test_one_azerbaijani_activity_rebuilds_only_the_reports_that_read_azerbaijan(project):
    before = inputs_of(project)
    write_rows(project, [*ROWS, ("AZE-2023-04-04-seminar", "2023-04-04", "day", "AZE")])
    after = inputs_of(project)
    assert set(rebuilt(before, after)) == AZE_READERS
    # 2023-04-04 is also Azerbaijan's last record now (it was the 2021 conference)
    assert rebuilt(before, after)["aze-profile"] == (
        "registry rows for AZE changed (3 rows, was 2); registry span for AZE changed (last "
        "record 2023-04-04, was 2021-12-31)")


def test_row_order_and_column_order_rebuild_nothing(project):
    before = inputs_of(project)
    header = list(reversed([*make_row()]))
    write_rows(project, list(reversed(ROWS)), header)
    assert rebuilt(before, inputs_of(project)) == {}


def test_a_year_outside_a_profiles_period_rebuilds_only_reports_reading_every_year(project):
    before = inputs_of(project)
    edited = [r if r[0] != "UZB-2018-03-01-seminar" else
              ("UZB-2018-03-01-seminar", "2018-03-02", "day", "UZB") for r in ROWS]
    write_rows(project, edited)
    # the profile covers 2019-2026; the comparison and the SPCR read UZB's every year
    assert rebuilt(before, inputs_of(project)) == {
        "uzb-aze-comparison": "registry rows for UZB changed (5 rows, edited)",
        "uzb-spcr": "registry rows for UZB changed (5 rows, edited)"}


def test_the_registrys_new_latest_record_rebuilds_only_the_reports_on_its_country(project):
    """Issue 28: a report prints its own countries' coverage, not the registry's, so a new
    Azerbaijani activity that becomes the registry's latest record (2025-06, after UZB's
    2024-12-20) rebuilds the Azerbaijan profile, the comparison and the SPCR with Azerbaijan
    as peer; not the Uzbekistan profile, not the Kazakhstan profile."""
    before = inputs_of(project)
    write_rows(project, [*ROWS, ("AZE-2025-06-forum", "2025-06", "month", "AZE")])
    reasons = rebuilt(before, inputs_of(project))
    because = ("registry rows for AZE changed (3 rows, was 2); registry span for AZE changed "
               "(last record 2025-06-30, was 2021-12-31)")
    assert reasons == {"aze-profile": because, "uzb-aze-comparison": because,
                       "uzb-spcr": because}


def test_a_new_first_record_outside_a_profiles_years_rebuilds_that_profile(project):
    """The Uzbekistan profile reads UZB's rows of 2019-2026 but prints UZB's first record: a
    row of 2016 is an input through the span alone."""
    before = inputs_of(project)
    write_rows(project, [*ROWS, ("UZB-2016-visit", "2016", "year", "UZB")])
    reasons = rebuilt(before, inputs_of(project))
    assert set(reasons) == {"uzb-profile", "uzb-aze-comparison", "uzb-spcr"}
    assert reasons["uzb-profile"] == ("registry span for UZB changed (first record "
                                      "2016-01-01, was 2017-01-15)")


def test_commitments_and_reference_rows_follow_the_countries(project):
    before = inputs_of(project)
    with (project / "data" / "commitments.csv").open("a", encoding="utf-8") as handle:
        handle.write("C-AZE-1,AZE-2019-06-10-mission,Train buyers,2024-01-01,planned\n")
    assert set(rebuilt(before, inputs_of(project))) == AZE_READERS
    before = inputs_of(project)
    indicators = project / "data" / "reference" / "country_indicators.csv"
    indicators.write_text(indicators.read_text("utf-8").replace("KAZ,2020,cpi_score,38",
                                                                "KAZ,2020,cpi_score,39"), "utf-8")
    assert rebuilt(before, inputs_of(project)) == {}  # nobody reads Kazakhstan's indicators
    indicators.write_text(indicators.read_text("utf-8").replace("AZE,2020,cpi_score,30",
                                                                "AZE,2020,cpi_score,31"), "utf-8")
    assert rebuilt(before, inputs_of(project)) == {
        n: "indicator values for AZE changed (1 rows, edited)"
        for n in ("uzb-aze-comparison", "uzb-spcr")}


def test_whole_files_rebuild_what_reads_them_and_unread_files_nothing(project):
    before = inputs_of(project)
    (project / "data" / "README.md").write_text("# data, edited\n", "utf-8")
    (project / "data" / "extract" / "lexicon.csv").write_text("word\nworkshop\n", "utf-8")
    assert rebuilt(before, inputs_of(project)) == {}
    themes = project / "data" / "taxonomy" / "themes.csv"
    themes.write_text(themes.read_text("utf-8") + "\n", "utf-8")
    reason = f"data changed ({paths.display_path(themes)})"
    assert rebuilt(before, inputs_of(project)) == {n: reason for n in REPORTS}


def test_the_day_is_an_input_when_as_of_is_empty(project, monkeypatch):
    empty = {n: {"as_of": ""} for n in ("uzb-profile", "uzb-spcr")}
    before = inputs_of(project, **empty)
    assert before["uzb-profile"]["as_of"] == "2026-12-07"
    assert before["aze-profile"]["as_of"] == DAY
    monkeypatch.setattr(environment, "today", lambda: dt.date(2026, 12, 8))
    reason = "as_of 2026-12-08 (was 2026-12-07)"
    assert rebuilt(before, inputs_of(project, **empty)) == {"uzb-profile": reason,
                                                            "uzb-spcr": reason}


def test_a_dependency_version_and_an_environment_variable_are_inputs(project, monkeypatch):
    before = inputs_of(project)
    was = before["uzb-profile"]["versions"]["altair"]
    real = environment._distribution
    monkeypatch.setattr(environment, "_distribution",
                        lambda name: "99.0" if name == "altair" else real(name))
    reason = f"versions changed: altair 99.0 (was {was})"
    assert rebuilt(before, inputs_of(project)) == {n: reason for n in REPORTS}
    monkeypatch.setattr(environment, "_distribution", real)
    monkeypatch.setenv("COOPREPORT_EMBED_LIMIT", "5000")
    reason = "environment changed: COOPREPORT_EMBED_LIMIT=5000 (was unset)"
    assert rebuilt(before, inputs_of(project)) == {n: reason for n in REPORTS}


def test_quarto_version_is_an_input_of_the_quarto_renderer_only():
    assert "quarto" not in environment.versions("builtin")
    assert environment.quarto_version(None) == environment.NOT_INSTALLED


def test_the_names_agree_with_the_modules_that_read_them():
    from analysis.data import reference
    from analysis.report import attachments, output_budget

    assert selection.REFERENCE_TABLES == {"indicators": reference.INDICATORS_NAME,
                                          "milestones": reference.MILESTONES_NAME,
                                          "system": reference.SYSTEM_NAME}
    assert {paths.DATA_PATH_ENV, attachments.EMBED_LIMIT_ENV,
            output_budget.OUTPUT_LIMIT_ENV} < set(environment.ENVIRONMENT)


def test_rows_of_a_table_are_fingerprinted_by_country_and_year(tmp_path):
    table = tmp_path / "t.csv"
    table.write_text("country,date,activity_id\nUZB,2020-01-01,a\nAZE,2020,b\nUZB,2021-05,c\n",
                     "utf-8")
    read = rows.read_registry(table)
    assert {k: v[0] for k, v in read.buckets.items()} == {
        ("UZB", "2020"): 1, ("AZE", "2020"): 1, ("UZB", "2021"): 1}
    # per country, the rows at its first start and last end (a year starts on 1 January and
    # ends on 31 December, a month on its last day)
    assert read.spans == {
        "UZB": (("2020-01-01", ("a\x1f2020-01-01\x1f",)), ("2021-05-31", ("c\x1f2021-05\x1f",))),
        "AZE": (("2020-01-01", ("b\x1f2020\x1f",)), ("2020-12-31", ("b\x1f2020\x1f",)))}
    assert rows.span([read], "UZB") == ["2020-01-01", ["a\x1f2020-01-01\x1f"], "2021-05-31",
                                        ["c\x1f2021-05\x1f"]]
    assert rows.span([read], "GEO") == ["", [], "", []]
    other = tmp_path / "other.csv"  # a second registry file of a sources YAML
    other.write_text("country,date,activity_id\nUZB,2020-01-01,d\nUZB,2019-12,e\n", "utf-8")
    assert rows.span([read, rows.read_registry(other)], "UZB") == [
        "2019-12-01", ["e\x1f2019-12\x1f"], "2021-05-31", ["c\x1f2021-05\x1f"]]
    assert rows.selected(read, ["UZB", "GEO"], (2021, 2026)) == {
        "GEO": (0, ""), "UZB": (1, rows.selected(read, ["UZB"], (2021, 2021))["UZB"][1])}
    assert rows.selected(read, None, None).keys() == {"AZE", "UZB"}


def params_text(name: str, notebook: str, parameters: dict[str, Any]) -> str:
    lines = [f"name: {name}", f"notebook: {notebook}", f"title: {name}", "formats: [html]",
             "parameters:"]
    lines += [f"  {key}: {value!r}".replace("'", '"') for key, value in parameters.items()]
    return "\n".join(lines) + "\n"


def test_dry_run_explains_each_report_and_writes_nothing(project, capsys):
    from analysis.build import editions
    from analysis.build.layout import LOCK_NAME
    from analysis.build.params import load_reports
    from analysis.build.records import write_manifest
    from analysis.cli import main

    (project / "data" / "commitments.csv").unlink()  # the params check validates the registry
    sources = []
    for name in ("uzb-profile", "aze-profile", "uzb-aze-comparison"):
        notebook, parameters = REPORTS[name]
        source = project / "params" / f"{name}.yaml"
        source.write_text(params_text(name, notebook, {**parameters, "as_of": DAY}), "utf-8")
        sources.append(str(source))
    out = project / "out"
    # the renderer is named: with Quarto installed (as in CI) the default would be Quarto's
    assert main(["build", "--dry-run", *sources, "--output-dir", str(out),
                 "--renderer", "builtin"]) == 0
    first = f"rebuild: first build (no earlier build in {paths.display_path(out)})"
    assert capsys.readouterr().out.splitlines() == [
        f"uzb-profile: {first}", f"aze-profile: {first}", f"uzb-aze-comparison: {first}",
        f"dry run: 3 of 3 report(s) would be built, 0 skipped; nothing was written to "
        f"{paths.display_path(out)}"]
    assert not out.exists()

    # an edition as a build leaves it: each report's files and inputs
    editions.claim(out, own_names=frozenset({LOCK_NAME}))
    edition = editions.begin(out)
    options = BuildOptions(output_dir=out, formats=("html",))
    incremental.forget_hashes()
    manifest = {}
    for report in load_reports([Path(s) for s in sources]):
        (edition / f"{report.name}.html").write_text("<p>report</p>", "utf-8")
        manifest[report.name] = {"inputs": report_inputs(report, options),
                                 "files": [f"{report.name}.html"], "formats": ["html"],
                                 "built_at": "2026-12-06T09:00:00Z"}
    write_manifest(edition, manifest)
    editions.publish(out, edition)
    # inside Azerbaijan's span (2019-06-10 to 2021): its rows change, not its span
    write_rows(project, [*ROWS, ("AZE-2020-04-04-seminar", "2020-04-04", "day", "AZE")])
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    assert main(["build", "--explain", *sources, "--output-dir", str(out),
                 "--renderer", "builtin"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "uzb-profile: skip: unchanged since the build of 2026-12-06T09:00:00Z",
        "aze-profile: rebuild: registry rows for AZE changed (3 rows, was 2)",
        "uzb-aze-comparison: rebuild: registry rows for AZE changed (3 rows, was 2)",
        f"dry run: 2 of 3 report(s) would be built, 1 skipped; nothing was written to "
        f"{paths.display_path(out)}"]
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not (out / LOCK_NAME).exists()
