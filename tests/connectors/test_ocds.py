"""``coopreport import ocds`` and the contracting indicators: on hand-made releases whose
indicators are worked out by hand below, and on a real published sample (DNCP Paraguay,
tests/fixtures/ocds/paraguay-dncp, CC BY 4.0) against a count made by hand.

Hand-made data (all fictional), buyer "Ministry" in Uzbekistan, year 2023:

====  =========  ===================  ==========  ============  ================  =========
ocid  method     tender value         tenderers   tender end    award             contracts
====  =========  ===================  ==========  ============  ================  =========
P1    open       100 then 120 UZS     1           2023-02-01    2023-03-03 90 S1  1
P2    open       300 UZS              3 (bids)    2023-04-01    2023-04-11 200 S2 0
P3    direct     100 UZS              —           —             2023-05-01 100 S1 1
P4    selective  500 USD              2           —             —                 0
====  =========  ===================  ==========  ============  ================  =========

P1 has two releases: the later one changes the tender value to 120 (compiled: 120). S1 is an
SME (``details.scale`` sme), S2 is not.
"""

from __future__ import annotations

import csv
import gzip
import json
import statistics
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from analysis.cli import main
from analysis.connectors.ocds import import_ocds
from analysis.core.errors import DataValidationError, ParameterError
from analysis.measures.contracting import contracting_indicators
from tests.helpers import FIXTURES

SAMPLE = FIXTURES / "ocds" / "paraguay-dncp"
PARTIES = [{"id": "B1", "name": "Ministry", "roles": ["buyer"],
            "address": {"countryName": "Uzbekistan"}},
           {"id": "S1", "name": "Small Ltd", "roles": ["supplier"], "details": {"scale": "sme"}},
           {"id": "S2", "name": "Large plc", "roles": ["supplier"],
            "details": {"scale": "large"}}]


def release(ocid: str, rid: str, date: str, **parts: object) -> dict[str, object]:
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["tender"], "initiationType": "tender",
            "buyer": {"id": "B1", "name": "Ministry"}, "parties": PARTIES, **parts}


def tender(method: str, amount: float, currency: str = "UZS", **more: object) -> dict:
    return {"id": "t", "procurementMethod": method,
            "value": {"amount": amount, "currency": currency}, **more}


def award(date: str, amount: float, supplier: str) -> list[dict]:
    return [{"id": "a1", "status": "active", "date": date,
             "value": {"amount": amount, "currency": "UZS"},
             "suppliers": [{"id": supplier, "name": supplier}]}]


RELEASES = [
    release("P1", "1", "2023-01-01T00:00:00Z", tender=tender(
        "open", 100, numberOfTenderers=1,
        tenderPeriod={"startDate": "2023-01-02T00:00:00Z", "endDate": "2023-02-01T00:00:00Z"})),
    release("P1", "2", "2023-03-03T00:00:00Z", tender={"id": "t", "value": {
        "amount": 120, "currency": "UZS"}}, awards=award("2023-03-03T00:00:00Z", 90, "S1"),
        contracts=[{"id": "c1", "awardID": "a1"}]),
    release("P2", "1", "2023-04-11T00:00:00Z", tender=tender(
        "open", 300, tenderPeriod={"startDate": "2023-03-01T00:00:00Z",
                                   "endDate": "2023-04-01T00:00:00Z"}),
        bids={"details": [{"id": "b1"}, {"id": "b2"}, {"id": "b3"}]},
        awards=award("2023-04-11T00:00:00Z", 200, "S2")),
    release("P3", "1", "2023-05-01T00:00:00Z", tender=tender(
        "direct", 100, tenderPeriod={"startDate": "2023-04-20T00:00:00Z"}),
        awards=award("2023-05-01T00:00:00Z", 100, "S1"), contracts=[{"id": "c1"}]),
    release("P4", "1", "2023-06-01T00:00:00Z", tender=tender(
        "selective", 500, "USD", numberOfTenderers=2,
        tenderPeriod={"startDate": "2023-06-01T00:00:00Z"})),
]


