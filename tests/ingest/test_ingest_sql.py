"""SQL sources against the real PostgreSQL and MariaDB servers on 127.0.0.1.

Each test creates its own uniquely named table, queries it through a catalogue entry whose
URL comes from an environment variable, and drops the table afterwards.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from social_progress.ingest import IngestError, ingest_source
from social_progress.ingest.sql import with_installed_driver
from sql_servers import reachable_engine

DATABASES = {
    "postgres": "postgresql://postgres@127.0.0.1:5432/test",  # bare scheme: the installed driver is used
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}


@pytest.fixture(params=sorted(DATABASES))
def database(request, monkeypatch):
    """(url env var name, engine, table name) with a small table of schools in it."""
    url = DATABASES[request.param]
    engine = reachable_engine(request.param, url)
    table = f"spi_ingest_test_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} (urn INTEGER PRIMARY KEY, name VARCHAR(100), "
                             "pupils INTEGER, fsm NUMERIC(5,1), closed DATE)"))
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (:u, :n, :p, :f, :c)"), [
            {"u": 100001, "n": "Eastbury Primary", "p": 420, "f": 21.7, "c": None},
            {"u": 100002, "n": "Ripple Primary", "p": 655, "f": 30.0, "c": None},
            {"u": 100003, "n": "Thames View Infants", "p": None, "f": None, "c": "2019-08-31"},
        ])
    env = f"SPI_TEST_DB_{request.param.upper()}"
    monkeypatch.setenv(env, url)
    yield env, engine, table
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


def sql_reader(env: str, query: str) -> dict:
    return {"kind": "sql", "url_env": env, "query": query}


@pytest.mark.services
def test_query_result_is_landed_as_csv_and_loaded(project, make, database):
    env, engine, table = database
    source = make("schools_db", sql_reader(env, f"SELECT urn, name, pupils, fsm, closed FROM {table} ORDER BY urn"),
                  ["urn", "name", "pupils"])

    result = ingest_source(source, project.settings)

    assert (result.status, result.origin, result.rows) == ("ingested", "sql", 3)
    rows = project.query("SELECT urn, name, pupils, closed, _source_file FROM raw.schools_db ORDER BY urn")
    assert rows[0] == ("100001", "Eastbury Primary", "420", None, "sql:schools_db")
    assert rows[2][2] is None and rows[2][3] == "2019-08-31"
    landed = Path(result.landed_path)
    assert landed.suffix == ".csv" and landed.read_text().startswith("urn,name,pupils,fsm,closed\n")

    assert ingest_source(source, project.settings).status == "unchanged"
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO {table} (urn, name) VALUES (100004, 'Gascoigne Primary')"))
    changed = ingest_source(source, project.settings)
    assert (changed.status, changed.rows) == ("ingested", 4)


@pytest.mark.services
def test_failing_query_names_the_source_and_keeps_previous_data(project, make, database):
    env, _, table = database
    good = make("schools_db", sql_reader(env, f"SELECT * FROM {table}"))
    ingest_source(good, project.settings)

    bad = make("schools_db", sql_reader(env, f"SELECT no_such_column FROM {table}"))
    with pytest.raises(IngestError) as err:
        ingest_source(bad, project.settings)
    message = str(err.value)
    assert message.startswith("source 'schools_db' (sql:schools_db): query failed on ")
    assert "no_such_column" in message
    assert project.count("schools_db") == 3


def test_missing_url_variable(project, make, monkeypatch):
    monkeypatch.delenv("SPI_TEST_NO_SUCH_DB", raising=False)
    source = make("db", sql_reader("SPI_TEST_NO_SUCH_DB", "SELECT 1"))
    with pytest.raises(IngestError, match=r"^source 'db' \(sql:db\): environment variable SPI_TEST_NO_SUCH_DB is not set"):
        ingest_source(source, project.settings)


def test_unreachable_database_hides_the_password(project, make, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SPI_TEST_DEAD_DB", f"postgresql+psycopg2://u:s3cret@127.0.0.1:{port}/x")
    with pytest.raises(IngestError) as err:
        ingest_source(make("db", sql_reader("SPI_TEST_DEAD_DB", "SELECT 1")), project.settings)
    assert "query failed on postgresql+psycopg2://u:***@127.0.0.1" in str(err.value)
    assert "s3cret" not in str(err.value)


def test_bare_scheme_gets_an_installed_driver():
    assert with_installed_driver("postgresql://u@h/db").drivername == "postgresql+psycopg2"
    assert with_installed_driver("mysql://u@h/db").drivername == "mysql+pymysql"
    assert with_installed_driver("postgresql+psycopg2://u@h/db").drivername == "postgresql+psycopg2"
    assert with_installed_driver("sqlite:///x.db").drivername == "sqlite"
