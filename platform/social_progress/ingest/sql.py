"""Run a catalogue query against a database and return the result as CSV bytes.

Why: a query result has no file to keep, yet the landing area must hold exactly what was
ingested. Writing the result as CSV gives it a content hash (so an unchanged result is not
re-ingested), a landed copy, and the same text-typed raw table as any other CSV source.
The connection URL is read from the environment variable named in the catalogue, so no
password is ever committed, and is shown in messages with its password masked.

A catalogue query must not change the database it reads, so three things stand in the way:
the query must be exactly one SELECT/WITH statement (`sql_guard`, checked before anything is
sent); it runs in a read-only session and transaction that is rolled back (PostgreSQL and
MySQL/MariaDB `... READ ONLY`, SQLite opened with `mode=ro` and `PRAGMA query_only`), and
other engines are refused because that cannot be promised for them; and councils are asked
to give the platform a read-only account. Any failure to connect or run is an IngestError
naming the source, never a driver's traceback.
"""
from __future__ import annotations

import csv
import io
import os
from contextlib import contextmanager
from pathlib import Path

from social_progress.catalogue import SqlReader

from .errors import IngestError
from .sql_guard import UnsafeQuery, checked_query


def source_url(source_id: str, reader: SqlReader, root: Path | None = None) -> tuple[str, str]:
    """(URL, where it came from): the environment variable, else the catalogue's embedded
    database for a synthetic source (a relative sqlite path is relative to the project root)."""
    url = os.environ.get(reader.url_env)
    if url:
        return url, f"${reader.url_env}"
    if reader.default_url:
        url = reader.default_url
        prefix = "sqlite:///"
        if url.startswith(prefix) and not url[len(prefix):].startswith("/") and root is not None:
            url = prefix + str(Path(root) / url[len(prefix):])
        return url, "the embedded database (default_url)"
    raise IngestError(source_id, f"sql:{source_id}",
                      f"environment variable {reader.url_env} is not set (it must hold the database URL)")


def run_query(source_id: str, reader: SqlReader, root: Path | None = None, *, since: str | None = None) -> bytes:
    """Execute the query; return the result as UTF-8 CSV (header row, NULL as empty).

    With `since` (an incremental read) only rows whose watermark column is past it."""
    import sqlalchemy as sa

    query, params = checked_source_query(source_id, reader), {}
    if since is not None:
        # the user's query is checked, then wrapped; the newline ends any trailing `--` comment
        query = f"SELECT * FROM (\n{query}\n) q WHERE q.{reader.watermark} > :since ORDER BY q.{reader.watermark}"
        params = {"since": since}
    columns, rows = _execute(source_id, reader, root, sa.text(query), params)
    return _to_csv(columns, rows)


def query_state(source_id: str, reader: SqlReader, root: Path | None = None) -> tuple[int, str | None]:
    """(rows, highest watermark) of an incremental source: its data version, without reading it."""
    import sqlalchemy as sa

    inner = checked_source_query(source_id, reader)
    query = sa.text(f"SELECT count(*) AS n, max(q.{reader.watermark}) AS w FROM (\n{inner}\n) q")
    _, rows = _execute(source_id, reader, root, query, {})
    n, w = rows[0]
    return int(n), (None if w is None else str(w))


def checked_source_query(source_id: str, reader: SqlReader) -> str:
    """The reader's query without its trailing semicolon, or an IngestError saying why it is
    refused. Checked here as well as at catalogue load: a reader can be built unvalidated."""
    try:
        return checked_query(reader.query)
    except UnsafeQuery as exc:
        raise IngestError(source_id, f"sql:{source_id}", f"field 'reader.query' refused: {exc}") from None


# Backends on which a read-only session can be guaranteed (see _read_only_session).
_READ_ONLY_BACKENDS = ("postgresql", "mysql", "mariadb", "sqlite")


def _execute(source_id: str, reader: SqlReader, root: Path | None, statement, params: dict):
    import sqlalchemy as sa

    where = f"sql:{source_id}"
    url, origin = source_url(source_id, reader, root)
    try:
        parsed = with_installed_driver(url)
    except Exception as exc:  # not a URL SQLAlchemy can parse, or an unknown dialect
        problem = _first_line(exc, _secrets(url))
        raise IngestError(source_id, where, f"invalid database URL in {origin}: {problem}") from None
    shown, secrets = _shown(parsed), _secrets(url, parsed)
    backend = parsed.get_backend_name()
    if backend not in _READ_ONLY_BACKENDS:
        raise IngestError(source_id, where, f"database {shown} ({origin}) is not supported: only PostgreSQL, "
                          "MySQL/MariaDB and SQLite can be read in a session guaranteed read-only")
    try:
        engine = _read_only_engine(parsed)
    except Exception as exc:  # bad URL options or missing driver
        problem = _first_line(exc, secrets)
        raise IngestError(source_id, where, f"invalid database URL in {origin} ({shown}): {problem}") from None
    try:
        with _read_only_session(engine, backend, source_id, where, shown, secrets) as conn:
            result = conn.execute(statement, params)
            if not result.returns_rows:
                raise IngestError(source_id, where, "the query returns no result set (is it a SELECT?)")
            columns = [str(c) for c in result.keys()]
            rows = result.fetchall()
    except IngestError:
        raise
    except sa.exc.DBAPIError as exc:
        problem = _first_line(exc.orig or exc, secrets)
        raise IngestError(source_id, where, f"query failed on {shown}: {problem}") from None
    except Exception as exc:  # a driver's own bug or bad option surfaces as anything (AttributeError...)
        raise IngestError(source_id, where, f"query failed on {shown}: {_first_line(exc, secrets)}") from None
    finally:
        engine.dispose()
    return columns, rows


