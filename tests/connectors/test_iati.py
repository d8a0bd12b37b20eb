"""The IATI importer: fields read from hand-written IATI files, errors, and flat-memory streaming.

Fixtures in tests/fixtures/iati/ are fictional activities in the IATI 2.03 (and 1.05) format;
every expected value below was worked out by hand from those files.
"""

from __future__ import annotations

import logging
import time
import tracemalloc
from dataclasses import replace
from decimal import Decimal

import pytest

from analysis.connectors.iati import (
    ImportStats,
    activity_to_rows,
    load_sector_map,
    read_iati,
    run_import,
)
from analysis.connectors.iati_xml import Commitment, IatiActivity, iter_activities
from analysis.core import paths
from analysis.core.errors import ConnectorError
from analysis.data.registry import read_activities
from analysis.data.registry_format import IMPORT_COLUMNS
from analysis.data.taxonomy import load_taxonomy
from tests.helpers import FIXTURES

IATI = FIXTURES / "iati"
ACTIVITIES = IATI / "activities.xml"


@pytest.fixture(scope="module")
def rows() -> dict[str, dict[str, str]]:
    return {row["activity_id"]: row for row in read_iati(ACTIVITIES)}


def test_world_bank_activity_gives_one_full_row(rows):
    assert rows["UZB-2021-06-15-iati-44000-P999001"] == {
        "activity_id": "UZB-2021-06-15-iati-44000-P999001",
        "date": "2021-06-15",  # the actual start wins over the planned 2021-03-01
        "date_precision": "day",
        "country": "UZB",
        "partners": "World Bank",  # reporting-org ref 44000
        "counterpart": "Ministry of Economy and Finance of the Republic of Uzbekistan",
        "activity_type": "project",
        "themes": "public_procurement",  # DAC 15125
        "title": "Test Public Procurement Modernisation Project",
        "amount_usd": "50000000",  # 30 M + 20 M commitments; the 4 M disbursement is not one
        "amount_kind": "committed",
        "source": "The World Bank (IATI)",
        "source_url": "https://example.org/projects/P999001",  # document-link category A12
        "source_language": "en",
    }


def test_eur_commitment_is_not_converted_and_planned_start_is_used(rows):
    row = rows["AZE-2022-01-10-iati-XM-DAC-46004-55001-AZE"]
    assert (row["date"], row["country"], row["partners"]) == ("2022-01-10", "AZE", "ADB")
    assert row["themes"] == "public_finance;digital_government"  # 15111, 22040
    assert row["amount_usd"] == ""
    assert row["title"] == ("Test Public Finance and E-Government Programme "
                            "[commitment EUR 5,000,000 not converted]")
    assert (row["counterpart"], row["source_url"]) == ("", "")


def test_multi_country_activity_gives_a_row_per_country_with_its_share(rows):
    uzb = rows["UZB-2020-02-01-iati-XM-DAC-41114-PROJECT-00123456"]
    kaz = rows["KAZ-2020-02-01-iati-XM-DAC-41114-PROJECT-00123456"]
    assert (uzb["amount_usd"], kaz["amount_usd"]) == ("600000", "400000")  # 60 % / 40 % of 1 M
    assert uzb["title"].endswith(" [60% of commitment USD 1,000,000]")
    assert kaz["title"].endswith(" [40% of commitment USD 1,000,000]")
    for row in (uzb, kaz):
        assert row["partners"] == "UNDP"
        assert row["themes"] == "anti_corruption"  # 15113; 99810 unmapped, GOV-1 not DAC
        # UNDP implements too, but a known partner is not the national counterpart
        assert row["counterpart"] == "Anti-Corruption Agency of the Republic of Uzbekistan"


def test_english_narrative_is_preferred_and_the_id_is_made_safe(rows):
    row = rows["UZB-2023-09-01-iati-XI-IATI-EC_INTPA-2023-445-123"]  # '/' became '-'
    assert row["title"] == "Support to public procurement reform"
    assert row["source"] == "European Commission - International Partnerships (IATI)"
    assert (row["partners"], row["themes"], row["amount_usd"]) == ("European Union", "other", "")
    assert row["source_language"] == "en"


def test_first_narrative_without_english_and_mixed_currencies(rows):
    row = rows["TJK-2019-11-05-iati-46004-TAJ-0008"]
    assert row["partners"] == "ADB"  # no ref: resolved by the narrative
    assert row["title"] == ("Тестовый проект по статистике "
                            "[commitment USD 100,000 + EUR 200,000 not converted]")
    assert (row["source_language"], row["amount_usd"]) == ("ru", "")
    assert row["themes"] == "statistics;governance"  # 16062, 15110 in file order


def test_skipped_activities_are_counted_and_unknown_orgs_named(caplog):
    stats = ImportStats()
    with caplog.at_level(logging.WARNING, logger="analysis.connectors.iati"):
        found = read_iati(ACTIVITIES, stats=stats)
    assert (stats.activities, stats.rows, len(found)) == (8, 6, 6)
    assert stats.skipped == {
        "for a region only (no recipient country)": 1,
        "reporting organisation not in data/taxonomy/partners.csv": 1,
        "without start date (actual or planned)": 1,
    }
    assert "'Example Foundation' (ref XM-EXAMPLE-1)" in caplog.text
    assert "8 activities read, 6 rows" in caplog.text