def package(releases: list[dict]) -> dict:
    return {"uri": "https://example.org/p", "publishedDate": "2024-01-01T00:00:00Z",
            "version": "1.1", "publisher": {"name": "Test"}, "releases": releases}


@pytest.fixture
def made(tmp_path: Path) -> Path:
    path = tmp_path / "package.json"
    path.write_text(json.dumps(package(RELEASES), indent=2), encoding="utf-8")
    return path


def indicators(parquet: Path, **kw: object) -> dict[tuple[str, str | None], tuple[float, int]]:
    frame = contracting_indicators(parquet, **kw)  # type: ignore[arg-type]
    return {(r.indicator, r.detail): (r.value, r.n) for r in frame.itertuples()}


def test_processes_are_compiled_one_row_each(made: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    result = import_ocds([made], out)
    assert (result.processes, result.releases, result.compiled) == (4, 5, 1)
    rows = pq.read_table(out).to_pandas().set_index("ocid")
    assert rows.loc["P1", "tender_value"] == 120  # the later release wins (ocdsmerge)
    assert rows.loc["P1", "releases"] == 2
    assert list(rows["buyer_country"]) == ["UZB"] * 4
    assert list(rows["number_of_tenderers"].fillna(-1)) == [1, 3, -1, 2]  # P2 from its bids
    assert list(rows["awards"]) == [1, 1, 1, 0] and list(rows["contracts"]) == [1, 0, 1, 0]
    assert str(rows.loc["P1", "award_date"]) == "2023-03-03"
    record = json.loads((tmp_path / "out.parquet.provenance.json").read_text(encoding="utf-8"))
    assert (record["command"], record["processes"], record["releases"]) == ("import ocds", 4, 5)


def test_indicators_on_hand_made_releases(made: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    import_ocds([made], out)
    got = indicators(out)
    expected = {
        ("method_share", "direct"): (1 / 4, 4), ("method_share", "open"): (2 / 4, 4),
        ("method_share", "selective"): (1 / 4, 4),
        # UZS is the most frequent tender currency: open 120 + 300, direct 100 (P4 is USD)
        ("method_value", "direct"): (100 / 520, 3), ("method_value", "open"): (420 / 520, 3),
        # competitive with a known number: P1 (1), P2 (3), P4 (2)
        ("single_bidder", None): (1 / 3, 3), ("mean_bids", None): (2.0, 3),
        # P1: 2023-02-01 → 03-03 = 30 days; P2: 04-01 → 04-11 = 10 days; median 20
        ("decision_days", None): (20.0, 2),
        # suppliers: S1 90 + 100 = 190, S2 200; HHI = (190² + 200²) / 390² × 10,000
        ("top10_share", None): (1.0, 2), ("hhi", None): (76100 / 152100 * 10000, 2),
        ("award_published", None): (3 / 4, 4), ("contract_published", None): (2 / 4, 4),
        ("sme_value_share", None): (190 / 390, 2),
    }
    assert set(got) == set(expected)
    for key, (value, n) in expected.items():
        assert got[key] == (pytest.approx(value), n), key


def test_json_lines_gzip_and_record_packages_give_the_same_rows(made: Path,
                                                               tmp_path: Path) -> None:
    lines = tmp_path / "releases.jsonl.gz"
    with gzip.open(lines, "wt", encoding="utf-8") as handle:
        for item in RELEASES:
            handle.write(json.dumps(item) + "\n")
    records = tmp_path / "records.json"
    by_ocid: dict[str, list[dict]] = defaultdict(list)
    for item in RELEASES:
        by_ocid[str(item["ocid"])].append(item)
    records.write_text(json.dumps({"uri": "x", "version": "1.1", "records": [
        {"ocid": o, "releases": rs} for o, rs in by_ocid.items()]}), encoding="utf-8")
    tables = []
    for i, source in enumerate((made, lines, records)):
        out = tmp_path / f"out{i}.parquet"
        import_ocds([source], out)
        tables.append(pq.read_table(out).to_pandas().drop(columns="source_file"))
    pd.testing.assert_frame_equal(tables[0], tables[1])
    pd.testing.assert_frame_equal(tables[0], tables[2])


def test_a_bad_field_is_reported_by_ocid_and_path_and_left_empty(tmp_path: Path) -> None:
    bad = release("Q1", "1", "2023-01-01T00:00:00Z", tender=tender(
        "auction", -5, numberOfTenderers="many",
        tenderPeriod={"startDate": "01/02/2023"}))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(package([bad])), encoding="utf-8")
    result = import_ocds([path], tmp_path / "out.parquet")
    assert result.problems == [
        "Q1: tender.numberOfTenderers: '\"many\"' is not a whole number of 0 or more",
        "Q1: tender.procurementMethod: 'auction' is not in the OCDS method codelist (open, "
        "selective, limited, direct)",
        "Q1: tender.tenderPeriod.startDate: '01/02/2023' is not a date (ISO 8601, e.g. "
        "2024-05-17T00:00:00Z)",
        "Q1: tender.value.amount: '-5' is not a non-negative number"]
    row = pq.read_table(tmp_path / "out.parquet").to_pylist()[0]
    assert (row["procurement_method"], row["tender_value"], row["number_of_tenderers"],
            row["tender_start"], row["year"]) == (None, None, None, None, 2023)


def test_unreadable_input_names_the_file_and_line_and_writes_nothing(tmp_path: Path) -> None:
    lines = tmp_path / "broken.jsonl"
    lines.write_text(json.dumps(RELEASES[0]) + "\n{not json\n" + json.dumps(RELEASES[2]) + "\n",
                     encoding="utf-8")
    out = tmp_path / "out.parquet"
    with pytest.raises(DataValidationError) as caught:
        import_ocds([lines], out)
    [problem] = caught.value.problems
    assert (problem.line, problem.value) == (2, "{not json")
    assert "not valid JSON" in problem.reason
    assert not out.exists() and not list(tmp_path.glob("*.partial"))
    nothing = tmp_path / "no-ocid.json"
    nothing.write_text(json.dumps({"releases": [{"id": "1"}]}), encoding="utf-8")
    with pytest.raises(DataValidationError, match="no release with an ocid"):
        import_ocds([nothing], out)


def test_an_existing_output_is_never_replaced_without_force(made: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    out.write_bytes(b"someone's file")
    with pytest.raises(ParameterError, match="never replaces a file without --force"):
        import_ocds([made], out)
    assert out.read_bytes() == b"someone's file"
    import_ocds([made], out, force=True)
    assert pq.read_table(out).num_rows == 4
    folder = tmp_path / "folder.parquet"
    folder.mkdir()
    with pytest.raises(ParameterError, match="is a folder"):
        import_ocds([made], folder, force=True)


def test_the_command_line(made: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.parquet"
    assert main(["import", "ocds", str(made), "--output", str(out)]) == 0
    assert "4 contracting process(es) from 5 release(s) (1 compiled from several)" in (
        capsys.readouterr().out)
    assert main(["import", "ocds", str(made), "--output", str(out)]) == 2  # exists
    assert main(["import", "ocds", str(made), "--output", str(tmp_path / "x.parquet"),
                 "--country", "XX"]) == 2


def test_the_full_schema_check_names_ocid_and_path(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(package([{**RELEASES[0], "tag": "tender"}])), encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"P1: tag: 'tender' is not of type 'array'"):
        import_ocds([path], tmp_path / "out.parquet", schema_check=True)


# --- a real published sample against a count by hand ------------------------------------

def hand_rows() -> list[dict[str, str]]:
    with (SAMPLE / "hand_count.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_a_real_sample_matches_the_hand_count(tmp_path: Path) -> None:
    out = tmp_path / "py.parquet"
    result = import_ocds([SAMPLE / "extract.json.gz"], out, country="PRY")
    assert (result.processes, result.releases) == (15, 57)
    rows = pq.read_table(out).to_pandas().set_index("ocid")
    for hand in hand_rows():
        row = rows.loc[hand["ocid"]]
        assert row["releases"] == int(hand["n_releases"]), hand["ocid"]
        assert row["awards"] == int(hand["n_awards"]), hand["ocid"]
        assert row["contracts"] == int(hand["n_contracts"]), hand["ocid"]
        if hand["award_value_sum"]:
            assert row["awarded_value"] == pytest.approx(float(hand["award_value_sum"]))
        assert pd.isna(row["procurement_method"]) and pd.isna(row["number_of_tenderers"])


def test_real_sample_indicators_agree_with_the_hand_count(tmp_path: Path) -> None:
    out = tmp_path / "py.parquet"
    import_ocds([SAMPLE / "extract.json.gz"], out, country="PRY")
    got = indicators(out, pooled=True)
    hand = hand_rows()
    # whole calendar days from tender end to award (local dates), counted by hand
    days = [(pd.Timestamp(h["award_dates"][:10]) - pd.Timestamp(h["tender_end"][:10])).days
            for h in hand if h["tender_end"] and h["award_dates"]]
    assert got[("decision_days", None)] == (statistics.median(days), len(days)) == (152.0, 8)
    assert got[("award_published", None)] == (pytest.approx(12 / 15), 15)
    assert got[("contract_published", None)] == (pytest.approx(12 / 15), 15)
    # HHI of PYG awarded value, an award split equally among its suppliers
    value: dict[str, float] = defaultdict(float)
    for h in hand:
        if h["award_currency"] == "PYG" and h["award_value_sum"]:
            ids = list(dict.fromkeys(h["supplier_ids"].split(";")))
            for supplier in ids:
                value[supplier] += float(h["award_value_sum"]) / len(ids)
    total = sum(value.values())
    hhi = sum((v / total * 100) ** 2 for v in value.values())
    assert got[("hhi", None)] == (pytest.approx(hhi), len(value))
    assert round(hhi) == 1156
    # nothing to say where the data does not say it: no method, no tenderers, no SME flag
    assert not {k for k in got if k[0] in ("method_share", "method_value", "single_bidder",
                                           "mean_bids", "sme_value_share")}


@pytest.mark.slow
def test_a_report_built_with_contracting_data_shows_the_indicators(tmp_path: Path) -> None:
    """The SPCR of Paraguay with the real sample as its contracting data: the indicators the
    hand count gives appear in the built page (and no method figure, the data has none)."""
    parquet = tmp_path / "pry.parquet"
    import_ocds([SAMPLE / "extract.json.gz"], parquet, country="PRY")
    spec = tmp_path / "pry.yaml"
    spec.write_text(
        "name: pry-spcr\nnotebook: strategic_procurement.ipynb\ntitle: Paraguay SPCR\n"
        "formats: [html]\nparameters:\n  country: PRY\n  peer: ''\n  start_year: 2015\n"
        "  end_year: 2017\n  data_path: tests/fixtures/registry/cooperation_events.csv\n"
        f"  contracting_data: {json.dumps(str(parquet))}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["build", str(spec), "--output-dir", str(out), "--jobs", "1"]) == 0
    page = (out / "pry-spcr.html").read_text(encoding="utf-8")
    assert "Indicators from contracting data (OCDS), Paraguay, by year" in page
    # 2016: 11 processes, all with an award and a contract; median 152 days over 8
    assert "Processes with a published award" in page and "100% (11)" in page
    assert "Days from tender end to award (median)" in page and "152 (8)" in page
    assert "Share of processes by method" not in page