def _read_only_engine(url):
    """An engine whose connections cannot write: SQLite files are opened with `mode=ro`
    (a missing file is an error, not a new empty database) and every SQLite connection
    gets `PRAGMA query_only`; the server engines are made read-only per session."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    if url.get_backend_name() == "sqlite":
        if url.get_driver_name() != "pysqlite":
            raise ValueError(f"the SQLite driver {url.get_driver_name()!r} is not supported (use sqlite:///path)")
        database = url.database
        if database and database != ":memory:":
            if str(url.query.get("uri", "")).lower() not in ("true", "1"):
                from urllib.request import pathname2url

                database = "file:" + pathname2url(os.path.abspath(database))
            url = url.set(database=database, query={**url.query, "mode": "ro", "uri": "true"})
        engine = sa.create_engine(url, poolclass=NullPool)

        @sa.event.listens_for(engine, "connect")
        def _query_only(dbapi_connection, _record):
            dbapi_connection.execute("PRAGMA query_only = ON")

        return engine
    return sa.create_engine(url, poolclass=NullPool)


# Run in order on a new connection before the query. PostgreSQL: the session default (so a
# transaction begun later is read-only too) and the current transaction. MySQL/MariaDB: the
# same, START TRANSACTION ending the implicit one (which has done nothing).
_READ_ONLY_STATEMENTS = {
    "postgresql": ("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY", "SET TRANSACTION READ ONLY"),
    "mysql": ("SET SESSION TRANSACTION READ ONLY", "START TRANSACTION READ ONLY"),
    "mariadb": ("SET SESSION TRANSACTION READ ONLY", "START TRANSACTION READ ONLY"),
    "sqlite": (),  # read-only by how it is opened (_read_only_engine)
}


@contextmanager
def _read_only_session(engine, backend: str, source_id: str, where: str, shown: str, secrets: tuple[str, ...]):
    """A connection in a read-only transaction, rolled back afterwards. Connection failures
    (including a driver's AttributeError on a bad URL option) become an IngestError."""
    import sqlalchemy as sa

    try:
        conn = engine.connect()
    except sa.exc.DBAPIError as exc:
        problem = _first_line(exc.orig or exc, secrets)
        raise IngestError(source_id, where, f"query failed on {shown}: cannot connect: {problem}") from None
    except Exception as exc:
        raise IngestError(source_id, where, f"query failed on {shown}: cannot connect (check the URL's options): "
                          f"{_first_line(exc, secrets)}") from None
    try:
        for sql in _READ_ONLY_STATEMENTS[backend]:
            conn.execute(sa.text(sql))
        if backend == "postgresql" and conn.execute(sa.text("SHOW transaction_read_only")).scalar() != "on":
            raise IngestError(source_id, where, f"could not open a read-only transaction on {shown}; nothing was run")
        yield conn
    finally:
        try:
            conn.rollback()
        except Exception:  # a broken connection: closing it ends the transaction anyway
            pass
        conn.close()


def _shown(url) -> str:
    """The URL for messages: password masked, and any query option that looks secret too."""
    masked = {k: ("***" if any(w in k.lower() for w in ("pass", "secret", "key", "token")) else v)
              for k, v in url.query.items()}
    return url.set(query=masked).render_as_string(hide_password=True)


def _secrets(url: str, parsed=None) -> tuple[str, ...]:
    """Strings never to show: the password (as written and as parsed) and secret-looking options."""
    import re

    match = re.match(r"^[^:/]+://[^:@/]*:([^@/]*)@", url)
    found = [match.group(1)] if match else []
    if parsed is not None:
        found.append(str(parsed.password or ""))
        found += [str(v) for k, v in parsed.query.items()
                  if any(w in k.lower() for w in ("pass", "secret", "key", "token"))]
    return tuple(s for s in found if s)


# SQLAlchemy's default driver for a bare scheme may not be the one installed here
# (2.1 picks psycopg 3 for postgresql://, mysqlclient for mysql://).
_DRIVER_FALLBACKS = {"postgresql": ("psycopg", "postgresql+psycopg2", "psycopg2"),
                     "mysql": ("MySQLdb", "mysql+pymysql", "pymysql"),
                     "mariadb": ("MySQLdb", "mariadb+pymysql", "pymysql")}


def with_installed_driver(url: str):
    """`url` as a SQLAlchemy URL, naming an installed driver when it names none."""
    import importlib.util

    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    fallback = _DRIVER_FALLBACKS.get(parsed.drivername)
    if fallback:
        default_module, drivername, module = fallback
        if importlib.util.find_spec(default_module) is None and importlib.util.find_spec(module) is not None:
            parsed = parsed.set(drivername=drivername)
    return parsed


def _to_csv(columns: list[str], rows) -> bytes:
    """Values as the driver returns them, written with str(): no float inference on NULLs
    (an integer column with a NULL stays "420", not "420.0"), dates in ISO form, NULL empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_text(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).hex()  # binary columns: hex, so the CSV stays text
    return str(value)


def _first_line(exc: BaseException, secrets: tuple[str, ...] = ()) -> str:
    """The exception's type and first line, with any secret in it masked."""
    text = str(exc).strip() or type(exc).__name__
    line = text.splitlines()[0]
    for secret in secrets:
        line = line.replace(secret, "***")
    return f"{type(exc).__name__}: {line}"
