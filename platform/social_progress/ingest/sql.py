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

from social_progress.catalogue import SqlReader

from .errors import IngestError


def run_query(source_id: str, reader: SqlReader) -> bytes:
    """Execute the query; return the result as UTF-8 CSV (header row, NULL as empty)."""
    import sqlalchemy as sa
    from sqlalchemy.pool import NullPool

    where = f"sql:{source_id}"
    url = os.environ.get(reader.url_env)
    if not url:
        raise IngestError(source_id, where,
                          f"environment variable {reader.url_env} is not set (it must hold the database URL)")
    try:
        engine = sa.create_engine(with_installed_driver(url), poolclass=NullPool)
    except Exception as exc:  # bad URL or missing driver
        raise IngestError(source_id, where, f"invalid database URL in {reader.url_env}: {_first_line(exc)}") from None
    shown = engine.url.render_as_string(hide_password=True)
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(reader.query))
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
    return _to_csv(columns, rows)


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
