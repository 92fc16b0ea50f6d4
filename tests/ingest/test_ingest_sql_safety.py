"""A catalogue SQL query cannot change the database it reads, on SQLite, PostgreSQL and MariaDB.

Why these tests: the query is configuration sent to a council's live system. Before the fix
`COMMIT; DROP TABLE t; SELECT 1` dropped a PostgreSQL table and the ingest reported success.
Each test builds a real table, tries to damage it through an ingest, and checks the refusal
and that the table is untouched. Unsafe queries reach the ingest through `_unchecked`,
since the catalogue itself now refuses them (a reader can still be built unvalidated).
"""
from __future__ import annotations

import socket
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from social_progress.catalogue import CatalogueError, load_catalogue
from social_progress.ingest import IngestError, ingest_source
from social_progress.ingest import sql
from sql_servers import reachable_engine

SERVERS = {
    "postgres": "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}
REFUSED = "source 'db' (sql:db): field 'reader.query' refused: "


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def db(request, tmp_path, monkeypatch):
    """(kind, env var, engine, table): a table of three schools on one engine."""
    url = f"sqlite:///{tmp_path / 'system.sqlite'}" if request.param == "sqlite" else SERVERS[request.param]
    engine = reachable_engine(request.param, url)
    table = f"spi_safety_{uuid.uuid4().hex[:10]}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE TABLE {table} "
                             "(urn INTEGER PRIMARY KEY, name VARCHAR(100), updated_at VARCHAR(20))"))
        conn.execute(sa.text(f"INSERT INTO {table} VALUES (:u, :n, :w)"), [
            {"u": 1, "n": "Eastbury Primary", "w": "2024-01-01"},
            {"u": 2, "n": "Ripple Primary", "w": "2024-02-01"},
            {"u": 3, "n": "Thames View Infants", "w": "2024-03-01"},
        ])
    env = f"SPI_TEST_SAFETY_{request.param.upper()}"
    monkeypatch.setenv(env, url)
    yield request.param, env, engine, table
    with engine.begin() as conn:
        for name in (table, f"{table}_copy", f"{table}_new"):
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {name}"))
    engine.dispose()


def _unchecked(make, env: str, query: str, **reader):
    """A source whose query skipped catalogue validation (model_copy does not validate)."""
    source = make("db", {"kind": "sql", "url_env": env, "query": "SELECT 1", **reader})
    return source.model_copy(update={"reader": source.reader.model_copy(update={"query": query})})


def _rows(engine, table: str) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()


def _exists(engine, table: str) -> bool:
    return sa.inspect(engine).has_table(table)


UNSAFE = {
    "commit_then_drop": "COMMIT; DROP TABLE {t}; SELECT 1",
    "select_then_drop": "SELECT 1; DROP TABLE {t}",
    "drop": "DROP TABLE {t}",
    "create": "CREATE TABLE {t}_new (a int)",
    "create_as": "CREATE TABLE {t}_copy AS SELECT * FROM {t}",
    "select_into": "SELECT * INTO {t}_copy FROM {t}",
    "delete": "DELETE FROM {t}",
    "update": "UPDATE {t} SET name = 'x'",
}


@pytest.mark.services
@pytest.mark.parametrize("case", sorted(UNSAFE))
def test_unsafe_query_is_refused_and_the_table_is_untouched(project, make, db, case):
    _, env, engine, table = db
    query = UNSAFE[case].format(t=table)

    with pytest.raises(IngestError) as err:
        ingest_source(_unchecked(make, env, query), project.settings)

    assert str(err.value).startswith(REFUSED)
    assert _exists(engine, table) and _rows(engine, table) == 3
    with engine.connect() as conn:
        assert conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE name = 'x'")).scalar() == 0
    assert not _exists(engine, f"{table}_new") and not _exists(engine, f"{table}_copy")
    assert not project.has_table("db")


@pytest.mark.services
@pytest.mark.parametrize("db", ["postgres"], indirect=True)  # a DELETE inside WITH is PostgreSQL syntax
def test_data_modifying_cte_is_refused_on_postgres(project, make, db):
    _, env, engine, table = db
    query = f"WITH d AS (DELETE FROM {table} RETURNING *) SELECT * FROM d"

    with pytest.raises(IngestError) as err:
        ingest_source(_unchecked(make, env, query), project.settings)

    assert str(err.value).startswith(REFUSED) and "DELETE" in str(err.value)
    assert _rows(engine, table) == 3


@pytest.mark.services
def test_semicolon_in_a_literal_and_a_trailing_semicolon_are_accepted(project, make, db):
    _, env, engine, table = db
    literal = make("db", {"kind": "sql", "url_env": env, "query": f"SELECT urn, ';' AS s FROM {table} WHERE urn = 1"})
    result = ingest_source(literal, project.settings)
    assert (result.status, result.rows) == ("ingested", 1)
    assert project.query("SELECT urn, s FROM raw.db") == [("1", ";")]

    trailing = make("db2", {"kind": "sql", "url_env": env, "query": f"SELECT urn FROM {table} ORDER BY urn;"})
    assert ingest_source(trailing, project.settings).rows == 3


