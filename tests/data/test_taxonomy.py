"""Vocabularies are read from data files; countries come from ISO 3166 via pycountry/babel."""

from __future__ import annotations

import csv
import shutil

import pytest

from analysis.core import paths
from analysis.core.errors import TaxonomyError
from analysis.data.taxonomy import (
    country_name,
    is_country,
    load_taxonomy,
    suggest,
)


def test_shipped_vocabularies():
    tax = load_taxonomy()
    assert set(tax.activity_types) == {"meeting", "seminar", "agreement", "project",
                                       "conference", "training", "report", "mission", "financing"}
    # the 18 themes of the public format (shared/data/README.md), "other" for imported
    # projects in sectors outside those themes, and the MAPS-indicator themes of issue 22
    public = {"public_procurement", "e_procurement", "strategic_procurement",
              "green_procurement", "contract_management", "sme_support", "anti_corruption",
              "open_data", "citizen_participation", "capacity_building", "public_finance",
              "digital_government", "public_services", "governance", "urban_development",
              "climate_environment", "entrepreneurship", "statistics"}
    assert public | {"other"} <= set(tax.themes)
    assert (tax.themes["procurement_complaints"].pillar, tax.themes["control_audit"].pillar,
            tax.themes["procurement_legal_framework"].pillar) == ("IV", "IV", "I")
    assert not tax.themes["control_audit"].procurement  # like anti_corruption: context only
    assert tax.themes["e_procurement"].pillar == "II"
    assert tax.themes["anti_corruption"].pillar == "IV"
    assert tax.themes["governance"].pillar is None
    assert set(tax.pillars) == {"I", "II", "III", "IV"}
    assert tax.theme_label("public_procurement", "ru") == "Государственные закупки"
    assert tax.type_label("meeting", "ru") == "Встреча"
    assert "public_procurement" in tax.procurement_themes()
    assert "governance" not in tax.procurement_themes()


def test_every_label_is_translated():
    tax = load_taxonomy()
    for term in [*tax.activity_types.values(), *tax.themes.values(), *tax.pillars.values()]:
        assert term.labels["en"] and term.labels["ru"], term.id
        assert term.labels["en"] != term.labels["ru"], term.id


def test_partner_aliases_resolve_case_insensitively():
    tax = load_taxonomy()
    assert tax.resolve_partner("World Bank") == "World Bank"
    assert tax.resolve_partner("wb") == "World Bank"
    assert tax.resolve_partner("Asian  Development Bank") == "ADB"
    assert tax.resolve_partner("European Commission") == "European Union"
    assert tax.resolve_partner("Nobody") is None
    assert tax.partner_kind("UNDP") == "agency"
    assert tax.partner_kind("World Bank") == "multilateral"


def test_partner_names_of_real_rows_are_all_known():
    import csv

    from tests.helpers import FIXTURE_REGISTRY

    tax = load_taxonomy()
    with FIXTURE_REGISTRY.open(encoding="utf-8") as handle:
        names = {p for row in csv.DictReader(handle) for p in row["partners"].split(";")}
    assert {n for n in names if tax.resolve_partner(n) is None} == set()


@pytest.mark.parametrize(("code", "en", "ru"), [
    ("UZB", "Uzbekistan", "Узбекистан"),
    ("AZE", "Azerbaijan", "Азербайджан"),
    ("KAZ", "Kazakhstan", "Казахстан"),
    ("GEO", "Georgia", "Грузия"),
])
def test_country_names(code, en, ru):
    assert is_country(code)
    assert country_name(code, "en") == en
    assert country_name(code, "ru") == ru


def test_country_codes_are_strict():
    assert not is_country("uzb")
    assert not is_country("UZ")
    assert not is_country("XXX")


def test_suggest():
    assert suggest("seminr", ["seminar", "meeting"]) == "seminar"
    assert suggest("SEMINAR", ["seminar"]) == "seminar"
    assert suggest("zzzz", ["seminar", "meeting"]) is None


def test_malformed_vocabulary_is_a_clear_error(tmp_path):
    folder = tmp_path / "taxonomy"
    shutil.copytree(paths.taxonomy_dir(), folder)
    themes = folder / "themes.csv"
    # one theme's pillar set to V, whatever other columns the shipped file has
    with themes.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header, rows = list(reader.fieldnames or []), list(reader)
    rows[0]["maps_pillar"] = "V"
    with themes.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(TaxonomyError, match="unknown MAPS pillar 'V'"):
        load_taxonomy(folder)


def test_alias_shared_by_two_partners_is_rejected(tmp_path):
    folder = tmp_path / "taxonomy"
    shutil.copytree(paths.taxonomy_dir(), folder)
    with (folder / "partners.csv").open(encoding="utf-8", newline="") as handle:
        header = list(csv.DictReader(handle).fieldnames or [])
    with (folder / "partners.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.DictWriter(handle, fieldnames=header, restval="").writerow(
            {"partner": "Another Bank", "label_ru": "Другой банк", "kind": "multilateral",
             "full_name": "Another Bank", "aliases": "WB"})
    with pytest.raises(TaxonomyError, match="'WB' belongs to both World Bank and Another Bank"):
        load_taxonomy(folder)
