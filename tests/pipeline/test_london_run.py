"""The London-wide run (`social-progress london --write-weights`) in a copy of a deployment
that has just published Barking and Dagenham.

It reports every London borough's areas (counted here from the bundled boundary files),
scores the index for all of them with principal-component weights pooled over London's
LSOAs, leaves the City of London unscored with the reason (the Met's crime files do not
cover it), keeps the borough deployment's warehouse and releases as they were, and
reproduces the committed common weights (catalogue/london_weights.yml) from code and data.
"""
from __future__ import annotations

import subprocess

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
import yaml

from project_copy import BIN, ROOT, copy_project, env_for

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("london_run")]


@pytest.fixture(scope="session")   # not module: xdist interleaves other modules' tests, which would rebuild it
def london(refreshed, tmp_path_factory):
    project = copy_project(refreshed[0], tmp_path_factory.mktemp("london") / "project")
    borough_db = project / "warehouse" / "social_progress.duckdb"
    before = borough_db.stat().st_mtime_ns, sorted(p.name for p in (project / "releases").iterdir())
    proc = subprocess.run([str(BIN / "social-progress"), "london", "--write-weights"], env=env_for(project),
                          capture_output=True, text=True, timeout=1200)
    return project, proc, before


def _con(project):
    return duckdb.connect(str(project / "warehouse" / "london" / "social_progress.duckdb"), read_only=True)


def test_the_london_run_reports_every_boroughs_areas(london):
    project, proc, _ = london
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    look = pd.read_csv(ROOT / "data" / "geography" / "lookup_lsoa11_ward19_lad19_london.csv", dtype=str)
    lsoa21 = gpd.read_file(ROOT / "data" / "geography" / "lsoa21_gen20.shp", ignore_geometry=True)
    wards22 = sum(len(gpd.read_file(f, ignore_geometry=True)) for f in (ROOT / "data" / "geography" / "wards22").glob("*.geojson"))
    expected = {"lsoa11": look["LSOA11CD"].nunique(), "ward19": look["WD19CD"].nunique(), "lsoa21": len(lsoa21),
                "ward22": wards22, "lad": 33}
    con = _con(project)
    try:
        areas = dict(con.execute("SELECT boundary, count(*) FROM geography.areas GROUP BY 1").fetchall())
        scored = dict(con.execute("SELECT boundary, count(DISTINCT area_code) FROM marts.index_scores "
                                  "WHERE measure_type = 'index' GROUP BY 1").fetchall())
        city = con.execute("SELECT count(*) FROM geography.areas WHERE lad_code = 'E09000001'").df().iloc[0, 0]
        reasons = con.execute("SELECT DISTINCT reason FROM marts.index_exclusions WHERE area_code = 'E09000001' "
                              "AND measure_type = 'index'").fetchall()
        boroughs = con.execute("SELECT count(DISTINCT area_code) FROM marts.index_scores WHERE boundary = 'lad' "
                               "AND measure_type = 'index' AND score IS NOT NULL").fetchone()[0]
        lo, hi = con.execute("SELECT min(score), max(score) FROM marts.index_scores").fetchone()
        years = [y for (y,) in con.execute("SELECT year FROM marts.index_years ORDER BY 1").fetchall()]
    finally:
        con.close()
    assert areas == expected and expected["lsoa11"] == 4835 and expected["lsoa21"] == 4994
    # every area is scored but the City's, which is listed with the reason
    assert sum(scored.values()) == sum(expected.values()) - city and boroughs == 32
    assert any(r.startswith("not scored: crime does not cover it") for (r,) in reasons)
    assert 0 <= lo and hi <= 100 and len(years) >= 7


def test_no_indicator_is_zero_filled_where_a_source_does_not_cover(london):
    """FixMyStreet covers Barking and Dagenham only: in the London layer its counts are
    missing elsewhere, never zero; crime is missing (flagged not_covered) in the City."""
    project, _, _ = london
    con = _con(project)
    try:
        fms = con.execute("SELECT a.lad_code = 'E09000002', count(v.value), count(*) FROM indicators.street_problem_reports v "
                          "JOIN geography.areas a USING (boundary, area_code) WHERE v.area_level = 'lsoa' "
                          "GROUP BY 1 ORDER BY 1").fetchall()
        crime = con.execute("SELECT count(*), count(value), min(quality_flag) FROM indicators.all_crime_rate v "
                            "JOIN geography.areas a USING (boundary, area_code) WHERE a.lad_code = 'E09000001'").fetchone()
    finally:
        con.close()
    (other, other_values, other_rows), (bd, bd_values, bd_rows) = fms
    assert not other and other_values == 0 and other_rows > 0
    assert bd and bd_values == bd_rows > 0
    assert crime[0] > 0 and crime[1] == 0 and crime[2] == "not_covered"


def test_the_committed_common_weights_are_reproduced(london):
    project, _, _ = london
    written = yaml.safe_load((project / "catalogue" / "london_weights.yml").read_text())
    committed = yaml.safe_load((ROOT / "catalogue" / "london_weights.yml").read_text())
    assert written["basis"]["areas"] == "4835 London LSOA 2011"
    assert written["components"].keys() == committed["components"].keys()
    for comp, entry in committed["components"].items():
        got = written["components"][comp]
        assert got["method"] == entry["method"], comp
        assert got["weights"].keys() == entry["weights"].keys(), comp
        for ind, w in entry["weights"].items():
            assert abs(got["weights"][ind] - w) < 1e-5, (comp, ind)


def test_the_borough_deployment_is_left_alone(london):
    project, _, (mtime, releases) = london
    assert (project / "warehouse" / "social_progress.duckdb").stat().st_mtime_ns == mtime
    # the borough's releases are as they were; the London layer has a folder of its own
    assert sorted(p.name for p in (project / "releases").iterdir()) == sorted([*releases, "E12000007"])


def test_the_london_layer_is_published(london):
    """The layer borough releases compare with: every scored area's scores and the boroughs'."""
    project, proc, _ = london
    layer = project / "releases" / "E12000007" / "latest"
    assert f"London layer published: {project / 'releases' / 'E12000007'}" in proc.stdout
    boroughs = pd.read_csv(layer / "boroughs.csv")
    index = boroughs[boroughs["measure_type"] == "index"]
    assert index["area_code"].nunique() == 32 and "E09000001" not in set(index["area_code"])
    assert index.groupby("area_code")["year"].nunique().eq(len(index["year"].unique())).all()
    scores = pd.read_parquet(layer / "scores.parquet", columns=["boundary", "area_code", "measure_type", "score"])
    assert scores["score"].notna().all()
    assert scores[scores["measure_type"] == "index"].groupby("boundary")["area_code"].nunique().to_dict()["lsoa11"] == 4829
    # London's own score (london.csv: London scored as one area) for every year, between its boroughs' lowest and
    # highest, and the framework borough releases check before comparing (publish.london_comparison)
    own = pd.read_csv(layer / "london.csv").query("measure_type == 'index'").set_index("year")["score"]
    span = index.groupby("year")["score"].agg(["min", "max"])
    assert (sorted(own.index) == sorted(span.index) and ((own >= span["min"]) & (own <= span["max"])).all()
            and __import__("json").loads((layer / "metadata.json").read_text())["framework"]["fingerprint"])
