"""Run a catalogue query against a database and return the result as CSV bytes.

Why: a query result has no file to keep, yet the landing area must hold exactly what was
ingested. Writing the result as CSV gives it a content hash (so an unchanged result is not
re-ingested), a landed copy, and the same text-typed raw table as any other CSV source.
The connection URL is read from the environment variable named in the catalogue, so no
password is ever committed, and is shown in messages with its password masked. The
connection is never committed, so a catalogue query cannot change the database.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from social_progress.catalogue import SqlReader

from .errors import IngestError


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

    query, params = reader.query, {}
    if since is not None:
        query = f"SELECT * FROM ({reader.query}) q WHERE q.{reader.watermark} > :since ORDER BY q.{reader.watermark}"
        params = {"since": since}
    columns, rows = _execute(source_id, reader, root, sa.text(query), params)
    return _to_csv(columns, rows)


def query_state(source_id: str, reader: SqlReader, root: Path | None = None) -> tuple[int, str | None]:
    """(rows, highest watermark) of an incremental source: its data version, without reading it."""
    import sqlalchemy as sa

    query = sa.text(f"SELECT count(*) AS n, max(q.{reader.watermark}) AS w FROM ({reader.query}) q")
    _, rows = _execute(source_id, reader, root, query, {})
    n, w = rows[0]
    return int(n), (None if w is None else str(w))


def _execute(source_id: str, reader: SqlReader, root: Path | None, statement, params: dict):
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    where = f"sql:{source_id}"
    url, origin = source_url(source_id, reader, root)
    try:
        engine = sa.create_engine(with_installed_driver(url), poolclass=NullPool)
    except Exception as exc:  # bad URL or missing driver
        raise IngestError(source_id, where, f"invalid database URL in {origin}: {_first_line(exc)}") from None
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            result = conn.execute(statement, params)
            if not result.returns_rows:
                raise IngestError(source_id, where, "the query returns no result set (is it a SELECT?)")
            columns = [str(c) for c in result.keys()]
            rows = result.fetchall()
    except sa.exc.DBAPIError as exc:
        raise IngestError(source_id, where, f"query failed on {shown}: {_first_line(exc.orig or exc)}") from None
    except sa.exc.SQLAlchemyError as exc:
        raise IngestError(source_id, where, f"query failed on {shown}: {_first_line(exc)}") from None
    finally:
        engine.dispose()
    return columns, rows


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


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text.splitlines()[0]}"
