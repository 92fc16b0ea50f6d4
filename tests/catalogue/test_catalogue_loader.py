"""The source catalogue: the real sources.yml loads; a bad entry fails naming entry and field."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from social_progress.catalogue import CatalogueError, FileReader, HttpReader, Owner, load_catalogue
from social_progress.settings import PROJECT_ROOT

REAL = PROJECT_ROOT / "catalogue" / "sources.yml"
EXPECTED_IDS = [
    "lsoa11_boundaries", "lsoa21_boundaries", "ward22_boundaries", "borough_boundaries",
    "lsoa11_ward19_lookup", "postcodes", "lsoa11_centroids", "imd2015", "imd2019", "imd2019_indicators", "imd2025",
    "imd2025_indicators", "crime", "air_quality", "energy_gas", "energy_electricity", "population",
    "census_population", "census_deprivation", "census_general_health", "census_qualifications",
    "census_occupancy_bedrooms", "census_tenure", "gp_list_sizes", "ward_profiles", "fuel_poverty", "ptal",
    "gp_practices", "libraries_taskforce", "libraries_ace", "schools",
    "food_hygiene", "fixmystreet", "police_uk",
    # the council's own systems (SYNTHETIC stand-ins)
    "council_llpg", "council_housing_tenancies", "council_housing_repairs", "council_housing_register",
    "council_homelessness_cases", "council_temporary_accommodation", "council_tax_support", "council_tax_accounts",
    "council_dhp_awards", "council_children_social_care", "council_adult_social_care", "council_crm_cases",
    "council_library_activity", "council_education_pupils", "council_community_safety", "council_ncmp",
]

ENTRY = {
    "id": "crime",
    "title": "Recorded crime",
    "publisher": {"name": "Metropolitan Police Service (via London Datastore)", "contact": "datastore@london.gov.uk",
                  "url": "https://data.london.gov.uk/dataset/recorded_crime_summary"},
    "steward": "public_data",
    "licence": {"name": "OGL v2", "attribution": "Contains MPS data."},
    "cadence": "yearly",
    "geography": {"level": "lsoa", "vintage": "2011"},
    "personal_data": False,
    "reader": {"kind": "file", "path": "data/crime.csv", "format": "csv"},
    "required_columns": ["LSOA11CD"],
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "crime.csv").write_text("LSOA11CD\nE01000001\n")
    (tmp_path / "catalogue").mkdir()
    return tmp_path


def write(root: Path, *entries: dict) -> Path:
    path = root / "catalogue" / "sources.yml"
    path.write_text(yaml.safe_dump({"version": 1, "sources": list(entries)}, sort_keys=False))
    return path


def entry(**changes) -> dict:
    """ENTRY with changes; 'reader__format' changes a nested field; None deletes the field."""
    out = copy.deepcopy(ENTRY)
    for key, value in changes.items():
        *parents, last = key.split("__")
        target = out
        for part in parents:
            target = target[part]
        if value is None:
            target.pop(last, None)
        else:
            target[last] = value
    return out


def error_for(root: Path, *entries: dict) -> str:
    with pytest.raises(CatalogueError) as err:
        load_catalogue(write(root, *entries), root=root)
    return str(err.value)


# ------------------------------------------------------------------------------ real catalogue

def test_real_catalogue_loads_with_every_expected_source():
    catalogue = load_catalogue(REAL, root=PROJECT_ROOT)
    assert catalogue.ids == EXPECTED_IDS
    for source in catalogue.sources:
        assert source.required_columns, source.id
        assert source.publisher.name and source.steward and source.licence.attribution
        if source.origin == "council":   # labelled, stewarded, and its identifiers named
            assert source.synthetic and "SYNTHETIC" in source.title, source.id
            assert source.personal is not None or not source.personal_data, source.id
    crime = catalogue.get("crime")
    assert isinstance(crime.reader, FileReader) and crime.reader.is_glob
    assert crime.required_columns[-11:] == [str(y) for y in range(2011, 2022)]
    assert catalogue.get("ward_profiles").reader.encoding == "detect"
    assert catalogue.get("lsoa11_boundaries").geography.vintage == "2011"
    police = catalogue.get("police_uk").reader
    assert isinstance(police, HttpReader) and police.url.startswith("https://")
    assert police.fallback == "data/records/police_uk_2023-01_metropolitan_street_sample.csv"
    assert {s.licence.name for s in catalogue.sources} >= {"OGL v3", "OGL v2", "ODC-By v1.0"}


def test_get_unknown_id():
    with pytest.raises(KeyError, match="no source 'nope'"):
        load_catalogue(REAL, root=PROJECT_ROOT).get("nope")


# ------------------------------------------------------------------------------ valid variants

def test_minimal_entry_and_coercions(root):
    catalogue = load_catalogue(write(root, entry(geography={"level": "lsoa", "vintage": 2011},
                                                 required_columns=["LSOA11CD", 2011])), root=root)
    source = catalogue.get("crime")
    assert source.geography.vintage == "2011" and source.required_columns == ["LSOA11CD", "2011"]
    assert catalogue.path == "catalogue/sources.yml"


def test_http_and_sql_readers(root):
    http = entry(id="remote", reader={"kind": "http", "url": "https://example.org/x.csv", "format": "csv",
                                      "fallback": "data/crime.csv", "sha256": "A" * 64})
    sql = entry(id="db", reader={"kind": "sql", "url_env": "SPI_DB_URL", "query": "SELECT 1"})
    catalogue = load_catalogue(write(root, http, sql), root=root)
    assert catalogue.get("remote").reader.sha256 == "a" * 64
    assert catalogue.get("db").reader.url_env == "SPI_DB_URL"


# ------------------------------------------------------------------------------ errors

def test_bad_format_names_entry_and_field(root):
    assert error_for(root, entry(reader__format="cvs")) == (
        "catalogue/sources.yml: source 'crime' field 'reader.format': 'cvs' is not one of "
        "csv, xlsx, geojson, shapefile, json")


def test_duplicate_ids(root):
    message = error_for(root, entry(), entry(title="again"))
    assert message == "catalogue/sources.yml: source 'crime' field 'id': duplicate id (first used by entry 0)"


def test_unknown_cadence(root):
    assert error_for(root, entry(cadence="fortnightly")) == (
        "catalogue/sources.yml: source 'crime' field 'cadence': 'fortnightly' is not one of "
        "daily, weekly, monthly, quarterly, yearly, irregular, once")


def test_publisher_is_name_contact_and_url(root):
    assert error_for(root, entry(publisher__name=None)) == (
        "catalogue/sources.yml: source 'crime' field 'publisher.name': is required but missing")
    assert "field 'publisher.contact': 'datastore' is neither an email address nor an http(s) URL" in error_for(
        root, entry(publisher__contact="datastore"))
    assert "field 'publisher.url': 'data.london.gov.uk' is not an http(s) URL" in error_for(
        root, entry(publisher__url="data.london.gov.uk"))
    assert "field 'publisher': give the publisher as {name, contact, url}, not the text 'ONS'" in error_for(
        root, entry(publisher="ONS"))


# ------------------------------------------------------------------------------ steward roles

STEWARDS = {"public_data": Owner(name="Open data steward", email="open.data@borough.example.gov.uk"),
            "housing": Owner(name="Housing data steward", email="housing.data@borough.example.gov.uk")}


def test_a_source_without_a_steward_is_refused(root):
    assert error_for(root, entry(steward=None)) == (
        "catalogue/sources.yml: source 'crime' field 'steward': is required but missing")


def test_the_old_owner_and_steward_objects_are_refused_with_what_to_write(root):
    old = entry(owner={"name": "Datastore team", "email": "datastore@london.gov.uk"})
    assert "field 'owner': is not a known field: a source names a `steward` role" in error_for(root, old)
    person = entry(steward={"name": "Housing data steward", "email": "housing.data@borough.example.gov.uk"})
    assert "field 'steward': the steward is a role key" in error_for(root, person)
    assert "field 'steward': 'Housing Team' does not match" in error_for(root, entry(steward="Housing Team"))


def test_an_unknown_role_is_refused_when_the_deployment_is_given(root):
    path = write(root, entry(steward="libraries"))
    assert load_catalogue(path, root=root).get("crime").steward == "libraries"   # the shared catalogue alone: a role
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path, root=root, stewards=STEWARDS)
    assert str(err.value) == ("catalogue/sources.yml: source 'crime' field 'steward': role 'libraries' has no person in "
                              "catalogue/areas.yml `stewards:` (roles there: housing, public_data)")


def test_a_steward_who_is_the_publisher_is_refused(root):
    publisher_inbox = {"public_data": Owner(name="Datastore team", email="DataStore@london.gov.uk")}
    with pytest.raises(CatalogueError) as err:
        load_catalogue(write(root, entry()), root=root, stewards=publisher_inbox)
    assert "source 'crime' field 'steward': role 'public_data' is held by DataStore@london.gov.uk, the publisher's own " \
           "contact" in str(err.value)
    # a steward distinct from the publisher loads
    assert load_catalogue(write(root, entry()), root=root, stewards=STEWARDS).get("crime").steward == "public_data"


def test_path_that_does_not_exist(root):
    assert error_for(root, entry(reader__path="data/crim.csv")) == (
        "catalogue/sources.yml: source 'crime' field 'reader.path': file 'data/crim.csv' does not exist")
    assert "field 'reader.path': no file matches 'data/crime-*.csv'" in error_for(root, entry(reader__path="data/crime-*.csv"))
    fallback = entry(reader={"kind": "http", "url": "https://example.org/x.csv", "format": "csv",
                             "fallback": "data/missing.csv"})
    assert "field 'reader.fallback': file 'data/missing.csv' does not exist" in error_for(root, fallback)


def test_entry_without_id_is_named_by_index(root):
    assert error_for(root, entry(), entry(id=None, title="second")) == (
        "catalogue/sources.yml: source #1 field 'id': is required but missing")


def test_unknown_field_reader_kind_and_encoding(root):
    assert "source 'crime' field 'reader.encodng': is not a known field" in error_for(root, entry(reader__encodng="utf-8"))
    assert "source 'crime' field 'reader': 'ftp' is not one of file, http, sql" in error_for(root, entry(reader__kind="ftp"))
    assert "field 'reader.encoding': 'utf-9' is not a known text encoding" in error_for(root, entry(reader__encoding="utf-9"))
    assert "field 'reader.format': a shapefile is several files" in error_for(
        root, entry(reader={"kind": "http", "url": "https://x.org/a.shp", "format": "shapefile"}))
    assert "field 'reader.url': 'ftp://x' is not an http(s) URL" in error_for(
        root, entry(reader={"kind": "http", "url": "ftp://x", "format": "csv"}))


def test_all_problems_are_reported_together(root):
    message = error_for(root, entry(cadence="sometimes"), entry(id="other", personal_data=None))
    lines = message.splitlines()
    assert lines[0].startswith("catalogue/sources.yml: source 'crime' field 'cadence'")
    assert lines[1] == "catalogue/sources.yml: source 'other' field 'personal_data': is required but missing"


def test_not_a_catalogue(root):
    path = root / "catalogue" / "sources.yml"
    path.write_text("sources: [unclosed\n")
    with pytest.raises(CatalogueError, match="catalogue/sources.yml: not valid YAML"):
        load_catalogue(path, root=root)
    path.write_text("- id: x\n")
    with pytest.raises(CatalogueError, match="expected a mapping with a 'sources' list"):
        load_catalogue(path, root=root)
    with pytest.raises(CatalogueError, match="catalogue file not found"):
        load_catalogue(root / "nope.yml", root=root)
