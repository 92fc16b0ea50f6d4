"""Personal data at ingest and incremental SQL reads, on SQLite, PostgreSQL and MariaDB.

A council system's table of tenancies (realistic columns, SYNTHETIC people) is created in a
real database, ingested through a catalogue entry that names its identifying columns, then
grown and re-read: only the rows past the watermark are read, merged by key, and a re-run
with nothing new changes nothing. Identifiers must end up only in the encrypted restricted
store: every other file the ingest wrote is scanned for them.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import duckdb
import pytest
import sqlalchemy as sa

from social_progress.ingest import IngestError, ingest_source
from social_progress.ingest.sql import with_installed_driver
from social_progress.privacy import RestrictedStore, encryption_key, restricted_path

SERVERS = {
    "postgres": "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
# SYNTHETIC identities, distinctive so a scan cannot match anything by chance
PEOPLE = [
    ("T-0001", "P-77", "Quillonetta", "Zabriskie-Farthwick", "1961-03-14", "17 Xylophory Close", "IG11 7AB", "100023456781"),
    ("T-0002", "P-78", "Ambrozine", "Kettleworth-Quay", "1984-11-02", "4 Zanzibarra Road", "RM9 4QT", ""),
    ("T-0003", "P-79", "Thaddeo", "Marchbanks-Ulm", "1990-07-30", "221 Quorrington Way", "RM10 8XX", "100023456799"),
]
SECRETS = ["Quillonetta", "Zabriskie", "Ambrozine", "Kettleworth", "Thaddeo", "Marchbanks", "Xylophory",
           "Zanzibarra", "Quorrington", "1961-03-14", "IG11 7AB", "100023456781", "P-77", "T-0001"]


def _create(engine, table: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
        conn.execute(sa.text(
            f"CREATE TABLE {table} (tenancy_ref VARCHAR(20) PRIMARY KEY, person_ref VARCHAR(20), "
            "first_name VARCHAR(60), surname VARCHAR(60), date_of_birth DATE, address_line VARCHAR(100), "
            "postcode VARCHAR(10), uprn VARCHAR(12), bedrooms INTEGER, updated_at TIMESTAMP NULL)"))


def _insert(engine, table: str, rows: list[tuple], stamp: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (:t, :p, :f, :s, :d, :a, :pc, :u, :b, :w)"),
                     [{"t": r[0], "p": r[1], "f": r[2], "s": r[3], "d": r[4], "a": r[5], "pc": r[6],
                       "u": r[7] or None, "b": 2, "w": stamp} for r in rows])


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def system(request, tmp_path, monkeypatch):
    """(env var, engine, table): a housing system's tenancies table on one engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'housing.sqlite'}"
    else:
        url = SERVERS[request.param]
    engine = sa.create_engine(with_installed_driver(url), poolclass=sa.pool.NullPool)
    table = f"spi_tenancies_{uuid.uuid4().hex[:8]}"
    _create(engine, table)
    env = f"SPI_TEST_HOUSING_{request.param.upper()}"
    monkeypatch.setenv(env, url)
    yield env, engine, table
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


def _source(make, env: str, table: str, synthetic: bool = True):
    return make("council_tenancies_test",
                {"kind": "sql", "url_env": env, "query": f"SELECT * FROM {table}", "watermark": "updated_at",
                 "key": "tenancy_ref"},
                ["tenancy_ref", "bedrooms", "updated_at"],
                origin="council", synthetic=synthetic, personal_data=True,
                steward="housing",
                geography={"level": "points"},
                personal={"record_key": "tenancy_ref",
                          "person": {"ref": "person_ref", "first_name": "first_name", "surname": "surname",
                                     "date_of_birth": "date_of_birth", "address": "address_line",
                                     "postcode": "postcode", "uprn": "uprn"},
                          "place": {"uprn": "uprn", "postcode": "postcode"}})


def _scan(root: Path, skip: Path) -> list[str]:
    found = []
    for path in root.rglob("*"):
        if path.is_file() and path != skip:
            data = path.read_bytes()
            found += [f"{path.name}: {s}" for s in SECRETS if s.encode() in data]
    return found


@pytest.mark.services
def test_incremental_personal_ingest_keeps_identifiers_restricted(project, make, system, tmp_path):
    env, engine, table = system
    source = _source(make, env, table)
    _insert(engine, table, PEOPLE[:2], "2021-03-01 09:00:00")

    first = ingest_source(source, project.settings)
    assert first.status == "ingested" and first.rows == 2
    assert "full read" in " ".join(first.notes)
    columns = [r[0] for r in project.query("SELECT column_name FROM information_schema.columns "
                                           "WHERE table_name = 'council_tenancies_test' ORDER BY ordinal_position")]
    assert columns[:2] == ["record_key", "person_key"]
    assert not {"first_name", "surname", "date_of_birth", "address_line", "postcode", "uprn", "person_ref",
                "tenancy_ref"} & set(columns)
    assert first.landed_path.startswith("restricted:")

    # nothing new: unchanged, nothing read
    again = ingest_source(source, project.settings)
    assert again.status == "unchanged" and again.rows == 2

    # a new tenancy and a change to an old one (moved bedrooms), both past the watermark
    _insert(engine, table, PEOPLE[2:], "2022-05-01 10:00:00")
    with engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE {table} SET bedrooms = 3, updated_at = '2022-05-02 08:00:00' "
                             "WHERE tenancy_ref = 'T-0001'"))
    second = ingest_source(source, project.settings)
    assert second.status == "ingested" and second.rows == 3
    assert "incremental read" in " ".join(second.notes)
    assert project.query("SELECT count(*), count(DISTINCT record_key) FROM raw.council_tenancies_test")[0] == (3, 3)
    assert sorted(r[0] for r in project.query("SELECT bedrooms FROM raw.council_tenancies_test")) == ["2", "2", "3"]
    watermark = project.query("SELECT watermark FROM raw._watermarks WHERE source_id = 'council_tenancies_test'")[0][0]
    assert watermark.startswith("2022-05-02")

    # the identifiers are in the encrypted store, readable with the key
    key, built_in = encryption_key(source.id, True)
    store = RestrictedStore(restricted_path(project.settings.warehouse_dir), key, built_in_key=built_in)
    restricted = store.read_table(source.id)
    assert sorted(restricted["surname"]) == sorted(p[3] for p in PEOPLE)
    assert set(restricted["record_key"]) == {r[0] for r in project.query("SELECT record_key FROM raw.council_tenancies_test")}

    # and nowhere else: not in the warehouse, its WAL, the landing area or the store's file itself
    leaks = _scan(project.settings.warehouse_dir, skip=Path("/nonexistent"))
    assert leaks == [], leaks

    # idempotent: the same rows again change nothing
    assert ingest_source(source, project.settings).status == "unchanged"