def test_country_filter_keeps_only_that_country():
    found = read_iati(ACTIVITIES, country="kaz")
    assert [row["activity_id"] for row in found] == [
        "KAZ-2020-02-01-iati-XM-DAC-41114-PROJECT-00123456"]


def test_old_style_codes_of_iati_1_are_read():
    (row,) = read_iati(IATI / "activities-v1.xml")
    assert row == {
        "activity_id": "UZB-2018-03-15-iati-41114-UZB-10001",
        "date": "2018-03-15",  # start-actual
        "date_precision": "day",
        "country": "UZB",
        "partners": "UNDP",  # legacy ref 41114
        "counterpart": "Ministry of Finance of the Republic of Uzbekistan",  # role Implementing
        "activity_type": "project",
        "themes": "public_finance",  # vocabulary DAC, 15111
        "title": "Test public finance management reform",
        "amount_usd": "250000",  # transaction type C; D is a disbursement
        "amount_kind": "committed",
        "source": "United Nations Development Programme (IATI)",
        "source_url": "http://www.example.org/projects/10001",  # activity-website
        "source_language": "en",
    }


# -- rules on hand-made activities --------------------------------------------------------------

BASE = IatiActivity(
    identifier="XM-TEST-1", reporting_org_ref="44000", reporting_org_names=("The World Bank",),
    title="Test", title_lang="en", countries=(("UZ", None),), regions=(),
    actual_start="2024-01-02", planned_start=None, sectors=(), commitments=(),
    implementing_orgs=(),
)


def _rows(activity: IatiActivity, stats: ImportStats | None = None) -> list[dict[str, str]]:
    return activity_to_rows(activity, load_taxonomy(), load_sector_map(), stats=stats)


def test_several_recipients_without_percentages_are_not_split():
    activity = replace(BASE, countries=(("UZ", None), ("AZ", None)),
                       commitments=(Commitment(Decimal("3000000"), "USD"),))
    for row in _rows(activity):
        assert row["amount_usd"] == ""
        assert row["title"] == "Test [commitment USD 3,000,000 for several recipients, not split]"


def test_non_usd_commitment_of_several_recipients_says_it_is_the_whole_activity():
    activity = replace(BASE, countries=(("UZ", Decimal(50)), ("AZ", Decimal(50))),
                       commitments=(Commitment(Decimal("2000000"), "EUR"),))
    assert {row["title"] for row in _rows(activity)} == {
        "Test [commitment EUR 2,000,000 not converted; whole activity, several recipients]"}


def test_a_country_with_a_region_share_gets_its_percentage_rounded():
    activity = replace(BASE, countries=(("UZ", Decimal("33.3")),), regions=("619",),
                       commitments=(Commitment(Decimal("1000.50"), "USD"),))
    (row,) = _rows(activity)
    assert row["amount_usd"] == "333"  # 1000.50 × 33.3 % = 333.17 → 333
    assert row["title"] == "Test [33.3% of commitment USD 1,000.50]"


def test_unknown_country_code_and_unstated_currency():
    stats = ImportStats()
    activity = replace(BASE, countries=(("XK", None), ("UZ", None)),
                       commitments=(Commitment(Decimal("10"), ""),))
    (row,) = _rows(activity, stats)
    assert row["country"] == "UZB"
    assert row["title"] == ("Test [commitment (currency not stated) 10 not converted; "
                            "whole activity, several recipients]")  # XK is a recipient too
    assert stats.skipped == {"rows for recipient-country 'XK' (not in ISO 3166)": 1}


def test_repeated_identifiers_are_dropped_and_colliding_safe_ids_numbered(tmp_path):
    def activity(identifier: str) -> str:
        return (f'<iati-activity><iati-identifier>{identifier}</iati-identifier>'
                '<reporting-org ref="44000"/><title><narrative>T</narrative></title>'
                '<activity-date type="2" iso-date="2024-01-02"/>'
                '<recipient-country code="UZ"/></iati-activity>')

    path = tmp_path / "dup.xml"
    path.write_text('<iati-activities version="2.03">' + activity("A/1") + activity("A/1")
                    + activity("A-1") + "</iati-activities>", encoding="utf-8")
    stats = ImportStats()
    ids = [row["activity_id"] for row in read_iati(path, stats=stats)]
    assert ids == ["UZB-2024-01-02-iati-A-1", "UZB-2024-01-02-iati-A-1-2"]
    assert stats.skipped == {"rows repeating an iati-identifier already read": 1}


def test_sector_map_names_only_known_themes_and_the_issue_codes():
    mapping = load_sector_map()
    assert set(mapping.values()) <= set(load_taxonomy().themes)
    assert {code: mapping[code] for code in ("15125", "15113", "15111", "15110", "22040")} == {
        "15125": "public_procurement", "15113": "anti_corruption", "15111": "public_finance",
        "15110": "governance", "22040": "digital_government"}