@pytest.mark.services
@pytest.mark.parametrize("ending", [";", "; -- all schools", " -- all schools"])
def test_incremental_wrappers_accept_a_trailing_semicolon_and_comment(make, db, ending):
    """The incremental paths wrap the query as a subquery: the checked query (no `;`) is
    wrapped, and a trailing `--` comment cannot swallow the wrapper's closing bracket."""
    _, env, _, table = db
    source = make("db", {"kind": "sql", "url_env": env, "query": f"SELECT * FROM {table}{ending}",
                         "watermark": "updated_at", "key": "urn"})

    assert sql.query_state("db", source.reader) == (3, "2024-03-01")
    csv = sql.run_query("db", source.reader, since="2024-01-15").decode()
    assert csv.splitlines() == ["urn,name,updated_at",
                                "2,Ripple Primary,2024-02-01", "3,Thames View Infants,2024-03-01"]


@pytest.mark.services
def test_incremental_paths_refuse_an_unsafe_query(make, db):
    _, env, engine, table = db
    source = _unchecked(make, env, f"SELECT 1; DROP TABLE {table}", watermark="updated_at", key="urn")

    with pytest.raises(IngestError, match=r"^source 'db' \(sql:db\): field 'reader.query' refused"):
        sql.query_state("db", source.reader)
    with pytest.raises(IngestError, match=r"^source 'db' \(sql:db\): field 'reader.query' refused"):
        sql.run_query("db", source.reader, since="2024-01-01")
    assert _rows(engine, table) == 3


@pytest.mark.services
@pytest.mark.parametrize("statement", ["DELETE FROM {t}", "INSERT INTO {t} (urn, name) VALUES (9, 'x')"])
def test_the_session_itself_is_read_only(make, db, statement):
    """Second line of defence: a write that got past the query check still fails."""
    _, env, engine, table = db
    source = make("db", {"kind": "sql", "url_env": env, "query": "SELECT 1"})

    with pytest.raises(IngestError) as err:
        sql._execute("db", source.reader, None, sa.text(statement.format(t=table)), {})

    assert str(err.value).startswith("source 'db' (sql:db): query failed on ")
    assert "read" in str(err.value).lower() and "only" in str(err.value).lower()
    assert _rows(engine, table) == 3


@pytest.mark.services
@pytest.mark.parametrize("db", ["postgres"], indirect=True)  # the only driver here that sends several
def test_a_commit_smuggled_past_the_check_still_cannot_drop_on_postgres(make, db):
    """psycopg2 sends several statements at once: after a COMMIT the next transaction is
    read-only too, because the session default is."""
    _, env, engine, table = db
    source = make("db", {"kind": "sql", "url_env": env, "query": "SELECT 1"})

    with pytest.raises(IngestError, match="read-only"):
        sql._execute("db", source.reader, None, sa.text(f"COMMIT; DROP TABLE {table}; SELECT 1"), {})

    assert _exists(engine, table) and _rows(engine, table) == 3


@pytest.mark.services
@pytest.mark.parametrize("db", ["postgres", "mariadb"], indirect=True)  # SQLite has no SQL-defined functions
def test_a_select_calling_a_writing_function_fails_read_only(project, make, db):
    kind, env, engine, table = db
    writer = f"{table}_writer"
    with engine.begin() as conn:
        if kind == "postgres":
            conn.execute(sa.text(f"CREATE FUNCTION {writer}() RETURNS int LANGUAGE plpgsql AS $$ "
                                 f"BEGIN INSERT INTO {table} (urn, name) VALUES (99, 'written'); RETURN 1; END $$"))
        else:
            conn.execute(sa.text(f"CREATE FUNCTION {writer}() RETURNS INT MODIFIES SQL DATA "
                                 f"BEGIN INSERT INTO {table} (urn, name) VALUES (99, 'written'); RETURN 1; END"))
    try:
        source = make("db", {"kind": "sql", "url_env": env, "query": f"SELECT {writer}() AS w"})
        with pytest.raises(IngestError) as err:
            ingest_source(source, project.settings)
        message = str(err.value)
        assert message.startswith("source 'db' (sql:db): query failed on ")
        assert "read-only" in message.lower() or "read only" in message.lower()
        assert _rows(engine, table) == 3
    finally:
        with engine.begin() as conn:
            conn.execute(sa.text(f"DROP FUNCTION IF EXISTS {writer}"))


