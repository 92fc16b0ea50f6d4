"""The housing and revenues systems on real PostgreSQL and MariaDB servers (127.0.0.1).

Each test works in its own schema (PostgreSQL) or database (MariaDB), dropped afterwards,
so it never meets another test's tables.
"""
from __future__ import annotations

import datetime as dt
import uuid

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa

from social_progress.synthetic import build_council_systems
from social_progress.synthetic.schemas import SQL_TABLES
from social_progress.synthetic.streams import NULL_DAY, day
from social_progress.synthetic.writers import append_rows, read_table, write_sql

pytestmark = pytest.mark.services

SERVERS = {
    "postgres": "postgresql+psycopg2://postgres@127.0.0.1:5432/test",
    "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test",
}


@pytest.fixture(params=list(SERVERS))
def server(request):
    """(dialect, URL of an empty schema/database of its own)."""
    base = SERVERS[request.param]
    name = f"synth_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base)
    try:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}" if request.param == "postgres"
                                 else f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    except sa.exc.OperationalError as e:  # pragma: no cover - servers not running
        pytest.skip(f"{request.param} not reachable: {e}")
    url = (f"{base}?options=-csearch_path%3D{name}" if request.param == "postgres"
           else base.rsplit("/", 1)[0] + f"/{name}?charset=utf8mb4")
    yield request.param, url, name
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE" if request.param == "postgres" else f"DROP DATABASE {name}")
    engine.dispose()


def _rows(table: str, n: int, start: int = 1) -> pd.DataFrame:
    """n plausible rows of any synthetic table, from its declared columns."""
    data = {}
    for i, c in enumerate(SQL_TABLES[table]):
        if c.pk:
            data[c.name] = [f"K{j:07d}" for j in range(start, start + n)]
        elif c.type == "date":
            data[c.name] = [day(2019, 4, 1) + j for j in range(n - 1)] + [NULL_DAY if c.nullable else day(2020, 1, 1)]
        elif c.type == "datetime":
            data[c.name] = np.array([f"2019-04-{2 + j % 20:02d}T09:30:00" for j in range(n)], dtype="datetime64[s]")
        elif c.type == "int":
            data[c.name] = [2019 if "year" in c.name else j % 2 for j in range(n)]
        elif c.type == "numeric":
            data[c.name] = [1234.56 + j for j in range(n)]
        else:
            data[c.name] = ["Šarūnas Ștefan-O'Brien"[: c.length]] * (n - 1) + [None]
    return pd.DataFrame(data)


def test_tables_are_typed_keyed_and_appendable(server):
    dialect, url, name = server
    counts = write_sql(url, {t: _rows(t, 5) for t in SQL_TABLES})
    assert counts == {t: 5 for t in SQL_TABLES}
    engine = sa.create_engine(url)
    try:
        insp = sa.inspect(engine)
        for t, spec in SQL_TABLES.items():
            cols = {c["name"]: c["type"] for c in insp.get_columns(t)}
            assert list(cols) == [c.name for c in spec]
            assert insp.get_pk_constraint(t)["constrained_columns"] == [c.name for c in spec if c.pk]
            for c in spec:
                typ = cols[c.name]
                want = {"date": sa.Date, "datetime": sa.DateTime, "int": sa.Integer, "numeric": sa.Numeric,
                        "str": sa.String}[c.type]
                assert isinstance(typ, want), (t, c.name, typ)
        # names with diacritics survive, NULLs stay NULL
        back = read_table(url, "tenancies")
        assert back["first_name"].iloc[0] == "Šarūnas Ștefan-O'Brien"[:80]
        assert back["end_date"].isna().sum() == 1 and back["first_name"].isna().sum() == 1
        # incremental: rows appended later are found past the watermark
        later = _rows("tenancies", 2, start=100)
        later["updated_at"] = [dt.datetime(2021, 5, 1, 8, 0)] * 2
        assert append_rows(url, "tenancies", later) == 2
        with engine.connect() as conn:
            new = conn.execute(sa.text("SELECT tenancy_ref FROM tenancies WHERE updated_at > :w ORDER BY 1"),
                               {"w": dt.datetime(2020, 12, 31)}).scalars().all()
        assert new == ["K0000100", "K0000101"]
        # drop and create fresh
        write_sql(url, {"tenancies": _rows("tenancies", 1)})
        assert len(read_table(url, "tenancies")) == 1
    finally:
        engine.dispose()


@pytest.mark.slow
def test_full_build_into_servers(tmp_path):
    """Housing into PostgreSQL and revenues into MariaDB, as --housing-url/--revenues-url do."""
    made = []
    urls = {}
    for dialect in ("postgres", "mariadb"):
        name = f"synth_{uuid.uuid4().hex[:10]}"
        engine = sa.create_engine(SERVERS[dialect])
        with engine.begin() as conn:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}" if dialect == "postgres"
                                 else f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
        made.append((dialect, engine, name))
        urls[dialect] = (f"{SERVERS[dialect]}?options=-csearch_path%3D{name}" if dialect == "postgres"
                         else SERVERS[dialect].rsplit("/", 1)[0] + f"/{name}?charset=utf8mb4")
    try:
        s = build_council_systems(tmp_path / "out", housing_url=urls["postgres"], revenues_url=urls["mariadb"])
        assert not (tmp_path / "out" / "housing.sqlite").exists()
        for url, table in ((urls["postgres"], "housing_register"), (urls["mariadb"], "council_tax_accounts"),
                           (urls["mariadb"], "council_tax_support")):
            assert len(read_table(url, table)) == s.rows[table]
        cts = read_table(urls["mariadb"], "council_tax_support")
        assert cts["first_name"].str.contains("Thessaly").any()
        assert "password" not in s.housing_url
    finally:
        for dialect, engine, name in made:
            with engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE" if dialect == "postgres" else f"DROP DATABASE {name}")
            engine.dispose()
