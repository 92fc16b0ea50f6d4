"""DuckDB connections to the platform's warehouse file.

Why: DuckDB allows one writer at a time. Every writer opens the file for the shortest
time it needs (and Dagster runs writers one at a time); readers open it read-only.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import duckdb
import pandas as pd


@contextmanager
def connect(path: Path, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    elif not path.exists():
        raise FileNotFoundError(f"{path}: the warehouse does not exist yet; run the ingest assets first")
    con = duckdb.connect(str(path), read_only=read_only)
    try:
        yield con
    finally:
        con.close()


def replace_table(path: Path, schema: str, table: str, frame: pd.DataFrame) -> int:
    """Write `frame` as schema.table in one transaction: all of it or nothing."""
    with connect(path) as con:
        con.execute("BEGIN")
        try:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.register("_frame", frame)
            con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{table}" AS SELECT * FROM _frame')
            con.unregister("_frame")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    return len(frame)


def read_table(path: Path, query: str, params: list | None = None) -> pd.DataFrame:
    with connect(path, read_only=True) as con:
        return con.execute(query, params or []).df()