def test_a_missing_sqlite_file_is_an_error_and_is_not_created(project, make, tmp_path, monkeypatch):
    missing = tmp_path / "no_such_system.sqlite"
    monkeypatch.setenv("SPI_TEST_SAFETY_MISSING", f"sqlite:///{missing}")

    with pytest.raises(IngestError, match=r"^source 'db' \(sql:db\): query failed on sqlite:///"):
        ingest_source(make("db", {"kind": "sql", "url_env": "SPI_TEST_SAFETY_MISSING", "query": "SELECT 1"}),
                      project.settings)
    assert not missing.exists()


def test_the_query_is_refused_before_anything_else(project, make, monkeypatch):
    """Refused before the URL is even looked up: nothing is sent anywhere."""
    monkeypatch.delenv("SPI_TEST_SAFETY_UNSET", raising=False)
    with pytest.raises(IngestError) as err:
        ingest_source(_unchecked(make, "SPI_TEST_SAFETY_UNSET", "COMMIT; DROP TABLE t; SELECT 1"), project.settings)
    assert str(err.value) == (REFUSED + "the query holds 3 statements; only one SELECT is allowed "
                              "(a semicolon ends a statement)")


def test_malformed_mariadb_url_is_an_ingest_error(project, make, monkeypatch):
    monkeypatch.setenv("SPI_TEST_SAFETY_BAD_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=zz")
    with pytest.raises(IngestError) as err:
        ingest_source(make("db", {"kind": "sql", "url_env": "SPI_TEST_SAFETY_BAD_URL", "query": "SELECT 1"}),
                      project.settings)
    message = str(err.value)
    assert message.startswith("source 'db' (sql:db): query failed on mysql+pymysql://root@127.0.0.1:3306/test")
    assert "cannot connect" in message and "charset=zz" in message


@pytest.mark.parametrize("scheme", ["postgresql+psycopg2", "mysql+pymysql"])
def test_unreachable_server_names_the_source_and_hides_the_password(project, make, monkeypatch, scheme):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("SPI_TEST_SAFETY_DEAD", f"{scheme}://reader:p%40ss-s3cret@127.0.0.1:{port}/x")
    with pytest.raises(IngestError) as err:
        ingest_source(make("db", {"kind": "sql", "url_env": "SPI_TEST_SAFETY_DEAD", "query": "SELECT 1"}),
                      project.settings)
    message = str(err.value)
    assert message.startswith(f"source 'db' (sql:db): query failed on {scheme}://reader:***@127.0.0.1:{port}/x: "
                              "cannot connect")
    assert "s3cret" not in message and "p@ss" not in message


def test_an_engine_that_cannot_be_made_read_only_is_refused(project, make, monkeypatch):
    monkeypatch.setenv("SPI_TEST_SAFETY_ORACLE", "oracle://reader:s3cret@127.0.0.1:1521/x")
    with pytest.raises(IngestError) as err:
        ingest_source(make("db", {"kind": "sql", "url_env": "SPI_TEST_SAFETY_ORACLE", "query": "SELECT 1 FROM dual"}),
                      project.settings)
    assert "is not supported" in str(err.value) and "read-only" in str(err.value)
    assert "s3cret" not in str(err.value)


@pytest.mark.parametrize("query, why", [
    ("COMMIT; DROP TABLE t; SELECT 1", "3 statements"),
    ("DROP TABLE t", "must be a SELECT or WITH statement, not 'DROP'"),
    ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "uses DELETE"),
    ("SELECT * INTO t2 FROM t", "uses INTO"),
    ("PRAGMA query_only = OFF", "not 'PRAGMA'"),
    ("SELECT '\\'; COMMIT; DROP TABLE t; SELECT '\\'", "backslash"),
    ("SELECT 1 # 1; DROP TABLE t", "`#` comments"),
    ("SELECT 1 /*! ; DROP TABLE t */", "executable comments"),
])
def test_the_catalogue_refuses_an_unsafe_query(project, make, query, why):
    with pytest.raises(ValidationError, match="reader.sql.query") as err:
        make("db", {"kind": "sql", "url_env": "SPI_X", "query": query})
    assert why in str(err.value)


def test_the_catalogue_file_names_the_entry_and_field(tmp_path: Path):
    path = tmp_path / "sources.yml"
    path.write_text("""sources:
- id: housing_db
  title: Housing
  publisher: {name: Council}
  steward: housing
  licence: {name: OGL v3, attribution: Council}
  cadence: yearly
  geography: {level: lsoa, vintage: "2011"}
  personal_data: false
  reader: {kind: sql, url_env: SPI_X, query: "COMMIT; DROP TABLE t; SELECT 1"}
""", encoding="utf-8")
    with pytest.raises(CatalogueError) as err:
        load_catalogue(path, root=tmp_path)
    assert "source 'housing_db' field 'reader.query': the query holds 3 statements" in str(err.value)
