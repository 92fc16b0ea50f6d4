"""No name, date of birth or address of a resident reaches anything but the restricted store.

The generator plants three known SYNTHETIC identities (`social_progress.synthetic.canaries`)
in several council systems. After a real refresh:

- every file the platform wrote (the warehouse's landing area, Dagster's run and event
  storage, logs, Data Docs, quarantine, every release file) is scanned byte by byte for
  their names (any case) and their street addresses. The address gazetteer (LLPG) lists
  every address of the borough with no one attached, so its own landed copy is the one
  file allowed to hold a street name;
- the warehouse (DuckDB compresses, so bytes prove nothing) is queried: no text column of
  any table but the gazetteer's holds a name or an address of theirs, and no council raw
  table has a name, date of birth, address, postcode or reference column at all;
- the encrypted restricted store holds them (readable with its key), not as plain bytes.
"""
from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest

from social_progress.synthetic.canaries import CANARIES, CANARY_STRINGS

OUTPUT_DIRS = ("warehouse", "dagster_home", "releases", "dbt_project/target", "dbt_project/logs", "logs")
GAZETTEER = "council_llpg"


def _names() -> list[str]:
    out = set()
    for c in CANARIES:
        out |= {c.first_name, c.surname, f"{c.first_name} {c.surname}"}
    return sorted(out)


def _addresses() -> list[str]:
    dates = {c.date_of_birth for c in CANARIES}
    names = {n.lower() for n in _names()}
    return sorted({s for s in CANARY_STRINGS if s.lower() not in names and not any(ch.isdigit() for ch in s)
                   and s not in dates})


def _as_word(name: str, low: bytes) -> bool:
    """Whether `name` occurs in `low` (lower-cased bytes) as a word: a planted first name such
    as 'Perpetua' inside 'perpetual' (a vendored licence's text) is not a leak."""
    return re.search(rb"(?<![a-z])" + re.escape(name.lower().encode()) + rb"(?![a-z])", low) is not None


def test_a_name_is_found_as_a_word_only():
    assert _as_word("Perpetua", b"resident: perpetua smith") and _as_word("Perpetua", b"\"perpetua\",")
    assert not _as_word("Perpetua", b"grants to you a perpetual, worldwide licence")


@pytest.mark.slow
def test_planted_names_and_addresses_reach_no_output_file(refreshed_project: Path):
    names, addresses = _names(), _addresses()
    assert len(names) == 9 and len(addresses) >= 3, (names, addresses)
    scanned, leaks = 0, []
    for folder in OUTPUT_DIRS:
        for path in (refreshed_project / folder).rglob("*"):
            if not path.is_file() or path.is_symlink() or path.suffix in (".duckdb", ".wal"):
                continue
            low = path.read_bytes().lower()
            scanned += 1
            rel = str(path.relative_to(refreshed_project))
            leaks += [f"{rel}: {n}" for n in names if _as_word(n, low)]
            if f"landing/{GAZETTEER}/" not in rel:
                leaks += [f"{rel}: {a}" for a in addresses if a.lower().encode() in low]
    assert scanned > 200, f"only {scanned} files scanned: is the refresh there?"
    assert leaks == [], "\n".join(leaks[:20])


@pytest.mark.slow
def test_the_warehouse_holds_no_identifier(refreshed_project: Path):
    # names and addresses anywhere; a date of birth is only a date without them (the same day
    # is some tenancy's start date), so no column may hold one: checked by name below
    needles = [n.lower() for n in _names()] + [a.lower() for a in _addresses()]
    pattern = "|".join(needles).replace("-", "\\-")
    db = refreshed_project / "warehouse" / "social_progress.duckdb"
    found, council_columns = [], {}
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute("SELECT table_schema, table_name, column_name FROM information_schema.columns "
                              "WHERE data_type = 'VARCHAR'").fetchall()
        for schema, table, column in columns:
            if schema == "raw" and table == GAZETTEER:
                continue
            if schema == "raw" and table.startswith("council_"):
                council_columns.setdefault(table, []).append(column.lower())
            hit = con.execute(f'SELECT count(*) FROM "{schema}"."{table}" '
                              f'WHERE regexp_matches(lower("{column}"), ?)', [pattern]).fetchone()[0]
            if hit:
                found.append(f"{schema}.{table}.{column}: {hit}")
    assert found == [], found
    assert len(council_columns) >= 14
    banned = ("first_name", "surname", "birth", "dob", "address", "postcode", "uprn", "_ref", "upn", "member_id",
              "easting", "northing")
    for table, cols in council_columns.items():
        bad = [c for c in cols if any(b in c for b in banned) and not c.endswith("_key")]
        assert bad == [], f"raw.{table} has identifying columns {bad}"


@pytest.mark.slow
def test_the_restricted_store_holds_them_encrypted(refreshed_project: Path):
    from social_progress.privacy import RestrictedStore, encryption_key, restricted_path

    path = restricted_path(refreshed_project / "warehouse")
    assert path.is_file()
    raw = path.read_bytes().lower()
    assert not any(n.lower().encode() in raw for n in _names())
    key, built_in = encryption_key("council", True)
    store = RestrictedStore(path, key, built_in_key=built_in)
    tables = store.tables()
    assert "council_housing_tenancies" in tables and "council_crm_cases" in tables
    surnames = set()
    for name in tables:
        frame = store.read_table(name)
        for col in frame.columns:
            if "surname" in col:
                surnames |= set(frame[col].dropna().astype(str))
    assert {c.surname for c in CANARIES} & surnames, "the planted identities should be in the restricted store"
    with pytest.raises(Exception, match="[Ww]rong encryption key|cannot open"):
        RestrictedStore(path, "x" * 40).read_table("council_housing_tenancies")
