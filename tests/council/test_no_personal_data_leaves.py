"""No name, date of birth or address of a resident reaches anything but the restricted store.

The generator plants known SYNTHETIC identities (`social_progress.synthetic.canaries`) in
several council systems. After a real refresh, every file the platform wrote (the
warehouse and its WAL, the landing area, Dagster's run and event storage, logs, Data Docs,
quarantine, alerts, every release file) is scanned for them; the encrypted restricted store
must hold them (readable with its key) but not as plain bytes.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from social_progress.synthetic.canaries import CANARY_STRINGS

OUTPUT_DIRS = ("warehouse", "dagster_home", "releases", "dbt_project/target", "dbt_project/logs", "logs")


def _needles() -> list[bytes]:
    needles = sorted({s for s in CANARY_STRINGS if len(s) >= 6})
    assert len(needles) >= 6, needles
    return [s.encode("utf-8") for s in needles]


@pytest.mark.slow
def test_planted_identities_reach_no_output(refreshed_project: Path):
    needles = _needles()
    scanned, leaks = 0, []
    for folder in OUTPUT_DIRS:
        for path in (refreshed_project / folder).rglob("*"):
            if not path.is_file() or path.is_symlink():
                continue
            data = path.read_bytes()
            scanned += 1
            leaks += [f"{path.relative_to(refreshed_project)}: {n.decode()}" for n in needles if n in data]
            low = data.lower()
            leaks += [f"{path.relative_to(refreshed_project)}: {n.decode()} (any case)" for n in needles
                      if n.lower() in low and n not in data]
    assert scanned > 200, f"only {scanned} files scanned: is the refresh there?"
    assert leaks == [], "\n".join(leaks[:20])


@pytest.mark.slow
def test_the_restricted_store_holds_them_encrypted(refreshed_project: Path):
    from social_progress.privacy import RestrictedStore, encryption_key, restricted_path

    path = restricted_path(refreshed_project / "warehouse")
    assert path.is_file()
    assert not any(n in path.read_bytes() for n in _needles())
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
    planted = {s for s in CANARY_STRINGS if s in surnames}
    assert planted, "the planted identities should be in the restricted store"
    with pytest.raises(Exception, match="[Ww]rong encryption key|cannot open"):
        RestrictedStore(path, "x" * 40).read_table("council_housing_tenancies")
