"""Compare two warehouses table for table: same tables, same columns, same rows.

Why: a refactor of the platform must leave every table as it was (or say which differ and
why). Usage:

    python scripts/compare_warehouses.py OLD.duckdb NEW.duckdb [--schemas raw,geography,...]

Prints one line per table that differs (missing, columns, row counts, rows only on one
side, compared with EXCEPT ALL both ways) and a summary; exits 1 if any table differs.
Run-specific tables (quality.*, raw._ingest_log timestamps) are skipped by default; views
are compared by name (their SQL names the catalog of their own file).
"""
from __future__ import annotations

import argparse
import sys

import duckdb

DEFAULT_SCHEMAS = ("raw", "geography", "staging", "intermediate", "indicators", "marts")
SKIP = {("raw", "_ingest_log")}


def tables(con, db: str, schemas: tuple[str, ...]) -> dict[tuple[str, str], str]:
    rows = con.execute("SELECT table_schema, table_name, table_type FROM information_schema.tables "
                       "WHERE table_catalog = ?", [db]).fetchall()
    return {(s, t): kind for s, t, kind in rows if s in schemas and (s, t) not in SKIP}


def base_tables(found: dict) -> set:
    """Views are compared by name only: a view's SQL names the catalog of its own file."""
    return {k for k, kind in found.items() if kind == "BASE TABLE"}


def columns(con, db: str, schema: str, table: str) -> list[tuple[str, str]]:
    return con.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ? AND "
                       "table_schema = ? AND table_name = ? ORDER BY ordinal_position", [db, schema, table]).fetchall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--schemas", default=",".join(DEFAULT_SCHEMAS))
    args = parser.parse_args()
    schemas = tuple(s.strip() for s in args.schemas.split(",") if s.strip())
    con = duckdb.connect()
    con.execute(f"ATTACH '{args.old}' AS old_wh (READ_ONLY)")
    con.execute(f"ATTACH '{args.new}' AS new_wh (READ_ONLY)")
    old, new = tables(con, "old_wh", schemas), tables(con, "new_wh", schemas)
    differ = 0
    for key in sorted(set(old) - set(new)):
        print(f"only in old: {key[0]}.{key[1]} ({old[key]})")
    for key in sorted(set(new) - set(old)):
        print(f"only in new: {key[0]}.{key[1]} ({new[key]})")
    same = 0
    views = sorted(k for k in set(old) & set(new) if k not in base_tables(old) or k not in base_tables(new))
    for schema, table in sorted(base_tables(old) & base_tables(new)):
        a, b = f'old_wh."{schema}"."{table}"', f'new_wh."{schema}"."{table}"'
        ca, cb = columns(con, "old_wh", schema, table), columns(con, "new_wh", schema, table)
        if [c for c, _ in ca] != [c for c, _ in cb]:
            extra = [c for c, _ in cb if c not in dict(ca)]
            if extra and [c for c, _ in cb[:len(ca)]] == [c for c, _ in ca]:
                print(f"{schema}.{table}: new columns at the end {extra}; comparing the old ones")
            else:
                print(f"{schema}.{table}: columns differ: {[c for c, _ in ca]} vs {[c for c, _ in cb]}")
                differ += 1
                continue
        cols = ", ".join(f'"{c}"' for c, _ in ca)
        na = con.execute(f"SELECT count(*) FROM {a}").fetchone()[0]
        nb = con.execute(f"SELECT count(*) FROM {b}").fetchone()[0]
        only_a = con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {a} EXCEPT ALL SELECT {cols} FROM {b})").fetchone()[0]
        only_b = con.execute(f"SELECT count(*) FROM (SELECT {cols} FROM {b} EXCEPT ALL SELECT {cols} FROM {a})").fetchone()[0]
        if na != nb or only_a or only_b:
            print(f"{schema}.{table}: {na} vs {nb} rows; {only_a} only in old, {only_b} only in new")
            differ += 1
        else:
            same += 1
    print(f"{same} tables identical, {differ} differ, {len(views)} views present in both, {len(set(old) - set(new))} only in old, "
          f"{len(set(new) - set(old))} only in new")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