@pytest.mark.services
def test_rows_deleted_at_the_source_make_a_full_read(project, make, system):
    env, engine, table = system
    source = _source(make, env, table)
    _insert(engine, table, PEOPLE, "2021-03-01 09:00:00")
    assert ingest_source(source, project.settings).rows == 3
    with engine.begin() as conn:
        conn.execute(sa.text(f"DELETE FROM {table} WHERE tenancy_ref = 'T-0002'"))
        conn.execute(sa.text(f"UPDATE {table} SET updated_at = '2022-01-01 00:00:00' WHERE tenancy_ref = 'T-0003'"))
    result = ingest_source(source, project.settings)
    assert result.rows == 2 and project.count("council_tenancies_test") == 2
    assert "full read: after reading the rows past the watermark the table had +1 rows" in " ".join(result.notes)
    key, built_in = encryption_key(source.id, True)
    store = RestrictedStore(restricted_path(project.settings.warehouse_dir), key, built_in_key=built_in)
    assert len(store.read_table(source.id)) == 2   # the restricted layer follows


def test_real_personal_data_refuses_the_built_in_keys(project, make, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'housing.sqlite'}"
    engine = sa.create_engine(url)
    _create(engine, "tenancies")
    _insert(engine, "tenancies", PEOPLE[:1], "2021-03-01 09:00:00")
    monkeypatch.setenv("SPI_TEST_REAL_HOUSING", url)
    monkeypatch.delenv("SPI_PSEUDONYMISATION_KEY", raising=False)
    source = _source(make, "SPI_TEST_REAL_HOUSING", "tenancies", synthetic=False)
    with pytest.raises(IngestError, match="SPI_PSEUDONYMISATION_KEY"):
        ingest_source(source, project.settings)
    assert not project.has_table("council_tenancies_test")
    monkeypatch.setenv("SPI_PSEUDONYMISATION_KEY", "k" * 40)
    with pytest.raises(IngestError, match="SPI_RESTRICTED_DB_KEY"):
        ingest_source(source, project.settings)
    monkeypatch.setenv("SPI_RESTRICTED_DB_KEY", "s" * 40)
    assert ingest_source(source, project.settings).rows == 1
    # the store now holds real data: opening it with the built-in key is refused
    monkeypatch.delenv("SPI_RESTRICTED_DB_KEY")
    with pytest.raises(Exception, match="Wrong encryption key|restricted store"):
        RestrictedStore(restricted_path(project.settings.warehouse_dir), *encryption_key("x", True)[:1],
                        built_in_key=True).read_table(source.id)


def test_embedded_default_url_is_for_synthetic_sources_only(make):
    reader = {"kind": "sql", "url_env": "SPI_X", "query": "SELECT 1", "default_url": "sqlite:///x.sqlite"}
    with pytest.raises(Exception, match="only for synthetic sources"):
        make("council_x", reader, origin="council", personal_data=False, steward="housing")
    assert make("council_x", reader, origin="council", synthetic=True, personal_data=False,
                steward="housing").reader.default_url == "sqlite:///x.sqlite"


def test_json_api_payload_is_read_as_text_records(project, make):
    project.write("data/api/members.json", '{"generated": "2024-01-01", "members": ['
                  '{"member_id": "L1", "year": 2019, "loans": 12, "active": true, "note": null},'
                  '{"member_id": "L2", "year": 2019, "loans": 0, "active": false}]}')
    source = make("library_json", {"kind": "file", "path": "data/api/members.json", "format": "json"},
                  ["member_id", "year", "loans", "active"], geography={"level": "none"})
    result = ingest_source(source, project.settings)
    assert result.rows == 2
    assert project.query('SELECT member_id, "year", loans, active, note FROM raw.library_json ORDER BY member_id') == [
        ("L1", "2019", "12", "true", None), ("L2", "2019", "0", "false", None)]
    project.write("data/api/bad.json", '{"a": [1], "b": [2]}')
    bad = make("library_bad", {"kind": "file", "path": "data/api/bad.json", "format": "json"}, geography={"level": "none"})
    with pytest.raises(IngestError, match="exactly one array"):
        ingest_source(bad, project.settings)
