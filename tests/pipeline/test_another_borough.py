"""Another borough by configuration alone: SPI_BOROUGH=E09000025 (Newham) in a deployment that
has just published Barking and Dagenham.

What the bundled open data supports for Newham today, checked end to end: every source gate
passes (the FixMyStreet extract is checked against its own borough's LSOAs, the two Newham
LSOAs with no gas meters are a tolerated, reported gap), the two FixMyStreet indicators leave
Newham's framework, and with them Personal Rights and Water and Sanitation fall below two
index indicators, so nothing is published and the refresh says which components and why.
Barking and Dagenham's release is left as it was.
"""
from __future__ import annotations

import duckdb
import pytest

from project_copy import copy_project, env_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("end_to_end")]


@pytest.fixture(scope="module")
def newham(refreshed, tmp_path_factory):
    import subprocess

    from project_copy import BIN

    project = copy_project(refreshed[0], tmp_path_factory.mktemp("newham") / "project")
    before = {p.name: p.stat().st_mtime_ns for p in (project / "releases").iterdir()}
    env = env_for(project)
    env["SPI_BOROUGH"] = "E09000025"
    proc = subprocess.run([str(BIN / "social-progress"), "refresh"], env=env, capture_output=True, text=True, timeout=900)
    return project, proc, before


def test_newham_is_refused_naming_the_components_left_short(newham):
    project, proc, _ = newham
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "did not publish a release" in out
    failed = [line for line in out.splitlines() if line.startswith("check failed:")]
    assert len(failed) == 1 and "indicator_framework_complete" in failed[0], out[-3000:]
    for component, indicator in (("Personal Rights", "civic_reporting_rate"), ("Water and Sanitation", "street_problem_reports")):
        assert f"item={component}, problem=fewer than 2 index indicators" in failed[0]
        assert f"{indicator}, its source fixmystreet does not cover this borough" in failed[0]


def test_newham_source_gates_pass_and_the_gas_gap_is_reported(newham):
    _, proc, _ = newham
    out = proc.stdout + proc.stderr
    assert "raw/fixmystreet:fixmystreet_expectations" not in out.split("warning:")[0]   # no error for the B&D-only feed
    gas = [line for line in out.splitlines() if line.startswith("warning: raw/energy_gas")]
    assert gas and "coverage: expect_column_values_to_be_in_set(present) failed for 22 of 1804 rows" in gas[0]


def test_newham_framework_and_warehouse_are_newhams(newham):
    project, _, _ = newham
    con = duckdb.connect(str(project / "warehouse" / "social_progress.duckdb"), read_only=True)
    try:
        meta = dict(con.execute("SELECT indicator_id, covered FROM marts.indicator_metadata").fetchall())
        assert meta["civic_reporting_rate"] is False and meta["street_problem_reports"] is False
        assert sum(1 for v in meta.values() if v is False) == 2
        lsoas = con.execute("SELECT count(*) FROM geography.lsoa11_lookup").fetchone()[0]
        # Newham's LSOA 2011, counted in the ONS lookup independently of the platform
        import pandas as pd
        from project_copy import ROOT
        look = pd.read_csv(ROOT / "data" / "geography" / "lookup_lsoa11_ward19_lad19_london.csv", dtype=str)
        assert lsoas == (look["LAD19CD"] == "E09000025").sum() == 164
        gas = con.execute("SELECT count(*) FROM indicators.domestic_gas_per_meter WHERE boundary = 'lsoa11' "
                          "AND area_level = 'lsoa' AND value IS NULL").fetchone()[0]
        assert gas == 22                      # two LSOAs x 11 years: rows kept, values missing, never zero
    finally:
        con.close()


def test_barking_and_dagenhams_release_is_untouched(newham):
    project, _, before = newham
    after = {p.name: p.stat().st_mtime_ns for p in (project / "releases").iterdir()}
    assert after.get("E09000025") is None or not any((project / "releases" / "E09000025").iterdir())
    assert {k: v for k, v in after.items() if k != "E09000025"} == before