def test_bad_sector_map_names_file_and_line(tmp_path):
    bad = tmp_path / "map.csv"
    bad.write_text("code,theme,name\n15125,public_procurement,x\n15113,anticorruption,y\n",
                   encoding="utf-8")
    with pytest.raises(ConnectorError, match=r"map\.csv:3: unknown theme 'anticorruption'"):
        load_sector_map(bad)


def test_iati_refs_of_publishers_resolve_to_partners():
    vocab = load_taxonomy()
    assert [vocab.resolve_partner(ref) for ref in
            ("44000", "XM-DAC-46004", "XM-DAC-41114", "XI-IATI-EC_INTPA", "XI-IATI-EBRD")] == [
        "World Bank", "ADB", "UNDP", "European Union", "EBRD"]


# -- whole files: output and failures ------------------------------------------------------------

def test_run_import_writes_a_valid_registry(tmp_path):
    output = tmp_path / "out" / "iati.csv"
    path, count = run_import(ACTIVITIES, None, output)
    assert (path, count) == (output, 6)
    frame, checked = read_activities(output)
    assert checked.problems == []
    assert sorted(frame["activity_id"]) == sorted(row["activity_id"] for row in
                                                  read_iati(ACTIVITIES))
    assert output.read_text(encoding="utf-8").splitlines()[0] == ",".join(IMPORT_COLUMNS)


def test_run_import_default_output_is_under_data_sources(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "sources_dir", lambda: tmp_path / "sources")
    path, count = run_import(IATI / "activities-v1.xml", "UZB", None)
    assert (path, count) == (tmp_path / "sources" / "iati-activities-v1.csv", 1)
    assert path.is_file()


ORGANISATION_FILE = '<iati-organisations version="2.03"><iati-organisation/></iati-organisations>'
ENTITIES = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
            '<iati-activities version="2.03">&a;</iati-activities>')


@pytest.mark.parametrize("name, text, country, message", [
    ("malformed.xml", None, None,
     r"malformed\.xml:10: malformed XML at line 10, column 6 \(mismatched tag\)"),
    ("rss.xml", None, None,
     r"rss\.xml: not an IATI activity file: the root element is <rss>, expected "
     r"<iati-activities>"),
    ("empty.xml", None, None, r"empty\.xml: the file has no <iati-activity>"),
    ("org.xml", ORGANISATION_FILE, None, r"org\.xml: an IATI organisation file"),
    ("entities.xml", ENTITIES, None, r"entities\.xml: refused"),
    ("missing.xml", "", None, r"missing\.xml: no such file"),
    ("activities.xml", None, "GEO", r"activities\.xml: no activity could be imported for GEO"),
    ("activities.xml", None, "Uzbekistan", r"--country 'Uzbekistan': not an ISO 3166-1"),
])
def test_failures_name_the_file_and_leave_the_output_untouched(tmp_path, name, text, country,
                                                                message):
    source = IATI / name
    if text is not None:
        source = tmp_path / name
        if text:
            source.write_text(text, encoding="utf-8")
    output = tmp_path / "existing.csv"  # written by an earlier import: it may be replaced
    run_import(ACTIVITIES, None, output)
    previous = output.read_bytes()
    with pytest.raises(ConnectorError, match=message):
        run_import(source, country, output)
    assert output.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({
        "existing.csv", "existing.csv.provenance.json", name} - {
        "malformed.xml", "rss.xml", "empty.xml", "activities.xml", "missing.xml"})


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(ConnectorError, match="is a folder"):
        list(iter_activities(tmp_path))


# -- streaming --------------------------------------------------------------------------------

ACTIVITY = """  <iati-activity xml:lang="en" default-currency="USD">
    <iati-identifier>XM-TEST-{n:06d}</iati-identifier>
    <reporting-org ref="44000" type="40"><narrative>The World Bank</narrative></reporting-org>
    <title><narrative>Synthetic test activity number {n} with a longish title</narrative></title>
    <description><narrative>{filler}</narrative></description>
    <activity-date iso-date="2020-01-01" type="2"/>
    <recipient-country code="UZ"/>
    <sector vocabulary="1" code="15125"/>
    <transaction><transaction-type code="2"/><value>{n}</value></transaction>
  </iati-activity>
"""


def test_memory_stays_flat_while_streaming_a_large_file(tmp_path):
    path = tmp_path / "large.xml"
    filler = "Synthetic description text. " * 24
    with path.open("w", encoding="utf-8") as handle:
        handle.write('<?xml version="1.0" encoding="UTF-8"?>\n<iati-activities version="2.03">\n')
        for n in range(10_000):
            handle.write(ACTIVITY.format(n=n, filler=filler))
        handle.write("</iati-activities>\n")
    size = path.stat().st_size
    # CPU time of this process, not wall time: other processes on a busy machine do not count
    started = time.process_time()
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_activities(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == 10_000
    assert size > 10_000_000
    assert peak < size / 20, f"peak {peak:,} bytes while streaming a {size:,}-byte file"
    assert time.process_time() - started < 10
