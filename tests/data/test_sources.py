"""Several registry files read together: ids, likely duplicates, provenance, financing view."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from analysis.build.provenance import describe_build
from analysis.cli import main
from analysis.core.errors import DataValidationError, ParameterError
from analysis.data.registry import load_registry
from analysis.data.sources import find_likely_duplicates
from analysis.report import sections as r
from tests.helpers import make_row, registry_text

CURATED = [
    make_row(activity_id="C1", date="2023-05-10", partners="World Bank",
             title="Seminar on e-procurement reform with the Ministry of Finance"),
    make_row(activity_id="C2", date="2021-01-01", country="AZE", partners="ADB",
             title="ADB mission on procurement"),
]
IMPORTED = [  # as a connector would write them (fictional)
    make_row(activity_id="UZB-2023-05-20-wb-p1", date="2023-05-20", partners="World Bank",
             activity_type="financing", amount_usd="50000000", amount_kind="committed",
             themes="public_procurement",
             title="Seminar on e-procurement reforms with the Ministry of Finance"),
    make_row(activity_id="UZB-2022-01-01-wb-p2", date="2022-01-01", partners="World Bank",
             activity_type="financing", amount_usd="20000000", amount_kind="committed",
             themes="governance;public_finance",
             title="Public finance management loan"),
]


def write_sources(tmp_path, curated=CURATED, imported=IMPORTED, extra=""):
    (tmp_path / "curated.csv").write_text(registry_text(curated), encoding="utf-8")
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "wb.csv").write_text(registry_text(imported), encoding="utf-8")
    config = tmp_path / "sources.yaml"
    config.write_text("sources:\n  - path: curated.csv\n  - path: sources/wb.csv\n" + extra,
                      encoding="utf-8")
    return config


def test_sources_are_combined_and_keep_their_file(tmp_path):
    reg = load_registry(write_sources(tmp_path))
    assert len(reg.activities) == 4
    by_id = dict(zip(reg.activities["activity_id"], reg.activities["source_file"], strict=True))
    assert by_id["C1"].endswith("curated.csv") and by_id["UZB-2022-01-01-wb-p2"].endswith(
        "sources/wb.csv")
    assert [s.rows for s in reg.sources] == [2, 2]
    assert len(reg.sha256) == 64 and reg.sha256 not in {s.sha256 for s in reg.sources}


def test_same_activity_from_two_sources_is_flagged_not_dropped(tmp_path):
    reg = load_registry(write_sources(tmp_path))
    assert len(reg.activities) == 4  # nothing dropped
    assert reg.duplicates is not None
    pairs = reg.duplicates[["first", "second", "days"]].values.tolist()
    assert pairs == [["C1", "UZB-2023-05-20-wb-p1", 10]]


def test_duplicate_rule_needs_country_partner_date_and_title():
    import pandas as pd

    def row(i, file, country="UZB", partners=("World Bank",), day="2023-05-10",
            title="Seminar on e-procurement reform"):
        return {"activity_id": i, "source_file": file, "country": country,
                "partners": partners, "start": pd.Timestamp(day), "title": title}

    frame = pd.DataFrame([
        row("a", "x.csv"),
        row("same-file", "x.csv", day="2023-04-20"),  # same file as "a": not across sources
        row("other-country", "y.csv", country="AZE"),
        row("other-partner", "y.csv", partners=("ADB",)),
        row("too-late", "y.csv", day="2023-07-01"),
        row("other-title", "y.csv", title="Loan for rural roads"),
        row("match", "y.csv", day="2023-05-30"),
    ])
    found = find_likely_duplicates(frame)
    assert found[["first", "second"]].values.tolist() == [["a", "match"]]


def test_an_id_in_two_sources_is_an_error(tmp_path):
    clash = [*IMPORTED, make_row(activity_id="C1", date="2020-01-01")]
    with pytest.raises(DataValidationError) as caught:
        load_registry(write_sources(tmp_path, imported=clash))
    [problem] = caught.value.problems
    assert problem.file.endswith("sources/wb.csv") and problem.line == 4
    assert "id also used in" in problem.reason and "curated.csv:2" in problem.reason


@pytest.mark.parametrize(("text", "message"), [
    ("sources: []\n", "expected a list"),
    ("sources:\n  - path: missing.csv\n", "no file at"),
    ("sources: [\n", r"sources.yaml:2: invalid YAML"),
    ("other: 1\n", "expected a list"),
    # bounded like params files: an alias bomb is refused at its first alias, never expanded
    ("a: &a ['x','x','x','x','x','x','x','x','x']\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
     "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nsources: [*c]\n",
     r"sources.yaml:2: invalid YAML: alias \*a: coopreport's YAML files .* may not use aliases"),
    ("sources:" + " [" * 30 + " ]" * 30 + "\n", "nested more than 20 levels deep"),
])
def test_bad_sources_file(tmp_path, text, message):
    config = tmp_path / "sources.yaml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError, match=message):
        load_registry(config)


def test_problems_in_an_imported_file_name_that_file(tmp_path):
    bad = [make_row(activity_id="X1", amount_usd="-5")]
    with pytest.raises(DataValidationError) as caught:
        load_registry(write_sources(tmp_path, imported=bad))
    assert caught.value.problems[0].file.endswith("sources/wb.csv")


def test_validate_covers_sources_and_reports_likely_duplicates(tmp_path, capsys):
    assert main(["validate", str(write_sources(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "curated.csv: OK, 2 activities" in out and "wb.csv: OK, 2 activities" in out
    assert "likely duplicates across sources (1" in out
    assert "C1 (" in out and "UZB-2023-05-20-wb-p1" in out


def test_provenance_records_each_source(tmp_path):
    config = write_sources(tmp_path)
    record = describe_build({}, config, commit="abc", built_at="2026-01-01T00:00:00Z")
    assert [s["file"].rsplit("/", 1)[-1] for s in record["sources"]] == ["curated.csv",
                                                                          "wb.csv"]
    assert record["registry_sha256"] == load_registry(config).sha256


def test_financing_view_appears_with_financing_rows(tmp_path):
    data = r.prepare_report(write_sources(tmp_path), ["UZB"], 2022, 2023, "en")
    view = r.financing_view(data)
    tables = [v for v in view if isinstance(v, r.Table)]
    years = tables[0].frame
    # 2022: one committed loan of $20M; 2023: one of $50M (C1 is no financing row)
    assert years["Financing activities"].tolist() == [1, 1]
    assert years["Committed (USD)"].tolist() == ["$20M", "$50M"]
    assert years["Announced or indicative, not counted (USD)"].tolist() == ["—", "—"]  # none stated
    partners = tables[1].frame
    assert partners.iloc[0].tolist() == ["World Bank", 2, "$70M", "—"]
    themes = dict(zip(tables[2].frame["Theme"], tables[2].frame["Committed (USD)"], strict=True))
    # the $20M loan counts under both of its themes; the $50M one under public procurement
    assert themes == {"Public procurement": "$50M", "Governance": "$20M",
                      "Public finance": "$20M"}


def test_no_financing_view_without_financing_rows(tmp_path):
    data = r.prepare_report(write_sources(tmp_path), ["AZE"], 2021, 2021, "en")
    assert r.financing_view(data) == []


def test_each_activity_gets_at_most_one_match_per_other_file():
    """Issue 11: 50 + 50 same-day rows with one title gave 2,500 pairs (quadratic). Now each
    row is paired with its best match in the other file only: a_i -> b_0 (50 pairs) and
    b_j -> a_0 (50 pairs), (a_0, b_0) counted once: 99 pairs."""
    import pandas as pd

    frame = pd.DataFrame([
        {"activity_id": f"UZB-{f}-{i:02d}", "source_file": f"{f}.csv", "country": "UZB",
         "partners": ("World Bank",), "start": pd.Timestamp("2023-05-17"),
         "title": "Seminar on procurement reform"}
        for f in ("a", "b") for i in range(50)])
    found = find_likely_duplicates(frame)
    assert len(found) == 99
    assert set(found["first"]) == {f"UZB-a-{i:02d}" for i in range(50)}
    assert found[found["first"] != "UZB-a-00"]["second"].unique().tolist() == ["UZB-b-00"]
    assert (found["days"] == 0).all() and (found["similarity"] == 1.0).all()


def test_thousands_of_activities_with_one_title_pair_by_date():
    """Red team (issue 21): 32,000 + 32,000 rows sharing one title took 221 s, each row
    scanning every row with its title. Here 3,000 + 3,000 "Steering committee meeting"s,
    file a every 10 days, file b 2 days after each: a_i pairs with b_i (2 days), b_i with
    a_i (the nearer of a_i and a_i+1, 8 days later), so 3,000 pairs."""
    import pandas as pd

    start = pd.Timestamp("2000-01-01")
    frame = pd.DataFrame([
        {"activity_id": f"{f}-{i:04d}", "source_file": f"{f}.csv", "country": "UZB",
         "partners": ("World Bank",), "start": start + pd.Timedelta(days=10 * i + shift),
         "title": "Steering committee meeting"}
        for f, shift in (("a", 0), ("b", 2)) for i in range(3000)])
    found = find_likely_duplicates(frame)
    assert len(found) == 3000
    assert (found["first"].str[2:] == found["second"].str[2:]).all()
    assert (found["days"] == 2).all() and (found["similarity"] == 1.0).all()


@given(st.lists(st.integers(0, 60), max_size=30), st.integers(-5, 70))
def test_the_nearest_same_title_is_found_as_a_scan_would(days, day):
    """The search for the nearest activity with the same title agrees with a scan of all of
    them in date order (earliest on a tie, first of those on one day)."""
    from analysis.data.sources import _nearest_same_title

    days = sorted(days)
    rows = list(range(100, 100 + len(days)))
    scan = min(rows, key=lambda r: abs(days[r - 100] - day)) if rows else None
    assert _nearest_same_title(day, days, rows) == scan


def test_the_best_title_wins_over_a_nearer_date():
    import pandas as pd

    def row(i, file, day, title):
        return {"activity_id": i, "source_file": file, "country": "UZB",
                "partners": ("World Bank",), "start": pd.Timestamp(day), "title": title}

    frame = pd.DataFrame([
        row("a", "x.csv", "2023-05-10", "Loan for rural roads in Fergana"),
        row("near", "y.csv", "2023-05-11", "Loan for rural roads"),
        row("same", "y.csv", "2023-05-30", "Loan for rural roads in Fergana"),
    ])
    found = find_likely_duplicates(frame)
    # "a" is paired with "same" (identical title, 20 days) rather than "near" (1 day);
    # "near"'s own best in x.csv is "a" (its only candidate), so that pair stays too
    assert found[["first", "second", "days"]].values.tolist() == [
        ["a", "near", 1], ["a", "same", 20]]


def test_validate_prints_a_bounded_list_of_likely_duplicates(tmp_path, capsys):
    # 25 + 25 identical same-day rows: 2 * 25 - 1 = 49 pairs (see the rule above);
    # validate prints the first 20 and counts the other 29
    def rows(prefix: str) -> list[dict[str, str]]:
        return [make_row(activity_id=f"{prefix}{i}", date="2023-05-20", partners="World Bank",
                         title="Seminar on e-procurement reforms") for i in range(25)]

    assert main(["validate", str(write_sources(tmp_path, rows("A"), rows("B")))]) == 0
    out = capsys.readouterr().out
    assert "likely duplicates across sources (49;" in out
    assert sum(line.startswith("  A") or line.startswith("  B") for line in out.splitlines()) == 20
    assert "  ... and 29 more pairs (the first 20 are shown;" in out
